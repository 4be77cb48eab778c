// gzip (RFC 1952) for HTTP answers: the encoding, and whether a client accepts it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace api::http {

// `data` gzip-encoded (zlib, default level), for Content-Encoding: gzip. Producers of a body
// served many times (the engine's book) call it once and send both forms with
// Responder::Send(status, body, gzip_body).
std::string Gzip(std::string_view data);

// Whether an Accept-Encoding header value accepts gzip (RFC 9110 §12.5.3): "gzip", "x-gzip"
// or "*" listed with a q-value other than 0. An absent or empty header accepts nothing but
// the identity.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace api::http
