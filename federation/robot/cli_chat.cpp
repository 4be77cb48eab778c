// chat send/read and the dispute statement. The chat is RoboSats' API mode (GET/POST
// /api/chat/, chat/views.py ChatView; the client's EncryptedApiChat and EncryptedChat
// sendToCoordinator): each message PGP-encrypted to both robots and signed, every newline
// replaced by a backslash on the wire.
#include <algorithm>
#include <ctime>
#include <fstream>
#include <ostream>
#include <sstream>

#include "federation/robot/auth_header.h"
#include "federation/robot/cli_commands.h"
#include "federation/robot/pgp_messages.h"

namespace federation::robot::cli {
namespace {

constexpr std::string_view kPgpMessageHeader = "-----BEGIN PGP MESSAGE-----";

// GET /api/chat/?order_id=N&offset=K → {peer_connected, messages: [{index, time, message,
// nick}], peer_pubkey}.
base::Expected<ApiReply, std::string> GetChat(Context& ctx, const OrderRef& ref, int64_t offset) {
  return ctx.Call({ref.coordinator, ref.url}, "GET",
                  "/api/chat/?order_id=" + std::to_string(ref.id) + "&offset=" + std::to_string(offset), nullptr,
                  false);
}

int ChatSend(Context& ctx, const std::vector<std::string>& args) {
  if (args.empty() || args.size() > 2) return ctx.Usage("usage: robot chat send [ORDER] TEXT");
  const std::string& text = args.back();
  if (text.empty()) return ctx.Usage("the message is empty");
  auto ref = ctx.ResolveOrder(args.size() == 2 ? args[0] : "");
  if (!ref) return ctx.Usage(ref.error());
  // EncryptedApiChat onButtonClicked: "Aye! You just sent your own robot token to your peer
  // in chat, that's a catastrophic idea! So bad your message was blocked."
  if (text.find(ctx.robot().token) != std::string::npos) {
    return ctx.Fail("refusing to send a message that contains this robot's token");
  }
  auto chat = GetChat(ctx, *ref, 0);
  if (!chat) return ctx.Fail(chat.error());
  if (!chat->ok()) return ctx.Refused("chat of " + Describe(*ref), *chat);
  const std::string peer_key = HeaderLineToArmored(chat->json.value("peer_pubkey", ""));
  if (peer_key.empty()) return ctx.Fail("the coordinator sent no peer public key for " + Describe(*ref));
  int64_t last_index = 0;
  if (chat->json.contains("messages") && chat->json["messages"].is_array()) {
    for (const auto& m : chat->json["messages"]) last_index = std::max(last_index, m.value("index", int64_t{0}));
  }
  const RobotFiles& robot = ctx.robot();
  auto encrypted = EncryptToPeers(text, robot.public_armored, peer_key, robot.encrypted_private_armored, robot.token,
                                  static_cast<int64_t>(std::time(nullptr)));
  if (!encrypted) return ctx.Fail(encrypted.error());
  // sendToCoordinator: { PGP_message: encrypted.split('\n').join('\\'), order_id, offset: lastIndex }.
  Json body = {{"PGP_message", ArmoredToHeaderLine(*encrypted)}, {"order_id", ref->id}, {"offset", last_index}};
  auto reply = ctx.Call({ref->coordinator, ref->url}, "POST", "/api/chat/", &body, false);
  if (!reply) return ctx.Fail(reply.error());
  if (!reply->ok()) return ctx.Refused("chat message on " + Describe(*ref), *reply);
  ctx.Say("Sent to the peer of " + Describe(*ref) + " (encrypted to both of you).");
  return ctx.Done(Json{{"coordinator", ref->coordinator},
                       {"id", ref->id},
                       {"sent", true},
                       {"peer_connected", reply->json.value("peer_connected", false)}});
}

int ChatRead(Context& ctx, const std::vector<std::string>& args) {
  if (args.size() > 1) return ctx.Usage("usage: robot chat read [ORDER]");
  auto ref = ctx.ResolveOrder(args.empty() ? "" : args[0]);
  if (!ref) return ctx.Usage(ref.error());
  auto chat = GetChat(ctx, *ref, 0);
  if (!chat) return ctx.Fail(chat.error());
  if (!chat->ok()) return ctx.Refused("chat of " + Describe(*ref), *chat);
  const RobotFiles& robot = ctx.robot();
  const std::string peer_key = HeaderLineToArmored(chat->json.value("peer_pubkey", ""));
  Json messages = Json::array();
  if (chat->json.contains("messages") && chat->json["messages"].is_array()) {
    for (const auto& m : chat->json["messages"]) {
      const std::string nick = m.value("nick", "");
      const bool own = nick == robot.derived.nickname;
      const std::string armored = HeaderLineToArmored(m.value("message", ""));
      Json row = {{"index", m.value("index", 0)}, {"time", m.value("time", "")}, {"nick", nick}, {"own", own}};
      // EncryptedApiChat onMessage: only "-----BEGIN PGP MESSAGE-----" payloads are messages;
      // ours are checked against our key, the peer's against peer_pubkey.
      if (armored.rfind(kPgpMessageHeader, 0) != 0) {
        row["text"] = nullptr;
        row["error"] = "not a PGP message";
      } else if (auto plain = DecryptFromPeer(armored, own ? robot.public_armored : peer_key,
                                              robot.encrypted_private_armored, robot.token)) {
        row["text"] = plain->text;
        row["valid_signature"] = plain->valid_signature;
      } else {
        row["text"] = nullptr;
        row["error"] = plain.error();
      }
      if (!ctx.json()) {
        std::string line = "[" + row["time"].get<std::string>() + "] " + nick + (own ? " (you)" : "") + ": ";
        if (row["text"].is_string()) {
          line += row["text"].get<std::string>();
          if (!row.value("valid_signature", false)) line += "   [signature NOT valid]";
        } else {
          line += "<" + row["error"].get<std::string>() + ">";
        }
        ctx.Say(line);
      }
      messages.push_back(row);
    }
  }
  if (messages.empty()) ctx.Say("No messages yet.");
  return ctx.Done(Json{{"coordinator", ref->coordinator},
                       {"id", ref->id},
                       {"peer_connected", chat->json.value("peer_connected", false)},
                       {"messages", messages}});
}

}  // namespace

int CmdChat(Context& ctx) {
  const auto& pos = ctx.args().positional;
  if (pos.empty()) return ctx.Usage("usage: robot chat send [ORDER] TEXT | robot chat read [ORDER]");
  std::vector<std::string> rest(pos.begin() + 1, pos.end());
  if (pos[0] == "send") return ChatSend(ctx, rest);
  if (pos[0] == "read") return ChatRead(ctx, rest);
  return ctx.Usage("chat: expected `send` or `read`, not '" + pos[0] + "'");
}

int CmdStatement(Context& ctx) {
  const auto& pos = ctx.args().positional;
  auto file = ctx.args().Get("file");
  std::string statement;
  std::string order_arg;
  if (file) {
    if (pos.size() > 1) return ctx.Usage("usage: robot statement [ORDER] --file FILE");
    std::ifstream in(*file);
    if (!in) return ctx.Fail("cannot read " + *file);
    std::stringstream ss;
    ss << in.rdbuf();
    statement = ss.str();
    if (!pos.empty()) order_arg = pos[0];
  } else {
    if (pos.empty() || pos.size() > 2) return ctx.Usage("usage: robot statement [ORDER] (TEXT | --file FILE)");
    statement = pos.back();
    if (pos.size() == 2) order_arg = pos[0];
  }
  if (statement.find(ctx.robot().token) != std::string::npos) {
    return ctx.Fail("refusing to send a statement that contains this robot's token");
  }
  auto ref = ctx.ResolveOrder(order_arg);
  if (!ref) return ctx.Usage(ref.error());
  // Dispute.tsx: submitAction({ action: 'submit_statement', statement }).
  auto reply = ctx.OrderAction(*ref, Json{{"action", "submit_statement"}, {"statement", statement}});
  if (!reply) return ctx.Fail(reply.error());
  if (!reply->ok()) return ctx.Refused("statement on " + Describe(*ref), *reply);
  ctx.Say("Statement submitted (" + std::to_string(statement.size()) + " characters).");
  PrintOrder(ctx, *ref, reply->json);
  return ctx.Done(Json{{"coordinator", ref->coordinator}, {"id", ref->id}, {"order", reply->json}});
}

}  // namespace federation::robot::cli
