#include "tests/support/tor_network.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/simln_rest_client.h"
#include "tests/support/test_support.h"

namespace testsupport {
namespace {

constexpr const char* kTor = "/usr/sbin/tor";
constexpr const char* kTorGencert = "/usr/bin/tor-gencert";

// A loopback port free now (bound then released; the tor that gets it binds it a moment later).
int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string Tail(const std::string& path, size_t lines) {
  std::string text = ReadFile(path);
  size_t pos = text.size();
  for (size_t n = 0; n <= lines && pos != std::string::npos && pos > 0; ++n) pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// tor --list-fingerprint prints "<nickname> <40 hex in groups of 4>": the hex without spaces.
std::string FingerprintOf(const std::string& output) {
  std::istringstream in(output);
  std::string nick, group, fp;
  in >> nick;
  while (in >> group) fp += group;
  return fp;
}

// Settings every tor of the network shares (chutney's common.i, "rapid bootstrap").
std::string CommonTorrc(const std::string& nick, const std::string& dir, const std::string& authorities) {
  return "TestingTorNetwork 1\n"
         "AssumeReachable 1\n"
         "PathsNeededToBuildCircuits 0.25\n"
         "TestingDirAuthVoteExit *\n"
         "TestingDirAuthVoteHSDir *\n"
         "TestingDirAuthVoteGuard *\n"
         "TestingMinExitFlagThreshold 0\n"
         "V3AuthNIntervalsValid 2\n"
         "DataDirectory " + dir + "\n"
         "RunAsDaemon 0\n"
         "Nickname " + nick + "\n"
         "ShutdownWaitLength 0\n"
         "Log notice file " + dir + "/notice.log\n"
         "SafeLogging 0\n"
         "ProtocolWarnings 1\n"
         "DisableDebuggerAttachment 0\n" +
         authorities;
}

}  // namespace

base::Expected<std::unique_ptr<TorNetwork>, std::string> TorNetwork::Start(const std::string& dir,
                                                                           const std::vector<OnionTarget>& targets,
                                                                           std::chrono::seconds timeout) {
  namespace fs = std::filesystem;
  if (!fs::exists(kTor) || !fs::exists(kTorGencert)) {
    return base::Err(std::string("needs Debian's tor and tor-gencert (ops/setup installs them)"));
  }
  std::unique_ptr<TorNetwork> net(new TorNetwork());
  net->m_dir = dir + "/tor";
  fs::create_directories(net->m_dir);
  auto make_dir = [&](const std::string& name) {
    std::string d = net->m_dir + "/" + name;
    fs::create_directories(d);
    ::chmod(d.c_str(), 0700);  // tor refuses a DataDirectory others can read
    return d;
  };

  // 1. The authorities' keys: a v3 identity + signing key and certificate (tor-gencert), and
  //    the relay identity whose fingerprint goes into every DirAuthority line.
  struct Authority {
    std::string name, dir;
    int or_port = 0, dir_port = 0;
  };
  std::vector<Authority> authorities;
  std::string dir_authority_lines;
  for (int i = 0; i < 3; ++i) {
    Authority a{"auth" + std::to_string(i), make_dir("auth" + std::to_string(i)), FreeLoopbackPort(),
                FreeLoopbackPort()};
    const std::string keys = a.dir + "/keys";
    fs::create_directories(keys);
    ::chmod(keys.c_str(), 0700);
    // An empty passphrase on stdin (--passphrase-fd 0).
    auto gencert = Run({"/bin/sh", "-c",
                        "echo '' | " + std::string(kTorGencert) + " --create-identity-key -m 12 -a 127.0.0.1:" +
                            std::to_string(a.dir_port) + " -i '" + keys + "/authority_identity_key' -s '" + keys +
                            "/authority_signing_key' -c '" + keys + "/authority_certificate' --passphrase-fd 0"},
                       a.dir + "/gencert.log", std::chrono::seconds(60));
    if (gencert.code != 0) return base::Err("tor-gencert failed: " + ReadFile(a.dir + "/gencert.log"));
    std::string v3ident;
    {
      std::istringstream cert(ReadFile(keys + "/authority_certificate"));
      std::string line;
      while (std::getline(cert, line)) {
        if (line.rfind("fingerprint ", 0) == 0) v3ident = Trim(line.substr(12));
      }
    }
    auto listed = Run({kTor, "--quiet", "--ignore-missing-torrc", "-f", "/dev/null", "--list-fingerprint", "--orport",
                       "1", "--dirserver", "x 127.0.0.1:1 ffffffffffffffffffffffffffffffffffffffff",
                       "--datadirectory", a.dir},
                      a.dir + "/fingerprint.log", std::chrono::seconds(60));
    const std::string fingerprint = FingerprintOf(listed.out);
    if (listed.code != 0 || v3ident.size() != 40 || fingerprint.size() != 40) {
      return base::Err("cannot make authority " + a.name + "'s keys: " + listed.out +
                       ReadFile(a.dir + "/fingerprint.log"));
    }
    dir_authority_lines += "DirAuthority " + a.name + " orport=" + std::to_string(a.or_port) +
                           " no-v2 v3ident=" + v3ident + " 127.0.0.1:" + std::to_string(a.dir_port) + " " +
                           fingerprint + "\n";
    authorities.push_back(a);
  }

  // 2. Every torrc.
  std::vector<std::pair<std::string, std::string>> torrcs;  // (name, text)
  for (const auto& a : authorities) {
    // chutney's authority.i: the fastest stable voting schedule.
    torrcs.emplace_back(a.name, CommonTorrc(a.name, a.dir, dir_authority_lines) +
                                    "AuthoritativeDirectory 1\n"
                                    "V3AuthoritativeDirectory 1\n"
                                    "ContactInfo " + a.name + "@test.test\n"
                                    "TestingV3AuthInitialVotingInterval 5\n"
                                    "TestingV3AuthInitialVoteDelay 2\n"
                                    "TestingV3AuthInitialDistDelay 2\n"
                                    "V3AuthVotingInterval 10\n"
                                    "V3AuthVoteDelay 2\n"
                                    "V3AuthDistDelay 2\n"
                                    "SocksPort 0\n"
                                    "Address 127.0.0.1\n"
                                    "OrPort " + std::to_string(a.or_port) + "\n"
                                    "DirPort " + std::to_string(a.dir_port) + "\n"
                                    "ExitPolicy reject *:*\n");
  }
  for (int i = 0; i < 3; ++i) {
    const std::string name = "relay" + std::to_string(i);
    const std::string d = make_dir(name);
    torrcs.emplace_back(name, CommonTorrc(name, d, dir_authority_lines) +
                                  "SocksPort 0\n"
                                  "Address 127.0.0.1\n"
                                  "OrPort " + std::to_string(FreeLoopbackPort()) + "\n"
                                  "DirPort " + std::to_string(FreeLoopbackPort()) + "\n"
                                  "ExitRelay 0\n"
                                  "ExitPolicy reject *:*\n");
  }
  {
    const std::string d = make_dir("onion");
    std::string services;
    for (const auto& t : targets) {
      const std::string hs = make_dir("onion/" + t.name);
      services += "HiddenServiceDir " + hs + "\nHiddenServicePort 80 127.0.0.1:" + std::to_string(t.port) + "\n";
    }
    torrcs.emplace_back("onion", CommonTorrc("onion", d, dir_authority_lines) + "SocksPort 0\n" + services);
  }
  {
    const std::string d = make_dir("client");
    net->m_socks_port = FreeLoopbackPort();
    torrcs.emplace_back("client", CommonTorrc("client", d, dir_authority_lines) + "SocksPort 127.0.0.1:" +
                                      std::to_string(net->m_socks_port) + "\n");
  }

  // 3. Start them all.
  for (const auto& [name, text] : torrcs) {
    const std::string d = net->m_dir + "/" + name;
    std::ofstream(d + "/torrc") << text;
    Node node{name, d, Process::Start({kTor, "--quiet", "-f", d + "/torrc"}, d + "/stderr.log")};
    if (!node.process) return base::Err("cannot start tor " + name);
    net->m_nodes.push_back(std::move(node));
  }

  // 4. Bounded wait: the client and the onion-service tor bootstrapped, every hostname written.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto bootstrapped = [&](const std::string& name) {
    return ReadFile(net->m_dir + "/" + name + "/notice.log").find("Bootstrapped 100%") != std::string::npos;
  };
  while (true) {
    bool ready = bootstrapped("client") && bootstrapped("onion");
    for (const auto& t : targets) {
      std::string host = Trim(ReadFile(net->m_dir + "/onion/" + t.name + "/hostname"));
      if (host.size() != 62) {
        ready = false;
      } else {
        net->m_onion_hosts[t.name] = host;
      }
    }
    for (auto& n : net->m_nodes) {
      if (n.process->Wait(std::chrono::milliseconds(0))) {
        return base::Err("tor " + n.name + " exited; its log:\n" + Tail(n.dir + "/notice.log", 20) +
                         ReadFile(n.dir + "/stderr.log"));
      }
    }
    if (ready) break;
    if (std::chrono::steady_clock::now() > deadline) {
      return base::Err("the private Tor network did not bootstrap in " + std::to_string(timeout.count()) +
                       " s:\n" + net->LogTails(8));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return net;
}

TorNetwork::~TorNetwork() {
  for (auto& n : m_nodes) n.process->Signal(SIGTERM);
  for (auto& n : m_nodes) n.process->Wait(std::chrono::seconds(10));  // the destructor SIGKILLs a stuck one
}

std::string TorNetwork::OnionHost(const std::string& name) const {
  auto it = m_onion_hosts.find(name);
  return it == m_onion_hosts.end() ? "" : it->second;
}

std::string TorNetwork::WaitReachable(const std::string& url, std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "not tried";
  while (std::chrono::steady_clock::now() < deadline) {
    HttpOptions options;
    options.proxy = socks_url();
    options.timeout_ms = 20000;
    options.connect_timeout_ms = 20000;
    HttpResult r = HttpCall("GET", url, "", options);
    if (r.curl == CURLE_OK && r.status != 0) return "";
    // Tor's extended SOCKS errors (descriptor not yet found, introduction failed) come back
    // as curl error 97; retry until the deadline.
    last = curl_easy_strerror(r.curl);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return last;
}

std::string TorNetwork::LogTails(size_t lines_each) const {
  std::string out;
  for (const auto& n : m_nodes) out += "--- tor " + n.name + "\n" + Tail(n.dir + "/notice.log", lines_each);
  return out;
}

}  // namespace testsupport
