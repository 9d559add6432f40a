#include "http_client.hpp"

#include <cstdio>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace rmcp::sim::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

/// Standard base64 with padding, through OpenSSL's encoder.
std::string base64(const std::string& in) {
  std::string out((in.size() + 2) / 3 * 4 + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02X", md[i]);
    out += (i ? ":" : "") + std::string{buf};
  }
  return out;
}

} // namespace

struct http_client::impl {
  std::uint16_t port;
  client_options opts;
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  int connects = 0;
  std::string seen;

  beast::tcp_stream& lowest() {
    return opts.tls ? beast::get_lowest_layer(*secure) : *plain;
  }

  bool connected() {
    return opts.tls ? secure.has_value() : plain.has_value();
  }

  void reset() {
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  /// Runs the io_context until the pending operations finish.
  void run() {
    ioc.restart();
    ioc.run();
  }

  std::string connect() {
    reset();
    beast::error_code ec;
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
    if (opts.tls)
      secure.emplace(ioc, ctx);
    else
      plain.emplace(ioc);
    lowest().expires_after(opts.timeout);
    lowest().async_connect(ep, [&](beast::error_code e) { ec = e; });
    run();
    if (ec) {
      reset();
      return "connect: " + ec.message();
    }
    ++connects;
    if (opts.tls) {
      secure->async_handshake(ssl::stream_base::client,
                              [&](beast::error_code e) { ec = e; });
      run();
      if (ec) {
        reset();
        return "handshake: " + ec.message();
      }
      X509* cert = SSL_get_peer_certificate(secure->native_handle());
      seen = cert ? fingerprint(cert) : std::string{};
      if (cert)
        X509_free(cert);
      if (!opts.pin.empty() && seen != opts.pin) {
        reset();
        return "fingerprint mismatch: " + seen;
      }
    }
    return {};
  }

  template <class Stream>
  http_response exchange(Stream& s, http::request<http::string_body>& req) {
    http_response out;
    beast::error_code ec;
    lowest().expires_after(opts.timeout);
    http::async_write(s, req,
                      [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) {
      out.error =
        ec == beast::error::timeout ? "timeout" : "write: " + ec.message();
      return out;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    lowest().expires_after(opts.timeout);
    http::async_read(s, buffer, parser,
                     [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) {
      out.error =
        ec == beast::error::timeout ? "timeout" : "read: " + ec.message();
      return out;
    }
    auto& res = parser.get();
    out.status = res.result_int();
    out.body = res.body();
    for (auto& h : res)
      out.headers[std::string{h.name_string()}] = std::string{h.value()};
    if (!res.keep_alive())
      reset();
    return out;
  }
};

http_client::http_client(std::uint16_t port, client_options opts)
  : impl_(std::make_unique<impl>()) {
  impl_->port = port;
  impl_->opts = std::move(opts);
  impl_->ctx.set_verify_mode(ssl::verify_none);
}

http_client::~http_client() = default;

http_response http_client::request(const std::string& method,
                                   const std::string& target,
                                   const std::string& body,
                                   const std::string& content_type) {
  http_response out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = !impl_->connected();
    if (fresh) {
      auto err = impl_->connect();
      if (!err.empty()) {
        out.error = err;
        return out;
      }
    }
    http::request<http::string_body> req{http::string_to_verb(method), target,
                                         11};
    req.set(http::field::host, "127.0.0.1");
    if (!impl_->opts.authorization.empty())
      req.set(http::field::authorization, impl_->opts.authorization);
    else if (!impl_->opts.username.empty() || !impl_->opts.password.empty())
      req.set(http::field::authorization,
              "Basic "
                + base64(impl_->opts.username + ":" + impl_->opts.password));
    if (!body.empty()) {
      if (!content_type.empty())
        req.set(http::field::content_type, content_type);
      req.body() = body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    out = impl_->opts.tls ? impl_->exchange(*impl_->secure, req)
                          : impl_->exchange(*impl_->plain, req);
    if (out.status != 0)
      return out;
    impl_->reset();
    // A kept-alive connection the server closed meanwhile: retry once.
    if (fresh || out.error == "timeout")
      return out;
  }
  return out;
}

int http_client::connects() const {
  return impl_->connects;
}

void http_client::set_credentials(std::string user, std::string password) {
  impl_->opts.username = std::move(user);
  impl_->opts.password = std::move(password);
}

std::string http_client::seen_fingerprint() const {
  return impl_->seen;
}

} // namespace rmcp::sim::test
