#include "tests/support/tcp_relay.hpp"

#include <array>
#include <future>
#include <set>
#include <thread>

#include <boost/asio.hpp>

namespace rmcp::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// One relayed connection: bytes pumped both ways until either side ends.
struct relay_link : std::enable_shared_from_this<relay_link> {
  relay_link(asio::io_context& io, const bool& silent)
    : client(io), server(io), silent(silent) {
    // nop
  }

  tcp::socket client;
  tcp::socket server;
  std::array<char, 16384> up{};
  std::array<char, 16384> down{};
  bool closed = false;
  /// The relay's silence: bytes read are dropped.
  const bool& silent;

  void close() {
    if (closed)
      return;
    closed = true;
    boost::system::error_code ignored;
    client.close(ignored);
    server.close(ignored);
  }

  void pump(tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buf) {
    auto self = shared_from_this();
    from.async_read_some(
      asio::buffer(buf),
      [self, &from, &to, &buf](boost::system::error_code ec, size_t n) {
        if (ec || self->closed) {
          self->close();
          return;
        }
        if (self->silent) {
          self->pump(from, to, buf);
          return;
        }
        asio::async_write(
          to, asio::buffer(buf.data(), n),
          [self, &from, &to, &buf](boost::system::error_code ec, size_t) {
            if (ec || self->closed) {
              self->close();
              return;
            }
            self->pump(from, to, buf);
          });
      });
  }
};

} // namespace

struct tcp_relay::impl {
  explicit impl(uint16_t upstream)
    : upstream_port(upstream), work(asio::make_work_guard(io)),
      acceptor(io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}) {
    port = acceptor.local_endpoint().port();
    accept();
    thread = std::thread{[this] { io.run(); }};
  }

  ~impl() {
    run_here([this] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      close_all();
    });
    work.reset();
    io.stop();
    thread.join();
  }

  void accept() {
    acceptor.async_accept(
      [this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted)
          return;
        if (!ec && !cut) {
          auto l = std::make_shared<relay_link>(io, silent);
          l->client = std::move(socket);
          links.insert(l);
          tcp::endpoint to{asio::ip::make_address("127.0.0.1"), upstream_port};
          l->server.async_connect(to, [this, l](boost::system::error_code ec) {
            if (ec || l->closed) {
              l->close();
              links.erase(l);
              return;
            }
            l->pump(l->client, l->server, l->up);
            l->pump(l->server, l->client, l->down);
          });
        } else if (!ec) {
          boost::system::error_code ignored;
          socket.close(ignored);
        }
        prune();
        accept();
      });
  }

  void prune() {
    for (auto i = links.begin(); i != links.end();)
      i = (*i)->closed ? links.erase(i) : std::next(i);
  }

  void close_all() {
    for (auto& l : links)
      l->close();
    links.clear();
  }

  /// Runs `f` on the I/O thread and waits for it.
  template <class F>
  void run_here(F f) {
    std::promise<void> done;
    asio::post(io, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  uint16_t upstream_port;
  uint16_t port = 0;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  tcp::acceptor acceptor;
  std::set<std::shared_ptr<relay_link>> links;
  bool cut = false;
  bool silent = false;
  std::thread thread;
};

tcp_relay::tcp_relay(uint16_t upstream_port)
  : impl_(std::make_unique<impl>(upstream_port)) {
  // nop
}

tcp_relay::~tcp_relay() = default;

uint16_t tcp_relay::port() const noexcept {
  return impl_->port;
}

void tcp_relay::cut() {
  impl_->run_here([this] {
    impl_->cut = true;
    impl_->close_all();
  });
}

void tcp_relay::heal() {
  impl_->run_here([this] { impl_->cut = false; });
}

void tcp_relay::silence() {
  impl_->run_here([this] { impl_->silent = true; });
}

} // namespace rmcp::test
