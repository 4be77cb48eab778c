#include "tests/support/robot_client.h"

#include "coordinator/identity/base91.h"
#include "coordinator/identity/robot_identity.h"
#include "escrow/crypto/secp256k1.h"
#include "escrow/crypto/sha256.h"
#include "tests/support/simln_rest_client.h"

namespace testsupport {
namespace {

// RoboSats clients put the armored keys in the header with every newline replaced by '\'.
std::string OneLine(const std::string& armored) {
  std::string out;
  out.reserve(armored.size());
  for (char c : armored) {
    if (c == '\r') continue;
    out += c == '\n' ? '\\' : c;
  }
  return out;
}

ApiReply FromHttp(const HttpResult& r) {
  ApiReply reply;
  reply.curl = r.curl;
  reply.status = r.curl == CURLE_OK ? r.status : 0;
  reply.body = r.body;
  reply.json = nlohmann::json::parse(r.body, nullptr, false);
  return reply;
}

}  // namespace

std::string ApiReply::Describe() const {
  if (!answered()) return std::string("no answer: ") + curl_easy_strerror(curl);
  std::string text = body.size() > 2000 ? body.substr(0, 2000) + "..." : body;
  return "HTTP " + std::to_string(status) + " " + text;
}

RobotClient::RobotClient(std::string api_url, RobotKeys keys)
    : m_api_url(std::move(api_url)), m_keys(std::move(keys)) {
  const escrow::crypto::Hash32 token_sha256 = escrow::crypto::Sha256(m_keys.token);
  m_token_b91 = coordinator::identity::Base91Encode(token_sha256.data(), token_sha256.size());
  m_hash_id = coordinator::identity::HashId(token_sha256);
  auto signer = escrow::crypto::Signer::FromSecret(token_sha256);
  if (signer) {
    auto x = signer->XOnlyPublicKey();
    m_nostr = base::HexEncode(base::Bytes(x.begin(), x.end()));
  }
}

std::string RobotClient::AuthorizationHeader() const {
  std::string header = "Token " + m_token_b91;
  if (!m_known) {
    header += " | Public " + OneLine(m_keys.public_armored) + " | Private " +
              OneLine(m_keys.encrypted_private_armored) + " | Nostr " + m_nostr;
  }
  return header;
}

ApiReply RobotClient::Call(const std::string& method, const std::string& path, const std::string& body,
                           long timeout_ms) {
  HttpOptions options;
  options.headers = {"Authorization: " + AuthorizationHeader(), "Accept: application/json"};
  options.timeout_ms = timeout_ms;
  // Through a proxy (Tor: circuits to an onion service) connecting is most of the time.
  options.connect_timeout_ms = m_proxy.empty() ? std::min<long>(timeout_ms, 5000) : timeout_ms;
  options.proxy = m_proxy;
  ApiReply reply = FromHttp(HttpCall(method, m_api_url + path, body, options));
  if (reply.ok()) m_known = true;
  return reply;
}

ApiReply RobotClient::Get(const std::string& path, long timeout_ms) {
  return Call("GET", path, "", timeout_ms);
}

ApiReply RobotClient::Post(const std::string& path, const nlohmann::json& body, long timeout_ms) {
  return Call("POST", path, body.dump(), timeout_ms);
}

ApiReply RobotClient::Anonymous(const std::string& url, long timeout_ms, const std::string& proxy) {
  HttpOptions options;
  options.proxy = proxy;
  options.headers = {"Accept: application/json"};
  options.timeout_ms = timeout_ms;
  options.connect_timeout_ms = proxy.empty() ? std::min<long>(timeout_ms, 5000) : timeout_ms;
  return FromHttp(HttpCall("GET", url, "", options));
}

}  // namespace testsupport
