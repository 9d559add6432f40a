#pragma once

// The HTTP(S) side of the simulator (Boost.Beast, server-flex style): one
// loopback listener per router plus the control listener, HTTP/1.1
// keep-alive, a strand per connection, fault actions (delay, drop, hang),
// reboot (listener closed for a while, then reopened on the same port).
// Beast stays inside server.cpp; this header is plain C++.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sim/router.hpp"
#include "sim/tls.hpp"

namespace rmcp::sim {

/// Handler of the control endpoint: (method, target, body) -> (status, JSON).
using control_handler = std::function<std::pair<unsigned, std::string>(
  const std::string&, const std::string&, const std::string&)>;

class http_server {
public:
  /// @param tls identity for HTTPS on the router listeners (null: plain).
  http_server(std::size_t io_threads, const tls_identity* tls);
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Listens on 127.0.0.1:`port` (0 = ephemeral) for `r`; returns the
  /// bound port. Throws std::system_error when the port cannot be bound.
  std::uint16_t
  listen_router(router& r, std::uint16_t port,
                std::function<std::chrono::milliseconds()> reboot_downtime);
  /// Plain-HTTP control listener.
  std::uint16_t listen_control(control_handler handler, std::uint16_t port);
  /// Calls `fn` every `period` on an io thread.
  void every(std::chrono::milliseconds period, std::function<void()> fn);

  void start();
  /// Closes listeners and connections and joins the io threads.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace rmcp::sim
