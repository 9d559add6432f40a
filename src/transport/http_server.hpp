#pragma once

// The HTTP listener of routeros-mcp (Boost.Beast, server-flex style): one
// acceptor, a strand per connection, HTTP/1.1 keep-alive, a body limit and
// an idle timeout per request, optional TLS. Beast stays in
// http_server.cpp and http_connection_*.cpp; this header is plain C++.
//
// Every parsed request goes to one route handler together with the channel
// that answers it (src/transport/http_channel.hpp); the handler never
// blocks: it answers at once or hands the channel to an actor. An exception
// it throws is logged with the route and answered 500; none leaves an I/O
// thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "src/transport/http_channel.hpp"
#include "src/transport/http_message.hpp"

namespace rmcp {
class metrics;
} // namespace rmcp

namespace rmcp::transport {

struct http_server_settings {
  /// Address to bind ("127.0.0.1", "::1", "0.0.0.0").
  std::string address = "127.0.0.1";
  /// 0 = ephemeral (see http_server::port()).
  uint16_t port = 8080;
  /// I/O threads running the connections.
  size_t io_threads = 2;
  /// Larger request bodies are answered 413.
  size_t body_limit = 4 * 1024 * 1024;
  /// How long a connection may take to send a request (and how long an
  /// idle keep-alive connection stays open).
  std::chrono::milliseconds idle_timeout{60000};
  /// Deadline of one write.
  std::chrono::milliseconds write_timeout{30000};
  /// PEM files; both set = HTTPS only.
  std::string tls_cert_file;
  std::string tls_key_file;
};

using route_handler = std::function<void(http_request&&, channel_ptr)>;

/// The fixed endpoint label of a path for the metrics.
std::string endpoint_label(const std::string& path);

class http_server {
public:
  http_server(http_server_settings settings, route_handler handler,
              std::shared_ptr<rmcp::metrics> metrics);
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds, listens and starts the I/O threads; fails with a message
  /// naming the address (bad address, port in use, unreadable TLS files).
  caf::error start();

  /// The bound port (after start).
  uint16_t port() const;

  /// True when serving HTTPS.
  bool tls() const;

  /// Stops accepting new connections; open ones keep working.
  void stop_accepting();

  /// Closes every connection and joins the I/O threads.
  void stop();

  /// Open connections (for tests and logs).
  size_t connections() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace rmcp::transport
