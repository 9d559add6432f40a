#include "sim/server.hpp"

#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

namespace rmcp::sim {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

/// What a listener serves: a router or the control endpoint.
class target {
public:
  virtual ~target() = default;
  virtual http_out handle(const http_in& in, const std::string& base_url) = 0;
  virtual void note_connection() {}
  virtual void after_reboot_answer() {}
};

class router_target final : public target {
public:
  router_target(router& r, std::function<std::chrono::milliseconds()> downtime)
    : r_(r), downtime_(std::move(downtime)) {}
  http_out handle(const http_in& in, const std::string& base_url) override {
    return r_.handle(in, base_url);
  }
  void note_connection() override {
    r_.note_connection();
  }
  void after_reboot_answer() override {
    r_.reboot(downtime_());
  }

private:
  router& r_;
  std::function<std::chrono::milliseconds()> downtime_;
};

class control_target final : public target {
public:
  explicit control_target(control_handler h) : h_(std::move(h)) {}
  http_out handle(const http_in& in, const std::string&) override {
    auto [status, body] = h_(in.method, in.target, in.body);
    http_out out;
    out.status = status;
    out.body = std::move(body);
    return out;
  }

private:
  control_handler h_;
};

class session_base {
public:
  virtual ~session_base() = default;
  virtual void close() = 0;
};

template <bool Tls>
class session final : public session_base,
                      public std::enable_shared_from_this<session<Tls>> {
  using stream_type =
    std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>,
                       beast::tcp_stream>;

public:
  session(tcp::socket&& socket, ssl::context* ctx, target& t,
          std::string base_url)
    : stream_(make_stream(std::move(socket), ctx)),
      timer_(stream_.get_executor()), target_(t),
      base_url_(std::move(base_url)) {}

  void run() {
    net::dispatch(
      stream_.get_executor(),
      beast::bind_front_handler(&session::on_run, this->shared_from_this()));
  }

  void close() override {
    net::post(stream_.get_executor(),
              [self = this->shared_from_this()] { self->do_close(); });
  }

private:
  static stream_type make_stream(tcp::socket&& s, ssl::context* ctx) {
    if constexpr (Tls)
      return stream_type(std::move(s), *ctx);
    else
      return stream_type(std::move(s));
  }

  beast::tcp_stream& lowest() {
    if constexpr (Tls)
      return beast::get_lowest_layer(stream_);
    else
      return stream_;
  }

  void on_run() {
    if constexpr (Tls) {
      lowest().expires_after(std::chrono::seconds(30));
      stream_.async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&session::on_handshake,
                                  this->shared_from_this()));
    } else {
      do_read();
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec)
      return do_close();
    do_read();
  }

  void do_read() {
    if (closed_)
      return;
    parser_.emplace();
    parser_->body_limit(8 * 1024 * 1024);
    lowest().expires_after(std::chrono::seconds(120));
    http::async_read(
      stream_, buffer_, *parser_,
      beast::bind_front_handler(&session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return do_close();
    auto& req = parser_->get();
    http_in in;
    in.method = std::string{req.method_string()};
    in.target = std::string{req.target()};
    in.body = req.body();
    in.content_type = std::string{req[http::field::content_type]};
    in.authorization = std::string{req[http::field::authorization]};
    beast::error_code ignored;
    auto ep = lowest().socket().remote_endpoint(ignored);
    if (!ignored)
      in.peer = ep.address().to_string();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    auto out = target_.handle(in, base_url_);
    if (out.act == http_out::action::drop)
      return do_close();
    if (out.act == http_out::action::hang)
      return do_hang();
    reply_ = std::move(out);
    if (reply_.delay.count() > 0) {
      timer_.expires_after(reply_.delay);
      timer_.async_wait(beast::bind_front_handler(&session::on_delay,
                                                  this->shared_from_this()));
    } else {
      do_write();
    }
  }

  void on_delay(beast::error_code ec) {
    if (ec || closed_)
      return;
    do_write();
  }

  void do_write() {
    auto res = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(reply_.status), version_);
    res->set(http::field::server, "RouterOS");
    if (!reply_.body.empty() || reply_.status != 204)
      res->set(http::field::content_type, reply_.content_type);
    for (auto& [k, v] : reply_.headers)
      res->set(k, v);
    res->keep_alive(keep_alive_ && !reply_.reboot);
    res->body() = std::move(reply_.body);
    res->prepare_payload();
    lowest().expires_after(std::chrono::seconds(60));
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(),
                       res](beast::error_code ec, std::size_t) {
                        self->on_write(ec, res->keep_alive());
                      });
  }

  void on_write(beast::error_code ec, bool keep_alive) {
    if (reply_.reboot) {
      do_close();
      target_.after_reboot_answer();
      return;
    }
    if (ec || !keep_alive)
      return do_close();
    do_read();
  }

  /// Never answer; wait until the client goes away.
  void do_hang() {
    lowest().expires_never();
    lowest().async_read_some(
      net::buffer(sink_),
      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec)
          return self->do_close();
        self->do_hang();
      });
  }

  void do_close() {
    if (closed_)
      return;
    closed_ = true;
    timer_.cancel();
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
  }

  stream_type stream_;
  net::steady_timer timer_;
  target& target_;
  std::string base_url_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http_out reply_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool closed_ = false;
  std::array<char, 512> sink_{};
};

/// One loopback listener; closes and reopens itself for reboots.
class listener : public std::enable_shared_from_this<listener> {
public:
  listener(net::io_context& ioc, ssl::context* ctx, std::unique_ptr<target> t)
    : ioc_(ioc), ctx_(ctx), acceptor_(net::make_strand(ioc)),
      timer_(acceptor_.get_executor()), target_(std::move(t)) {}

  std::uint16_t open(std::uint16_t port) {
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
    return port_;
  }

  void start() {
    net::dispatch(acceptor_.get_executor(),
                  [self = shared_from_this()] { self->do_accept(); });
  }

  /// Closes the listener and every connection; reopens after `downtime`
  /// and calls `on_up`.
  void go_down(std::chrono::nanoseconds downtime, std::function<void()> on_up) {
    net::post(acceptor_.get_executor(),
              [self = shared_from_this(), downtime, on_up = std::move(on_up)] {
                beast::error_code ec;
                self->acceptor_.close(ec);
                self->close_sessions();
                self->timer_.expires_after(downtime);
                self->timer_.async_wait([self, on_up](beast::error_code ec) {
                  if (ec || self->stopped_)
                    return;
                  self->reopen(on_up);
                });
              });
  }

  /// Closes the listener and its connections (false) or opens it again
  /// (true): the router's REST service switched off and on.
  void set_serving(bool on) {
    net::post(acceptor_.get_executor(), [self = shared_from_this(), on] {
      if (self->stopped_ || self->serving_ == on)
        return;
      self->serving_ = on;
      if (on) {
        self->reopen([] {});
        return;
      }
      beast::error_code ec;
      self->acceptor_.close(ec);
      self->close_sessions();
    });
  }

  void stop() {
    stopped_ = true;
    beast::error_code ec;
    timer_.cancel();
    acceptor_.close(ec);
    close_sessions();
  }

private:
  /// Another socket may hold the port for a while (an outgoing connection
  /// the kernel gave it as its source port while the router was down):
  /// the acceptor is closed again after a failed attempt, so the next one
  /// starts from scratch, every 100 ms until it binds.
  void reopen(const std::function<void()>& on_up) {
    try {
      open(port_);
    } catch (const std::exception& e) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      if (reopen_failures_++ == 0)
        spdlog::warn("reopen-failed port={} error={} (retrying every 100 ms)",
                     port_, e.what());
      timer_.expires_after(std::chrono::milliseconds(100));
      timer_.async_wait(
        [self = shared_from_this(), on_up](beast::error_code ec) {
          if (!ec && !self->stopped_)
            self->reopen(on_up);
        });
      return;
    }
    if (reopen_failures_ > 0)
      spdlog::info("reopened port={} after {} failed attempts", port_,
                   reopen_failures_);
    reopen_failures_ = 0;
    on_up();
    do_accept();
  }

  void do_accept() {
    acceptor_.async_accept(
      net::make_strand(ioc_),
      beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open())
        return;
      return do_accept();
    }
    target_->note_connection();
    auto base = std::string{ctx_ ? "https" : "http"}
                + "://127.0.0.1:" + std::to_string(port_);
    std::shared_ptr<session_base> s;
    if (ctx_) {
      auto tls = std::make_shared<session<true>>(std::move(socket), ctx_,
                                                 *target_, base);
      tls->run();
      s = tls;
    } else {
      auto plain = std::make_shared<session<false>>(std::move(socket), nullptr,
                                                    *target_, base);
      plain->run();
      s = plain;
    }
    {
      std::lock_guard<std::mutex> guard{mu_};
      sessions_.erase(std::remove_if(sessions_.begin(), sessions_.end(),
                                     [](const std::weak_ptr<session_base>& w) {
                                       return w.expired();
                                     }),
                      sessions_.end());
      sessions_.push_back(s);
    }
    do_accept();
  }

  void close_sessions() {
    std::vector<std::weak_ptr<session_base>> all;
    {
      std::lock_guard<std::mutex> guard{mu_};
      all.swap(sessions_);
    }
    for (auto& w : all)
      if (auto s = w.lock())
        s->close();
  }

  net::io_context& ioc_;
  ssl::context* ctx_;
  tcp::acceptor acceptor_;
  net::steady_timer timer_;
  std::unique_ptr<target> target_;
  std::uint16_t port_ = 0;
  /// Failed attempts of the current reopen (on the acceptor's strand).
  int reopen_failures_ = 0;
  std::atomic<bool> stopped_{false};
  /// False while the REST service is switched off (on the strand).
  bool serving_ = true;
  std::mutex mu_;
  std::vector<std::weak_ptr<session_base>> sessions_;
};

struct ticker {
  ticker(net::io_context& ioc, std::chrono::milliseconds p,
         std::function<void()> f)
    : timer(ioc), period(p), fn(std::move(f)) {}
  net::steady_timer timer;
  std::chrono::milliseconds period;
  std::function<void()> fn;
};

void arm(ticker* t) {
  t->timer.expires_after(t->period);
  t->timer.async_wait([t](beast::error_code ec) {
    if (ec)
      return;
    t->fn();
    arm(t);
  });
}

} // namespace

struct http_server::impl {
  std::unique_ptr<ssl::context> tls_ctx;
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work{
    ioc.get_executor()};
  std::vector<std::shared_ptr<listener>> listeners;
  std::vector<std::unique_ptr<ticker>> tickers;
  std::vector<std::thread> threads;
  std::size_t thread_count = 1;
  bool stopped = false;
};

http_server::http_server(std::size_t io_threads, const tls_identity* tls)
  : impl_(std::make_unique<impl>()) {
  impl_->thread_count = io_threads == 0 ? 1 : io_threads;
  if (tls) {
    impl_->tls_ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    impl_->tls_ctx->set_options(ssl::context::default_workarounds
                                | ssl::context::no_sslv2
                                | ssl::context::no_sslv3);
    impl_->tls_ctx->use_certificate_chain(net::buffer(tls->certificate_pem));
    impl_->tls_ctx->use_private_key(net::buffer(tls->private_key_pem),
                                    ssl::context::pem);
  }
}

http_server::~http_server() {
  stop();
}

std::uint16_t http_server::listen_router(
  router& r, std::uint16_t port,
  std::function<std::chrono::milliseconds()> reboot_downtime) {
  auto l = std::make_shared<listener>(
    impl_->ioc, impl_->tls_ctx.get(),
    std::make_unique<router_target>(r, std::move(reboot_downtime)));
  auto bound = l->open(port);
  std::weak_ptr<listener> weak = l;
  r.set_reboot_hook([weak, &r](std::chrono::nanoseconds downtime) {
    if (auto l = weak.lock())
      l->go_down(downtime, [&r] { r.boot(); });
  });
  r.set_rest_hook([weak](bool on) {
    if (auto l = weak.lock())
      l->set_serving(on);
  });
  impl_->listeners.push_back(std::move(l));
  return bound;
}

std::uint16_t http_server::listen_control(control_handler handler,
                                          std::uint16_t port) {
  auto l = std::make_shared<listener>(
    impl_->ioc, nullptr, std::make_unique<control_target>(std::move(handler)));
  auto bound = l->open(port);
  impl_->listeners.push_back(std::move(l));
  return bound;
}

void http_server::every(std::chrono::milliseconds period,
                        std::function<void()> fn) {
  impl_->tickers.push_back(
    std::make_unique<ticker>(impl_->ioc, period, std::move(fn)));
  net::post(impl_->ioc, [t = impl_->tickers.back().get()] { arm(t); });
}

void http_server::start() {
  for (auto& l : impl_->listeners)
    l->start();
  for (std::size_t i = 0; i < impl_->thread_count; ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void http_server::stop() {
  if (!impl_ || impl_->stopped)
    return;
  impl_->stopped = true;
  if (!impl_->threads.empty()) {
    std::promise<void> done;
    net::post(impl_->ioc, [&] {
      for (auto& l : impl_->listeners)
        l->stop();
      for (auto& t : impl_->tickers)
        t->timer.cancel();
      done.set_value();
    });
    done.get_future().wait();
  }
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    t.join();
  impl_->threads.clear();
}

} // namespace rmcp::sim
