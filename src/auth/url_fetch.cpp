#include "src/auth/url_fetch.hpp"

#include <cctype>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "protocol/error.hpp"

namespace rmcp::auth {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct url_parts {
  bool tls = false;
  std::string host;
  std::string port;
  /// Host header value: the authority as written.
  std::string authority;
  std::string target;
};

caf::error bad(const std::string& url, const std::string& why) {
  return make_error(ec::invalid_params, "'" + url + "': " + why);
}

caf::expected<url_parts> parse_url(const std::string& url) {
  url_parts u;
  std::string_view rest = url;
  if (rest.substr(0, 8) == "https://") {
    u.tls = true;
    rest.remove_prefix(8);
  } else if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
  } else {
    return bad(url, "not an http:// or https:// URL");
  }
  auto slash = rest.find_first_of("/?#");
  u.authority = std::string{rest.substr(0, slash)};
  u.target =
    slash == std::string_view::npos ? "/" : std::string{rest.substr(slash)};
  if (auto hash = u.target.find('#'); hash != std::string::npos)
    u.target.erase(hash);
  if (u.target.empty() || u.target.front() != '/')
    u.target.insert(0, "/");
  const std::string& a = u.authority;
  if (a.empty() || a.find('@') != std::string::npos)
    return bad(url, "the URL needs a host and no user information");
  size_t port_at = std::string::npos;
  if (a.front() == '[') {
    auto close = a.find(']');
    if (close == std::string::npos)
      return bad(url, "malformed IPv6 address");
    u.host = a.substr(1, close - 1);
    if (close + 1 < a.size()) {
      if (a[close + 1] != ':')
        return bad(url, "malformed host");
      port_at = close + 2;
    }
  } else {
    auto colon = a.rfind(':');
    u.host = a.substr(0, colon);
    if (colon != std::string::npos)
      port_at = colon + 1;
  }
  u.port =
    port_at == std::string::npos ? (u.tls ? "443" : "80") : a.substr(port_at);
  if (u.host.empty() || u.port.empty() || u.port.size() > 5
      || u.port.find_first_not_of("0123456789") != std::string::npos
      || std::stoul(u.port) > 65535)
    return bad(url, "malformed host or port");
  return u;
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

/// The exchange as a chain of completion handlers on one io_context, under
/// one deadline that cancels whatever step is running.
class exchange {
public:
  exchange(const url_parts& u, const fetch_settings& s, ssl::context& ctx)
    : u_(u), s_(s), stream_(ioc_, ctx) {
    req_.set(http::field::host, u.authority);
    req_.set(http::field::accept, "application/json");
    req_.set(http::field::user_agent, "routeros-mcp");
    req_.set(http::field::connection, "close");
    if (s.method == "POST") {
      req_.method(http::verb::post);
      req_.set(http::field::content_type, s.content_type);
      req_.body() = s.body;
    }
    if (!s.authorization.empty())
      req_.set(http::field::authorization, s.authorization);
    req_.prepare_payload();
    parser_.body_limit(s.body_limit);
  }

  beast::error_code run() {
    deadline_.expires_after(s_.timeout);
    deadline_.async_wait([this](beast::error_code ec) {
      if (ec)
        return;
      timed_out_ = true;
      resolver_.cancel();
      beast::get_lowest_layer(stream_).close();
    });
    stage_ = "resolve the host";
    resolver_.async_resolve(
      u_.host, u_.port,
      [this](beast::error_code ec, tcp::resolver::results_type found) {
        if (ec)
          return finish(ec);
        stage_ = "connect";
        beast::get_lowest_layer(stream_).async_connect(
          found, [this](beast::error_code ec, const tcp::endpoint&) {
            if (ec)
              return finish(ec);
            u_.tls ? handshake() : send(beast::get_lowest_layer(stream_));
          });
      });
    ioc_.run();
    return failed_;
  }

  std::string stage() const {
    return timed_out_ ? "get an answer within "
                          + std::to_string(s_.timeout.count()) + " ms"
                      : stage_;
  }

  http::response<http::string_body>& answer() {
    return parser_.get();
  }

private:
  void handshake() {
    stage_ = "verify the server's certificate (TLS handshake)";
    // SNI for names (not addresses); the verification checks the name or
    // the IP address.
    net::ip::make_address(u_.host, not_an_address_);
    if (not_an_address_)
      SSL_set_tlsext_host_name(stream_.native_handle(), u_.host.c_str());
    stream_.set_verify_callback(ssl::host_name_verification(u_.host));
    stream_.async_handshake(ssl::stream_base::client,
                            [this](beast::error_code ec) {
                              if (ec)
                                return finish(ec);
                              send(stream_);
                            });
  }

  template <class Stream>
  void send(Stream& stream) {
    stage_ = "send the request";
    http::async_write(
      stream, req_, [this, &stream](beast::error_code ec, size_t) {
        if (ec)
          return finish(ec);
        stage_ = "read the answer";
        http::async_read(stream, buffer_, parser_,
                         [this](beast::error_code ec, size_t) { finish(ec); });
      });
  }

  void finish(beast::error_code ec) {
    failed_ = ec;
    deadline_.cancel();
  }

  url_parts u_;
  const fetch_settings& s_;
  net::io_context ioc_;
  tcp::resolver resolver_{ioc_};
  beast::ssl_stream<beast::tcp_stream> stream_;
  net::steady_timer deadline_{ioc_};
  http::request<http::string_body> req_{http::verb::get, u_.target, 11};
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
  beast::error_code failed_;
  /// Set when the host is a name rather than an address.
  boost::system::error_code not_an_address_;
  bool timed_out_ = false;
  std::string stage_;
};

} // namespace

caf::expected<fetched> fetch_url(const std::string& url,
                                 const fetch_settings& settings) {
  auto u = parse_url(url);
  if (!u)
    return u.error();
  if (!u->tls && !is_loopback(u->host))
    return bad(url, "http:// is accepted only on 127.0.0.1, [::1] or "
                    "localhost; use https://");
  ssl::context ctx{ssl::context::tls_client};
  if (u->tls) {
    beast::error_code ec;
    ctx.set_verify_mode(ssl::verify_peer);
    if (settings.ca_file.empty())
      ctx.set_default_verify_paths(ec);
    else
      ctx.load_verify_file(settings.ca_file, ec);
    if (ec)
      return bad(url, "cannot load the trusted CAs "
                        + (settings.ca_file.empty()
                             ? std::string{"of the system"}
                             : "from '" + settings.ca_file + "'")
                        + " (" + ec.message() + ")");
  }
  exchange x{*u, settings, ctx};
  auto failed = x.run();
  if (failed == http::error::body_limit)
    return bad(url, "the answer exceeds " + std::to_string(settings.body_limit)
                      + " bytes");
  if (failed)
    return bad(url, "cannot " + x.stage() + " (" + failed.message() + ")");
  fetched out;
  out.status = x.answer().result_int();
  out.body = std::move(x.answer().body());
  out.cache_control = std::string{x.answer()[http::field::cache_control]};
  return out;
}

std::optional<int64_t> cache_max_age(std::string_view cache_control) {
  std::optional<int64_t> max_age;
  std::optional<int64_t> shared;
  size_t at = 0;
  while (at <= cache_control.size()) {
    auto comma = cache_control.find(',', at);
    auto item = cache_control.substr(at, comma - at);
    at = comma == std::string_view::npos ? cache_control.size() + 1 : comma + 1;
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item[0])))
      item.remove_prefix(1);
    while (!item.empty()
           && std::isspace(static_cast<unsigned char>(item.back())))
      item.remove_suffix(1);
    std::string lower;
    for (char c : item)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "no-store" || lower == "no-cache")
      return 0;
    auto eq = lower.find('=');
    if (eq == std::string::npos)
      continue;
    auto name = lower.substr(0, eq);
    auto value = lower.substr(eq + 1);
    if (!value.empty() && value.front() == '"' && value.back() == '"'
        && value.size() >= 2)
      value = value.substr(1, value.size() - 2);
    if (value.empty() || value.size() > 10
        || value.find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (name == "max-age")
      max_age = std::stoll(value);
    else if (name == "s-maxage")
      shared = std::stoll(value);
  }
  return shared ? shared : max_age;
}

} // namespace rmcp::auth
