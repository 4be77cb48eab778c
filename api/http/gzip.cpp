#include "api/http/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <new>
#include <stdexcept>

namespace api::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != lower[i]) return false;
  }
  return true;
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). Anything
// that is not a zero weight counts as acceptance.
bool IsZeroWeight(std::string_view params) {
  while (!params.empty()) {
    const size_t semi = params.find(';');
    std::string_view param = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos || !EqualsLower(Trim(param.substr(0, eq)), "q")) continue;
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.empty() || value.front() != '0') return false;
    for (char c : value.substr(1)) {
      if (c != '.' && c != '0') return false;
    }
    return true;
  }
  return false;
}

std::atomic<uint64_t> g_gzip_count{0};

}  // namespace

uint64_t GzipCount() { return g_gzip_count.load(std::memory_order_relaxed); }

std::shared_ptr<const std::string> GzipOnce::For(const std::shared_ptr<const std::string>& plain) {
  if (!plain) return nullptr;
  std::lock_guard lock(m_mu);
  auto it = m_entries.find(plain.get());
  if (it != m_entries.end() && it->second.plain.lock() == plain) return it->second.gzip;
  // Forms of bodies no snapshot holds any more go first (a handful of entries: one per book key
  // of the live snapshots).
  std::erase_if(m_entries, [](const auto& e) { return e.second.plain.expired(); });
  auto packed = std::make_shared<const std::string>(Gzip(*plain));
  m_entries[plain.get()] = Entry{plain, packed};
  return packed;
}

std::string Gzip(std::string_view data) {
  g_gzip_count.fetch_add(1, std::memory_order_relaxed);
  if (data.size() > UINT_MAX / 2) throw std::length_error("gzip: body too large");
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::bad_alloc();
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  // deflateBound is enough for one Z_FINISH call.
  const int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: deflate did not finish");
  return out;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  // An explicit "gzip" (or "x-gzip") entry decides; otherwise "*" does (RFC 9110 §12.5.3:
  // "*" matches any coding not listed).
  int gzip = -1, any = -1;  // -1 absent, 0 refused, 1 accepted
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const size_t semi = item.find(';');
    const std::string_view coding = Trim(item.substr(0, semi));
    const std::string_view params =
        semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
    const int accepted = IsZeroWeight(params) ? 0 : 1;
    if (EqualsLower(coding, "gzip") || EqualsLower(coding, "x-gzip")) {
      gzip = std::max(gzip, accepted);
    } else if (coding == "*") {
      any = std::max(any, accepted);
    }
  }
  return gzip >= 0 ? gzip == 1 : any == 1;
}

}  // namespace api::http
