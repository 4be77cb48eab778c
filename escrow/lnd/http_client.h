// HttpClient: HTTPS to one LND REST endpoint over libcurl, pinned to the node's certificate,
// with the macaroon header on every request. Unary calls and newline-delimited streams.
//
// TLS: CURLOPT_CAINFO is the node's own tls.cert and CURLOPT_PINNEDPUBLICKEY is the SHA-256 of
// its SubjectPublicKeyInfo, so only a server holding that key is accepted. The host name is
// not checked against the certificate: the key pin is strictly stronger than a name check for
// a single self-signed certificate, and LND's cert often lacks the name the coordinator uses
// (an onion or container name).
//
// Thread-safe: every call uses its own curl handle. The macaroon stays in memory (hex) and is
// wiped on destruction; it never appears in errors or logs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "config/base/expected.h"
#include "escrow/lightning_node.h"
#include "escrow/lnd/lnd_node.h"

namespace escrow::lnd {

enum class HttpMethod { kGet, kPost };

struct HttpResponse {
  long status = 0;
  std::string body;
};

// "sha256//<base64 of SHA-256(SubjectPublicKeyInfo DER)>" of the first certificate in a PEM
// file, the form CURLOPT_PINNEDPUBLICKEY takes. kInvalidArgument if unreadable or not PEM.
LnResult<std::string> SpkiPinFromPemFile(const std::string& pem_path);

// Cancels one stream from any thread: wakes a running transfer and any backoff sleep.
class StreamCanceller {
 public:
  StreamCanceller() = default;
  StreamCanceller(const StreamCanceller&) = delete;
  StreamCanceller& operator=(const StreamCanceller&) = delete;

  void Cancel();
  bool cancelled() const { return m_cancelled.load(); }
  // Sleeps up to `d`; false if cancelled (before or during the sleep).
  bool SleepFor(std::chrono::milliseconds d);

 private:
  friend class HttpClient;
  // The running transfer's curl multi handle (void* = CURLM*), woken by Cancel.
  bool Attach(void* multi);
  void Detach();

  std::atomic<bool> m_cancelled{false};
  std::mutex m_mu;
  std::condition_variable m_cv;
  void* m_multi = nullptr;  // guarded by m_mu
};

struct StreamResult {
  enum class End {
    kEof,        // the server ended the body (any HTTP status)
    kStopped,    // on_line returned false
    kCancelled,  // the canceller fired
    kFailed,     // transport error: see `error`
  };
  End end = End::kEof;
  long http_status = 0;     // 0 if no response arrived
  std::string error_body;   // body of a non-2xx answer (bounded)
  std::optional<LnError> error;  // set when end == kFailed
  // False only when the request provably never left this host (DNS, connect or TLS failure):
  // a POST that was not sent may be retried, one that may have been sent must not.
  bool request_sent = false;
};

class HttpClient {
 public:
  // Validates the URL (https only), computes the pin, reads the macaroon (refused if the file
  // has any group/other permission bit; the message names the path, not the content).
  static base::Expected<std::unique_ptr<HttpClient>, LnError> Create(const LndConfig& config);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One request with config.request_timeout. Transport failures map to kUnreachable,
  // kTlsMismatch or kTimeout; any HTTP status is returned as a response.
  LnResult<HttpResponse> Call(HttpMethod method, std::string_view path, std::string_view body) const;

  // A streaming request without a total deadline (TCP keepalive detects dead peers). For a 2xx
  // answer, calls `on_line` with every newline-delimited line, on the calling thread and
  // outside libcurl callbacks; on_line returns false to stop. A non-2xx body is returned in
  // StreamResult::error_body instead.
  StreamResult Stream(HttpMethod method, std::string_view path, std::string_view body,
                      StreamCanceller& canceller,
                      const std::function<bool(std::string_view line)>& on_line) const;

  const std::string& base_url() const { return m_base_url; }

 private:
  HttpClient() = default;
  struct Easy;
  std::unique_ptr<Easy> NewEasy(HttpMethod method, std::string_view path, std::string_view body,
                                bool streaming) const;
  LnError TransportError(int curl_code, const char* detail) const;

  std::string m_base_url;   // without trailing slash
  std::string m_cert_path;
  std::string m_pin;        // sha256//…
  std::string m_macaroon_header;  // "Grpc-Metadata-macaroon: <hex>", wiped in the destructor
  std::chrono::milliseconds m_connect_timeout{5000};
  std::chrono::milliseconds m_request_timeout{30000};
};

}  // namespace escrow::lnd
