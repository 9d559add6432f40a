#pragma once

// The middleman actor that makes and accepts the cluster's TLS connections
// (`cluster.tls.*`). It is CAF's own openssl transport (libcaf_openssl,
// Debian's CAF 0.17.6: its sessions, certificates and verification) with
// one change: the thread's OpenSSL error queue is emptied before every TLS
// call, as OpenSSL requires. CAF's module empties it only inside log
// statements, which Debian's build compiles out, so after one failed
// handshake (a peer of another CA, a port scan) the stale error made the
// next "would block" on any other connection of the I/O thread read as a
// failure, and CAF closed that healthy connection: the messages under way
// on it were lost without an error. Connections and the listener both go
// through this actor; the openssl manager must be loaded (it holds the
// certificate, key and CA the sessions use).

#include <cstdint>
#include <set>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/io/middleman_actor.hpp>

namespace rmcp::app {

/// Spawns the actor (detached: a connect blocks in `connect(2)`). Answers
/// the middleman actor's protocol (`connect_atom`, `publish_atom`, ...).
/// Stop it with `caf::exit_reason::kill` when the node stops: it ignores
/// every other exit.
caf::io::middleman_actor spawn_cluster_tls_middleman(caf::actor_system& sys);

/// Publishes `whom` (its interface `sigs`) on `host:port` through `mm`,
/// with SO_REUSEADDR; the port bound.
caf::expected<uint16_t> publish_tls(const caf::io::middleman_actor& mm,
                                    caf::strong_actor_ptr whom,
                                    std::set<std::string> sigs, uint16_t port,
                                    const std::string& host);

} // namespace rmcp::app
