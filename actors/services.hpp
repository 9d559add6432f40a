#pragma once

// Handles and settings shared by sessions and tool calls.
//
// Built once by the runtime (src/app) before the first session starts and
// never mutated afterwards, so it is shared as `shared_ptr<const services>`
// without locking.

#include <chrono>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/cluster_links.hpp"
#include "actors/rollout.hpp"
#include "protocol/cluster_actors.hpp"
#include "protocol/fleet_actors.hpp"
#include "protocol/mcp_actors.hpp"
#include "protocol/plan_actors.hpp"

namespace rmcp {

class metrics;
class tool_registry;

struct services {
  /// The actor system everything runs in (for status reporting).
  caf::actor_system* system = nullptr;
  /// The service environment: lab, staging or prod.
  std::string environment = "lab";
  /// When the runtime started (for uptime).
  std::chrono::system_clock::time_point started_at =
    std::chrono::system_clock::now();
  std::chrono::steady_clock::time_point started_steady =
    std::chrono::steady_clock::now();
  /// Transports this node serves ("stdio", "http").
  std::string transports;
  /// Registry of live sessions.
  notifier_actor notifier;
  /// The frozen tool catalog.
  std::shared_ptr<const tool_registry> tools;
  /// The persistent store (null until the store is configured).
  store_actor store;
  /// Supervisor and directory of the device actors.
  fleet_actor fleet;
  /// The plan tables (null until the store is configured).
  plan_store_actor plans;
  /// Holds the rollout coordinators (null without plans).
  rollout_manager_actor rollouts;
  /// Plan defaults (batch size, pause, management devices) and rollout
  /// policy.
  rollout_settings rollout;
  /// This node's etcd membership (null for a single node and for a static
  /// membership): while it says the node is out of the cluster, sessions
  /// refuse calls that change anything.
  membership_actor membership;
  /// This node's connections to the other members (cluster mode only).
  std::shared_ptr<const cluster_links> links;
  /// Prometheus families (thread-safe; null in tests that do not care).
  std::shared_ptr<rmcp::metrics> metrics;
  /// Audit records of reads (`audit.read_flush_interval`,
  /// `audit.read_batch`): a session holds them back while its other calls
  /// run and hands them to the store together, at the latest this long
  /// after the first ...
  std::chrono::milliseconds audit_read_flush_interval{50};
  /// ... or when this many wait.
  size_t audit_read_batch = 256;
};

using services_ptr = std::shared_ptr<const services>;

} // namespace rmcp
