// Publishes the coordinator's signed info event (coordinator/nostr/info_event.h) to the relay:
// at Start, whenever /api/info/'s parameters change (checked every `check_interval`), and
// every `republish_interval` regardless, so that a reader always finds a recent one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/nostr/relay.h"
#include "escrow/crypto/secp256k1.h"

namespace api::nostr {

struct InfoPublisherOptions {
  std::function<std::string()> info;  // the current GET /api/info/ body
  std::function<int64_t()> now;       // Unix seconds
  std::string alias;
  std::string host;
  std::chrono::milliseconds check_interval{10000};
  std::chrono::seconds republish_interval{300};
  // Called with each event published (wire JSON), e.g. to store it for the outside relays.
  std::function<void(const std::string& json)> on_published;
  // created_at of the last info event signed before a restart (0: none): the next is later.
  int64_t last_created_at = 0;
};

class InfoPublisher {
 public:
  // `key` and `relay` must outlive the publisher.
  InfoPublisher(InfoPublisherOptions options, const escrow::crypto::Signer& key, Relay& relay);
  ~InfoPublisher();  // Stop()s
  // Publishes once now, then runs the thread.
  void Start();
  void Stop();
  // Publishes if the parameters changed or the last event is old (or `force`). Returns true if
  // it published. Thread-safe.
  bool PublishIfDue(bool force = false);

 private:
  InfoPublisherOptions m_options;
  const escrow::crypto::Signer& m_key;
  Relay& m_relay;
  std::mutex m_mu;
  std::condition_variable m_cv;
  bool m_stopping = false;
  std::thread m_thread;
  nlohmann::json m_last_parameters;
  int64_t m_last_at = 0;  // created_at of the last event
};

}  // namespace api::nostr
