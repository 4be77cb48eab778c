#include "federation/robot/cli_args.h"

#include <algorithm>

namespace federation::robot::cli {
namespace {

// Options that take no value.
const std::set<std::string>& Switches() {
  static const std::set<std::string> k = {"json", "help", "clearnet", "wait", "no-wait"};
  return k;
}

// Accepted by every command.
const std::vector<const char*>& GlobalOptions() {
  static const std::vector<const char*> k = {"dir",   "name",  "federation", "network", "clearnet", "coordinator",
                                             "url",   "proxy", "json",       "timeout", "wallets",  "help"};
  return k;
}

constexpr const char* kGlobalHelp = R"(Robot (default ~/.robot/default):
  --name NAME             the robot ~/.robot/NAME
  --dir DIR               the robot's directory (instead of --name)
Coordinators:
  --federation FILE       a federation file (RoboSats' federation.json schema)
  --coordinator ALIAS     one coordinator of the federation (its shortAlias)
  --network NET           mainnet (default) or testnet URLs of the federation file
  --clearnet              the clearnet URLs of the federation file (default: onion)
  --url URL               a coordinator by its URL (instead of --federation)
  --proxy socks5h://HOST:PORT
                          every request through this SOCKS5h proxy (Tor); .onion URLs always
                          go through one (default socks5h://127.0.0.1:9050)
Wallet (simln):
  --wallets FILE          simln's nodes.json (default $ROBOT_WALLETS, else ./data/simln/nodes.json)
Output:
  --json                  machine-readable output on stdout (progress and errors on stderr)
  --timeout SECONDS       bound of every wait and request (default 120)
  --help                  this help, or a command's (robot COMMAND --help)
)";

}  // namespace

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

base::Expected<Args, std::string> ParseArgs(const std::vector<std::string>& argv) {
  Args args;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (!options_done && a == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && (a == "-h" || a == "--help")) {
      args.help = true;
      args.switches.insert("help");
      continue;
    }
    if (!options_done && a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a.substr(2);
      std::optional<std::string> value;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (Switches().count(name) > 0) {
        if (value) return base::Err("--" + name + " takes no value");
        args.switches.insert(name);
        continue;
      }
      if (!value) {
        if (i + 1 >= argv.size()) return base::Err("--" + name + " needs a value");
        value = argv[++i];
      }
      args.values[name] = *value;
      continue;
    }
    if (args.command.empty()) {
      args.command = a;
    } else {
      args.positional.push_back(a);
    }
  }
  return args;
}

const std::vector<CommandHelp>& Commands() {
  static const std::vector<CommandHelp> k = {
      {"init", "init", "create the robot: token, PGP keys, nostr key",
       "Makes a new robot in its directory: a 36-character token (about 214 bits, RoboSats'\n"
       "alphabet) in the file `token` (mode 0600), an EdDSA/Curve25519 PGP key pair dated one\n"
       "day back whose private key the token protects, and the nostr key derived from the token.\n"
       "The token is the robot: keep the file safe; it is never printed.",
       {}},
      {"register", "register", "register the robot on every coordinator (or the chosen one)",
       "Introduces the robot (its public key, encrypted private key and nostr key) to every\n"
       "coordinator of the federation file, or to --coordinator/--url, and shows what each knows.",
       {}},
      {"whoami", "whoami", "the robot's public identity (no network)",
       "Nickname, hash_id, PGP fingerprint and key date, nostr public key, known coordinators\n"
       "and the current order.",
       {}},
      {"profile", "profile", "the robot as a coordinator sees it (GET /api/robot/)",
       "Active or last order, earned rewards, last login, for --coordinator/--url (or every\n"
       "coordinator the robot is known to).",
       {}},
      {"book", "book [--currency CODE|ID] [--type buy|sell|any] [--federationd URL]", "the joint order book",
       "Every public order of every coordinator, fetched at once from each coordinator's\n"
       "/api/book/, or from a federationd (--federationd URL) that merged them already.",
       {"currency", "type", "federationd"}},
      {"make",
       "make --type buy|sell --currency CODE (--amount N | --min-amount N --max-amount N)\n"
       "          [--premium P | --satoshis N] [--payment-method TEXT] [--public-duration S]\n"
       "          [--escrow-duration S] [--bond-size PCT] [--password P] [--description TEXT]\n"
       "          [--latitude L --longitude L] [--wallet NAME [--fee-limit-sat N]]",
       "make an order on the chosen coordinator",
       "Sends the body RoboSats' client sends (MakerForm + Order.make): amounts in fiat, premium\n"
       "in percent over the market (default 0), public 86340 s, escrow 10800 s, bond 3 %. The\n"
       "password is sent as its SHA-256, as the client does. With --wallet the maker bond is paid\n"
       "right away (see pay).",
       {"type", "currency", "amount", "min-amount", "max-amount", "premium", "satoshis", "payment-method",
        "public-duration", "escrow-duration", "bond-size", "password", "description", "latitude", "longitude",
        "wallet", "fee-limit-sat", "no-wait"}},
      {"take", "take ORDER [--amount N] [--password P] [--wallet NAME [--fee-limit-sat N]]", "take an order",
       "ORDER is ALIAS/ID (a coordinator of the federation file) or ID with --coordinator/--url.\n"
       "--amount is the fiat amount of a range order. With --wallet the taker bond is paid right\n"
       "away (see pay). Every later call for the order goes to its coordinator.",
       {"amount", "password", "wallet", "fee-limit-sat", "no-wait"}},
      {"order", "order [ORDER]", "the order's status and what to do next",
       "ORDER defaults to the robot's current order (the last one made or taken).", {}},
      {"orders", "orders", "the orders this robot made or took (no network)", "", {}},
      {"pay", "pay [ORDER] [--wallet NAME [--fee-limit-sat N]] [--wait | --no-wait]",
       "pay the bond or escrow invoice due now",
       "With --wallet, pays the hold invoice from that simln wallet (LND REST) and waits, with a\n"
       "progress line, until the coordinator sees it locked. Without, prints the invoice (and\n"
       "waits for it to be paid elsewhere only with --wait).",
       {"wallet", "fee-limit-sat", "wait", "no-wait"}},
      {"invoice", "invoice [ORDER] (--wallet NAME | --invoice PAYREQ) [--routing-budget-ppm N]",
       "submit the payout invoice (buyer)",
       "The invoice is for floor(n - n * ppm / 1e6) sats, n = the order's invoice_amount, ppm the\n"
       "routing budget (default 1000), as RoboSats' client computes it. --wallet makes the\n"
       "invoice in that simln wallet; --invoice takes one (its amount is checked). The invoice is\n"
       "PGP cleartext-signed with the robot's key.",
       {"wallet", "invoice", "routing-budget-ppm"}},
      {"confirm", "confirm [ORDER]", "confirm: fiat sent (buyer) or fiat received (seller)", "", {}},
      {"undo-confirm", "undo-confirm [ORDER]", "take back \"fiat sent\" (buyer)", "", {}},
      {"cancel", "cancel [ORDER]", "cancel the order (or ask the peer for a collaborative cancel)",
       "Before the trade contract a cancel is unilateral (after the take it costs the bond);\n"
       "once both are locked in it asks the peer, who must cancel too.",
       {}},
      {"pause", "pause [ORDER]", "pause or resume a public order (maker)", "", {}},
      {"wait", "wait [ORDER] --status N[,N…]", "wait until the order reaches one of the statuses",
       "Shows a progress line; bounded by --timeout.", {"status"}},
      {"chat", "chat send [ORDER] TEXT | chat read [ORDER]", "encrypted chat with the peer",
       "Messages are PGP-encrypted to both robots' keys and signed (the coordinator stores only\n"
       "ciphertext); `read` decrypts them and checks each signature.",
       {}},
      {"dispute", "dispute [ORDER]", "open a dispute", "", {}},
      {"statement", "statement [ORDER] (TEXT | --file FILE)", "submit your dispute statement",
       "100 to 50 000 characters.", {"file"}},
      {"rate", "rate [ORDER] RATING", "rate the coordinator 1–5 after a trade", "", {}},
      {"reward", "reward (--wallet NAME | --invoice PAYREQ)", "withdraw earned rewards",
       "Rewards (from a peer's forfeited bond) are withdrawn with a PGP-signed invoice for the\n"
       "whole amount (POST /api/reward/), from --coordinator/--url.",
       {"wallet", "invoice"}},
  };
  return k;
}

const CommandHelp* FindCommand(const std::string& name) {
  for (const auto& c : Commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::string ToolHelp() {
  std::string s =
      "robot: a RoboSats-compatible trader's command line for a federation of coordinators\n\n"
      "usage: robot [OPTIONS] COMMAND [ARGS]\n\nCommands:\n";
  for (const auto& c : Commands()) {
    std::string name = c.name;
    s += "  " + name + std::string(name.size() < 14 ? 14 - name.size() : 1, ' ') + c.summary + "\n";
  }
  s += "\n";
  s += kGlobalHelp;
  s += "\nA trade: robot init; robot register --federation F; robot book --federation F;\n"
       "robot take temple/42 --federation F --wallet bob; robot invoice --wallet bob;\n"
       "robot chat send 'sent!'; robot confirm.\n";
  return s;
}

std::string CommandHelpText(const CommandHelp& command) {
  std::string s = "usage: robot " + std::string(command.synopsis) + "\n\n" + command.summary + ".\n";
  if (command.details[0] != '\0') s += "\n" + std::string(command.details) + "\n";
  s += "\n";
  s += kGlobalHelp;
  return s;
}

base::Expected<void, std::string> CheckOptions(const Args& args, const CommandHelp& command) {
  auto allowed = [&](const std::string& name) {
    auto is = [&](const char* o) { return name == o; };
    return std::any_of(GlobalOptions().begin(), GlobalOptions().end(), is) ||
           std::any_of(command.options.begin(), command.options.end(), is);
  };
  for (const auto& [name, value] : args.values) {
    if (!allowed(name)) return base::Err("`" + std::string(command.name) + "` takes no option --" + name);
  }
  for (const auto& name : args.switches) {
    if (!allowed(name)) return base::Err("`" + std::string(command.name) + "` takes no option --" + name);
  }
  return {};
}

}  // namespace federation::robot::cli
