// A small LNURL-pay server (LUD-06 + LUD-16) for tests, on a loopback port the kernel picks, in a
// thread of the test (Boost.Beast, one connection at a time). It serves
//   GET /.well-known/lnurlp/<user>          → {"tag": "payRequest", "callback", "minSendable",
//                                              "maxSendable", "metadata"}
//   GET /lnurlp/callback?amount=<msat>      → {"pr": <invoice>, "routes": []}
// where the invoice comes from `make_invoice(amount_msat, metadata)` (the test makes it on the
// dev node with description_hash = sha256(metadata)). Each Behaviour is one way a payee can
// misbehave; the coordinator must refuse each.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

class LnurlServer {
 public:
  enum class Behaviour {
    kHonest,            // as LUD-06 says
    kRedirect,          // the payRequest endpoint answers 302 to another URL
    kWrongDescription,  // the invoice's description hash is not sha256(metadata)
    kTinyMaxSendable,   // maxSendable = 1000 msat: any real dev-tax amount is out of bounds
    kWrongTag,          // tag "withdrawRequest"
  };
  // `make_invoice(amount_msat, description)`: a BOLT11 invoice of that amount whose description
  // hash is sha256(description); "" when it cannot be made (the server answers an LNURL error).
  using MakeInvoice = std::function<std::string(int64_t amount_msat, const std::string& description)>;

  LnurlServer(Behaviour behaviour, MakeInvoice make_invoice);
  ~LnurlServer();  // stops and joins
  LnurlServer(const LnurlServer&) = delete;
  LnurlServer& operator=(const LnurlServer&) = delete;

  uint16_t port() const { return m_port; }
  // The metadata served (a JSON array as text, LUD-06).
  static std::string Metadata();
  // Paths requested so far, in order (e.g. "/.well-known/lnurlp/dev").
  std::vector<std::string> Requests() const;
  // Invoices handed out so far.
  std::vector<std::string> Invoices() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  uint16_t m_port = 0;
};

// A loopback HTTP server answering every GET whose path (query excluded) is a key of `bodies`
// with 200 and that JSON body, anything else with 404: a coordinator that serves what a test
// wrote (e.g. forged /api/devfund/ statements).
class JsonServer {
 public:
  explicit JsonServer(std::map<std::string, std::string> bodies);
  ~JsonServer();
  JsonServer(const JsonServer&) = delete;
  JsonServer& operator=(const JsonServer&) = delete;
  uint16_t port() const { return m_port; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  uint16_t m_port = 0;
};

}  // namespace testsupport
