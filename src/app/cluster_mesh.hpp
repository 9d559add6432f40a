#pragma once

// Cluster mode of the runtime (`cluster.*` keys): the middleman that
// carries fleet and device messages between nodes, the fleet published on
// it, and the static membership of `cluster.members` (the dynamic one, in
// etcd, is src/app/cluster_setup.hpp).

#include <chrono>
#include <cstdint>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/expected.hpp>
#include <caf/io/middleman_actor.hpp>

#include "protocol/cluster.hpp"
#include "protocol/fleet_actors.hpp"
#include "src/config/server_options.hpp"

namespace rmcp::app {

/// True when `cluster.node_id` is set.
bool cluster_mode(const config::server_options& opts);

/// Loads the middleman in cluster mode (before the actor system starts).
void configure_cluster(caf::actor_system_config& cfg,
                       const config::server_options& opts);

/// Loads CAF's middleman with heartbeats every fifth of `peer_timeout`: a
/// member connection on which nothing arrived for `peer_timeout` is closed
/// as lost, like one its peer closed (`cluster.peer_timeout`).
void configure_middleman(caf::actor_system_config& cfg,
                         std::chrono::milliseconds peer_timeout);

/// Parses `cluster.members` ("id@host:port,..."): a view (revision 0)
/// sorted by node id. An error names the bad entry.
caf::expected<cluster_view> parse_members(const std::string& text);

/// Checks the cluster keys: the node id's pattern, `cluster.listen`, one
/// source of members (`cluster.etcd` or `cluster.members`), and that a
/// static `cluster.members` parses and names this node. An error names the
/// key.
caf::error check_cluster_options(const config::server_options& opts);

/// Publishes `fleet` on the middleman at `cluster.listen`; the bound port.
/// With cluster TLS through `tls` (src/app/cluster_tls_transport.hpp),
/// whose listener is the only one: a plain one would take peers without a
/// certificate.
caf::expected<uint16_t> publish_fleet(caf::actor_system& sys,
                                      const fleet_actor& fleet,
                                      const config::server_options& opts,
                                      const caf::io::middleman_actor& tls);

} // namespace rmcp::app
