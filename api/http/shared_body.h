// Internal to api/http: a Beast Body whose value is a shared, immutable string. The response
// holds the shared_ptr and the serializer hands the socket a buffer over the string's own
// memory: a pre-serialized body (the engine's book) is written without being copied.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

namespace api::http::internal {

struct SharedStringBody {
  using value_type = std::shared_ptr<const std::string>;  // null: empty

  static std::uint64_t size(const value_type& body) { return body ? body->size() : 0; }

  // Beast's BodyWriter: one buffer, the whole string.
  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body) : m_body(body) {}

    void init(boost::beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      if (m_done || !m_body || m_body->empty()) return boost::none;
      m_done = true;
      return {{const_buffers_type(m_body->data(), m_body->size()), false}};
    }

   private:
    const value_type& m_body;
    bool m_done = false;
  };
};

}  // namespace api::http::internal
