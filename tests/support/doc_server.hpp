#pragma once

// A small web server on 127.0.0.1 for tests of what the daemon fetches
// (authorization server metadata, JWKS): over HTTPS with a certificate the
// test owns, or plain HTTP; documents per path with a status and a
// Cache-Control header; counts the requests per path. One thread, one
// request per connection.

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "src/sim/tls.hpp"

namespace rmcp::test {

class doc_server {
public:
  struct doc {
    unsigned status = 200;
    std::string body;
    std::string cache_control;
  };

  /// HTTPS with `tls` as the server's certificate; plain HTTP without.
  explicit doc_server(std::optional<sim::tls_identity> tls = std::nullopt)
    : tls_(tls.has_value()) {
    using namespace boost::asio;
    if (tls) {
      ctx_.use_certificate_chain(buffer(tls->certificate_pem));
      ctx_.use_private_key(buffer(tls->private_key_pem), ssl::context::pem);
    }
    ip::tcp::endpoint at{ip::make_address("127.0.0.1"), 0};
    acceptor_.open(at.protocol());
    acceptor_.bind(at);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread{[this] { ioc_.run(); }};
  }

  ~doc_server() {
    boost::asio::post(ioc_, [this] { acceptor_.close(); });
    ioc_.stop();
    thread_.join();
  }

  void set(const std::string& path, doc d) {
    std::lock_guard<std::mutex> guard{mtx_};
    docs_[path] = std::move(d);
  }

  /// Requests for `path` so far (counted before the answer leaves).
  int hits(const std::string& path) const {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = hits_.find(path);
    return i == hits_.end() ? 0 : i->second;
  }

  /// "https://127.0.0.1:PORT" (or http://).
  std::string origin() const {
    return std::string{tls_ ? "https" : "http"}
           + "://127.0.0.1:" + std::to_string(port_);
  }

private:
  void accept() {
    acceptor_.async_accept(
      [this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
        if (ec)
          return;
        serve(std::move(s));
        accept();
      });
  }

  void serve(boost::asio::ip::tcp::socket s) {
    namespace http = boost::beast::http;
    boost::system::error_code ec;
    auto exchange = [&](auto& stream) {
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec)
        return;
      std::string path{req.target()};
      doc d{404, "{\"error\":\"not found\"}", ""};
      {
        std::lock_guard<std::mutex> guard{mtx_};
        ++hits_[path];
        if (auto i = docs_.find(path); i != docs_.end())
          d = i->second;
      }
      http::response<http::string_body> res{http::int_to_status(d.status), 11};
      res.set(http::field::content_type, "application/json");
      if (!d.cache_control.empty())
        res.set(http::field::cache_control, d.cache_control);
      res.body() = d.body;
      res.prepare_payload();
      http::write(stream, res, ec);
    };
    if (!tls_) {
      exchange(s);
    } else {
      boost::beast::ssl_stream<boost::asio::ip::tcp::socket> stream{
        std::move(s), ctx_};
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (!ec)
        exchange(stream);
      stream.shutdown(ec);
    }
  }

  bool tls_;
  boost::asio::io_context ioc_;
  boost::asio::ssl::context ctx_{boost::asio::ssl::context::tls_server};
  boost::asio::ip::tcp::acceptor acceptor_{ioc_};
  uint16_t port_ = 0;
  mutable std::mutex mtx_;
  std::map<std::string, doc> docs_;
  std::map<std::string, int> hits_;
  std::thread thread_;
};

} // namespace rmcp::test
