#include "src/app/cluster_tls_transport.hpp"

#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <utility>

#include <caf/detail/socket_guard.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor_impl.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/io/network/doorman_impl.hpp>
#include <caf/io/network/native_socket.hpp>
#include <caf/io/network/stream_impl.hpp>
#include <caf/openssl/session.hpp>
#include <caf/scoped_actor.hpp>
#include <openssl/err.h>

// The scribe, doorman and actor below follow CAF 0.17.6's
// libcaf_openssl/src/openssl/middleman_actor.cpp (BSD-3-Clause), whose
// classes are not exported; what differs is `tls_policy`.

namespace rmcp::app {

namespace {

namespace net = caf::io::network;
using net::native_socket;
using net::rw_state;

/// CAF's openssl policy, each TLS call after ERR_clear_error(): a call
/// that would block must not read as failed because of another
/// connection's stale error.
class tls_policy {
public:
  explicit tls_policy(caf::openssl::session_ptr session)
    : session_(std::move(session)) {
    // nop
  }

  rw_state read_some(size_t& result, native_socket fd, void* buf, size_t len) {
    ERR_clear_error();
    return session_->read_some(result, fd, buf, len);
  }

  rw_state write_some(size_t& result, native_socket fd, const void* buf,
                      size_t len) {
    ERR_clear_error();
    return session_->write_some(result, fd, buf, len);
  }

  bool try_accept(native_socket& result, native_socket fd) {
    sockaddr_storage addr;
    std::memset(&addr, 0, sizeof(addr));
    net::socket_size_type addrlen = sizeof(addr);
    result = ::accept(fd, reinterpret_cast<sockaddr*>(&addr), &addrlen);
    if (result == net::invalid_native_socket)
      return false;
    net::child_process_inherit(result, false);
    ERR_clear_error();
    return session_->try_accept(result);
  }

  bool must_read_more(native_socket fd, size_t threshold) {
    return session_->must_read_more(fd, threshold);
  }

private:
  caf::openssl::session_ptr session_;
};

class tls_scribe : public caf::io::scribe {
public:
  tls_scribe(net::default_multiplexer& mpx, native_socket fd,
             caf::openssl::session_ptr session)
    : caf::io::scribe(net::conn_hdl_from_socket(fd)),
      stream_(mpx, fd, std::move(session)) {
    // nop
  }

  void configure_read(caf::io::receive_policy::config config) override {
    stream_.configure_read(config);
    if (!launched_)
      launch();
  }

  void ack_writes(bool enable) override {
    stream_.ack_writes(enable);
  }

  std::vector<char>& wr_buf() override {
    return stream_.wr_buf();
  }

  std::vector<char>& rd_buf() override {
    return stream_.rd_buf();
  }

  void graceful_shutdown() override {
    stream_.graceful_shutdown();
    detach(&stream_.backend(), false);
  }

  void flush() override {
    stream_.flush(this);
  }

  std::string addr() const override {
    auto x = net::remote_addr_of_fd(stream_.fd());
    return x ? *x : std::string{};
  }

  uint16_t port() const override {
    auto x = net::remote_port_of_fd(stream_.fd());
    return x ? *x : 0;
  }

  void add_to_loop() override {
    stream_.activate(this);
  }

  void remove_from_loop() override {
    stream_.passivate();
  }

private:
  void launch() {
    launched_ = true;
    stream_.start(this);
    // Schedules the scribe while the handshake still needs SSL_connect or
    // SSL_accept; otherwise the first write finds nothing to do.
    stream_.force_empty_write(this);
  }

  bool launched_ = false;
  net::stream_impl<tls_policy> stream_;
};

class tls_doorman : public net::doorman_impl {
public:
  tls_doorman(net::default_multiplexer& mpx, native_socket fd)
    : net::doorman_impl(mpx, fd) {
    // nop
  }

  bool new_connection() override {
    // The broker may have let go of this doorman while the multiplexer
    // still had its socket in the poll set.
    if (detached())
      return false;
    auto& mpx = acceptor_.backend();
    auto fd = acceptor_.accepted_socket();
    caf::detail::socket_guard guard{fd};
    net::nonblocking(fd, true);
    ERR_clear_error();
    auto session = caf::openssl::make_session(parent()->system(), fd, true);
    if (session == nullptr)
      return false;
    auto scribe = caf::make_counted<tls_scribe>(mpx, fd, std::move(session));
    guard.release();
    auto hdl = scribe->hdl();
    parent()->add_scribe(std::move(scribe));
    return doorman::new_connection(&mpx, hdl);
  }
};

class tls_middleman_actor : public caf::io::middleman_actor_impl {
public:
  tls_middleman_actor(caf::actor_config& cfg, caf::actor broker)
    : caf::io::middleman_actor_impl(cfg, std::move(broker)) {
    // nop
  }

  const char* name() const override {
    return "rmcp.cluster_tls_middleman";
  }

protected:
  caf::expected<caf::io::scribe_ptr> connect(const std::string& host,
                                             uint16_t port) override {
    auto fd = net::new_tcp_connection(host, port);
    if (!fd)
      return std::move(fd.error());
    net::nonblocking(*fd, true);
    ERR_clear_error();
    auto session = caf::openssl::make_session(system(), *fd, false);
    if (!session) {
      // make_session does not close the socket it could not use.
      caf::detail::socket_guard guard{*fd};
      return caf::make_error(caf::sec::cannot_connect_to_node);
    }
    return caf::make_counted<tls_scribe>(mpx(), *fd, std::move(session));
  }

  caf::expected<caf::io::doorman_ptr> open(uint16_t port, const char* addr,
                                           bool reuse) override {
    auto fd = net::new_tcp_acceptor_impl(port, addr, reuse);
    if (!fd)
      return std::move(fd.error());
    return caf::make_counted<tls_doorman>(mpx(), *fd);
  }

private:
  net::default_multiplexer& mpx() {
    return static_cast<net::default_multiplexer&>(
      system().middleman().backend());
  }
};

} // namespace

caf::io::middleman_actor spawn_cluster_tls_middleman(caf::actor_system& sys) {
  auto broker =
    sys.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  return sys.spawn<tls_middleman_actor, caf::detached + caf::hidden>(
    std::move(broker));
}

caf::expected<uint16_t> publish_tls(const caf::io::middleman_actor& mm,
                                    caf::strong_actor_ptr whom,
                                    std::set<std::string> sigs, uint16_t port,
                                    const std::string& host) {
  caf::scoped_actor self{mm->home_system()};
  caf::expected<uint16_t> out{caf::make_error(caf::sec::request_timeout)};
  self
    ->request(mm, std::chrono::seconds{10}, caf::publish_atom::value, port,
              std::move(whom), std::move(sigs), host, true)
    .receive([&](uint16_t bound) { out = bound; },
             [&](caf::error& err) { out = std::move(err); });
  return out;
}

} // namespace rmcp::app
