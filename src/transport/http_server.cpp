#include "src/transport/http_server.hpp"

#include <algorithm>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "src/transport/detail/http_core.hpp"

namespace rmcp::transport {

namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string endpoint_label(const std::string& path) {
  if (path == "/mcp")
    return "mcp";
  if (path == "/sse")
    return "sse";
  if (path == "/messages")
    return "messages";
  if (path == "/health" || path.rfind("/health/", 0) == 0)
    return "health";
  if (path == "/metrics")
    return "metrics";
  if (path == "/ui" || path.rfind("/ui/", 0) == 0)
    return "ui";
  return "other";
}

namespace detail {

bool http_core::track(const std::shared_ptr<connection_base>& conn) {
  std::lock_guard<std::mutex> guard{mtx};
  if (stopping)
    return false;
  if (connections.size() > 64) {
    connections.erase(std::remove_if(connections.begin(), connections.end(),
                                     [](auto& w) { return w.expired(); }),
                      connections.end());
  }
  connections.push_back(conn);
  return true;
}

size_t http_core::live() {
  std::lock_guard<std::mutex> guard{mtx};
  size_t n = 0;
  for (auto& w : connections)
    n += w.expired() ? 0 : 1;
  return n;
}

} // namespace detail

namespace {

/// The routes behind one catch: an exception thrown while handling a request
/// is logged once with its route and answered 500 (when nothing was answered
/// yet) instead of leaving the I/O thread.
route_handler guard_routes(route_handler handler) {
  return [handler = std::move(handler)](http_request&& req, channel_ptr ch) {
    auto method = req.method;
    auto path = req.path;
    try {
      handler(std::move(req), ch);
    } catch (const std::exception& e) {
      log::error(log::http(), "http-route-exception",
                 {{"method", method}, {"path", path}, {"what", e.what()}});
      ch->respond_json(500, error_body(ec::internal_error,
                                       "the server failed on this request"));
    }
  };
}

/// Runs the I/O loop; an exception out of a completion handler is logged
/// and the loop goes on.
void run_io(net::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      log::error(log::http(), "http-io-exception", {{"what", e.what()}});
    }
  }
}

} // namespace

struct http_server::impl {
  // Declared first: destroyed after the acceptor and the work guard.
  std::shared_ptr<detail::http_core> core;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  uint16_t port = 0;

  void do_accept() {
    acceptor->async_accept(
      net::make_strand(core->ioc),
      [this](boost::system::error_code ec, tcp::socket socket) {
        if (ec) {
          if (ec != net::error::operation_aborted) {
            log::warn(log::http(), "http-accept-failed",
                      {{"error", ec.message()}});
            if (acceptor && acceptor->is_open())
              do_accept();
          }
          return;
        }
        if (core->tls)
          detail::start_tls_connection(std::move(socket), core);
        else
          detail::start_plain_connection(std::move(socket), core);
        do_accept();
      });
  }
};

http_server::http_server(http_server_settings settings, route_handler handler,
                         std::shared_ptr<rmcp::metrics> metrics)
  : impl_(std::make_unique<impl>()) {
  impl_->core = std::make_shared<detail::http_core>();
  impl_->core->settings = std::move(settings);
  impl_->core->handler = guard_routes(std::move(handler));
  impl_->core->metrics = std::move(metrics);
}

http_server::~http_server() {
  stop();
}

caf::error http_server::start() {
  auto& s = impl_->core->settings;
  auto where = s.address + ":" + std::to_string(s.port);
  boost::system::error_code ec;
  if (!s.tls_cert_file.empty() || !s.tls_key_file.empty()) {
    if (s.tls_cert_file.empty() || s.tls_key_file.empty())
      return make_error(ec::invalid_params,
                        "HTTPS needs both http.tls_cert_file and "
                        "http.tls_key_file");
    auto ctx =
      std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    ctx->set_options(net::ssl::context::default_workarounds
                     | net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3
                     | net::ssl::context::no_tlsv1
                     | net::ssl::context::no_tlsv1_1);
    ctx->use_certificate_chain_file(s.tls_cert_file, ec);
    if (ec)
      return make_error(ec::invalid_params,
                        "http.tls_cert_file " + s.tls_cert_file
                          + ": cannot load the certificate chain ("
                          + ec.message() + ")");
    ctx->use_private_key_file(s.tls_key_file, net::ssl::context::pem, ec);
    if (ec)
      return make_error(ec::invalid_params,
                        "http.tls_key_file " + s.tls_key_file
                          + ": cannot load the private key (" + ec.message()
                          + ")");
    impl_->core->tls = std::move(ctx);
  }
  auto address = net::ip::make_address(s.address, ec);
  if (ec)
    return make_error(ec::invalid_params,
                      "http.listen: '" + s.address
                        + "' is not an IP address (use 127.0.0.1, ::1 or "
                          "0.0.0.0)");
  tcp::endpoint endpoint{address, s.port};
  // Its own strand: the accept handler and stop_accepting's close never
  // run at once on the I/O threads.
  auto& acc = impl_->acceptor.emplace(net::make_strand(impl_->core->ioc));
  acc.open(endpoint.protocol(), ec);
  if (!ec)
    acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    acc.bind(endpoint, ec);
  if (!ec)
    acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_->acceptor.reset();
    return make_error(ec::internal_error,
                      "cannot listen on " + where + ": " + ec.message());
  }
  impl_->port = acc.local_endpoint().port();
  impl_->do_accept();
  impl_->work.emplace(impl_->core->ioc.get_executor());
  auto n = std::max<size_t>(1, s.io_threads);
  for (size_t i = 0; i < n; ++i)
    impl_->threads.emplace_back([core = impl_->core] { run_io(core->ioc); });
  return caf::none;
}

uint16_t http_server::port() const {
  return impl_->port;
}

bool http_server::tls() const {
  return impl_->core->tls != nullptr;
}

void http_server::stop_accepting() {
  if (!impl_->acceptor)
    return;
  // On the acceptor's strand, like its accept handler: the I/O threads
  // would otherwise close it while another runs the handler, or close it
  // twice at once (stop() calls this again after a drain did).
  net::post(impl_->acceptor->get_executor(), [this] {
    if (impl_->acceptor && impl_->acceptor->is_open()) {
      boost::system::error_code ignored;
      impl_->acceptor->close(ignored);
    }
  });
}

void http_server::stop() {
  if (impl_->threads.empty())
    return;
  stop_accepting();
  std::vector<std::shared_ptr<detail::connection_base>> open;
  {
    std::lock_guard<std::mutex> guard{impl_->core->mtx};
    impl_->core->stopping = true;
    for (auto& w : impl_->core->connections)
      if (auto c = w.lock())
        open.push_back(std::move(c));
    impl_->core->connections.clear();
  }
  for (auto& c : open)
    c->shutdown();
  open.clear();
  impl_->work.reset();
  for (auto& t : impl_->threads)
    t.join();
  impl_->threads.clear();
}

size_t http_server::connections() const {
  return impl_->core->live();
}

} // namespace rmcp::transport
