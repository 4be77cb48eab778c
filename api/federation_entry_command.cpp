#include "api/federation_entry_command.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>

#include "config/base/clock.h"
#include "config/coordinator_config.h"
#include "escrow/lnd/lnd_node.h"
#include "escrow/simln/embedded.h"
#include "escrow/simln/network.h"
#include "federation/entry/own_entry.h"
#include "federation/keys/nostr_key.h"
#include "federation/model/federation_json.h"
#include "federation/model/validate.h"

namespace api {

namespace {

constexpr const char* kUsage =
    "usage: coordinatord federation-entry --config FILE [--data-dir DIR]\n"
    "  Prints this coordinator's federation.json entry (RoboSats' schema) from its config and\n"
    "  its Lightning node, Tor hostname file and nostr key. Add it with `federation add`.\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "coordinatord federation-entry: %s\n", message.c_str());
  return 2;
}

std::string Today(const base::Clock& clock) {
  std::time_t t = static_cast<std::time_t>(clock.NowSeconds());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

int RunFederationEntry(int argc, char** argv) {
  std::string config_path, data_dir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--config" || a == "--data-dir") && i + 1 < argc) {
      (a == "--config" ? config_path : data_dir) = argv[++i];
      continue;
    }
    std::fputs(kUsage, a == "-h" || a == "--help" ? stdout : stderr);
    return a == "-h" || a == "--help" ? 0 : 2;
  }
  config::CoordinatorConfig cfg;
  if (!config_path.empty()) {
    auto loaded = config::LoadCoordinatorConfig(config_path);
    if (!loaded.ok()) return Fail("invalid config " + loaded.error());
    cfg = loaded.value();
  }
  if (!data_dir.empty()) cfg.data_dir = data_dir;
  base::SystemClock clock;
  federation::OwnEntryFacts facts;
  facts.today = Today(clock);

  // The node's identity, from the configured backend.
  std::unique_ptr<escrow::simln::Network> network;
  std::unique_ptr<escrow::LightningNode> node;
  if (cfg.lightning.backend == config::LightningBackend::kSimln) {
    const std::string dir = config::SimlnStateDir(cfg);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    auto opened = escrow::simln::Network::Open(dir + "/simln.db", escrow::simln::EmbeddedNetworkSpec(), clock);
    if (!opened.ok()) return Fail("lightning.simln: " + opened.error());
    network = std::move(opened.value());
    node = network->Node("coordinator");
  } else {
    escrow::lnd::LndConfig lc;
    lc.rest_url = cfg.lightning.lnd.rest_url;
    lc.tls_cert_path = cfg.lightning.lnd.tls_cert_path;
    lc.macaroon_path = cfg.lightning.lnd.macaroon_path;
    auto created = escrow::lnd::CreateLndNode(lc);
    if (!created.ok()) return Fail("lightning.lnd: " + created.error().message);
    node = std::move(created.value());
  }
  if (!node) return Fail("lightning: no coordinator node");
  auto info = node->GetInfo();
  if (!info.ok()) return Fail("the Lightning node is unreachable: " + info.error().message);
  facts.node_pubkey = info->identity_pubkey;
  facts.node_network = info->network;
  node.reset();
  network.reset();

  if (!cfg.tor.hostname_file.empty()) {
    auto hostname = federation::ReadOnionHostname(cfg.tor.hostname_file, "tor.hostname_file");
    if (!hostname.ok()) return Fail(hostname.error());
    facts.onion_hostname = *hostname;
  }

  // The nostr identity: the configured file, or <data_dir>/nostr.key (made if missing, as
  // coordinatord's first start does).
  const bool default_key = cfg.coordinator.nostr_secret_key_file.empty();
  const std::string key_path = default_key ? cfg.data_dir + "/nostr.key" : cfg.coordinator.nostr_secret_key_file;
  if (default_key) {
    std::error_code ec;
    std::filesystem::create_directories(cfg.data_dir, ec);
  }
  auto key = federation::LoadNostrKey(key_path, default_key);
  if (!key.ok()) return Fail(key.error());
  facts.nostr_pubkey_hex = federation::NostrPubkeyHex(*key);

  federation::CoordinatorEntry entry = federation::BuildOwnEntry(cfg, facts);
  std::fputs(federation::PrettyJson(federation::EntryToJson(entry)).c_str(), stdout);
  auto problems = federation::ValidateEntry(entry, entry.short_alias, "federation-entry");
  for (const auto& p : problems) std::fprintf(stderr, "%s\n", p.c_str());
  return problems.empty() ? 0 : 1;
}

}  // namespace api
