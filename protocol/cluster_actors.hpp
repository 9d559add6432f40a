#pragma once

// Typed protocols of the cluster: the membership actor (actors/membership.*)
// and whoever it tells about the view and the devices this node owns (the
// fleet in cluster mode; a recorder in tests).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/typed_actor.hpp>

#include "protocol/cluster.hpp"
#include "protocol/type_ids.hpp"

namespace rmcp {

/// What a node's membership actor knows of itself: whether it is in the
/// cluster now (holds a live lease and has seen etcd within the lease TTL),
/// the view it acts on and the devices whose ownership claim it holds.
/// `reason` says why it is out (empty while it is in). Local only (no type
/// id): /health and the tests ask the actor of their own node.
struct cluster_status {
  bool member = false;
  std::string node_id;
  int64_t lease = 0;
  cluster_view view;
  std::vector<std::string> owned;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_status& x) {
  return f(caf::meta::type_name("cluster_status"), x.member, x.node_id, x.lease,
           x.view, x.owned, x.reason);
}

/// Receives `(cluster, view, owned)` whenever the membership view or the set
/// of devices whose etcd ownership claim carries this node's lease changes:
/// `owned` is exactly those devices, sorted. An empty view with nothing
/// owned: this node is out of the cluster (etcd lost or lease expired).
using cluster_listener_actor = caf::typed_actor<
  caf::reacts_to<atom::cluster, cluster_view, std::vector<std::string>>>;

/// A continuation of the membership actor: the answer of an etcd call,
/// made on an I/O thread, run inside the actor (local only; it holds a
/// closure, so it never crosses the network).
struct cluster_task {
  std::function<void()> run;
};

/// | message                  | reply          | meaning                      |
/// |--------------------------|----------------|------------------------------|
/// | (get, status)            | cluster_status | member?, view, owned         |
/// | (suspend, bool)          | —              | hold (true) or resume keep-  |
/// |                          |                | alives: a partition drill    |
/// | (stop)                   | ok             | release claims, revoke the   |
/// |                          |                | lease, then quit             |
/// | (tick)                   | —              | internal: keep-alive timer   |
/// | (expire)                 | —              | internal: lease deadline     |
/// | (poll)                   | —              | internal: re-read etcd       |
/// | (done, cluster_task)     | —              | internal: an etcd answer     |
using membership_actor = caf::typed_actor<
  caf::replies_to<atom::get, atom::status>::with<cluster_status>,
  caf::reacts_to<atom::suspend, bool>,
  caf::replies_to<atom::stop>::with<atom::ok>, caf::reacts_to<atom::tick>,
  caf::reacts_to<atom::expire>, caf::reacts_to<atom::poll>,
  caf::reacts_to<atom::done, cluster_task>>;

} // namespace rmcp

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rmcp::cluster_task)
