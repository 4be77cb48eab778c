// init, register, whoami, profile: the robot itself.
#include <ctime>
#include <ostream>
#include <thread>

#include "federation/robot/cli_commands.h"

namespace federation::robot::cli {
namespace {

std::string IsoDate(int64_t unix) {
  std::time_t t = static_cast<std::time_t>(unix);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

Json PublicIdentity(const RobotFiles& r) {
  return {{"nickname", r.derived.nickname},
          {"hash_id", r.derived.hash_id},
          {"fingerprint", r.fingerprint},
          {"key_created_at", r.key_created_at},
          {"nostr_pubkey", r.derived.nostr_pubkey},
          {"dir", r.dir},
          {"token_file", r.dir + "/token"}};
}

}  // namespace

int CmdInit(Context& ctx) {
  if (!ctx.args().positional.empty()) return ctx.Usage("`init` takes no argument");
  auto created = CreateRobot(ctx.RobotDir(), static_cast<int64_t>(std::time(nullptr)));
  if (!created) return ctx.Fail(created.error());
  const RobotFiles& r = created.value();
  ctx.Say("Robot " + r.derived.nickname + " created in " + r.dir);
  ctx.Say("  hash_id      " + r.derived.hash_id);
  ctx.Say("  PGP key      " + r.fingerprint + " (EdDSA/Curve25519, dated " + IsoDate(r.key_created_at) + ")");
  ctx.Say("  nostr        " + r.derived.nostr_pubkey);
  ctx.Say("  token        " + r.dir + "/token (mode 0600): the robot itself. Back it up; never share it.");
  return ctx.Done(PublicIdentity(r));
}

int CmdRegister(Context& ctx) {
  if (!ctx.args().positional.empty()) return ctx.Usage("`register` takes no argument");
  auto coordinators = ctx.SelectedCoordinators(false);
  if (!coordinators) return ctx.Usage(coordinators.error());
  const RobotFiles& robot = ctx.robot();
  // Every coordinator at once (over Tor each answer takes seconds); the state is updated after.
  std::vector<base::Expected<ApiReply, std::string>> replies(coordinators->size(), base::Err(std::string("not asked")));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < coordinators->size(); ++i) {
    threads.emplace_back([&, i] {
      const Coordinator& c = (*coordinators)[i];
      // Robot.model.ts fetch: GET /api/robot/ with getAuthHeaders() (keys and nostr pubkey).
      replies[i] = CoordinatorApi(c.key, c.url, ctx.http()).Call(robot, "GET", "/api/robot/", nullptr, true);
    });
  }
  for (auto& t : threads) t.join();
  Json results = Json::array();
  bool all_ok = true;
  for (size_t i = 0; i < coordinators->size(); ++i) {
    const Coordinator& c = (*coordinators)[i];
    Json row = {{"coordinator", c.key}, {"url", c.url}};
    const auto& reply = replies[i];
    if (reply && reply->ok()) {
      ctx.state().MarkKnown(c.key, c.url);
      const std::string nick = reply->json.value("nickname", "");
      row["ok"] = true;
      row["nickname"] = nick;
      row["earned_rewards"] = reply->json.value("earned_rewards", 0);
      if (reply->json.contains("active_order_id")) row["active_order_id"] = reply->json["active_order_id"];
      std::string line = "  " + c.key + ": registered as " + nick;
      if (nick != robot.derived.nickname) {
        line += " (this robot computes " + robot.derived.nickname + ")";
        row["nickname_mismatch"] = true;
      }
      ctx.Say(line);
    } else {
      all_ok = false;
      row["ok"] = false;
      row["error"] = reply ? reply->Describe() : reply.error();
      if (reply && reply->error_code() != 0) row["error_code"] = reply->error_code();
      ctx.err() << "robot: " << c.key << ": " << row["error"].get<std::string>() << "\n";
    }
    results.push_back(row);
  }
  if (auto saved = ctx.SaveState(); !saved) return ctx.Fail(saved.error());
  ctx.Done(Json{{"ok", all_ok}, {"coordinators", results}});
  return all_ok ? kExitOk : kExitFailed;
}

int CmdWhoami(Context& ctx) {
  if (!ctx.args().positional.empty()) return ctx.Usage("`whoami` takes no argument");
  const RobotFiles& r = ctx.robot();
  Json j = PublicIdentity(r);
  j["coordinators"] = Json::object();
  for (const auto& [key, url] : ctx.state().known) j["coordinators"][key] = url;
  if (ctx.state().current) {
    j["current_order"] = {{"coordinator", ctx.state().current->coordinator}, {"id", ctx.state().current->id}};
  }
  ctx.Say(r.derived.nickname);
  ctx.Say("  hash_id      " + r.derived.hash_id);
  ctx.Say("  PGP key      " + r.fingerprint + " (dated " + IsoDate(r.key_created_at) + ")");
  ctx.Say("  nostr        " + r.derived.nostr_pubkey);
  ctx.Say("  directory    " + r.dir);
  for (const auto& [key, url] : ctx.state().known) ctx.Say("  known at     " + key + " (" + url + ")");
  if (ctx.state().current) ctx.Say("  current      " + Describe(*ctx.state().current));
  return ctx.Done(j);
}

int CmdProfile(Context& ctx) {
  if (!ctx.args().positional.empty()) return ctx.Usage("`profile` takes no argument");
  auto coordinators = ctx.SelectedCoordinators(true);
  if (!coordinators) return ctx.Usage(coordinators.error());
  Json results = Json::array();
  bool all_ok = true;
  for (const auto& c : *coordinators) {
    auto reply = ctx.Call(c, "GET", "/api/robot/", nullptr, true);
    if (!reply || !reply->ok()) {
      all_ok = false;
      const std::string why = reply ? reply->Describe() : reply.error();
      ctx.err() << "robot: " << c.key << ": " << why << "\n";
      results.push_back({{"coordinator", c.key}, {"ok", false}, {"error", why}});
      continue;
    }
    Json row = reply->json;
    row.erase("encrypted_private_key");  // the robot has it; no need to echo it
    row.erase("public_key");
    row["coordinator"] = c.key;
    row["ok"] = true;
    std::string line = c.key + ": " + reply->json.value("nickname", "") + ", rewards " +
                       std::to_string(reply->json.value("earned_rewards", 0)) + " sats";
    if (reply->json.contains("active_order_id")) line += ", active order " + reply->json["active_order_id"].dump();
    if (reply->json.contains("last_order_id")) line += ", last order " + reply->json["last_order_id"].dump();
    ctx.Say(line);
    results.push_back(row);
  }
  ctx.Done(Json{{"ok", all_ok}, {"coordinators", results}});
  return all_ok ? kExitOk : kExitFailed;
}

}  // namespace federation::robot::cli
