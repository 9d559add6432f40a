#pragma once

// The runtime: builds the actor system and the long-lived actors (notifier,
// store, fleet) from the server options, hands sessions what they need, and
// tears everything down in order. Transports (serve_stdio.cpp,
// serve_http.cpp) run on top of it.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/expected.hpp>
#include <caf/io/middleman_actor.hpp>

#include "actors/fleet.hpp"
#include "actors/mcp_session.hpp"
#include "actors/membership.hpp"
#include "actors/services.hpp"
#include "actors/tool_registry.hpp"
#include "src/config/server_options.hpp"

namespace rmcp::storage {
class kv_store;
} // namespace rmcp::storage

namespace rmcp::routeros {
class io_runtime;
class ssh_workers;
} // namespace rmcp::routeros

namespace rmcp::app {

/// Registers our message types and error category and sizes the scheduler.
void configure(caf::actor_system_config& cfg,
               const config::server_options& opts);

/// The frozen tool catalog, offering the tools of `toolsets` (the syntax
/// of server.toolsets; tests build it whole).
caf::expected<std::shared_ptr<const tool_registry>>
build_tools(const std::string& toolsets = "all");

/// The frozen resource templates.
caf::expected<std::shared_ptr<const resource_registry>> build_resources();

/// The frozen prompts.
caf::expected<std::shared_ptr<const prompt_registry>> build_prompts();

/// The `instructions` text sent at initialize.
std::string instructions_text();

/// The options' session settings with the instructions text.
session_settings make_session_settings(const config::server_options& opts);

/// The options' fleet settings (device actors' policy inside) with the
/// service environment.
fleet_settings make_fleet_settings(const config::server_options& opts);

/// Blocks SIGINT and SIGTERM in the calling thread (and so in every thread
/// started afterwards); the runtime polls for them. Ignores SIGPIPE.
void block_shutdown_signals();

/// Returns a pending SIGINT/SIGTERM (consuming it) or 0.
int take_shutdown_signal();

class runtime {
public:
  explicit runtime(config::server_options opts);
  ~runtime();

  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Builds the tool catalog and starts the long-lived actors. On error the
  /// runtime is unusable and the caller exits with code 1.
  caf::error start(std::string transports);

  caf::actor_system& system() noexcept {
    return *sys_;
  }

  const config::server_options& options() const noexcept {
    return opts_;
  }

  services_ptr svc() const noexcept {
    return svc_;
  }

  /// The store's table layer (HTTP API token checks); null before start.
  std::shared_ptr<storage::kv_store> kv() const noexcept {
    return kv_;
  }

  /// The REST clients' I/O threads (also the stdio transport's reader).
  routeros::io_runtime& io() noexcept {
    return *io_;
  }

  /// What a new session for `who` needs.
  session_context session_for(identity who) const;

  /// Polls for shutdown signals until `done()` returns true. The first
  /// signal calls `on_signal(sig)` (start draining); a second one exits the
  /// process with code 1.
  void wait(const std::function<bool()>& done,
            const std::function<void(int)>& on_signal);

  /// Stops the long-lived actors (after the transports are done).
  void stop();

private:
  config::server_options opts_;
  /// Network threads of the REST clients; declared before the actor system
  /// so that it outlives the device actors that use it.
  std::shared_ptr<routeros::io_runtime> io_;
  /// Worker threads of the SSH clients (devices of transport ssh or auto);
  /// outlives the device actors for the same reason.
  std::shared_ptr<routeros::ssh_workers> ssh_;
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::shared_ptr<services> svc_;
  /// Builds the REST clients of the device actors.
  rest_client_factory_ptr rest_factory_;
  std::shared_ptr<const resource_registry> resources_;
  std::shared_ptr<const prompt_registry> prompts_;
  std::shared_ptr<storage::kv_store> kv_;
  /// The static cluster membership (cluster mode with cluster.members).
  caf::actor membership_;
  /// Cluster TLS only: makes and accepts the middleman's connections.
  caf::io::middleman_actor tls_middleman_;
  /// Shared store only: the rollout claimer and the membership's lease.
  caf::actor claims_;
  lease_cell lease_;
  bool stopped_ = false;
};

/// What `serve` is asked beyond the options (command line flags).
struct serve_extras {
  /// Non-empty: once serving, print a one-time login link of the web
  /// console for this subject on stderr (src/app/login_link.hpp).
  std::string login_as;
  /// The role of that identity.
  std::string login_role = "approver";
};

/// Serves MCP over stdin/stdout until stdin closes or a signal arrives.
/// Returns the process exit code.
int serve_stdio(const config::server_options& opts,
                const serve_extras& extras = {});

/// Serves MCP over HTTP (`http.*` keys) until a signal arrives; sessions
/// drain before the process exits. Returns the process exit code.
int serve_http(const config::server_options& opts,
               const serve_extras& extras = {});

/// Parses `http.listen` ("127.0.0.1:8080", "[::1]:0"); errors name `key`.
caf::error parse_listen(const std::string& text, std::string& address,
                        uint16_t& port, const std::string& key = "http.listen");

} // namespace rmcp::app
