#include "actors/static_membership.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

std::vector<std::string>
assigned_to(const cluster_view& view, const std::string& node_id,
            const std::vector<device_record>& records) {
  std::vector<std::string> out;
  for (auto& r : records) {
    auto owner = owner_of(view, r.id);
    if (owner != nullptr && owner->node_id == node_id)
      out.push_back(r.id);
  }
  return out;
}

namespace {

/// Deadline of each store request (the store answers from LMDB).
constexpr auto static_store_timeout = std::chrono::seconds{10};

struct static_membership_state {
  static inline const char* name = "rmcp.static_membership";
  uint64_t generation = 0;
  bool sent = false;
};

caf::behavior
static_membership(caf::stateful_actor<static_membership_state>* self,
                  fleet_actor fleet, store_actor store, cluster_view view,
                  std::string node_id,
                  std::chrono::milliseconds poll_interval) {
  self->monitor(fleet);
  self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  auto poll = [=] {
    self->request(store, static_store_timeout, atom::get_v, atom::generation_v)
      .then(
        [=](uint64_t gen) {
          if (self->state.sent && gen == self->state.generation)
            return;
          self
            ->request(store, static_store_timeout, atom::get_v, atom::devices_v)
            .then(
              [=](std::vector<device_record>& records) {
                self->state.generation = gen;
                self->state.sent = true;
                self->send(fleet, atom::cluster_v, view,
                           assigned_to(view, node_id, records));
              },
              [](caf::error& err) {
                log::warn(log::fleet(), "static-membership-read-failed",
                          {{"error", error_message(err)}});
              });
        },
        [](caf::error& err) {
          log::warn(log::fleet(), "static-membership-poll-failed",
                    {{"error", error_message(err)}});
        });
  };
  self->send(self, atom::poll_v);
  return {
    [=](atom::poll) {
      poll();
      self->delayed_send(self, poll_interval, atom::poll_v);
    },
  };
}

} // namespace

caf::actor spawn_static_membership(caf::actor_system& sys, fleet_actor fleet,
                                   store_actor store, cluster_view view,
                                   std::string node_id,
                                   std::chrono::milliseconds poll_interval) {
  return sys.spawn(static_membership, std::move(fleet), std::move(store),
                   std::move(view), std::move(node_id), poll_interval);
}

} // namespace rmcp
