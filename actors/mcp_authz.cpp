// Authorization in the session: the one place where every tools/call,
// resources/read and prompts/get is checked (protocol/authz.hpp decides),
// and where refusals are answered, logged and audited.

#include <caf/event_based_actor.hpp>

#include "actors/mcp_session.hpp"
#include "actors/request_timeout.hpp"
#include "actors/store_actor.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

namespace {

/// Deadline of the fleet lookup behind a scope check.
constexpr auto facts_timeout = std::chrono::seconds{5};

/// Deadline of an audit append.
constexpr auto audit_timeout = std::chrono::seconds{10};

std::vector<authz::device_facts>
unknown_devices(const std::vector<std::string>& ids) {
  std::vector<authz::device_facts> out;
  for (auto& id : ids)
    out.push_back(authz::device_facts{id, false, {}, {}});
  return out;
}

} // namespace

void mcp_session_state::authorize(
  authz::action what, std::vector<std::string> device_ids,
  std::function<void(const authz::decision&)> next) {
  authorize(
    std::move(what), std::move(device_ids),
    [next{std::move(next)}](const authz::decision& d,
                            const device_ops::device_lookup*) { next(d); });
}

void mcp_session_state::authorize(
  authz::action what, std::vector<std::string> device_ids,
  std::function<void(const authz::decision&, const device_ops::device_lookup*)>
    next) {
  // Without a scope, or without devices, only the ids matter: decide now.
  if (device_ids.empty() || ctx.who.scope.everything() || !ctx.svc
      || !ctx.svc->fleet) {
    next(authz::authorize(ctx.who, what, unknown_devices(device_ids)), nullptr);
    return;
  }
  // Tags and environments live in the registry. One device (every router
  // tool): the same lookup the tool needs, handed on to it.
  if (device_ids.size() == 1) {
    auto lookup = std::make_shared<device_ops::device_lookup>();
    lookup->id = device_ids.front();
    auto decide = [this, what, lookup, next] {
      auto facts = unknown_devices({lookup->id});
      if (!lookup->error)
        facts.front() = authz::facts_of(lookup->handle.view.record);
      next(authz::authorize(ctx.who, what, facts), lookup.get());
    };
    // device_ops::find's request, with the session's deadline sweep
    // instead of a CAF timer.
    request_within(self, deadlines, ctx.svc->fleet, device_ops::fleet_timeout,
                   atom::get_v, lookup->id, atom::handle_v)
      .then(
        [lookup, decide](device_handle& h) {
          lookup->handle = std::move(h);
          decide();
        },
        [lookup, decide](caf::error& err) {
          if (error_code_of(err) != ec::device_not_found)
            log::warn(log::mcp(), "authz-facts-failed",
                      {{"error", error_message(err)}});
          lookup->error = std::move(err);
          decide();
        });
    return;
  }
  // Several devices: ask the fleet once for all of them.
  auto decide = [this, what, ids = device_ids,
                 next](const std::vector<device_view>* views) {
    auto facts = unknown_devices(ids);
    if (views != nullptr)
      for (auto& f : facts)
        for (auto& v : *views)
          if (v.record.id == f.id)
            f = authz::facts_of(v.record);
    next(authz::authorize(ctx.who, what, facts), nullptr);
  };
  request_within(self, deadlines, ctx.svc->fleet, facts_timeout, atom::get_v,
                 atom::devices_v)
    .then([decide](std::vector<device_view>& views) { decide(&views); },
          [decide](caf::error& err) {
            log::warn(log::mcp(), "authz-facts-failed",
                      {{"error", error_message(err)}});
            decide(nullptr);
          });
}

void mcp_session_state::refuse(const authz::action& what,
                               const authz::decision& d,
                               const std::vector<std::string>& devices,
                               std::function<void(const caf::error&)> answer,
                               const std::string& request_id) {
  log::warn(log::mcp(), "authz-denied",
            {{"subject", ctx.who.subject},
             {"role", ctx.who.role},
             {"transport", ctx.who.transport},
             {"name", what.name},
             {"reason", d.reason}});
  audit_record rec;
  rec.kind = audit_kind::denied;
  rec.tool = what.name;
  rec.devices = devices;
  if (!devices.empty())
    rec.device_id = devices.front();
  rec.outcome = "denied";
  rec.error = d.reason;
  rec.request_id = request_id;
  auto err = make_error(ec::forbidden, d.reason);
  audit(std::move(rec), [answer{std::move(answer)}, err] { answer(err); });
}

void mcp_session_state::stamp(audit_record& rec) const {
  rec.actor = ctx.who.subject;
  rec.role = ctx.who.role;
  rec.transport = ctx.who.transport;
}

void mcp_session_state::audit(audit_record rec, std::function<void()> answer) {
  stamp(rec);
  flush_reads();
  if (!ctx.svc || !ctx.svc->store) {
    answer();
    return;
  }
  auto tool = rec.tool;
  ++answers_waiting;
  // The state outlives every response handler of its actor.
  auto done = [this, answer{std::move(answer)}] {
    --answers_waiting;
    answer();
    quit_if_drained();
  };
  request_within(self, deadlines, ctx.svc->store, audit_timeout, atom::put_v,
                 std::move(rec))
    .then([done](uint64_t) { done(); },
          [tool, done](caf::error& err) {
            // The caller still hears how the action went; the operator
            // must hear of the gap in the trail.
            log::error(log::mcp(), "audit-append-failed",
                       {{"tool", tool}, {"error", error_message(err)}});
            done();
          });
}

void mcp_session_state::audit_read(audit_record rec) {
  stamp(rec);
  if (!ctx.svc || !ctx.svc->store)
    return;
  auto interval = ctx.svc->audit_read_flush_interval;
  // (With a zero interval nothing is ever held.)
  if (reads_held.empty() && (calls.empty() || interval.count() <= 0)) {
    rmcp::audit_read(ctx.svc->store, std::move(rec));
    return;
  }
  reads_held.push_back(std::move(rec));
  if (calls.empty() || reads_held.size() >= ctx.svc->audit_read_batch) {
    flush_reads();
  } else if (reads_held.size() == 1) {
    reads_due = self->clock().now() + interval;
    self->delayed_send(self, interval, atom::deadline_v);
  }
}

void mcp_session_state::flush_reads() {
  // Only audit_read holds records, and only with a store.
  if (reads_held.empty())
    return;
  rmcp::audit_reads(ctx.svc->store, std::move(reads_held));
  reads_held.clear();
}

bool mcp_session_state::may_list(const tool_descriptor& tool) const {
  return tool.offered
         && authz::authorize(ctx.who, authz::action::tool(tool.spec), {})
              .allowed;
}

} // namespace rmcp
