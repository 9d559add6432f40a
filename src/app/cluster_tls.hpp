#pragma once

// TLS between the nodes of a cluster (`cluster.tls.{ca,cert,key}`): CAF's
// openssl sessions (`caf_openssl`) carry the middleman's connections, made
// and accepted by src/app/cluster_tls_transport.hpp, with mutual
// authentication against the cluster CA. These checks run before
// the actor system starts, so a wrong file is refused with the key to fix
// instead of as a handshake that fails later on every connection.

#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>

#include "src/config/server_options.hpp"

namespace rmcp::app {

/// True when any `cluster.tls.*` key is set (check_cluster_tls then
/// requires all three).
bool cluster_tls(const config::server_options& opts);

/// Checks the three files: each readable PEM, the key matches the
/// certificate, and the CA signed the certificate (which is valid now).
/// The error names the key and what is wrong.
caf::error check_cluster_tls(const config::server_options& opts);

/// Loads the openssl module over the middleman with the node's
/// certificate, key and CA (every connection then presents the
/// certificate and verifies the peer's).
void configure_cluster_tls(caf::actor_system_config& cfg,
                           const config::server_options& opts);

} // namespace rmcp::app
