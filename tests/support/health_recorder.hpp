#pragma once

// A health listener that records every sample it receives.

#include <memory>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/fleet_actors.hpp"

namespace rmcp::test {

using health_log = std::shared_ptr<std::vector<health_sample>>;

inline health_listener_actor spawn_health_recorder(caf::actor_system& sys,
                                                   health_log out) {
  return sys.spawn([out](health_listener_actor::pointer)
                     -> health_listener_actor::behavior_type {
    return {[out](atom::health, health_sample& s) { out->push_back(s); }};
  });
}

} // namespace rmcp::test
