#pragma once

// The HTTP side of the daemon assembled from the options: the listener,
// the MCP routes and the operational endpoints over one running runtime.
// `serve_http` runs it until a signal; tests run it in-process.

#include <cstdint>
#include <memory>

#include <caf/error.hpp>

#include "src/app/runtime.hpp"

namespace rmcp::transport {
class http_server;
class mcp_http;
} // namespace rmcp::transport

namespace rmcp::console {
class console_http;
} // namespace rmcp::console

namespace rmcp::app {

class http_frontend {
public:
  /// @pre `rt` is started and outlives this object.
  explicit http_frontend(runtime& rt);
  ~http_frontend();

  http_frontend(const http_frontend&) = delete;
  http_frontend& operator=(const http_frontend&) = delete;

  /// Binds and starts serving; fails naming the address or the bad key.
  caf::error start();

  uint16_t port() const;
  bool tls() const;

  /// Stops accepting connections and ends every session (they drain).
  void begin_drain();

  /// Sessions still running.
  size_t sessions() const;

  /// The web console served at /ui (shared with the metrics listener).
  std::shared_ptr<console::console_http> console() const {
    return console_;
  }

  /// Closes every connection and joins the I/O threads.
  void stop();

private:
  runtime& rt_;
  std::shared_ptr<transport::mcp_http> mcp_;
  std::shared_ptr<console::console_http> console_;
  std::unique_ptr<transport::http_server> server_;
  caf::error setup_error_;
};

} // namespace rmcp::app
