// A RoboSats robot talking to a coordinator's public API over HTTP (libcurl), the way RoboSats
// clients do: every request carries `Authorization: Token <base91(SHA256(token))>`, and until
// the coordinator has once answered with 2xx (it then knows the robot) the header also carries
// ` | Public <armored key> | Private <armored encrypted key> | Nostr <hex>`, every newline of
// the armored keys replaced by a backslash. Bodies are JSON.
//
// Links libcurl, coordinator_identity (base91) and escrow_crypto: an area using it lists them
// in its deps.txt (escrow_lnd brings libcurl). Not thread-safe: one client per thread.
#pragma once

#include <curl/curl.h>

#include <nlohmann/json.hpp>
#include <string>

namespace testsupport {

struct RobotKeys {
  std::string token;                      // the robot's secret; the coordinator only sees its SHA-256
  std::string public_armored;             // armored OpenPGP public key
  std::string encrypted_private_armored;  // armored secret key, protected by the token
};

struct ApiReply {
  CURLcode curl = CURLE_OK;
  long status = 0;  // 0: no HTTP answer (refused, reset, timed out)
  std::string body;
  nlohmann::json json;  // the parsed body; a discarded value if it is not JSON

  bool answered() const { return curl == CURLE_OK && status != 0; }
  bool ok() const { return status >= 200 && status < 300; }
  // "HTTP 400 {…}" or "no answer: <curl error>", for assertion messages.
  std::string Describe() const;
};

class RobotClient {
 public:
  // `api_url`: "http://127.0.0.1:PORT" (no trailing slash).
  RobotClient(std::string api_url, RobotKeys keys);

  // GET/POST `path` (with its query, e.g. "/api/order/?order_id=3") as this robot. Each call is
  // bounded by `timeout_ms` (whole transfer).
  ApiReply Get(const std::string& path, long timeout_ms = 15000);
  ApiReply Post(const std::string& path, const nlohmann::json& body, long timeout_ms = 15000);

  // A request without any Authorization header (public endpoints: info, book, limits, …),
  // through `proxy` ("socks5h://host:port") when it is not empty.
  static ApiReply Anonymous(const std::string& url, long timeout_ms = 15000, const std::string& proxy = "");

  // Every later request through this SOCKS5 proxy ("socks5h://host:port": names, .onion ones
  // too, resolved by the proxy, never locally); "" for direct connections (the default).
  void set_proxy(std::string proxy) { m_proxy = std::move(proxy); }

  // The coordinator moved (restarted on another ephemeral port).
  void set_api_url(std::string api_url) { m_api_url = std::move(api_url); }
  const std::string& api_url() const { return m_api_url; }

  // The header value sent now (with the keys until the robot is known).
  std::string AuthorizationHeader() const;
  const std::string& token_sha256_b91() const { return m_token_b91; }
  // hex(SHA256(hex(SHA256(token)))): what the coordinator shows as the robot's hash_id.
  const std::string& hash_id() const { return m_hash_id; }
  // The x-only secp256k1 public key of SHA256(token), hex (how RoboSats clients derive it).
  const std::string& nostr_pubkey() const { return m_nostr; }
  const RobotKeys& keys() const { return m_keys; }

 private:
  ApiReply Call(const std::string& method, const std::string& path, const std::string& body, long timeout_ms);

  std::string m_api_url;
  std::string m_proxy;
  RobotKeys m_keys;
  std::string m_token_b91, m_hash_id, m_nostr;
  bool m_known = false;  // a request of ours was answered 2xx: the coordinator has the keys
};

}  // namespace testsupport
