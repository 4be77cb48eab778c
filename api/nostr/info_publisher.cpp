#include "api/nostr/info_publisher.h"

#include "config/base/log.h"
#include "coordinator/nostr/info_event.h"

namespace api::nostr {

namespace cn = coordinator::nostr;

InfoPublisher::InfoPublisher(InfoPublisherOptions options, const escrow::crypto::Signer& key, Relay& relay)
    : m_options(std::move(options)), m_key(key), m_relay(relay), m_last_at(m_options.last_created_at) {}

InfoPublisher::~InfoPublisher() { Stop(); }

void InfoPublisher::Start() {
  PublishIfDue(/*force=*/true);
  m_thread = std::thread([this] {
    std::unique_lock lock(m_mu);
    while (!m_cv.wait_for(lock, m_options.check_interval, [this] { return m_stopping; })) {
      lock.unlock();
      PublishIfDue();
      lock.lock();
    }
  });
}

void InfoPublisher::Stop() {
  {
    std::lock_guard lock(m_mu);
    m_stopping = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

bool InfoPublisher::PublishIfDue(bool force) {
  auto info = nlohmann::json::parse(m_options.info ? m_options.info() : std::string("{}"), nullptr, false);
  if (info.is_discarded()) return false;
  const int64_t now = m_options.now();
  auto parameters = cn::InfoParameters(info);
  {
    std::lock_guard lock(m_mu);
    if (!force && parameters == m_last_parameters && now - m_last_at < m_options.republish_interval.count())
      return false;
    // A replacement must be newer than what it replaces (NIP-01 keeps the lowest id on a tie).
    const int64_t created_at = std::max(now, m_last_at + 1);
    const auto xonly = m_key.XOnlyPublicKey();
    cn::Event e = cn::InfoEvent(info, escrow::crypto::ToHex(escrow::crypto::Hash32{xonly}), m_options.alias,
                                m_options.host, created_at);
    cn::Sign(e, m_key);
    if (auto st = m_relay.Publish(cn::ToJson(e)); !st) {
      base::Log(base::LogLevel::kError, "nostr", "info event not published", {{"error", st.error()}});
      return false;
    }
    m_last_parameters = std::move(parameters);
    m_last_at = created_at;
    if (m_options.on_published) m_options.on_published(cn::ToJson(e));
  }
  return true;
}

}  // namespace api::nostr
