// NetworkImpl: opening, graph views, block height and time, failures, and the commit path.
#include <algorithm>
#include <limits>

#include "config/base/log.h"
#include "escrow/simln/network_impl.h"
#include "escrow/simln/payreq.h"

namespace escrow::simln {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

uint32_t HeightAt(const MetaRec& meta, int64_t now) {
  int64_t elapsed = std::max<int64_t>(0, now - meta.genesis_time);
  return meta.start_height + static_cast<uint32_t>(elapsed / meta.block_interval_seconds) + meta.mined_blocks;
}

// BOLT #7: short_channel_id: "the block height (3 bytes), the transaction index within the
// block (3 bytes), the output index (2 bytes)".
uint64_t ShortChannelId(uint32_t block, uint64_t tx_index, uint16_t output) {
  return (uint64_t{block & 0xFFFFFF} << 40) | ((tx_index & 0xFFFFFF) << 16) | output;
}

LnError Internal(const std::string& what) { return LnError{LnErrorCode::kInternal, "simln store: " + what}; }

}  // namespace

base::Expected<std::unique_ptr<Network>, std::string> Network::Open(const std::string& db_path,
                                                                    const NetworkSpec& spec,
                                                                    const base::Clock& clock) {
  return NetworkImpl::Create(db_path, spec, clock);
}

base::Expected<std::unique_ptr<Network>, std::string> NetworkImpl::Create(const std::string& db_path,
                                                                          const NetworkSpec& spec,
                                                                          const base::Clock& clock) {
  if (auto v = ValidateNetworkSpec(spec); !v) return base::Err("network spec: " + v.error());
  auto store = Store::Open(db_path);
  if (!store) return base::Err(store.error());
  std::unique_ptr<NetworkImpl> net(new NetworkImpl(clock, std::move(*store)));
  if (auto s = net->Init(spec); !s) return base::Err(s.error());
  return std::unique_ptr<Network>(std::move(net));
}

NetworkImpl::~NetworkImpl() = default;

base::Expected<void, std::string> NetworkImpl::Init(const NetworkSpec& spec) {
  std::lock_guard lock(m_mu);
  auto empty = m_store->IsEmpty();
  if (!empty) return base::Err(empty.error());
  NetworkState st;
  if (*empty) {
    st.meta.network = spec.network;
    st.meta.genesis_time = NowSeconds();
    st.meta.start_height = spec.start_height;
    st.meta.block_interval_seconds = spec.block_interval_seconds;
  } else {
    auto loaded = m_store->Load();
    if (!loaded) return base::Err(loaded.error());
    st = std::move(*loaded);
  }

  // Add what the spec names and the store lacks; the stored state wins for everything else.
  std::vector<const NodeRec*> new_nodes;
  for (const NodeSpec& ns : spec.nodes) {
    if (st.nodes.count(ns.name)) continue;
    NodeRec n;
    n.name = ns.name;
    n.seed = ns.seed.empty() ? "simln:" + ns.name : ns.seed;
    n.alias = ns.name;
    new_nodes.push_back(&st.nodes.emplace(n.name, n).first->second);
  }
  std::set<std::string> spec_keys;
  for (const auto& [id, c] : st.channels) spec_keys.insert(c.spec_key);
  std::map<std::pair<std::string, std::string>, int> seen;
  std::vector<const ChannelRec*> new_channels;
  for (const ChannelSpec& cs : spec.channels) {
    int n = seen.try_emplace({cs.node_a, cs.node_b}, 0).first->second++;
    std::string key = cs.node_a + "|" + cs.node_b + "|" + std::to_string(n);
    if (spec_keys.count(key)) continue;
    ChannelRec c;
    c.chan_id = ShortChannelId(HeightAt(st.meta, NowSeconds()), ++st.meta.channels_opened, 0);
    c.spec_key = key;
    c.node[0] = cs.node_a;
    c.node[1] = cs.node_b;
    c.local_msat[0] = cs.a_balance_sat * 1000;
    c.local_msat[1] = cs.b_balance_sat * 1000;
    c.base_fee_msat = cs.base_fee_msat;
    c.fee_rate_ppm = cs.fee_rate_ppm;
    c.cltv_delta = cs.cltv_delta;
    new_channels.push_back(&st.channels.emplace(c.chan_id, c).first->second);
  }
  if (*empty || !new_nodes.empty() || !new_channels.empty()) {
    if (auto s = m_store->Begin(); !s) return s;
    auto save_all = [&]() -> base::Expected<void, std::string> {
      if (auto s = m_store->SaveMeta(st.meta); !s) return s;
      for (const NodeRec* n : new_nodes) {
        if (auto s = m_store->SaveNode(*n); !s) return s;
      }
      for (const ChannelRec* c : new_channels) {
        if (auto s = m_store->SaveChannel(*c); !s) return s;
      }
      return m_store->Commit();
    };
    if (auto s = save_all(); !s) {
      m_store->Rollback();
      return s;
    }
  }
  return AdoptState(std::move(st));
}

base::Expected<void, std::string> NetworkImpl::AdoptState(NetworkState state) {
  auto prefix = Bolt11PrefixForNetwork(state.meta.network);
  if (!prefix) return base::Err("store: unknown network '" + state.meta.network + "'");
  if (state.meta.block_interval_seconds <= 0) return base::Err("store: block interval must be > 0");
  std::map<std::string, crypto::Signer> signers;
  std::map<std::string, std::string> pubkeys, by_pubkey;
  for (const auto& [name, node] : state.nodes) {
    crypto::Signer signer = crypto::Signer::FromSeed(node.seed);
    std::string hex = crypto::ToHex(signer.PublicKey());
    if (!by_pubkey.emplace(hex, name).second) {
      return base::Err("nodes '" + by_pubkey.find(hex)->second + "' and '" + name + "' have the same seed");
    }
    pubkeys.emplace(name, hex);
    signers.emplace(name, std::move(signer));
  }
  m_state = std::move(state);
  m_prefix = *prefix;
  m_signers = std::move(signers);
  m_pubkeys = std::move(pubkeys);
  m_by_pubkey = std::move(by_pubkey);
  m_next_deadline_time = 0;  // rescan on the next operation
  m_next_deadline_height = 0;
  return {};
}

// --- Commit ----------------------------------------------------------------------------------

void NetworkImpl::TouchInvoice(Txn& txn, const InvoiceRec& rec) {
  txn.invoices.insert({rec.node, rec.inv.r_hash});
  txn.updates.emplace_back(Notifier::InvoiceKey(rec.node, rec.inv.r_hash), rec.inv);
}

void NetworkImpl::TouchPayment(Txn& txn, const PaymentRec& rec) {
  txn.payments.insert({rec.node, rec.pay.payment_hash});
  txn.updates.emplace_back(Notifier::PaymentKey(rec.node, rec.pay.payment_hash), rec.pay);
}

LnStatus NetworkImpl::Commit(Txn& txn) {
  bool dirty = txn.meta || !txn.nodes.empty() || !txn.channels.empty() || !txn.invoices.empty() ||
               !txn.payments.empty();
  if (dirty) {
    auto write = [&]() -> base::Expected<void, std::string> {
      if (auto s = m_store->Begin(); !s) return s;
      if (txn.meta) {
        if (auto s = m_store->SaveMeta(m_state.meta); !s) return s;
      }
      for (const std::string& name : txn.nodes) {
        if (auto s = m_store->SaveNode(m_state.nodes.at(name)); !s) return s;
      }
      for (uint64_t id : txn.channels) {
        if (auto s = m_store->SaveChannel(m_state.channels.at(id)); !s) return s;
      }
      for (const RecordKey& key : txn.invoices) {
        if (auto s = m_store->SaveInvoice(m_state.invoices.at(key)); !s) return s;
      }
      for (const RecordKey& key : txn.payments) {
        if (auto s = m_store->SavePayment(m_state.payments.at(key)); !s) return s;
      }
      return m_store->Commit();
    };
    if (auto s = write(); !s) {
      m_store->Rollback();
      base::Log(base::LogLevel::kError, "simln", "store write failed; reloading state",
                {{"error", s.error()}});
      auto reloaded = m_store->Load();
      if (reloaded) {
        if (auto a = AdoptState(std::move(*reloaded)); !a) {
          base::Log(base::LogLevel::kError, "simln", "reload failed", {{"error", a.error()}});
        }
      } else {
        base::Log(base::LogLevel::kError, "simln", "reload failed", {{"error", reloaded.error()}});
      }
      txn = Txn{};
      return base::Err(Internal(s.error()));
    }
  }
  for (auto& [key, update] : txn.updates) {
    std::visit([&, &k = key](auto& value) { m_notifier.Publish(k, std::move(value)); }, update);
  }
  txn = Txn{};
  return {};
}

// --- Time ------------------------------------------------------------------------------------

uint32_t NetworkImpl::HeightLocked() const { return HeightAt(m_state.meta, NowSeconds()); }

void NetworkImpl::ApplyTime(Txn& txn, bool force) {
  int64_t now = NowSeconds();
  int64_t height = HeightLocked();
  if (!force && now < m_next_deadline_time && height < m_next_deadline_height) return;
  int64_t next_time = kNever;
  int64_t next_height = kNever;
  for (auto& [key, rec] : m_state.invoices) {
    switch (rec.inv.state) {
      case InvoiceState::kOpen: {
        // LND's invoice expiry watcher cancels an OPEN invoice once creation + expiry is reached.
        int64_t due = rec.inv.creation_date + rec.inv.expiry;
        if (now >= due) {
          CancelInvoiceLocked(rec, txn);
        } else {
          next_time = std::min(next_time, due);
        }
        break;
      }
      case InvoiceState::kAccepted: {
        // LND: a held HTLC is canceled holdexpirydelta (12) blocks before it expires.
        int64_t due = kNever;
        for (const InvoiceHtlc& h : rec.inv.htlcs) {
          if (h.state == HtlcState::kAccepted)
            due = std::min(due, int64_t{h.expiry_height} - kHoldExpiryDelta);
        }
        if (height >= due) {
          CancelInvoiceLocked(rec, txn);
        } else {
          next_height = std::min(next_height, due);
        }
        break;
      }
      case InvoiceState::kSettled:
      case InvoiceState::kCanceled: break;
    }
  }
  for (auto& [key, rec] : m_state.payments) {
    if (rec.pay.status != PaymentStatus::kInFlight || rec.timeout_at == 0) continue;
    if (now >= rec.timeout_at) {
      FailPayment(rec, FailureReason::kTimeout, txn);
    } else {
      next_time = std::min(next_time, rec.timeout_at);
    }
  }
  m_next_deadline_time = next_time;
  m_next_deadline_height = next_height;
}

uint32_t NetworkImpl::BlockHeight() const {
  std::lock_guard lock(m_mu);
  return HeightLocked();
}

void NetworkImpl::MineBlocks(uint32_t n) {
  std::lock_guard lock(m_mu);
  m_state.meta.mined_blocks += n;
  Txn txn;
  txn.meta = true;
  ApplyTime(txn, /*force=*/true);
  (void)Commit(txn);
}

void NetworkImpl::Tick() {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, /*force=*/true);
  (void)Commit(txn);
}

// --- Failures --------------------------------------------------------------------------------

void NetworkImpl::SetNodeFailure(const std::string& node, FailureSetting f) {
  std::lock_guard lock(m_mu);
  auto it = m_state.nodes.find(node);
  if (it == m_state.nodes.end()) return;
  it->second.failure = f;
  Txn txn;
  TouchNode(txn, node);
  (void)Commit(txn);
}

void NetworkImpl::SetChannelFailure(uint64_t chan_id, FailureSetting f) {
  std::lock_guard lock(m_mu);
  auto it = m_state.channels.find(chan_id);
  if (it == m_state.channels.end()) return;
  it->second.failure = f;
  Txn txn;
  TouchChannel(txn, chan_id);
  (void)Commit(txn);
}

LnStatus NetworkImpl::CheckNodeUp(const std::string& node) const {
  auto it = m_state.nodes.find(node);
  if (it == m_state.nodes.end()) return base::Err(LnError{LnErrorCode::kNotFound, "unknown node " + node});
  if (it->second.failure.mode == FailureMode::kOffline) {
    return base::Err(LnError{LnErrorCode::kUnreachable, "node " + node + " is offline"});
  }
  return {};
}

// --- Views -----------------------------------------------------------------------------------

std::unique_ptr<LightningNode> NetworkImpl::Node(const std::string& name) {
  std::lock_guard lock(m_mu);
  if (!m_state.nodes.count(name)) return nullptr;
  return MakeNodeView(this, name);
}

std::vector<std::string> NetworkImpl::NodeNames() const {
  std::lock_guard lock(m_mu);
  std::vector<std::string> names;
  for (const auto& [name, node] : m_state.nodes) names.push_back(name);
  return names;
}

ChannelBalance NetworkImpl::BalanceLocked(const std::string& node) const {
  ChannelBalance b;
  for (const auto& [id, c] : m_state.channels) {
    for (int side = 0; side < 2; ++side) {
      if (c.node[side] != node) continue;
      b.local_msat += c.local_msat[side];
      b.remote_msat += c.local_msat[1 - side];
      b.unsettled_local_msat += c.pending_msat[side];
      b.unsettled_remote_msat += c.pending_msat[1 - side];
    }
  }
  return b;
}

std::optional<NodeView> NetworkImpl::GetNode(const std::string& name) const {
  std::lock_guard lock(m_mu);
  auto it = m_state.nodes.find(name);
  if (it == m_state.nodes.end()) return std::nullopt;
  return NodeView{name, m_pubkeys.at(name), BalanceLocked(name), it->second.failure};
}

std::vector<ChannelView> NetworkImpl::Channels() const {
  std::lock_guard lock(m_mu);
  std::vector<ChannelView> out;
  for (const auto& [id, c] : m_state.channels) {
    ChannelView v;
    v.chan_id = id;
    v.node_a = c.node[0];
    v.node_b = c.node[1];
    v.a_local_msat = c.local_msat[0];
    v.b_local_msat = c.local_msat[1];
    v.a_pending_out_msat = c.pending_msat[0];
    v.b_pending_out_msat = c.pending_msat[1];
    v.base_fee_msat = c.base_fee_msat;
    v.fee_rate_ppm = c.fee_rate_ppm;
    v.cltv_delta = c.cltv_delta;
    v.failure = c.failure;
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<Invoice> NetworkImpl::ListInvoices(const std::string& name) const {
  std::lock_guard lock(m_mu);
  std::vector<Invoice> out;
  for (const auto& [key, rec] : m_state.invoices) {
    if (key.first == name) out.push_back(rec.inv);
  }
  std::sort(out.begin(), out.end(),
            [](const Invoice& a, const Invoice& b) { return a.add_index < b.add_index; });
  return out;
}

std::vector<Payment> NetworkImpl::ListPayments(const std::string& name) const {
  std::lock_guard lock(m_mu);
  std::vector<Payment> out;
  for (const auto& [key, rec] : m_state.payments) {
    if (key.first == name) out.push_back(rec.pay);
  }
  std::sort(out.begin(), out.end(),
            [](const Payment& a, const Payment& b) { return a.payment_index < b.payment_index; });
  return out;
}

int64_t NetworkImpl::TotalMsat() const {
  std::lock_guard lock(m_mu);
  int64_t total = 0;
  for (const auto& [id, c] : m_state.channels) total += c.TotalMsat();
  return total;
}

LnResult<NodeInfo> NetworkImpl::GetInfo(const std::string& node) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  if (auto s = Commit(txn); !s) return base::Err(s.error());
  if (auto s = CheckNodeUp(node); !s) return base::Err(s.error());
  NodeInfo info;
  info.identity_pubkey = m_pubkeys.at(node);
  info.alias = m_state.nodes.at(node).alias;
  info.block_height = HeightLocked();
  // No chain behind simln: a stable stand-in hash per height.
  info.block_hash = crypto::ToHex(crypto::Sha256("simln block " + std::to_string(info.block_height)));
  info.synced_to_chain = true;
  for (const auto& [id, c] : m_state.channels) {
    for (int side = 0; side < 2; ++side) {
      if (c.node[side] != node) continue;
      const NodeRec& peer = m_state.nodes.at(c.node[1 - side]);
      if (peer.failure.mode != FailureMode::kOffline && c.failure.mode != FailureMode::kOffline) {
        ++info.num_active_channels;
      }
    }
  }
  info.version = "0.17.0-beta simln";
  info.network = m_state.meta.network;
  return info;
}

LnResult<ChannelBalance> NetworkImpl::GetChannelBalance(const std::string& node) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  if (auto s = Commit(txn); !s) return base::Err(s.error());
  if (auto s = CheckNodeUp(node); !s) return base::Err(s.error());
  return BalanceLocked(node);
}

}  // namespace escrow::simln
