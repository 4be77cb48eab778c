// escrow::lnd::LndNode: the production LightningNode, over LND's REST API with libcurl.
// TLS is pinned to the node's own certificate (tls.cert, which LND self-signs); the macaroon
// (binary file, sent hex-encoded in `Grpc-Metadata-macaroon`) is refused if the file is
// readable by group or others. Streams (subscribe, send, track) each run on their own thread
// with reconnect and exponential backoff; unary calls have a deadline.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "config/base/expected.h"
#include "escrow/lightning_node.h"

namespace escrow::lnd {

struct LndConfig {
  std::string rest_url;        // e.g. https://127.0.0.1:8080 (no trailing slash needed)
  std::string tls_cert_path;   // PEM; the only certificate accepted
  std::string macaroon_path;   // binary macaroon; must not be world/group readable
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};   // unary calls
  std::chrono::milliseconds reconnect_backoff_min{200};
  std::chrono::milliseconds reconnect_backoff_max{10000};
};

// Reads the certificate and the macaroon. Errors (all kInvalidArgument): unreadable files, a
// certificate that is not PEM, a macaroon with any group/other permission bit (the message
// names the path, never the content), a URL that is not https://host[:port], non-positive
// timeouts, a backoff with min <= 0 or max < min. The host name is not checked against the
// certificate: the pinned public key is (see escrow/lnd/http_client.h).
base::Expected<std::unique_ptr<LightningNode>, LnError> CreateLndNode(const LndConfig& config);

}  // namespace escrow::lnd
