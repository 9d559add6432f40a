#include "src/routeros/connection.hpp"

#include "src/routeros/beast_client.hpp"
#include "src/routeros/wire.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/net_text.hpp"

namespace rmcp::routeros {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;
// The strand's own type, not Asio's type-erased any_io_executor: every
// composed operation (Beast's reads and writes, the TLS layer) keeps its
// executor busy with `prefer(ex, outstanding_work.tracked)`, and for an
// any_io_executor each such copy holding a strand is a heap allocation and
// calls through a table (about 20 allocations per request).
using executor = asio::strand<asio::io_context::executor_type>;
using stream = beast::basic_stream<tcp, executor>;
using resolver = asio::ip::basic_resolver<tcp, executor>;
using timer =
  asio::basic_waitable_timer<clock_type, asio::wait_traits<clock_type>,
                             executor>;

namespace {

class connection_impl : public connection,
                        public std::enable_shared_from_this<connection_impl> {
public:
  connection_impl(asio::strand<asio::io_context::executor_type> strand,
                  std::shared_ptr<ssl::context> tls, const rest_endpoint& ep,
                  std::shared_ptr<const std::string> user_agent,
                  std::weak_ptr<connection_owner> owner)
    : strand_(std::move(strand)), resolver_(strand_), timer_(strand_),
      tls_ctx_(std::move(tls)), ep_(ep), user_agent_(std::move(user_agent)),
      owner_(std::move(owner)) {
    // nop
  }

  void start(job_ptr j) override {
    asio::post(strand_,
               [self = shared_from_this(), j = std::move(j)]() mutable {
                 self->run(std::move(j));
               });
  }

  void abort() override {
    asio::post(strand_, [self = shared_from_this()] {
      self->aborted_ = true;
      self->shutdown();
    });
  }

private:
  enum class phase { idle, resolve, connect, handshake, exchange };

  void run(job_ptr j) {
    job_ = std::move(j);
    timed_out_ = false;
    got_answer_ = false;
    started_ = clock_type::now();
    what_ = ep_.device_id + ": " + job_->req.method + " " + job_->req.path;
    if (aborted_) {
      report(make_error(ec::cancelled, what_ + ": cancelled"), false);
      return;
    }
    if (started_ >= job_->deadline) {
      report(make_error(ec::router_timeout,
                        what_ + ": no connection free within "
                          + std::to_string(job_->timeout.count()) + " ms"),
             connected_);
      return;
    }
    build_request();
    if (connected_) {
      reused_ = true;
      arm(job_->deadline);
      write();
      return;
    }
    reused_ = false;
    arm(std::min(job_->deadline, started_ + ep_.connect_timeout));
    step_ = phase::resolve;
    auto flags =
      rmcp::net::is_ip(ep_.host) ? resolver::numeric_host : resolver::flags{};
    resolver_.async_resolve(
      ep_.host, std::to_string(ep_.port), flags | resolver::numeric_service,
      [self = shared_from_this()](beast::error_code ec,
                                  resolver::results_type results) {
        self->on_resolve(ec, std::move(results));
      });
  }

  void build_request() {
    req_ = {};
    req_.version(11);
    req_.method_string(job_->req.method);
    req_.target(request_target(job_->req.path));
    req_.set(http::field::host, host_header(ep_));
    req_.set(http::field::user_agent, *user_agent_);
    req_.set(http::field::accept, "application/json");
    req_.set(http::field::authorization,
             basic_authorization(ep_.creds.username, ep_.creds.password));
    if (!job_->req.body.is_null()) {
      req_.set(http::field::content_type, "application/json");
      req_.body() = dump_json(job_->req.body);
    }
    req_.prepare_payload();
  }

  void arm(clock_type::time_point when) {
    timer_.expires_at(when);
    timer_.async_wait(
      [self = shared_from_this(), gen = ++timer_gen_](beast::error_code ec) {
        if (ec || gen != self->timer_gen_ || self->step_ == phase::idle)
          return;
        self->timed_out_ = true;
        self->shutdown();
      });
  }

  void on_resolve(beast::error_code ec, resolver::results_type results) {
    if (ec)
      return fail(ec);
    step_ = phase::connect;
    if (ep_.scheme == "https") {
      tls_.emplace(strand_, *tls_ctx_);
      configure_tls();
    } else {
      plain_.emplace(strand_);
    }
    beast::get_lowest_layer(stream_tcp())
      .async_connect(results, [self = shared_from_this()](
                                beast::error_code ec, const tcp::endpoint&) {
        self->on_connect(ec);
      });
  }

  stream& stream_tcp() {
    return tls_ ? beast::get_lowest_layer(*tls_) : *plain_;
  }

  void configure_tls() {
    auto* handle = tls_->native_handle();
    auto name = ep_.tls.server_name.empty() ? ep_.host : ep_.tls.server_name;
    // SNI only for names (RFC 6066 forbids IP literals).
    if (!rmcp::net::is_ip(name))
      SSL_set_tlsext_host_name(handle, name.c_str());
    if (ep_.tls.mode == "insecure") {
      tls_->set_verify_mode(ssl::verify_none);
    } else if (ep_.tls.mode == "pin") {
      tls_->set_verify_mode(ssl::verify_peer);
      tls_->set_verify_callback([this](bool, ssl::verify_context& ctx) {
        auto* store = ctx.native_handle();
        // Only the leaf is pinned; the chain above it is not consulted.
        if (X509_STORE_CTX_get_error_depth(store) > 0)
          return true;
        presented_ = fingerprint_of(X509_STORE_CTX_get_current_cert(store));
        return presented_ == normalize_fingerprint(ep_.tls.fingerprint_sha256);
      });
    } else {
      tls_->set_verify_mode(ssl::verify_peer);
      tls_->set_verify_callback(ssl::host_name_verification(name));
    }
  }

  void on_connect(beast::error_code ec) {
    if (ec)
      return fail(ec);
    if (!tls_)
      return connected();
    step_ = phase::handshake;
    tls_->async_handshake(ssl::stream_base::client,
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec)
                              return self->fail(ec);
                            self->connected();
                          });
  }

  void connected() {
    connected_ = true;
    arm(job_->deadline);
    write();
  }

  void write() {
    step_ = phase::exchange;
    auto on_write = [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec)
        return self->fail(ec);
      self->read();
    };
    if (tls_)
      http::async_write(*tls_, req_, std::move(on_write));
    else
      http::async_write(*plain_, req_, std::move(on_write));
  }

  void read() {
    parser_.emplace();
    // /export of a big configuration is the largest answer; 64 MiB bounds it.
    parser_->body_limit(64u << 20);
    parser_->header_limit(64u << 10);
    auto on_read = [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec)
        return self->fail(ec);
      self->on_answer();
    };
    auto on_header = [self = shared_from_this(), on_read](beast::error_code ec,
                                                          size_t n) mutable {
      if (ec)
        return on_read(ec, n);
      self->got_answer_ = true;
      if (self->tls_)
        http::async_read(*self->tls_, self->buffer_, *self->parser_,
                         std::move(on_read));
      else
        http::async_read(*self->plain_, self->buffer_, *self->parser_,
                         std::move(on_read));
    };
    if (tls_)
      http::async_read_header(*tls_, buffer_, *parser_, std::move(on_header));
    else
      http::async_read_header(*plain_, buffer_, *parser_, std::move(on_header));
  }

  void on_answer() {
    auto& res = parser_->get();
    bool keep = res.keep_alive();
    auto result =
      map_rest_answer(what_, static_cast<int>(res.result_int()), res.body());
    if (result)
      result->latency_us =
        std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now()
                                                              - started_)
          .count();
    if (!keep)
      shutdown();
    report(std::move(result), keep);
  }

  void fail(beast::error_code ec) {
    auto where = ep_.host + ":" + std::to_string(ep_.port);
    auto step = step_;
    shutdown();
    if (aborted_)
      return report(make_error(ec::cancelled, what_ + ": cancelled"), false);
    if (timed_out_) {
      if (step == phase::exchange)
        return report(make_error(ec::router_timeout,
                                 what_ + ": no answer within "
                                   + std::to_string(job_->timeout.count())
                                   + " ms"),
                      false);
      return report(
        make_error(ec::router_unreachable,
                   what_ + ": no connection to " + where + " within "
                     + std::to_string(ep_.connect_timeout.count()) + " ms"),
        false);
    }
    switch (step) {
      case phase::resolve:
        return report(make_error(ec::router_unreachable,
                                 what_ + ": cannot resolve " + ep_.host + ": "
                                   + ec.message()),
                      false);
      case phase::connect:
        return report(
          make_error(ec::router_unreachable,
                     what_ + ": connect to " + where + ": " + ec.message()),
          false);
      case phase::handshake:
        return report(make_error(ec::router_tls_failed,
                                 what_ + ": TLS handshake with " + where
                                   + " failed: " + tls_reason(ec)),
                      false);
      default:
        break;
    }
    // A keep-alive connection the router closed while idle: retry a read
    // once on a fresh connection (a write might have been applied).
    if (reused_ && !got_answer_ && !job_->retried
        && is_idempotent_read(job_->req)) {
      auto j = std::move(job_);
      step_ = phase::idle;
      if (auto owner = owner_.lock())
        owner->requeue(j);
      return;
    }
    report(make_error(ec::router_unreachable,
                      what_ + ": connection to " + where
                        + " lost before the answer: " + ec.message()),
           false);
  }

  std::string tls_reason(beast::error_code ec) {
    if (ep_.tls.mode == "pin" && !presented_.empty())
      return "certificate fingerprint mismatch: expected "
             + normalize_fingerprint(ep_.tls.fingerprint_sha256)
             + ", the router presented " + presented_;
    if (ep_.tls.mode == "verify" && tls_) {
      auto code = SSL_get_verify_result(tls_->native_handle());
      if (code != X509_V_OK)
        return std::string{"certificate not trusted: "}
               + X509_verify_cert_error_string(code);
    }
    return ec.message();
  }

  /// Closes the socket; pending operations complete with an error.
  void shutdown() {
    ++timer_gen_;
    timer_.cancel();
    resolver_.cancel();
    connected_ = false;
    if (tls_ || plain_) {
      beast::error_code ignored;
      stream_tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_tcp().socket().close(ignored);
    }
  }

  void report(caf::expected<rest_response> result, bool reusable) {
    step_ = phase::idle;
    ++timer_gen_;
    timer_.cancel();
    auto j = std::move(job_);
    if (auto owner = owner_.lock())
      owner->completed(shared_from_this(), j, std::move(result),
                       reusable && connected_ && !aborted_);
  }

  executor strand_;
  resolver resolver_;
  timer timer_;
  uint64_t timer_gen_ = 0;
  std::shared_ptr<ssl::context> tls_ctx_;
  rest_endpoint ep_;
  std::shared_ptr<const std::string> user_agent_;
  std::weak_ptr<connection_owner> owner_;
  std::optional<beast::ssl_stream<stream>> tls_;
  std::optional<stream> plain_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_;
  job_ptr job_;
  std::string what_;
  std::string presented_;
  clock_type::time_point started_;
  phase step_ = phase::idle;
  bool connected_ = false;
  bool reused_ = false;
  bool got_answer_ = false;
  bool timed_out_ = false;
  bool aborted_ = false;
};

} // namespace

connection_ptr
make_connection(asio::strand<asio::io_context::executor_type> strand,
                std::shared_ptr<ssl::context> tls, const rest_endpoint& ep,
                std::shared_ptr<const std::string> user_agent,
                std::weak_ptr<connection_owner> owner) {
  return std::make_shared<connection_impl>(std::move(strand), std::move(tls),
                                           ep, std::move(user_agent),
                                           std::move(owner));
}

} // namespace rmcp::routeros
