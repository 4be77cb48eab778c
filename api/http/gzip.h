// gzip (RFC 1952) for HTTP answers: the encoding, and whether a client accepts it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace api::http {

// `data` gzip-encoded (zlib, default level), for Content-Encoding: gzip. Producers of a body
// served many times (the engine's book) call it once and send both forms with
// Responder::Send(status, body, gzip_body).
std::string Gzip(std::string_view data);

// How many times Gzip has run in this process (thread-safe, monotonic): what tests count to
// check that a shared body is compressed once, not per request.
uint64_t GzipCount();

// The gzip forms of shared, immutable bodies (the engine's pre-serialized book), each
// compressed at most once while its plain body is alive: the first client that accepts gzip
// pays the compression, every later one gets the same bytes. Keyed by the plain body's
// object, so a new snapshot's body is compressed anew (and an old one's form is dropped once
// its body is gone). Thread-safe; compression runs under the lock, so concurrent first
// requests for one body compress it once.
class GzipOnce {
 public:
  std::shared_ptr<const std::string> For(const std::shared_ptr<const std::string>& plain);

 private:
  struct Entry {
    std::weak_ptr<const std::string> plain;  // expired: the address may be reused; the entry is stale
    std::shared_ptr<const std::string> gzip;
  };
  std::mutex m_mu;
  std::map<const std::string*, Entry> m_entries;  // guarded by m_mu
};

// Whether an Accept-Encoding header value accepts gzip (RFC 9110 §12.5.3): "gzip", "x-gzip"
// or "*" listed with a q-value other than 0. An absent or empty header accepts nothing but
// the identity.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace api::http
