#pragma once

// The metrics listener (`metrics.listen`): /metrics, /health, /health/live
// and /health/ready (src/app/ops_http.hpp) on a listener of their own, so
// that a daemon serving MCP over stdio is scraped and probed like one
// serving HTTP. It reuses the HTTP server of the MCP transport and the
// same route handler, plus the web console at /ui (src/console/, with
// the same authentication as the API); nothing else is served on it.
// /metrics names devices, so it keeps the DNS-rebinding guard: the Host
// must be a loopback name, the bind address or one of
// `http.allowed_hosts`.

#include <cstdint>
#include <memory>

#include <caf/error.hpp>

#include "actors/services.hpp"
#include "src/config/server_options.hpp"
#include "src/console/console_http.hpp"
#include "storage/kv.hpp"

namespace rmcp::transport {
class http_server;
} // namespace rmcp::transport

namespace rmcp::app {

class metrics_listener {
public:
  /// `console`: the console of the HTTP listener, shared (the same login
  /// sessions); null: one of its own, authenticated like the API (`kv`
  /// holds the API tokens).
  metrics_listener(services_ptr svc, const config::server_options& opts,
                   std::shared_ptr<storage::kv_store> kv,
                   std::shared_ptr<console::console_http> console = nullptr);
  ~metrics_listener();

  metrics_listener(const metrics_listener&) = delete;
  metrics_listener& operator=(const metrics_listener&) = delete;

  /// Binds and serves when `metrics.listen` is set (and logs
  /// `metrics-listening` with the port); fails naming the key.
  caf::error start();

  /// True once serving.
  bool running() const noexcept {
    return server_ != nullptr;
  }

  /// The bound port (0 when not serving).
  uint16_t port() const;

  /// The bind address of `metrics.listen` (empty when not serving).
  const std::string& address() const noexcept {
    return address_;
  }

  /// The console served here (null: none, e.g. off loopback without
  /// authentication).
  const std::shared_ptr<console::console_http>& console() const noexcept {
    return console_;
  }

  /// Closes every connection and joins the I/O threads.
  void stop();

private:
  services_ptr svc_;
  const config::server_options& opts_;
  std::shared_ptr<storage::kv_store> kv_;
  std::shared_ptr<console::console_http> console_;
  std::unique_ptr<transport::http_server> server_;
  std::string address_;
};

} // namespace rmcp::app
