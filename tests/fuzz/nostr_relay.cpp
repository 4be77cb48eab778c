// The /relay/ NIP-01 relay (api/nostr/relay.h) as a client's WebSocket messages reach it: each
// input is a sequence of client messages, one per line (["REQ", …], ["EVENT", …], ["CLOSE", …]
// or anything), fed to the relay's real message handler on a connection of the real
// api::http::WebSocket type whose link is never attached to a socket (what the relay sends
// stays queued on it). As in coordinatord, two of our own signed order events are in the
// "store" (options.stored_events) and one is held (Publish), so that subscriptions match both
// ways. Never a crash; every answer is a JSON array of a NIP-01 relay message.
//
// FUZZ_PRINT_EVENTS=1 prints, instead of fuzzing, EVENT messages signed by the federation key
// the relay trusts (for the seed corpus: the fuzzer cannot sign).
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http/exchange.h"
#include "api/http/ws_session.h"
#include "api/nostr/relay.h"
#include "config/base/encoding.h"
#include "coordinator/nostr/event.h"
#include "escrow/crypto/secp256k1.h"
#include "tests/fuzz/fuzz_support.h"

namespace cn = coordinator::nostr;

namespace {
constexpr int64_t kNow = 1760000000;

struct Keys {
  escrow::crypto::Signer own = escrow::crypto::Signer::FromSeed("fuzz-relay-coordinator");
  escrow::crypto::Signer peer = escrow::crypto::Signer::FromSeed("fuzz-relay-federation-peer");
  std::string own_hex;
  std::string peer_hex;
  std::vector<api::nostr::StoredEvent> stored;  // newest first
  std::string held;                             // wire JSON
};

cn::Event OrderEvent(const std::string& d, int64_t created_at, const std::string& status) {
  cn::Event e;
  e.created_at = created_at;
  e.kind = 38383;
  e.tags = {{"d", d}, {"k", "sell"}, {"f", "USD"}, {"s", status}, {"amt", "0.001"}, {"pm", "Revolut"},
            {"premium", "1"}, {"network", "mainnet"}, {"layer", "lightning"}, {"y", "robosats", "lake"},
            {"z", "order"}, {"expiration", std::to_string(created_at + 86400)}};
  return e;
}

Keys& K() {
  static Keys* keys = [] {
    auto* k = new Keys;
    auto own_x = k->own.XOnlyPublicKey();
    auto peer_x = k->peer.XOnlyPublicKey();
    k->own_hex = base::HexEncode(own_x.data(), own_x.size());
    k->peer_hex = base::HexEncode(peer_x.data(), peer_x.size());
    for (int i = 1; i <= 3; ++i) {
      const std::string d = "own-order-" + std::to_string(i);
      cn::Event e = OrderEvent(d, kNow - 600 * i, "pending");
      cn::Sign(e, k->own);
      if (i == 3) k->held = cn::ToJson(e);
      else k->stored.push_back({e.id, e.kind, e.pubkey, d, e.created_at, cn::ToJson(e)});
    }
    return k;
  }();
  return *keys;
}

bool IsRelayMessage(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array() || j.empty() || !j[0].is_string()) return false;
  const std::string type = j[0].get<std::string>();
  return type == "EVENT" || type == "EOSE" || type == "OK" || type == "CLOSED" || type == "NOTICE";
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Keys& k = K();
  if (std::getenv("FUZZ_PRINT_EVENTS") != nullptr) {
    cn::Event order = OrderEvent("peer-order-7", kNow - 60, "pending");
    cn::Sign(order, k.peer);
    std::cout << "[\"EVENT\"," << cn::ToJson(order) << "]\n";
    cn::Event newer = OrderEvent("own-order-1", kNow - 30, "paused");
    cn::Sign(newer, k.own);
    std::cout << "[\"EVENT\"," << cn::ToJson(newer) << "]\n";
    std::cout << "own " << k.own_hex << "\npeer " << k.peer_hex << "\n";
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Keys& k = K();
  api::nostr::RelayOptions options;
  options.own_pubkey = k.own_hex;
  options.federation_pubkeys = {k.own_hex, k.peer_hex};
  options.now = [] { return kNow; };
  options.gift_wrap_recipient = [](const std::string& pubkey) { return !pubkey.empty() && pubkey[0] == 'a'; };
  options.stored_events = [&k](int64_t since, int64_t until, size_t limit) {
    std::vector<api::nostr::StoredEvent> out;
    for (const auto& s : k.stored) {
      if (s.created_at >= since && s.created_at <= until && out.size() < limit) out.push_back(s);
    }
    return out;
  };
  api::nostr::Relay relay(options);
  FUZZ_CHECK(relay.Publish(k.held).ok());

  auto life = std::make_shared<api::http::internal::ServerLife>();
  auto link = std::make_shared<api::http::internal::WebSocketLink>("127.0.0.1", life, api::http::WebSocketOptions{});
  auto socket = std::make_shared<api::http::WebSocket>(link);
  api::http::Request upgrade;
  upgrade.path = "/relay/";
  auto handlers = relay.Acceptor()(upgrade, socket);
  FUZZ_CHECK(handlers.ok());

  const std::string_view text = fuzzsupport::AsText(data, size);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    handlers->on_text(std::string(text.substr(start, end - start)));
    start = end + 1;
    std::vector<std::shared_ptr<const std::string>> sent;
    {
      std::lock_guard lock(link->mutex);
      sent.swap(link->pending);
      link->queued_messages = 0;
      link->queued_bytes = 0;
    }
    for (const auto& message : sent) FUZZ_CHECK(IsRelayMessage(*message));
    if (!link->open.load()) break;  // the relay closed the connection (rate limit)
  }
  handlers->on_close();
  FUZZ_CHECK(relay.ConnectionCount() == 0);
  return 0;
}
