#include "actors/notifier.hpp"

#include <algorithm>
#include <unordered_map>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/log.hpp"
#include "protocol/mcp.hpp"

namespace rmcp {

namespace {

/// spdlog level for the lowest MCP rank (inverse of mcp_rank_of).
spdlog::level::level_enum spdlog_level_of(int32_t rank) {
  if (rank < 0)
    return spdlog::level::off;
  switch (rank) {
    case 0:
      return spdlog::level::debug;
    case 1:
    case 2:
      return spdlog::level::info;
    case 3:
      return spdlog::level::warn;
    case 4:
      return spdlog::level::err;
    default:
      return spdlog::level::critical;
  }
}

} // namespace

int32_t mcp_rank_of(int spdlog_level) {
  switch (spdlog_level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return 0;
    case spdlog::level::info:
      return 1;
    case spdlog::level::warn:
      return 3;
    case spdlog::level::err:
      return 4;
    default:
      return 5;
  }
}

struct notifier_state {
  static inline const char* name = "rmcp.notifier";

  struct entry {
    mcp_session_actor session;
    int32_t rank = -1;
  };

  std::unordered_map<caf::actor_addr, entry> sessions;

  void update_forward_level() {
    int32_t lowest = -1;
    for (auto& [_, e] : sessions)
      if (e.rank >= 0 && (lowest < 0 || e.rank < lowest))
        lowest = e.rank;
    log::set_forward_level(spdlog_level_of(lowest));
  }
};

namespace {

notifier_actor::behavior_type
notifier(notifier_actor::stateful_pointer<notifier_state> self) {
  self->set_down_handler([self](const caf::down_msg& msg) {
    self->state.sessions.erase(msg.source);
    self->state.update_forward_level();
  });
  self->attach_functor([] { log::set_forward_level(spdlog::level::off); });
  return {
    [self](atom::join, mcp_session_actor session) {
      self->monitor(session);
      self->state.sessions[session.address()] = {session, -1};
    },
    [self](atom::leave, mcp_session_actor session) {
      self->demonitor(session.address());
      self->state.sessions.erase(session.address());
      self->state.update_forward_level();
    },
    [self](atom::level, mcp_session_actor session, int32_t rank) {
      auto i = self->state.sessions.find(session.address());
      if (i == self->state.sessions.end())
        return;
      i->second.rank = rank;
      self->state.update_forward_level();
    },
    [self](atom::log, int32_t rank, std::string& logger, std::string& text) {
      auto& levels = mcp::log_levels();
      auto level = levels[std::clamp<size_t>(rank, 0, levels.size() - 1)];
      for (auto& [_, e] : self->state.sessions)
        if (e.rank >= 0 && rank >= e.rank)
          self->send(e.session, atom::log_v, level, logger, text);
    },
    [self](atom::update, const std::string& uri) {
      for (auto& [_, e] : self->state.sessions)
        self->send(e.session, atom::update_v, uri);
    },
    [self](atom::count) -> uint64_t { return self->state.sessions.size(); },
  };
}

} // namespace

notifier_actor spawn_notifier(caf::actor_system& sys) {
  return sys.spawn(notifier);
}

} // namespace rmcp
