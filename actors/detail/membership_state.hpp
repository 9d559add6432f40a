#pragma once

// The state of the membership actor (actors/membership.*): the lease and
// its deadline in membership.cpp, the rounds (view, claims) in
// membership_rounds.cpp. Internal to actors/.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_clock.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include "actors/membership.hpp"

namespace rmcp::detail {

enum class member_phase { out, joining, in, stopping };

struct membership_state {
  using clock_type = caf::actor_clock::clock_type;
  using time_point = caf::actor_clock::time_point;

  static inline const char* name = "rmcp.membership";

  membership_actor::pointer self = nullptr;
  membership_config cfg;
  etcd_client_ptr etcd;
  store_actor store;
  cluster_listener_actor listener;

  // -- lease (membership.cpp) -------------------------------------------------

  member_phase phase = member_phase::out;
  int64_t lease = 0;
  /// Past it, etcd may have expired the lease: this node is out.
  time_point deadline;
  bool suspended = false;
  bool keep_alive_busy = false;
  /// Why the node is out (empty while in).
  std::string reason = "joining the cluster";
  /// Bumped whenever the node goes out or is suspended: answers of calls
  /// made before carry the old value and are dropped.
  uint64_t epoch = 0;

  // -- rounds (membership_rounds.cpp) -----------------------------------------

  bool round_busy = false;
  /// When each member key (node id, create revision) was first seen.
  std::map<std::pair<std::string, int64_t>, time_point> first_seen;
  /// The view of the last round (settled members) and the claims this
  /// node holds with its lease.
  cluster_view view;
  std::set<std::string> owned;
  /// What the listener was told last.
  bool told = false;
  std::vector<cluster_member> told_members;
  std::set<std::string> told_owned;
  /// Transactions of the current round still unanswered, and whether one
  /// failed.
  size_t txns_pending = 0;
  bool txn_failed = false;
  int64_t round_revision = 0;
  /// The time until the next unsettled member settles (bounds the wait).
  std::chrono::milliseconds next_settle{0};
  /// The registry's devices (of the environment) as of
  /// `registry_generation`: read again only when the store's generation
  /// moved.
  bool registry_known = false;
  uint64_t registry_generation = 0;
  std::vector<std::string> registry_ids;

  // -- lease ---------------------------------------------------------------------

  void init();
  void tick();
  void expire();
  void join();
  void on_renewed(uint64_t ep, time_point sent, caf::expected<int64_t> ttl);
  void on_granted(uint64_t ep, time_point sent, caf::expected<int64_t> id);
  void on_member_put(uint64_t ep, caf::expected<int64_t> rev);
  void keep_alive();
  void on_keep_alive(uint64_t ep, time_point sent, caf::expected<int64_t> ttl);
  void go_out(std::string why, bool lease_gone);
  void suspend(bool on);
  cluster_status status() const;
  caf::result<atom::ok> stop();

  // -- rounds --------------------------------------------------------------------

  void start_round();
  void on_devices(uint64_t ep, uint64_t gen,
                  std::vector<device_record> devices);
  void on_registry(uint64_t ep);
  void on_range(uint64_t ep, caf::expected<etcd_range> range);
  void claim(std::vector<std::string> devices);
  void release(std::vector<std::string> devices);
  void on_claimed(uint64_t ep, const std::vector<std::string>& devices,
                  caf::expected<etcd_txn_result> r);
  void on_released(uint64_t ep, const std::vector<std::string>& devices,
                   caf::expected<etcd_txn_result> r);
  void claim_failed(const std::vector<std::string>& devices,
                    const caf::error& err);
  void txn_done(uint64_t ep);
  void after_txns(uint64_t ep);
  void on_watch(uint64_t ep, caf::expected<etcd_watch_result> r);
  void round_failed(uint64_t ep, const caf::error& err);
  void poll();
  void tell_listener();

  // -- helpers -------------------------------------------------------------------

  time_point now() const {
    return self->clock().now();
  }

  /// The time left until `t` (zero when it passed).
  std::chrono::milliseconds until(time_point t) const {
    auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(t - now());
    return std::max(left, std::chrono::milliseconds{0});
  }

  /// A callback for the etcd client: its answer comes back as a message
  /// and runs `f` inside this actor (never on the I/O thread). When the
  /// actor is gone, the answer is dropped.
  template <class T, class F>
  etcd_client::callback<T> answer(F f) {
    auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
    return [weak, f](caf::expected<T> r) {
      auto strong = weak.lock();
      if (!strong)
        return;
      caf::anon_send(caf::actor_cast<membership_actor>(strong), atom::done_v,
                     cluster_task{std::bind(f, std::move(r))});
    };
  }

  std::string members_prefix() const {
    return cfg.prefix + "/members/";
  }

  std::string owners_prefix() const {
    return cfg.prefix + "/owners/";
  }
};

} // namespace rmcp::detail
