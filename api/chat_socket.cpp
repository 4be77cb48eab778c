#include "api/chat_socket.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "coordinator/chat/chat.h"
#include "coordinator/identity/nickname.h"
#include "coordinator/identity/robot_identity.h"
#include "escrow/crypto/sha256.h"

namespace api {
namespace {

constexpr std::string_view kPrefix = "/ws/chat/";
constexpr std::string_view kPgpMessage = "-----BEGIN PGP MESSAGE-----";
constexpr std::string_view kServeHistory = "-----SERVE HISTORY-----";
// Offsets past any index: a ChatGetCmd that only checks the room and reads the peer's key.
constexpr int64_t kNoMessages = int64_t{1} << 62;

std::optional<int64_t> OrderIdOf(std::string_view path) {
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), id);
  if (ec != std::errc() || end != path.data() + path.size() || id <= 0) return std::nullopt;
  return id;
}

struct Member {
  std::shared_ptr<http::WebSocket> socket;  // reset on close (the handlers hold this object)
  int64_t order_id = 0;
  std::string hash_id;
  std::string nick;
  bool joined = false;
  std::vector<std::string> early;
  int64_t window = -1;
  size_t in_window = 0;
};

}  // namespace

struct ChatSockets::State {
  explicit State(ChatSocketOptions o) : options(std::move(o)) {}
  const ChatSocketOptions options;
  mutable std::mutex mu;
  std::map<int64_t, std::vector<std::shared_ptr<Member>>> rooms;  // joined members only
  std::set<std::shared_ptr<Member>> all;

  // REQUIRES: mu held.
  bool PeerOf(const Member& m) const {
    auto it = rooms.find(m.order_id);
    if (it == rooms.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const auto& x) { return x->socket && x->hash_id != m.hash_id; });
  }
  // REQUIRES: mu held. RoboSats' chatroom_message to the group.
  void SendToRoom(int64_t order_id, const std::string& message, const std::string& nick) {
    auto it = rooms.find(order_id);
    if (it == rooms.end()) return;
    for (const auto& x : it->second) {
      if (!x->socket) continue;
      x->socket->SendText(
          nlohmann::json{{"message", message}, {"user_nick", nick}, {"peer_connected", PeerOf(*x)}}.dump());
    }
  }
  static std::string PgpFrame(const nlohmann::json& m, bool peer_connected) {
    return nlohmann::json{{"index", m.value("index", 0)},
                          {"message", m.value("message", "")},
                          {"user_nick", m.value("nick", "")},
                          {"peer_connected", peer_connected},
                          {"time", m.value("time", "")}}
        .dump();
  }

  void Submit(const std::shared_ptr<Member>& m, coordinator::Command cmd, coordinator::Reply reply) {
    coordinator::Auth auth;
    auth.hash_id = m->hash_id;
    options.engine->Submit(std::move(auth), std::move(cmd), std::move(reply));
  }

  void Close(const std::shared_ptr<Member>& m, uint16_t code, const std::string& why) {
    std::lock_guard lock(mu);
    if (m->socket) m->socket->Close(code, why);
  }

  void Join(const std::shared_ptr<State>& self, const std::shared_ptr<Member>& m, const nlohmann::json& page) {
    std::vector<std::string> early;
    {
      std::lock_guard lock(mu);
      if (!m->socket) return;
      m->joined = true;
      rooms[m->order_id].push_back(m);
      // RoboSats' connect(): the joiner's peer's public key to the group, as the joiner.
      SendToRoom(m->order_id, page.value("peer_pubkey", ""), m->nick);
      early.swap(m->early);
    }
    for (auto& text : early) OnText(self, m, std::move(text));
  }

  void OnText(const std::shared_ptr<State>& self, const std::shared_ptr<Member>& m, std::string text) {
    std::string message;
    {
      std::lock_guard lock(mu);
      if (!m->socket) return;
      const int64_t minute = options.now ? options.now() / 60 : 0;
      if (minute != m->window) {
        m->window = minute;
        m->in_window = 0;
      }
      if (++m->in_window > options.max_messages_per_minute) {
        m->socket->Close(1008, "too many messages");
        return;
      }
      if (!m->joined) {
        if (m->early.size() >= options.max_early_messages) {
          m->socket->Close(1008, "too many messages before the room opened");
          return;
        }
        m->early.push_back(std::move(text));
        return;
      }
      auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      // RoboSats' client sends only {"type": "message", …}; another type is not understood.
      const bool unknown_type = j.is_object() && j.contains("type") && j["type"] != "message";
      if (j.is_discarded() || !j.is_object() || unknown_type || !j.contains("message") || !j["message"].is_string()) {
        m->socket->Close(4400, "expected {\"type\": \"message\", \"message\": <string>}");
        return;
      }
      message = j["message"].get<std::string>();
      if (message.size() > coordinator::chat::kMaxMessage) {
        m->socket->Close(4400, "message over 5000 characters");
        return;
      }
      if (message.rfind(kPgpMessage, 0) != 0 && message.rfind(kServeHistory, 0) != 0) {
        // Not stored, relayed (the client's public key, RoboSats' unencrypted echo).
        SendToRoom(m->order_id, message, m->nick);
        return;
      }
    }
    std::weak_ptr<State> weak = self;
    if (message.rfind(kPgpMessage, 0) == 0) {
      const bool live = PeerConnected(m->order_id, m->hash_id);
      // The stored message reaches the room through the engine's on_chat_message (OnMessage).
      Submit(m, coordinator::ChatPostCmd{m->order_id, message, std::nullopt, live},
             [weak, m](base::Result<nlohmann::json> r) {
               auto s = weak.lock();
               if (s && !r.ok()) s->Close(m, 4003, r.error().message);
             });
      return;
    }
    Submit(m, coordinator::ChatGetCmd{m->order_id, 0, PeerConnected(m->order_id, m->hash_id)},
           [weak, m](base::Result<nlohmann::json> r) {
             auto s = weak.lock();
             if (!s) return;
             if (!r.ok()) return s->Close(m, 4003, r.error().message);
             std::lock_guard lock(s->mu);
             if (!m->socket) return;
             const bool peer = s->PeerOf(*m);
             for (const auto& msg : r.value().value("messages", nlohmann::json::array()))
               m->socket->SendText(PgpFrame(msg, peer));
           });
  }

  bool PeerConnected(int64_t order_id, const std::string& hash_id) const {
    std::lock_guard lock(mu);
    Member probe;
    probe.order_id = order_id;
    probe.hash_id = hash_id;
    return PeerOf(probe);
  }
};

ChatSockets::ChatSockets(ChatSocketOptions options) : m_state(std::make_shared<State>(std::move(options))) {}

ChatSockets::~ChatSockets() {
  std::lock_guard lock(m_state->mu);
  for (const auto& m : m_state->all) m->socket.reset();
  m_state->all.clear();
  m_state->rooms.clear();
}

http::WebSocketAccept ChatSockets::Acceptor() {
  std::weak_ptr<State> weak = m_state;
  return [weak](const http::Request& request, const std::shared_ptr<http::WebSocket>& socket)
             -> base::Expected<http::WebSocketHandlers, http::WebSocketRefusal> {
    auto state = weak.lock();
    if (!state || state->options.engine == nullptr)
      return base::Err(http::WebSocketRefusal{503, 1028, "The chat is shutting down"});
    auto order_id = OrderIdOf(request.path);
    if (!order_id) return base::Err(http::WebSocketRefusal{400, 6000, "Expected /ws/chat/<order_id>/"});
    std::string token = request.QueryParam("token_sha256_hex").value_or("");
    std::transform(token.begin(), token.end(), token.begin(), [](unsigned char c) { return std::tolower(c); });
    auto token_hash = escrow::crypto::Hash32FromHex(token);
    if (!token_hash) return base::Err(http::WebSocketRefusal{400, 6001, "token_sha256_hex must be 64 hex characters"});
    auto m = std::make_shared<Member>();
    m->socket = socket;
    m->order_id = *order_id;
    m->hash_id = coordinator::identity::HashId(*token_hash);
    m->nick = coordinator::identity::NicknameFromHashId(m->hash_id).value_or("");
    {
      std::lock_guard lock(state->mu);
      state->all.insert(m);
    }
    // The engine checks the robot and the room (chat::Enter), then the member joins.
    state->Submit(m, coordinator::ChatGetCmd{*order_id, kNoMessages, state->PeerConnected(*order_id, m->hash_id)},
                  [weak, m](base::Result<nlohmann::json> r) {
                    auto s = weak.lock();
                    if (!s) return;
                    if (!r.ok()) return s->Close(m, 4003, r.error().message);
                    s->Join(s, m, r.value());
                  });
    http::WebSocketHandlers h;
    h.on_text = [weak, m](std::string text) {
      if (auto s = weak.lock()) s->OnText(s, m, std::move(text));
    };
    h.on_close = [weak, m] {
      auto s = weak.lock();
      if (!s) return;
      std::lock_guard lock(s->mu);
      const bool was_joined = m->joined && m->socket;
      m->socket.reset();
      s->all.erase(m);
      if (auto it = s->rooms.find(m->order_id); it != s->rooms.end()) {
        auto& v = it->second;
        v.erase(std::remove(v.begin(), v.end(), m), v.end());
        if (v.empty()) s->rooms.erase(it);
      }
      // RoboSats' disconnect(): "peer-disconnected" to the group, peer_connected false.
      if (was_joined) {
        if (auto it = s->rooms.find(m->order_id); it != s->rooms.end()) {
          for (const auto& x : it->second) {
            if (x->socket)
              x->socket->SendText(nlohmann::json{{"message", "peer-disconnected"}, {"user_nick", m->nick},
                                                 {"peer_connected", false}}
                                      .dump());
          }
        }
      }
    };
    return h;
  };
}

void ChatSockets::OnMessage(int64_t order_id, const nlohmann::json& message) {
  std::lock_guard lock(m_state->mu);
  auto it = m_state->rooms.find(order_id);
  if (it == m_state->rooms.end()) return;
  for (const auto& x : it->second) {
    if (x->socket) x->socket->SendText(State::PgpFrame(message, m_state->PeerOf(*x)));
  }
}

bool ChatSockets::PeerConnected(int64_t order_id, const std::string& hash_id) const {
  return m_state->PeerConnected(order_id, hash_id);
}

size_t ChatSockets::SocketCount() const {
  std::lock_guard lock(m_state->mu);
  return m_state->all.size();
}

}  // namespace api
