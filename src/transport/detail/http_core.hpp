#pragma once

// Shared between the listener (http_server.cpp) and the connection
// translation units (http_connection_plain.cpp, http_connection_tls.cpp).
// Private to src/transport.

#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "src/transport/http_server.hpp"

namespace rmcp::transport::detail {

/// What a connection can be asked to do from outside its strand.
class connection_base {
public:
  virtual ~connection_base() = default;
  /// Closes the connection (posted to its strand).
  virtual void shutdown() = 0;
};

/// State shared by the listener and all connections. It owns the
/// io_context, so a connection (or a channel an actor still holds after the
/// server stopped) can always post to it: the io_context goes away only
/// with the last connection.
struct http_core {
  boost::asio::io_context ioc;
  http_server_settings settings;
  route_handler handler;
  std::shared_ptr<rmcp::metrics> metrics;
  std::unique_ptr<boost::asio::ssl::context> tls;

  std::mutex mtx;
  std::vector<std::weak_ptr<connection_base>> connections;
  bool stopping = false;

  /// Tracks a connection; false when the server is stopping.
  bool track(const std::shared_ptr<connection_base>& conn);
  /// Number of live connections (prunes dead entries).
  size_t live();
};

void start_plain_connection(boost::asio::ip::tcp::socket&& socket,
                            std::shared_ptr<http_core> core);

void start_tls_connection(boost::asio::ip::tcp::socket&& socket,
                          std::shared_ptr<http_core> core);

} // namespace rmcp::transport::detail
