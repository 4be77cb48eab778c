// The engine's side of nostr: an order's kind-38383 event is decided, signed and stored in the
// same transaction as the status change it describes (so a restart loses none, and the store
// always holds the latest state of every order that was ever public).
#include <algorithm>

#include "config/base/encoding.h"
#include "coordinator/engine.h"
#include "coordinator/engine_tx.h"

namespace coordinator {

void Engine::PublishOrderEvent(Tx& tx, const Order& o) {
  if (m_d.nostr_key == nullptr || !o.password_hash.empty()) return;
  const auto xonly = m_d.nostr_key->XOnlyPublicKey();
  const std::string pubkey = base::HexEncode(xonly.data(), xonly.size());
  const std::string d = nostr::OrderDTag(m_d.nostr_facts.alias, o.id);
  auto previous = tx.store.NostrEventAt(nostr::kOrderEventKind, pubkey, d);
  // Only an order that is or was public: one cancelled before its bond locked never was.
  if (!previous && o.status != OrderStatus::kPublic) return;
  auto maker = tx.store.RobotById(o.maker_id);
  if (!maker) throw StoreFailure("missing row: the order's maker");
  // NIP-01: of two replaceable events with the same created_at, relays keep the lowest id, so
  // each new state of an address is dated after the one it replaces.
  const int64_t created_at = std::max(tx.now, previous ? previous->created_at + 1 : tx.now);
  const std::string currency = m_d.currency_code ? m_d.currency_code(o.currency) : "";
  auto event = nostr::OrderEvent(o, *maker, currency, m_d.nostr_facts, created_at);
  if (!event) return;
  nostr::Sign(*event, *m_d.nostr_key);
  NostrEventRecord r;
  r.id = previous ? previous->id : tx.store.NewId(Table::kNostrEvent);
  r.event_id = event->id;
  r.kind = event->kind;
  r.pubkey = event->pubkey;
  r.d_tag = d;
  r.order_id = o.id;
  r.created_at = event->created_at;
  r.json = nostr::ToJson(*event);
  tx.Put(r);
  if (m_d.on_nostr_event) tx.after_commit.push_back([this, r] { m_d.on_nostr_event(r); });
}

}  // namespace coordinator
