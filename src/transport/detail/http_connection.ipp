// The connection template behind http_server (included by exactly the two
// translation units that instantiate it: plain and TLS). Server-flex
// style: strand per connection, a fresh parser with a body limit per
// request, one outstanding write plus a queue, timeouts on every
// operation except the watch read of an event stream.

#pragma once

#include <atomic>
#include <deque>
#include <optional>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "actors/metrics.hpp"
#include "protocol/log.hpp"
#include "src/transport/detail/http_core.hpp"

namespace rmcp::transport::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

template <class Stream>
class http_connection final
  : public http_port,
    public connection_base,
    public std::enable_shared_from_this<http_connection<Stream>> {
public:
  static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

  http_connection(tcp::socket&& socket, std::shared_ptr<http_core> core)
    : core_(std::move(core)), stream_(make_stream(std::move(socket), *core_)),
      timer_(stream_.get_executor()) {
    beast::error_code ignored;
    auto ep = lowest().socket().remote_endpoint(ignored);
    if (!ignored)
      peer_ = ep.address().to_string();
  }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&http_connection::on_run,
                                            this->shared_from_this()));
  }

  // -- http_port --------------------------------------------------------------

  void post(std::function<void()> fn) override {
    net::post(stream_.get_executor(),
              [self = this->shared_from_this(), fn = std::move(fn)] { fn(); });
  }

  void write(std::string bytes) override {
    if (!open_)
      return;
    queue_.push_back(std::move(bytes));
    if (!writing_)
      do_write();
  }

  void finish(bool keep_alive) override {
    finishing_ = true;
    keep_after_ = keep_alive;
    maybe_finish();
  }

  void watch(std::function<void()> on_gone, std::string keepalive,
             std::chrono::milliseconds period) override {
    if (!open_) {
      if (on_gone)
        on_gone();
      return;
    }
    watching_ = true;
    on_gone_ = std::move(on_gone);
    keepalive_ = std::move(keepalive);
    period_ = period;
    lowest().expires_never();
    stream_.async_read_some(
      buffer_.prepare(1024),
      [self = this->shared_from_this()](beast::error_code, std::size_t) {
        // Data or an error: either way a stream has no next request.
        self->do_close();
      });
    arm_keepalive();
  }

  bool is_open() const override {
    return open_;
  }

  // -- connection_base ------------------------------------------------------------

  void shutdown() override {
    post([this] { do_close(); });
  }

private:
  static Stream make_stream(tcp::socket&& s, http_core& core) {
    if constexpr (is_tls)
      return Stream(std::move(s), *core.tls);
    else
      return Stream(std::move(s));
  }

  beast::tcp_stream& lowest() {
    return beast::get_lowest_layer(stream_);
  }

  void on_run() {
    if constexpr (is_tls) {
      lowest().expires_after(core_->settings.idle_timeout);
      stream_.async_handshake(
        net::ssl::stream_base::server,
        [self = this->shared_from_this()](beast::error_code ec) {
          if (ec) {
            log::http()->debug("tls-handshake-failed peer={} error={}",
                               self->peer_, ec.message());
            return self->do_close();
          }
          self->do_read();
        });
    } else {
      do_read();
    }
  }

  void do_read() {
    if (!open_)
      return;
    parser_.emplace();
    parser_->body_limit(core_->settings.body_limit);
    parser_->header_limit(16 * 1024);
    lowest().expires_after(core_->settings.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_connection::on_read,
                                               this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit)
      return reject(413, "the request body exceeds the limit of "
                           + std::to_string(core_->settings.body_limit)
                           + " bytes (server.max_message_bytes)");
    if (ec == http::error::header_limit)
      return reject(431, "the request header exceeds 16 KiB");
    // A request Beast refuses (bad syntax, conflicting Content-Length,
    // unknown transfer coding, bad chunk) is answered 400 and the
    // connection closed: what follows it cannot be framed.
    if (ec
        && ec.category()
             == http::make_error_code(http::error::bad_method).category()
        && ec != http::error::end_of_stream
        && ec != http::error::partial_message)
      return reject(400, "malformed HTTP request: " + ec.message());
    if (ec) {
      if (ec != http::error::end_of_stream && ec != beast::error::timeout
          && ec != net::error::operation_aborted)
        log::http()->debug("http-read-failed peer={} error={}", peer_,
                           ec.message());
      return do_close();
    }
    auto& msg = parser_->get();
    if (msg.count(http::field::host) > 1)
      return reject(400, "the request has more than one Host header");
    http_request req;
    req.method = std::string{msg.method_string()};
    req.target = std::string{msg.target()};
    split_target(req.target, req.path, req.query);
    req.version = msg.version();
    req.keep_alive = msg.keep_alive();
    req.host = std::string{msg[http::field::host]};
    req.origin = std::string{msg[http::field::origin]};
    req.accept = std::string{msg[http::field::accept]};
    req.content_type = std::string{msg[http::field::content_type]};
    req.session_id = std::string{msg["Mcp-Session-Id"]};
    req.protocol_version = std::string{msg["MCP-Protocol-Version"]};
    req.mcp_method = std::string{msg["Mcp-Method"]};
    req.mcp_name = std::string{msg["Mcp-Name"]};
    req.last_event_id = std::string{msg["Last-Event-ID"]};
    req.authorization = std::string{msg[http::field::authorization]};
    req.cookie = std::string{msg[http::field::cookie]};
    req.csrf_token = std::string{msg["X-CSRF-Token"]};
    req.traceparent = std::string{msg["traceparent"]};
    req.body = std::move(msg.body());
    req.peer = peer_;
    auto channel = std::make_shared<http_channel>(
      std::static_pointer_cast<http_port>(this->shared_from_this()), req,
      endpoint_label(req.path), core_->metrics);
    core_->handler(std::move(req), std::move(channel));
  }

  /// Answers a request that could not be read and closes.
  void reject(unsigned status, const std::string& why) {
    log::http()->info("http-request-rejected peer={} status={} reason={}",
                      peer_, status, why);
    if (core_->metrics) {
      core_->metrics->http_request("other", status);
      core_->metrics->http_rejected(status == 413   ? "body_limit"
                                    : status == 431 ? "header_limit"
                                                    : "malformed");
    }
    write(format_response(11, status, "application/json",
                          error_body(ec::invalid_request, why), {}, false));
    finish(false);
  }

  void do_write() {
    if (queue_.empty() || !open_)
      return;
    writing_ = true;
    lowest().expires_after(core_->settings.write_timeout);
    net::async_write(stream_, net::buffer(queue_.front()),
                     beast::bind_front_handler(&http_connection::on_write,
                                               this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
      log::http()->debug("http-write-failed peer={} error={}", peer_,
                         ec.message());
      return do_close();
    }
    if (!open_) {
      queue_.clear();
      return;
    }
    queue_.pop_front();
    if (!queue_.empty())
      return do_write();
    maybe_finish();
  }

  void maybe_finish() {
    if (!finishing_ || writing_ || !queue_.empty())
      return;
    finishing_ = false;
    if (!keep_after_ || watching_ || !open_)
      return do_close();
    do_read();
  }

  void arm_keepalive() {
    if (period_.count() <= 0)
      return;
    timer_.expires_after(period_);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || !self->open_ || !self->watching_)
        return;
      if (self->queue_.empty())
        self->write(self->keepalive_);
      self->arm_keepalive();
    });
  }

  void do_close() {
    if (!open_)
      return;
    open_ = false;
    // The buffer of a pending write must live until its handler runs.
    if (!writing_)
      queue_.clear();
    timer_.cancel();
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
    if (auto fn = std::move(on_gone_)) {
      on_gone_ = nullptr;
      fn();
    }
  }

  // Declared first: the io_context it owns outlives the socket and timer.
  std::shared_ptr<http_core> core_;
  Stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::deque<std::string> queue_;
  std::string peer_;
  std::atomic<bool> open_{true};
  bool writing_ = false;
  bool finishing_ = false;
  bool keep_after_ = true;
  bool watching_ = false;
  std::function<void()> on_gone_;
  std::string keepalive_;
  std::chrono::milliseconds period_{0};
};

template <class Stream>
void start_connection(tcp::socket&& socket, std::shared_ptr<http_core> core) {
  auto conn =
    std::make_shared<http_connection<Stream>>(std::move(socket), core);
  if (!core->track(conn)) {
    conn->shutdown();
    return;
  }
  conn->run();
}

} // namespace rmcp::transport::detail
