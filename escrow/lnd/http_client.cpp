#include "escrow/lnd/http_client.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "escrow/crypto/sha256.h"
#include "escrow/lnd/line_framer.h"

namespace escrow::lnd {
namespace {

constexpr size_t kMaxBody = 16 * 1024 * 1024;  // a unary answer or an error body
constexpr size_t kMaxLine = 4 * 1024 * 1024;    // one stream line (an invoice with many HTLCs)
constexpr long kKeepIdleSeconds = 30;
constexpr long kKeepIntervalSeconds = 10;

LnError Invalid(std::string message) { return LnError{LnErrorCode::kInvalidArgument, std::move(message)}; }

void EnsureCurlGlobalInit() {
  // curl_global_init is not thread-safe and must run once per process.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Collects a response body: whole (unary calls, error answers) or split into lines (streams).
struct Sink {
  CURL* handle = nullptr;
  const std::atomic<bool>* cancelled = nullptr;
  bool streaming = false;
  bool status_known = false;
  long status = 0;
  bool overflow = false;
  std::string body;
  LineFramer lines{kMaxLine};  // stream lines (LineMode)

  bool LineMode() const { return streaming && status >= 200 && status < 300; }
};

size_t WriteCallback(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * nmemb;
  if (sink->cancelled != nullptr && sink->cancelled->load()) return 0;  // aborts the transfer
  if (!sink->status_known) {
    curl_easy_getinfo(sink->handle, CURLINFO_RESPONSE_CODE, &sink->status);
    sink->status_known = true;
  }
  if (!sink->LineMode()) {
    if (sink->body.size() + n > kMaxBody) {
      sink->overflow = true;
      return 0;
    }
    sink->body.append(data, n);
    return n;
  }
  if (!sink->lines.Append(std::string_view(data, n))) {
    sink->overflow = true;
    return 0;
  }
  return n;
}

int ProgressCallback(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* sink = static_cast<Sink*>(user);
  return sink->cancelled != nullptr && sink->cancelled->load() ? 1 : 0;
}

// curl_slist_free_all does not clear memory; the macaroon header must not linger in the heap.
void WipeAndFree(curl_slist* list) {
  for (curl_slist* it = list; it != nullptr; it = it->next) OPENSSL_cleanse(it->data, std::strlen(it->data));
  curl_slist_free_all(list);
}

}  // namespace

struct HttpClient::Easy {
  CURL* handle = nullptr;
  curl_slist* headers = nullptr;
  std::string url;
  std::string body;
  char error[CURL_ERROR_SIZE] = {};
  Sink sink;

  Easy() = default;
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;
  ~Easy() {
    if (handle != nullptr) curl_easy_cleanup(handle);
    WipeAndFree(headers);
  }
};

LnResult<std::string> SpkiPinFromPemFile(const std::string& pem_path) {
  FILE* f = std::fopen(pem_path.c_str(), "rb");
  if (f == nullptr) {
    return base::Err(Invalid("cannot open TLS certificate " + pem_path + ": " + std::strerror(errno)));
  }
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) return base::Err(Invalid("TLS certificate " + pem_path + " is not a PEM certificate"));
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  X509_free(cert);
  if (len <= 0 || der == nullptr) {
    return base::Err(Invalid("TLS certificate " + pem_path + " has no readable public key"));
  }
  const crypto::Hash32 digest = crypto::Sha256(der, static_cast<size_t>(len));
  OPENSSL_free(der);
  // libcurl: CURLOPT_PINNEDPUBLICKEY "sha256//" followed by the base64 of the SHA-256 of the
  // DER-encoded SubjectPublicKeyInfo.
  return "sha256//" + base::Base64Encode(crypto::ToBytes(digest));
}

void StreamCanceller::Cancel() {
  {
    std::lock_guard lock(m_mu);
    m_cancelled.store(true);
    if (m_multi != nullptr) curl_multi_wakeup(static_cast<CURLM*>(m_multi));
  }
  m_cv.notify_all();
}

bool StreamCanceller::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(m_mu);
  return !m_cv.wait_for(lock, d, [this] { return m_cancelled.load(); });
}

bool StreamCanceller::Attach(void* multi) {
  std::lock_guard lock(m_mu);
  if (m_cancelled.load()) return false;
  m_multi = multi;
  return true;
}

void StreamCanceller::Detach() {
  std::lock_guard lock(m_mu);
  m_multi = nullptr;
}

base::Expected<std::unique_ptr<HttpClient>, LnError> HttpClient::Create(const LndConfig& config) {
  EnsureCurlGlobalInit();
  std::unique_ptr<HttpClient> client(new HttpClient());

  // The URL: https only, with a host; no query or fragment (paths are appended to it).
  CURLU* url = curl_url();
  if (url == nullptr) return base::Err(LnError{LnErrorCode::kInternal, "curl_url failed"});
  bool url_ok = curl_url_set(url, CURLUPART_URL, config.rest_url.c_str(), 0) == CURLUE_OK;
  char* scheme = nullptr;
  char* host = nullptr;
  char* query = nullptr;
  char* fragment = nullptr;
  url_ok = url_ok && curl_url_get(url, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
           curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK && scheme != nullptr &&
           std::strcmp(scheme, "https") == 0 && host != nullptr && host[0] != '\0' &&
           curl_url_get(url, CURLUPART_QUERY, &query, 0) == CURLUE_NO_QUERY &&
           curl_url_get(url, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_NO_FRAGMENT;
  curl_free(scheme);
  curl_free(host);
  curl_free(query);
  curl_free(fragment);
  curl_url_cleanup(url);
  if (!url_ok) return base::Err(Invalid("rest_url '" + config.rest_url + "' is not an https://host[:port] URL"));
  client->m_base_url = config.rest_url;
  while (!client->m_base_url.empty() && client->m_base_url.back() == '/') client->m_base_url.pop_back();

  auto pin = SpkiPinFromPemFile(config.tls_cert_path);
  if (!pin) return base::Err(pin.error());
  client->m_cert_path = config.tls_cert_path;
  client->m_pin = std::move(*pin);

  // The macaroon grants spending rights: refuse it if anyone but the owner may read it.
  struct stat st {};
  if (::stat(config.macaroon_path.c_str(), &st) != 0) {
    return base::Err(Invalid("cannot read macaroon " + config.macaroon_path + ": " + std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) return base::Err(Invalid("macaroon " + config.macaroon_path + " is not a regular file"));
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return base::Err(Invalid("macaroon " + config.macaroon_path + " has mode " + mode +
                             ": it must not be accessible by group or others (chmod 600)"));
  }
  std::ifstream in(config.macaroon_path, std::ios::binary);
  std::vector<uint8_t> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return base::Err(Invalid("cannot read macaroon " + config.macaroon_path));
  if (raw.empty()) return base::Err(Invalid("macaroon " + config.macaroon_path + " is empty"));
  // LND REST: the macaroon goes hex-encoded in the "Grpc-Metadata-macaroon" header.
  client->m_macaroon_header = "Grpc-Metadata-macaroon: " + base::HexEncode(raw);
  OPENSSL_cleanse(raw.data(), raw.size());

  client->m_connect_timeout = config.connect_timeout;
  client->m_request_timeout = config.request_timeout;
  return client;
}

HttpClient::~HttpClient() { OPENSSL_cleanse(m_macaroon_header.data(), m_macaroon_header.size()); }

std::unique_ptr<HttpClient::Easy> HttpClient::NewEasy(HttpMethod method, std::string_view path,
                                                      std::string_view body, bool streaming) const {
  auto e = std::make_unique<Easy>();
  e->handle = curl_easy_init();
  if (e->handle == nullptr) return nullptr;
  e->url = m_base_url + std::string(path);
  e->body = std::string(body);
  e->sink.handle = e->handle;
  e->sink.streaming = streaming;

  e->headers = curl_slist_append(e->headers, m_macaroon_header.c_str());
  e->headers = curl_slist_append(e->headers, "Accept: application/json");
  e->headers = curl_slist_append(e->headers, "Expect:");  // no 100-continue round trip
  if (method == HttpMethod::kPost) e->headers = curl_slist_append(e->headers, "Content-Type: application/json");

  CURL* h = e->handle;
  curl_easy_setopt(h, CURLOPT_URL, e->url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, e->error);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, e->headers);
  // Trust exactly the node's certificate (not the system store), and its key.
  curl_easy_setopt(h, CURLOPT_CAINFO, m_cert_path.c_str());
  curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);  // see the header: the key pin replaces it
  curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, m_pin.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_connect_timeout.count()));
  if (!streaming) curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(m_request_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, kKeepIdleSeconds);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, kKeepIntervalSeconds);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteCallback);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &e->sink);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, ProgressCallback);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &e->sink);
  switch (method) {
    case HttpMethod::kGet:
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
      break;
    case HttpMethod::kPost:
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, e->body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(e->body.size()));
      break;
  }
  return e;
}

LnError HttpClient::TransportError(int curl_code, const char* detail) const {
  const auto code = static_cast<CURLcode>(curl_code);
  std::string what = (detail != nullptr && detail[0] != '\0') ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return LnError{LnErrorCode::kTlsMismatch, "TLS: the certificate of " + m_base_url +
                                                    " is not the pinned one from " + m_cert_path +
                                                    " (" + what + ")"};
    case CURLE_OPERATION_TIMEDOUT:
      return LnError{LnErrorCode::kTimeout, "LND at " + m_base_url + " timed out (" + what + ")"};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return LnError{LnErrorCode::kUnreachable, "LND at " + m_base_url + " unreachable (" + what + ")"};
    default:
      return LnError{LnErrorCode::kInternal, "HTTP to " + m_base_url + " failed (" + what + ")"};
  }
}

LnResult<HttpResponse> HttpClient::Call(HttpMethod method, std::string_view path, std::string_view body) const {
  auto e = NewEasy(method, path, body, /*streaming=*/false);
  if (e == nullptr) return base::Err(LnError{LnErrorCode::kInternal, "curl_easy_init failed"});
  const CURLcode rc = curl_easy_perform(e->handle);
  if (e->sink.overflow) {
    return base::Err(LnError{LnErrorCode::kProtocol, "LND answer to " + std::string(path) + " is too large"});
  }
  if (rc != CURLE_OK) return base::Err(TransportError(rc, e->error));
  HttpResponse out;
  curl_easy_getinfo(e->handle, CURLINFO_RESPONSE_CODE, &out.status);
  out.body = std::move(e->sink.body);
  return out;
}

StreamResult HttpClient::Stream(HttpMethod method, std::string_view path, std::string_view body,
                                StreamCanceller& canceller,
                                const std::function<bool(std::string_view line)>& on_line) const {
  StreamResult out;
  if (canceller.cancelled()) {
    out.end = StreamResult::End::kCancelled;
    return out;
  }
  auto e = NewEasy(method, path, body, /*streaming=*/true);
  CURLM* multi = curl_multi_init();
  if (e == nullptr || multi == nullptr || curl_multi_add_handle(multi, e->handle) != CURLM_OK) {
    if (multi != nullptr) curl_multi_cleanup(multi);
    out.end = StreamResult::End::kFailed;
    out.error = LnError{LnErrorCode::kInternal, "curl initialisation failed"};
    return out;
  }
  e->sink.cancelled = &canceller.m_cancelled;

  bool stopped = false;
  bool failed = false;
  if (canceller.Attach(multi)) {
    for (;;) {
      int running = 0;
      if (curl_multi_perform(multi, &running) != CURLM_OK) {
        failed = true;
        break;
      }
      std::vector<std::string> lines = e->sink.lines.TakeLines();
      for (const std::string& line : lines) {
        if (canceller.cancelled()) break;
        if (!on_line(line)) {
          stopped = true;
          break;
        }
      }
      if (stopped || canceller.cancelled() || running == 0) break;
      // Returns on socket activity, after the timeout, or at once on curl_multi_wakeup.
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    canceller.Detach();
  }

  CURLcode rc = CURLE_OK;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg == CURLMSG_DONE) rc = msg->data.result;
  }
  curl_easy_getinfo(e->handle, CURLINFO_RESPONSE_CODE, &out.http_status);
  long request_size = 0;
  curl_easy_getinfo(e->handle, CURLINFO_REQUEST_SIZE, &request_size);
  out.request_sent = request_size > 0 || out.http_status > 0;

  if (canceller.cancelled()) {
    out.end = StreamResult::End::kCancelled;
  } else if (stopped) {
    out.end = StreamResult::End::kStopped;
  } else if (failed) {
    out.end = StreamResult::End::kFailed;
    out.error = LnError{LnErrorCode::kInternal, "curl_multi_perform failed"};
  } else if (e->sink.overflow) {
    out.end = StreamResult::End::kFailed;
    out.error = LnError{LnErrorCode::kProtocol, "LND stream " + std::string(path) + " sent an oversized line"};
  } else if (rc != CURLE_OK) {
    out.end = StreamResult::End::kFailed;
    out.error = TransportError(rc, e->error);
  } else {
    out.end = StreamResult::End::kEof;
    if (e->sink.LineMode()) {
      // The last line may lack its newline.
      e->sink.lines.Finish();
      for (const std::string& line : e->sink.lines.TakeLines()) {
        if (!on_line(line)) {
          out.end = StreamResult::End::kStopped;
          break;
        }
      }
    } else {
      out.error_body = std::move(e->sink.body);
    }
  }
  curl_multi_remove_handle(multi, e->handle);
  curl_multi_cleanup(multi);
  return out;
}

}  // namespace escrow::lnd
