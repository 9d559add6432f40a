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

// -- io_runtime ----------------------------------------------------------------

struct io_runtime::impl {
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> guard{
    ioc.get_executor()};
  std::vector<std::thread> threads;
};

io_runtime::io_runtime(size_t threads) : impl_(std::make_unique<impl>()) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

io_runtime::~io_runtime() {
  impl_->guard.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    t.join();
}

namespace {

struct job {
  uint64_t id = 0;
  rest_request req;
  ms timeout{0};
  clock_type::time_point deadline;
  rest_client::callback done;
  /// Already retried once after a stale keep-alive connection.
  bool retried = false;
};

using job_ptr = std::shared_ptr<job>;

class client_impl;

// -- connection ------------------------------------------------------------------

/// One keep-alive connection; runs one request at a time on its strand.
class connection : public std::enable_shared_from_this<connection> {
public:
  connection(asio::io_context& ioc, std::shared_ptr<ssl::context> tls,
             const rest_endpoint& ep,
             std::shared_ptr<const std::string> user_agent,
             std::weak_ptr<client_impl> owner)
    : strand_(asio::make_strand(ioc)),
      resolver_(strand_),
      timer_(strand_),
      tls_ctx_(std::move(tls)),
      ep_(ep),
      user_agent_(std::move(user_agent)),
      owner_(std::move(owner)) {
    // nop
  }

  void start(job_ptr j) {
    asio::post(strand_, [self = shared_from_this(), j = std::move(j)]() mutable {
      self->run(std::move(j));
    });
  }

  /// Drops the connection (cancel or close); the running exchange, if any,
  /// fails and is reported as not reusable.
  void abort() {
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
    auto flags = rmcp::net::is_ip(ep_.host) ? tcp::resolver::numeric_host
                                 : tcp::resolver::flags{};
    resolver_.async_resolve(
      ep_.host, std::to_string(ep_.port), flags | tcp::resolver::numeric_service,
      [self = shared_from_this()](beast::error_code ec,
                                  tcp::resolver::results_type results) {
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
    timer_.async_wait([self = shared_from_this(), gen = ++timer_gen_](
                        beast::error_code ec) {
      if (ec || gen != self->timer_gen_ || self->step_ == phase::idle)
        return;
      self->timed_out_ = true;
      self->shutdown();
    });
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec)
      return fail(ec);
    step_ = phase::connect;
    if (ep_.scheme == "https") {
      tls_.emplace(strand_, *tls_ctx_);
      configure_tls();
    } else {
      plain_.emplace(strand_);
    }
    beast::get_lowest_layer(stream_tcp()).async_connect(
      results, [self = shared_from_this()](beast::error_code ec,
                                           const tcp::endpoint&) {
        self->on_connect(ec);
      });
  }

  beast::tcp_stream& stream_tcp() {
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
      tls_->set_verify_callback(
        [this](bool, ssl::verify_context& ctx) {
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
    auto result = map_rest_answer(what_, static_cast<int>(res.result_int()),
                                  res.body());
    if (result)
      result->latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             clock_type::now() - started_)
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
      return report(make_error(ec::router_unreachable,
                               what_ + ": no connection to " + where
                                 + " within "
                                 + std::to_string(ep_.connect_timeout.count())
                                 + " ms"),
                    false);
    }
    switch (step) {
      case phase::resolve:
        return report(make_error(ec::router_unreachable,
                                 what_ + ": cannot resolve " + ep_.host + ": "
                                   + ec.message()),
                      false);
      case phase::connect:
        return report(make_error(ec::router_unreachable,
                                 what_ + ": connect to " + where + ": "
                                   + ec.message()),
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
        retry(owner, j);
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

  void report(caf::expected<rest_response> result, bool reusable);
  static void retry(const std::shared_ptr<client_impl>& owner, job_ptr j);

  asio::strand<asio::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  uint64_t timer_gen_ = 0;
  std::shared_ptr<ssl::context> tls_ctx_;
  rest_endpoint ep_;
  std::shared_ptr<const std::string> user_agent_;
  std::weak_ptr<client_impl> owner_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  std::optional<beast::tcp_stream> plain_;
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

using connection_ptr = std::shared_ptr<connection>;

// -- client --------------------------------------------------------------------

class client_impl : public rest_client,
                    public std::enable_shared_from_this<client_impl> {
public:
  client_impl(asio::io_context& ioc, std::shared_ptr<ssl::context> tls,
              rest_endpoint ep, std::shared_ptr<const std::string> user_agent)
    : ioc_(ioc),
      tls_(std::move(tls)),
      ep_(std::move(ep)),
      user_agent_(std::move(user_agent)) {
    ep_.max_connections = std::max<size_t>(ep_.max_connections, 1);
  }

  ~client_impl() override {
    for (auto& [id, entry] : running_)
      entry.second->abort();
    for (auto& c : idle_)
      c->abort();
  }

  uint64_t async_request(const rest_request& req, ms timeout,
                         callback done) override {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    auto j = std::make_shared<job>();
    j->id = ++next_id_;
    j->req = req;
    j->timeout = timeout.count() > 0 ? timeout : ms{10000};
    j->deadline = clock_type::now() + j->timeout;
    j->done = std::move(done);
    if (closed_) {
      finish(j, make_error(ec::cancelled, ep_.device_id + ": client closed"));
      return j->id;
    }
    queue_.push_back(j);
    dispatch();
    return j->id;
  }

  void cancel(uint64_t id) override {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    auto cancelled = make_error(ec::cancelled,
                                ep_.device_id + ": request cancelled");
    auto q = std::find_if(queue_.begin(), queue_.end(),
                          [id](const job_ptr& j) { return j->id == id; });
    if (q != queue_.end()) {
      auto j = *q;
      queue_.erase(q);
      finish(j, cancelled);
      return;
    }
    auto r = running_.find(id);
    if (r != running_.end()) {
      finish(r->second.first, cancelled);
      r->second.second->abort();
    }
  }

  void close() override {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    if (closed_)
      return;
    closed_ = true;
    auto cancelled = make_error(ec::cancelled, ep_.device_id + ": client closed");
    auto queued = std::move(queue_);
    queue_.clear();
    for (auto& j : queued)
      finish(j, cancelled);
    for (auto& [id, entry] : running_) {
      finish(entry.first, cancelled);
      entry.second->abort();
    }
    for (auto& c : idle_)
      c->abort();
    idle_.clear();
  }

  /// From a connection: its job ended.
  void completed(const connection_ptr& c, const job_ptr& j,
                 caf::expected<rest_response> result, bool reusable) {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    running_.erase(j->id);
    --busy_;
    finish(j, std::move(result));
    if (reusable && !closed_)
      idle_.push_back(c);
    dispatch();
  }

  /// From a connection: run `j` again on a fresh connection.
  void requeue(const job_ptr& j) {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    running_.erase(j->id);
    --busy_;
    j->retried = true;
    if (!j->done)
      return dispatch();
    if (closed_)
      return finish(j, make_error(ec::cancelled,
                                  ep_.device_id + ": client closed"));
    queue_.push_front(j);
    dispatch();
  }

private:
  /// Runs the callback of `j` once; under the lock, so that nothing runs
  /// after close() returns.
  void finish(const job_ptr& j, caf::expected<rest_response> result) {
    if (!j->done)
      return;
    auto cb = std::move(j->done);
    j->done = nullptr;
    cb(std::move(result));
  }

  void dispatch() {
    while (!closed_ && !queue_.empty()) {
      connection_ptr c;
      if (!idle_.empty()) {
        c = std::move(idle_.back());
        idle_.pop_back();
      } else if (busy_ + idle_.size() < ep_.max_connections) {
        c = std::make_shared<connection>(ioc_, tls_, ep_, user_agent_,
                                         weak_from_this());
      } else {
        return;
      }
      auto j = queue_.front();
      queue_.pop_front();
      ++busy_;
      running_.emplace(j->id, std::make_pair(j, c));
      c->start(std::move(j));
    }
  }

  asio::io_context& ioc_;
  std::shared_ptr<ssl::context> tls_;
  rest_endpoint ep_;
  std::shared_ptr<const std::string> user_agent_;
  std::recursive_mutex mtx_;
  std::deque<job_ptr> queue_;
  std::vector<connection_ptr> idle_;
  std::unordered_map<uint64_t, std::pair<job_ptr, connection_ptr>> running_;
  size_t busy_ = 0;
  uint64_t next_id_ = 0;
  bool closed_ = false;
};

void connection::report(caf::expected<rest_response> result, bool reusable) {
  step_ = phase::idle;
  ++timer_gen_;
  timer_.cancel();
  auto j = std::move(job_);
  if (auto owner = owner_.lock())
    owner->completed(shared_from_this(), j, std::move(result),
                     reusable && connected_ && !aborted_);
}

void connection::retry(const std::shared_ptr<client_impl>& owner, job_ptr j) {
  owner->requeue(j);
}

// -- factory ---------------------------------------------------------------------

class beast_factory : public rest_client_factory {
public:
  beast_factory(std::shared_ptr<io_runtime> io, std::string user_agent)
    : io_(std::move(io)),
      user_agent_(std::make_shared<const std::string>(std::move(user_agent))) {
    // nop
  }

  std::shared_ptr<rest_client> make(const rest_endpoint& endpoint) override {
    return std::make_shared<client_impl>(io_->get().ioc, context_for(endpoint),
                                         endpoint, user_agent_);
  }

private:
  /// TLS contexts are shared: one per trust store (loading the system CA
  /// store per device would cost megabytes per thousand routers). Pinning
  /// and host-name checks are set per connection.
  std::shared_ptr<ssl::context> context_for(const rest_endpoint& ep) {
    auto key = ep.tls.mode == "verify" ? "verify:" + ep.tls.ca_file
                                       : std::string{"plain"};
    std::lock_guard<std::mutex> guard{mtx_};
    if (auto ctx = contexts_[key].lock())
      return ctx;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                     | ssl::context::no_sslv3 | ssl::context::no_tlsv1
                     | ssl::context::no_tlsv1_1);
    if (ep.tls.mode == "verify") {
      beast::error_code ec;
      if (ep.tls.ca_file.empty())
        ctx->set_default_verify_paths(ec);
      else
        ctx->load_verify_file(ep.tls.ca_file, ec);
      if (ec)
        log::core()->warn("tls-trust-store-failed device={} ca_file='{}' "
                          "error='{}' (verification will fail)",
                          ep.device_id, ep.tls.ca_file, ec.message());
    }
    contexts_[key] = ctx;
    return ctx;
  }

  std::shared_ptr<io_runtime> io_;
  std::shared_ptr<const std::string> user_agent_;
  std::mutex mtx_;
  std::map<std::string, std::weak_ptr<ssl::context>> contexts_;
};

} // namespace

rest_client_factory_ptr make_rest_client_factory(std::shared_ptr<io_runtime> io,
                                                 std::string user_agent) {
  return std::make_shared<beast_factory>(std::move(io), std::move(user_agent));
}

} // namespace rmcp::routeros
