#pragma once

// The cluster half of the fleet (cluster mode: a node id is configured).
//
// The membership (etcd, or a static list) tells the fleet the live members
// and the devices whose claim this node holds: `(cluster, view, owned)`.
// Device actors run only for `owned`. A lookup of a device owned elsewhere
// goes to `owner_of(view, id)`'s fleet as `(cluster, get, id)`, whose answer
// holds the owner's device actor as a remote proxy (CAF's middleman carries
// every later message to it), so device_ops, tools and rollouts work
// unchanged. This class keeps the view, the claims and one connection per
// other member's fleet.
//
// One connection per pair, made by one side: the member whose id sorts
// lower connects (outgoing) and then sends `(cluster, join, its id)` over
// it; the other side (incoming) never connects, and talks back to the
// sender of the join, so every message between the two travels over that
// connection. A pair thus costs one connection and one TLS handshake, and
// CAF's middleman never holds two connections for one node (BASP 0.17.6
// then closes one of them as redundant, on each side by its own rule).
//
//   outgoing:
//   member ──(view names it)──► connecting ──connected, join answered──►
//      ▲                            │ failed / timed out      connected
//      │                            ▼                             │ DOWN
//      └────── (cluster, node) ◄── backoff (base · 2^n, capped, ◄─┘
//              after the delay       jittered)        (reconnect, jittered)
//
//   incoming:
//   member ──(view names it)──► awaiting join ──(cluster, join)──► connected
//                                  ▲    │ connect_timeout passed       │
//                                  │    ▼                              │ DOWN
//                                  │  overdue (shown; lookups fail     │
//                                  │  fast until the join comes)       │
//                                  └───────────────────────────────────┘
//
// Connections are made by the middleman actor (`connect_atom`), never by a
// blocking call in the fleet; each has `connect_timeout`, the join too. A
// lookup waits for a connection under way or an awaited join (bounded by
// that timeout); during a backoff, once a join is overdue, or when no
// member is live, it fails at once with device_moving (retryable).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/result.hpp>

#include "actors/cluster_links.hpp"

#include "protocol/cluster.hpp"
#include "protocol/fleet_actors.hpp"

namespace rmcp {

struct cluster_settings {
  /// This node's id in the cluster; empty = a single node (no cluster mode:
  /// every device of the environment runs here, as without a cluster).
  std::string node_id;
  /// Deadline of one connection to another member's fleet.
  std::chrono::milliseconds connect_timeout{2000};
  /// Deadline of a lookup forwarded to the owner's fleet.
  std::chrono::milliseconds request_timeout{5000};
  /// Deadline of the owners' health for a fleet listing (a slow owner's
  /// devices are listed with the health this node knows).
  std::chrono::milliseconds list_timeout{1000};
  /// A member connection on which nothing arrived for this long is closed
  /// as lost (CAF's middleman heartbeats every fifth of it; the runtime
  /// configures both), so a member that vanished without closing its
  /// connection (power loss, a partition) fails its calls in flight too.
  std::chrono::milliseconds peer_timeout{5000};
  /// Reconnect backoff: d = min(max, base · 2^n), waited in [d/2, d].
  std::chrono::milliseconds retry_base{250};
  std::chrono::milliseconds retry_max{10000};
  /// Makes the connections: null = the middleman's own actor (plain TCP);
  /// with cluster TLS, the openssl manager's (src/app/cluster_mesh.hpp).
  caf::io::middleman_actor connector;
  /// Where the state of each member's connection is shown (`/health`);
  /// null = nowhere.
  std::shared_ptr<cluster_links> links;
};

class fleet_cluster {
public:
  using handle_fn = std::function<void(caf::expected<device_handle>)>;
  using views_fn = std::function<void(std::vector<device_view>)>;

  void init(fleet_actor::pointer self, cluster_settings cfg, uint64_t seed);

  bool enabled() const {
    return !cfg_.node_id.empty();
  }

  const std::string& node_id() const {
    return cfg_.node_id;
  }

  /// True when this node may run `device_id`'s actor: always without a
  /// cluster; in cluster mode only when its claim is held here.
  bool owns(const std::string& device_id) const {
    return !enabled() || owned_.count(device_id) > 0;
  }

  /// A new view and claim set: connects to new members, forgets gone ones
  /// (their waiting lookups fail with device_moving). False (and ignored)
  /// when this fleet is not in cluster mode.
  bool set_view(cluster_view view, std::vector<std::string> owned);

  /// Asks the owner of `device_id` for its handle; `done` gets the handle
  /// or an error (device_moving when the owner is unknown or unreachable,
  /// the owner's own error otherwise).
  void forward_handle(const std::string& device_id, handle_fn done);

  /// Replaces the health in `local` with the owners' (devices owned by a
  /// member that does not answer within `list_timeout` keep theirs).
  void owners_health(std::vector<device_view> local, views_fn done);

  /// A member's reconnect backoff, or the wait for its join, elapsed.
  void on_retry(const std::string& node);

  /// `(cluster, join, node)` from `sender`, the fleet of member `node`,
  /// over the connection that member made: ok, or why it is refused.
  caf::result<atom::ok> on_join(const std::string& node,
                                caf::strong_actor_ptr sender);

  /// True when `source` was a member's fleet (then it reconnects).
  bool on_down(const caf::actor_addr& source);

  /// device_moving for a device this node should own but has not claimed.
  caf::error not_claimed(const std::string& device_id) const;

private:
  using time_point = caf::actor_clock::time_point;

  struct peer {
    cluster_member member;
    /// This node connects to the member (its id sorts lower); otherwise
    /// the member connects here and joins.
    bool outgoing = false;
    /// The current view names the member. An incoming member's fleet is
    /// kept while the view does not name it (it joins only once per
    /// connection, and may do so before this node's view has it).
    bool in_view = false;
    fleet_actor fleet;
    /// Outgoing: a connection (and its join) is under way.
    bool connecting = false;
    /// Outgoing: waiting for the backoff; lookups fail fast meanwhile.
    bool retry_pending = false;
    uint32_t failures = 0;
    /// The cause of the last connection failure that reached the log.
    std::string logged_failure;
    /// Bumped when the member's endpoint changes: late answers of an old
    /// connection attempt are ignored.
    uint64_t epoch = 0;
    /// Incoming: since when a join is awaited, whether the timer for it is
    /// set, and whether its being overdue was reported.
    time_point awaited_since;
    bool wait_timer = false;
    bool overdue = false;
    std::vector<std::function<void(const fleet_actor*)>> waiting;
  };

  /// True when this node makes the connection to member `node`: its own
  /// id sorts lower.
  bool dials(const std::string& node) const;
  /// `forward_handle`; a connection lost under the request is retried
  /// once on the new connection.
  void forward(const std::string& device_id, handle_fn done, bool retried);
  void connect(const std::string& node);
  void connected(const std::string& node, uint64_t epoch,
                 caf::strong_actor_ptr ptr, const std::set<std::string>& ifs);
  /// The member answered this node's join: the connection is usable.
  void joined(const std::string& node, uint64_t epoch, fleet_actor f);
  void connect_failed(const std::string& node, uint64_t epoch,
                      const std::string& why);
  /// Incoming: a join is awaited from now on (its timer set).
  void await_join(const std::string& node, peer& p);
  /// Incoming: the wait for the join ended without one.
  void join_overdue(const std::string& node, peer& p);
  void resolve(peer& p, const fleet_actor* f);
  /// Shows member `node`'s connection on the links board.
  void show(const std::string& node, const peer& p, std::string error = {});
  /// Runs `f` with the member's fleet, or null when it is not reachable now.
  void with_peer(const std::string& node,
                 std::function<void(const fleet_actor*)> f);

  fleet_actor::pointer self_ = nullptr;
  cluster_settings cfg_;
  cluster_view view_;
  std::set<std::string> owned_;
  std::map<std::string, peer> peers_;
  std::mt19937_64 rng_;
};

} // namespace rmcp
