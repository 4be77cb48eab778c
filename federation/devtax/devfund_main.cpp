// devfund: the developers' verifier of the dev tax. Reads a federation file, fetches every
// coordinator's signed statements (GET /api/devfund/, through the SOCKS5h proxy), checks them
// (federation/devtax/devfund_audit.h) and, given read access to the dev fund's LND node (an
// invoices read-only macaroon), that each claimed payment arrived. Exit 0 when every claim
// holds, 1 when one does not, 2 on a usage or I/O error.
#include <cstdio>
#include <ctime>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "escrow/crypto/sha256.h"
#include "escrow/lnd/lnd_node.h"
#include "federation/devtax/devfund_audit.h"
#include "federation/prices/http_get.h"

namespace {

constexpr const char kUsage[] =
    "usage: devfund --federation FILE [--network mainnet|testnet] [--via onion|clearnet]\n"
    "               [--proxy socks5h://127.0.0.1:9050 | --no-proxy] [--start UNIX] [--end UNIX]\n"
    "               [--url ALIAS=URL]... [--lnd-url https://HOST:PORT --lnd-cert FILE --lnd-macaroon FILE]\n"
    "               [--late-after SECONDS (86400)] [--json]\n";

int Usage(const std::string& why) {
  std::cerr << "devfund: " << why << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string federation_file, network = "mainnet", via = "onion", proxy = "socks5h://127.0.0.1:9050";
  std::string start, end, lnd_url, lnd_cert, lnd_macaroon;
  std::map<std::string, std::string> urls;
  bool as_json = false;
  int64_t late_after_s = 86400;  // --late-after: accruals unpaid this long count as late
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    bool ok = true;
    if (a == "--federation") ok = value(federation_file);
    else if (a == "--network") ok = value(network);
    else if (a == "--via") ok = value(via);
    else if (a == "--proxy") ok = value(proxy);
    else if (a == "--no-proxy") proxy.clear();
    else if (a == "--start") ok = value(start);
    else if (a == "--end") ok = value(end);
    else if (a == "--lnd-url") ok = value(lnd_url);
    else if (a == "--lnd-cert") ok = value(lnd_cert);
    else if (a == "--lnd-macaroon") ok = value(lnd_macaroon);
    else if (a == "--json") as_json = true;
    else if (a == "--late-after") {
      std::string v;
      ok = value(v);
      try {
        late_after_s = ok ? std::stoll(v) : 0;
      } catch (...) {
        ok = false;
      }
      ok = ok && late_after_s >= 0;
    }
    else if (a == "--url") {
      std::string kv;
      ok = value(kv) && kv.find('=') != std::string::npos;
      if (ok) urls[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      return Usage("unknown argument " + a);
    }
    if (!ok) return Usage("missing or bad value for " + a);
  }
  if (federation_file.empty()) return Usage("--federation is required");
  if (auto p = federation::CheckProxyUrl(proxy); !p) return Usage(p.error());
  std::ifstream in(federation_file);
  std::stringstream text;
  text << in.rdbuf();
  auto federation_json = nlohmann::json::parse(text.str(), nullptr, false);
  if (!in || federation_json.is_discarded() || !federation_json.is_object()) {
    return Usage("cannot read a federation object from " + federation_file);
  }

  std::unique_ptr<escrow::LightningNode> node;
  if (!lnd_url.empty()) {
    escrow::lnd::LndConfig c;
    c.rest_url = lnd_url;
    c.tls_cert_path = lnd_cert;
    c.macaroon_path = lnd_macaroon;
    auto n = escrow::lnd::CreateLndNode(c);
    if (!n.ok()) return Usage("dev fund node: " + n.error().message);
    node = std::move(n.value());
  }
  federation::ReceivedLookup received;
  if (node) {
    // Keysend payments arrive as invoices (is_keysend) under their payment hash.
    received = [&node](const std::string& hash_hex) -> std::optional<int64_t> {
      auto hash = escrow::crypto::Hash32FromHex(hash_hex);
      if (!hash) return std::nullopt;
      auto inv = node->LookupInvoice(*hash);
      if (!inv.ok() || inv->state != escrow::InvoiceState::kSettled) return std::nullopt;
      return inv->amt_paid_msat / 1000;
    };
  }

  std::vector<federation::CoordinatorAudit> audits;
  bool io_error = false;
  for (const auto& [alias, entry] : federation_json.items()) {
    std::string base = urls.count(alias) ? urls.at(alias) : "";
    if (base.empty() && entry.contains(network) && entry[network].is_object()) {
      base = entry[network].value(via, std::string());
    }
    federation::CoordinatorAudit audit;
    audit.alias = alias;
    if (base.empty()) {
      audit.problems.push_back("no " + network + " " + via + " URL in the federation entry");
      audits.push_back(audit);
      continue;
    }
    std::string url = base + "/api/devfund/";
    std::string query;
    if (!start.empty()) query += "start=" + start;
    if (!end.empty()) query += std::string(query.empty() ? "" : "&") + "end=" + end;
    if (!query.empty()) url += "?" + query;
    federation::HttpGetOptions o;
    o.proxy = proxy;
    o.max_body_bytes = 64 << 20;
    auto r = federation::HttpGet(url, o);
    if (!r.ok() || r->status != 200) {
      audit.problems.push_back("cannot fetch the statements: " +
                               (r.ok() ? "HTTP " + std::to_string(r->status) : r.error()));
      io_error = true;
      audits.push_back(audit);
      continue;
    }
    auto statements = nlohmann::json::parse(r->body, nullptr, false);
    audits.push_back(federation::AuditCoordinator(alias, entry, statements, received,
                                                  static_cast<int64_t>(std::time(nullptr)), late_after_s));
  }
  bool all_ok = true;
  for (const auto& a : audits) all_ok = all_ok && a.ok();
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : audits) out.push_back(federation::AuditToJson(a));
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << federation::AuditTable(audits);
  }
  (void)io_error;
  return all_ok ? 0 : 1;
}
