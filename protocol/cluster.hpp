#pragma once

// Cluster vocabulary: the live members as a node sees them, and the
// deterministic owner of a device among them (rendezvous hashing). Plain
// data with `inspect`, so a view can travel in messages between nodes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace rmcp {

/// One node of the cluster: its id (unique, stable across restarts) and
/// the endpoint where its CAF middleman listens for the other nodes.
struct cluster_member {
  std::string node_id;
  std::string host;
  uint16_t port = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_member& x) {
  return f(caf::meta::type_name("cluster_member"), x.node_id, x.host, x.port);
}

/// The live members at one revision of the membership (the etcd revision
/// that produced it; 0 for a single node), sorted by node_id.
struct cluster_view {
  uint64_t revision = 0;
  std::vector<cluster_member> members;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_view& x) {
  return f(caf::meta::type_name("cluster_view"), x.revision, x.members);
}

/// The weight of `node_id` for `device_id`: a stable 64-bit hash of both
/// (the same on every node, build and platform).
uint64_t rendezvous_weight(std::string_view node_id,
                           std::string_view device_id);

/// The member that owns `device_id` in `view`: the one of highest
/// rendezvous weight (ties to the smaller node_id). Removing a member moves
/// only its own devices; adding one takes a fair share from each. Null when
/// the view has no member.
const cluster_member* owner_of(const cluster_view& view,
                               std::string_view device_id);

} // namespace rmcp
