// coordctl: the operator's command line over coordinatord's admin API (api/admin_api.h).
//
//   coordctl [--endpoint URL | --config FILE] [--token-file FILE] [--json] COMMAND
//     disputes [--all]                          open disputes (--all: the recent ones too)
//     dispute show ORDER_ID                     statements, chat, robots, custody
//     dispute resolve ORDER_ID --outcome OUTCOME [--note TEXT]
//                                               maker_wins | taker_wins | return_everything |
//                                               successful_trade
//     orders [--status N] [--limit N]           orders (no status: the live ones)
//     accounting --day YYYY-MM-DD               a day's money
//     payouts [--overdue]                       buyer payouts in flight, oldest first
//     nostr                                     the outside relays the coordinator publishes to
//     backup FILE                               online copy of <data_dir>/coordinator.db (the
//                                               config's data_dir, or --data-dir DIR); reads
//                                               the file directly: run it as the service user
//
// The endpoint and the token file come from the flags, or from the coordinator's config: its
// operator_listen (or, for an ephemeral port, the operator_url coordinatord wrote to
// <data_dir>/coordinatord.json) and its first resolver (else solver) token file.
#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/coordinator_config.h"
#include "coordinator/store/backup.h"

namespace {

using Json = nlohmann::json;

constexpr const char* kUsage = R"(usage: coordctl [--endpoint URL | --config FILE] [--token-file FILE] [--json] COMMAND
  disputes [--all]                               open disputes (--all: the recent ones too)
  dispute show ORDER_ID                          statements, chat, robots, custody
  dispute resolve ORDER_ID --outcome OUTCOME [--note TEXT]
                                                 OUTCOME: maker_wins | taker_wins |
                                                          return_everything | successful_trade
  orders [--status N] [--limit N]                orders (no status: the live ones)
  accounting --day YYYY-MM-DD                    a day's money
  payouts [--overdue]                            buyer payouts in flight, oldest first (--overdue:
                                                 only those past trade.payout.in_flight_alert_s)
  backup FILE                                    an online copy of the running coordinator's
                                                 database (SQLite backup API) into FILE (new,
                                                 mode 0600), integrity-checked; restore it with
                                                 coordinatord --restore FILE
  devtax [--start UNIX] [--end UNIX]             the signed dev-tax statements (JSON; default:
                                                 the last day), as GET /api/devfund/ serves them
  nostr                                          the outside relays (nostr.relays): connected,
                                                 events pending/published/refused, last OK,
                                                 reconciliations, last error
Without --endpoint/--token-file, both come from the coordinator's config (--config, default
./coordinatord.yaml if present): operator_listen and the first resolver (else solver) token file.
)";

int Usage(const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "coordctl: %s\n", problem.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Reply {
  long status = 0;
  std::string body;
  std::string error;
};

Reply Call(const std::string& method, const std::string& url, const std::string& token, const std::string& body) {
  Reply r;
  CURL* curl = curl_easy_init();
  if (!curl) {
    r.error = "cannot initialise libcurl";
    return r;
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    r.error = curl_easy_strerror(rc);
  } else {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return r;
}

std::string Str(const Json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "yes" : "no";
  return j.dump();
}

// A plain table: a header row, then one row per object, columns padded to their widest cell.
void PrintTable(const Json& rows, const std::vector<std::pair<std::string, std::string>>& columns) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width;
  std::vector<std::string> head;
  for (const auto& [key, title] : columns) {
    head.push_back(title);
    width.push_back(title.size());
  }
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string cell = row.contains(columns[i].first) ? Str(row[columns[i].first]) : "-";
      width[i] = std::max(width[i], cell.size());
      line.push_back(std::move(cell));
    }
    cells.push_back(std::move(line));
  }
  auto print = [&](const std::vector<std::string>& line) {
    for (size_t i = 0; i < line.size(); ++i) {
      std::printf("%-*s%s", static_cast<int>(width[i]), line[i].c_str(), i + 1 < line.size() ? "  " : "\n");
    }
  };
  print(head);
  for (const auto& line : cells) print(line);
  if (rows.empty()) std::printf("(none)\n");
}

void PrintDispute(const Json& d) {
  std::printf("Order %s — %s — %s\n", Str(d["order_id"]).c_str(), Str(d["status_message"]).c_str(),
              Str(d["outcome"]).c_str());
  std::printf("  %s %s %s sats, %s; cause: %s; opened %s; deadline %s\n", Str(d["type"]).c_str(),
              Str(d["amount"]).c_str(), Str(d["trade_satoshis"]).c_str(), Str(d["payment_method"]).c_str(),
              Str(d["cause"]).c_str(), Str(d["opened_at"]).c_str(), Str(d["deadline_at"]).c_str());
  std::printf("  buyer: %s\n", Str(d["buyer"]).c_str());
  for (const char* side : {"maker", "taker"}) {
    const Json& r = d[side];
    if (r.is_null()) continue;
    std::printf("  %s: %s (%s…), %s other orders here, %s other disputes; rewards %s sats\n", side,
                Str(r["nickname"]).c_str(), Str(r["hash_id"]).substr(0, 12).c_str(),
                std::to_string(r["other_orders"].size()).c_str(), Str(r["other_disputes"]).c_str(),
                Str(r["earned_rewards"]).c_str());
    const Json& s = d[std::string(side) + "_statement"];
    if (s.is_null()) {
      std::printf("    statement: none yet\n");
    } else {
      std::printf("    statement (%s):\n%s\n", Str(s["submitted_at"]).c_str(), Str(s["text"]).c_str());
      if (!s["attached_chat"].is_null()) std::printf("    attached chat log: %s\n", s["attached_chat"].dump(2).c_str());
    }
  }
  std::printf("  holds:\n");
  for (const auto& h : d["holds"]) {
    std::printf("    %-10s %10s sats  %-8s%s\n", Str(h["role"]).c_str(), Str(h["sats"]).c_str(), Str(h["state"]).c_str(),
                h.value("custody", false) ? "  (custody)" : "");
  }
  std::printf("  chat: %zu messages (PGP ciphertext; --json to get them)\n", d["chat"].size());
  if (d.contains("note") && !Str(d["note"]).empty() && Str(d["note"]) != "-") std::printf("  note: %s\n", Str(d["note"]).c_str());
}

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  std::string endpoint, config_path, token_file, data_dir;
  bool json = false;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "--endpoint") {
      if (!value(endpoint)) return Usage("--endpoint needs a URL");
    } else if (a == "--config") {
      if (!value(config_path)) return Usage("--config needs a file");
    } else if (a == "--token-file") {
      if (!value(token_file)) return Usage("--token-file needs a file");
    } else if (a == "--data-dir") {
      if (!value(data_dir)) return Usage("--data-dir needs a directory");
    } else if (a == "--json") {
      json = true;
    } else {
      args.push_back(a);
    }
  }
  if (args.empty()) return Usage("no command");

  if (args[0] == "backup") {
    // The database file itself, not the admin API: SQLite's backup API reads it while the
    // coordinator writes (WAL), with no token and no copy through HTTP.
    if (args.size() != 2) return Usage("backup needs one FILE");
    if (data_dir.empty()) {
      if (config_path.empty() && std::ifstream("coordinatord.yaml")) config_path = "coordinatord.yaml";
      config::CoordinatorConfig cfg;
      if (!config_path.empty()) {
        auto loaded = config::LoadCoordinatorConfig(config_path);
        if (!loaded.ok()) {
          std::fprintf(stderr, "coordctl: invalid config %s:\n%s\n", config_path.c_str(), loaded.error().c_str());
          return 2;
        }
        cfg = loaded.value();
      }
      data_dir = cfg.data_dir;
    }
    const std::string source = data_dir + "/coordinator.db";
    auto done = coordinator::BackupDatabase(source, args[1]);
    if (!done.ok()) {
      std::fprintf(stderr, "coordctl: %s\n", done.error().c_str());
      return 1;
    }
    std::printf("backup of %s written to %s: %lld pages, schema v%d, integrity ok\n", source.c_str(), args[1].c_str(),
                static_cast<long long>(done->pages), done->schema_version);
    return 0;
  }

  if (endpoint.empty() || token_file.empty()) {
    if (config_path.empty() && std::ifstream("coordinatord.yaml")) config_path = "coordinatord.yaml";
    config::CoordinatorConfig cfg;
    if (!config_path.empty()) {
      auto loaded = config::LoadCoordinatorConfig(config_path);
      if (!loaded.ok()) {
        std::fprintf(stderr, "coordctl: invalid config %s:\n%s\n", config_path.c_str(), loaded.error().c_str());
        return 2;
      }
      cfg = loaded.value();
    }
    if (endpoint.empty()) {
      endpoint = "http://" + cfg.operator_listen.ToString();
      // An ephemeral port: coordinatord says where it listens.
      std::ifstream where(cfg.data_dir + "/coordinatord.json");
      auto j = Json::parse(where, nullptr, false);
      if (cfg.operator_listen.port == 0 && j.is_object()) endpoint = j.value("operator_url", endpoint);
    }
    if (token_file.empty()) {
      if (!cfg.admin.resolver_token_files.empty()) token_file = cfg.admin.resolver_token_files.front();
      else if (!cfg.admin.solver_token_files.empty()) token_file = cfg.admin.solver_token_files.front();
    }
  }
  if (token_file.empty()) return Usage("no admin token: --token-file FILE, or admin token files in the config");
  const std::string token = ReadFirstLine(token_file);
  if (token.empty()) {
    std::fprintf(stderr, "coordctl: cannot read a token from %s\n", token_file.c_str());
    return 2;
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();

  std::string method = "GET", path, body;
  enum class Show { kDisputes, kDispute, kResolved, kOrders, kAccounting, kDevTax, kPayouts, kNostr } show = Show::kDisputes;
  const std::string& cmd = args[0];
  auto flag = [&](const std::string& name) -> std::optional<std::string> {
    for (size_t i = 1; i + 1 < args.size(); ++i) {
      if (args[i] == name) return args[i + 1];
    }
    return std::nullopt;
  };
  auto has = [&](const std::string& name) { return std::find(args.begin(), args.end(), name) != args.end(); };
  if (cmd == "disputes") {
    path = "/admin/disputes/" + std::string(has("--all") ? "?all=1" : "");
  } else if (cmd == "dispute" && args.size() >= 3 && args[1] == "show") {
    path = "/admin/dispute/?order_id=" + args[2];
    show = Show::kDispute;
  } else if (cmd == "dispute" && args.size() >= 3 && args[1] == "resolve") {
    auto outcome = flag("--outcome");
    if (!outcome) return Usage("dispute resolve needs --outcome");
    Json b{{"outcome", *outcome}, {"note", flag("--note").value_or("")}};
    try {
      b["order_id"] = std::stoll(args[2]);
    } catch (...) {
      return Usage("ORDER_ID must be a number");
    }
    method = "POST";
    path = "/admin/dispute/resolve/";
    body = b.dump();
    show = Show::kResolved;
  } else if (cmd == "orders") {
    path = "/admin/orders/?limit=" + flag("--limit").value_or("100");
    if (auto s = flag("--status")) path += "&status=" + *s;
    show = Show::kOrders;
  } else if (cmd == "accounting") {
    auto day = flag("--day");
    if (!day) return Usage("accounting needs --day YYYY-MM-DD");
    path = "/admin/accounting/?day=" + *day;
    show = Show::kAccounting;
  } else if (cmd == "payouts") {
    path = std::string("/admin/payouts/in-flight/") + (has("--overdue") ? "?overdue=true" : "");
    show = Show::kPayouts;
  } else if (cmd == "devtax") {
    path = "/admin/devtax/";
    std::string q;
    if (auto s = flag("--start")) q += "start=" + *s;
    if (auto e = flag("--end")) q += std::string(q.empty() ? "" : "&") + "end=" + *e;
    if (!q.empty()) path += "?" + q;
    show = Show::kDevTax;
  } else if (cmd == "nostr") {
    path = "/admin/nostr/relays/";
    show = Show::kNostr;
  } else {
    return Usage("unknown command: " + cmd);
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  Reply r = Call(method, endpoint + path, token, body);
  if (!r.error.empty()) {
    std::fprintf(stderr, "coordctl: %s%s: %s\n", endpoint.c_str(), path.c_str(), r.error.c_str());
    return 1;
  }
  Json answer = Json::parse(r.body, nullptr, false);
  if (r.status != 200) {
    std::string why = answer.is_object() ? answer.value("bad_request", r.body) : r.body;
    std::fprintf(stderr, "coordctl: refused (HTTP %ld): %s\n", r.status, why.c_str());
    return 1;
  }
  if (json || answer.is_discarded()) {
    std::printf("%s\n", answer.is_discarded() ? r.body.c_str() : answer.dump(2).c_str());
    return 0;
  }
  switch (show) {
    case Show::kDisputes:
      PrintTable(answer, {{"order_id", "ORDER"}, {"status", "STATUS"}, {"cause", "CAUSE"}, {"opened_at", "OPENED"},
                          {"deadline_at", "DEADLINE"}, {"maker_statement", "MAKER STMT"},
                          {"taker_statement", "TAKER STMT"}, {"outcome", "OUTCOME"}});
      break;
    case Show::kDispute:
      PrintDispute(answer);
      break;
    case Show::kResolved:
      std::printf("order %s: %s (by %s)\n", Str(answer["order_id"]).c_str(), Str(answer["outcome"]).c_str(),
                  Str(answer["resolved_by"]).c_str());
      break;
    case Show::kOrders:
      PrintTable(answer, {{"id", "ID"}, {"status", "STATUS"}, {"status_message", "STATUS MESSAGE"}, {"type", "TYPE"},
                          {"amount", "AMOUNT"}, {"currency", "CUR"}, {"trade_satoshis", "SATS"},
                          {"maker_nick", "MAKER"}, {"taker_nick", "TAKER"}, {"created_at", "CREATED"}});
      break;
    case Show::kPayouts:
      PrintTable(answer, {{"order_id", "ORDER"}, {"payment_hash", "PAYMENT HASH"}, {"amount_sat", "SATS"},
                          {"attempt", "ATTEMPT"}, {"since", "IN FLIGHT SINCE"}, {"age_seconds", "AGE S"},
                          {"overdue", "OVERDUE"}});
      break;
    case Show::kNostr:
      PrintTable(answer, {{"relay", "RELAY"}, {"connected", "UP"}, {"events", "EVENTS"}, {"pending", "PENDING"},
                          {"failing", "FAILING"}, {"published", "PUBLISHED"}, {"refused", "REFUSED"},
                          {"last_ok_at", "LAST OK"}, {"reconciliations", "RECONCILED"},
                          {"last_error", "LAST ERROR"}});
      break;
    case Show::kAccounting:
      for (const auto& [k, v] : answer.items()) std::printf("%-26s %s\n", k.c_str(), Str(v).c_str());
      break;
    case Show::kDevTax:
      // An export: the signed statements exactly as served (a verifier needs every byte).
      std::printf("%s\n", answer.dump(2).c_str());
      break;
  }
  return 0;
}
