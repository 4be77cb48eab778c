#include "tests/support/lnurl_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace testsupport {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct LnurlServer::Impl {
  Behaviour behaviour;
  MakeInvoice make_invoice;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::atomic<bool> stopping{false};
  std::thread thread;
  mutable std::mutex mu;
  std::vector<std::string> requests, invoices;

  http::response<http::string_body> Answer(const http::request<http::string_body>& req) {
    const std::string target(req.target());
    {
      std::lock_guard lock(mu);
      requests.push_back(target);
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(false);
    const std::string base = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
    if (target.rfind("/.well-known/lnurlp/", 0) == 0) {
      if (behaviour == Behaviour::kRedirect) {
        res.result(http::status::found);
        res.set(http::field::location, "https://lnurl.example.com/.well-known/lnurlp/elsewhere");
        res.body() = "";
      } else {
        nlohmann::json j = {{"tag", behaviour == Behaviour::kWrongTag ? "withdrawRequest" : "payRequest"},
                            {"callback", base + "/lnurlp/callback"},
                            {"minSendable", 1000},
                            {"maxSendable", behaviour == Behaviour::kTinyMaxSendable ? 1000 : 100'000'000'000LL},
                            {"metadata", Metadata()}};
        res.body() = j.dump();
      }
    } else if (target.rfind("/lnurlp/callback?amount=", 0) == 0) {
      const int64_t amount = std::strtoll(target.c_str() + std::string("/lnurlp/callback?amount=").size(), nullptr, 10);
      const std::string description =
          behaviour == Behaviour::kWrongDescription ? std::string("[[\"text/plain\",\"something else\"]]") : Metadata();
      std::string pr = make_invoice ? make_invoice(amount, description) : "";
      if (pr.empty()) {
        res.body() = nlohmann::json{{"status", "ERROR"}, {"reason", "cannot make an invoice"}}.dump();
      } else {
        std::lock_guard lock(mu);
        invoices.push_back(pr);
        res.body() = nlohmann::json{{"pr", pr}, {"routes", nlohmann::json::array()}}.dump();
      }
    } else {
      res.result(http::status::not_found);
      res.body() = nlohmann::json{{"status", "ERROR"}, {"reason", "not found"}}.dump();
    }
    res.prepare_payload();
    return res;
  }

  void Run() {
    while (!stopping) {
      tcp::socket socket(ioc);
      beast::error_code ec;
      acceptor.accept(socket, ec);
      if (stopping) return;
      if (ec) continue;
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      auto res = Answer(req);
      http::write(socket, res, ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  }
};

LnurlServer::LnurlServer(Behaviour behaviour, MakeInvoice make_invoice) : m_impl(std::make_unique<Impl>()) {
  m_impl->behaviour = behaviour;
  m_impl->make_invoice = std::move(make_invoice);
  tcp::endpoint ep(net::ip::make_address_v4("127.0.0.1"), 0);
  m_impl->acceptor.open(ep.protocol());
  m_impl->acceptor.set_option(net::socket_base::reuse_address(true));
  m_impl->acceptor.bind(ep);
  m_impl->acceptor.listen();
  m_port = m_impl->acceptor.local_endpoint().port();
  m_impl->thread = std::thread([impl = m_impl.get()] { impl->Run(); });
}

LnurlServer::~LnurlServer() {
  m_impl->stopping = true;
  // Wake the blocking accept with a connection of our own.
  net::io_context ioc;
  tcp::socket poke(ioc);
  beast::error_code ec;
  poke.connect(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), m_port), ec);
  if (m_impl->thread.joinable()) m_impl->thread.join();
}

std::string LnurlServer::Metadata() { return "[[\"text/plain\",\"coordinatord dev fund (test)\"],[\"text/identifier\",\"dev@lnurl.test\"]]"; }

std::vector<std::string> LnurlServer::Requests() const {
  std::lock_guard lock(m_impl->mu);
  return m_impl->requests;
}

std::vector<std::string> LnurlServer::Invoices() const {
  std::lock_guard lock(m_impl->mu);
  return m_impl->invoices;
}

struct JsonServer::Impl {
  std::map<std::string, std::string> bodies;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::atomic<bool> stopping{false};
  std::thread thread;

  void Run() {
    while (!stopping) {
      tcp::socket socket(ioc);
      beast::error_code ec;
      acceptor.accept(socket, ec);
      if (stopping) return;
      if (ec) continue;
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      std::string path(req.target());
      path = path.substr(0, path.find('?'));
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set(http::field::content_type, "application/json");
      res.keep_alive(false);
      auto it = bodies.find(path);
      if (it == bodies.end()) {
        res.result(http::status::not_found);
        res.body() = "{\"detail\":\"Not found.\"}";
      } else {
        res.body() = it->second;
      }
      res.prepare_payload();
      http::write(socket, res, ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  }
};

JsonServer::JsonServer(std::map<std::string, std::string> bodies) : m_impl(std::make_unique<Impl>()) {
  m_impl->bodies = std::move(bodies);
  tcp::endpoint ep(net::ip::make_address_v4("127.0.0.1"), 0);
  m_impl->acceptor.open(ep.protocol());
  m_impl->acceptor.set_option(net::socket_base::reuse_address(true));
  m_impl->acceptor.bind(ep);
  m_impl->acceptor.listen();
  m_port = m_impl->acceptor.local_endpoint().port();
  m_impl->thread = std::thread([impl = m_impl.get()] { impl->Run(); });
}

JsonServer::~JsonServer() {
  m_impl->stopping = true;
  net::io_context ioc;
  tcp::socket poke(ioc);
  beast::error_code ec;
  poke.connect(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), m_port), ec);
  if (m_impl->thread.joinable()) m_impl->thread.join();
}

}  // namespace testsupport
