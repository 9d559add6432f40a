#pragma once

// One cluster node in a test process: an actor system with its middleman
// on loopback (real scheduler threads, real TCP). Two of them in one
// process get different node ids and talk as two daemons would.

#include <chrono>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>

#include "protocol/caf_setup.hpp"
#include "src/app/cluster_mesh.hpp"

namespace rmcp::test {

/// Deadline of every wait in the cluster tests.
inline constexpr auto mesh_timeout = std::chrono::seconds{10};

struct mesh_node {
  /// `peer_timeout` zero: no heartbeats (CAF's default), else the daemon's
  /// (`cluster.peer_timeout`).
  explicit mesh_node(std::chrono::milliseconds peer_timeout = {}) {
    add_rmcp_types(cfg);
    if (peer_timeout.count() > 0)
      app::configure_middleman(cfg, peer_timeout);
    else
      cfg.load<caf::io::middleman>();
    cfg.set("scheduler.max-threads", size_t{2});
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
};

} // namespace rmcp::test
