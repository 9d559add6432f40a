// Plans and rollouts:
// config_plan_dns_ntp_rollout, config_apply_dns_ntp_rollout,
// config_rollback_plan, get_plan_status. The routing plan tools are in
// routing_plan_tools.cpp; all go through plan_flow.*.

#include "protocol/error.hpp"
#include "src/tools/change_kinds.hpp"
#include "src/tools/plan_flow.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

/// Deadline of a plan store request when the call's spawner does not bound
/// the call (tool_call::wait).
constexpr auto plans_timeout = std::chrono::seconds{30};

/// A plan as a tool shows it: never a token (none is stored), no nonce.
json plan_view(const plan_record& p) {
  auto out = to_json(p);
  out.erase("approval_nonce");
  return out;
}

void plan_dns_ntp(tool_call& call) {
  create_plan(call, dns_ntp_kind);
}

void get_plan_status(tool_call& call) {
  auto& svc = call.svc();
  if (!svc.plans) {
    call.fail(ec::unsupported,
              "plans are disabled in this service: it has no store or no "
              "approval key (plans.approval_key_file / "
              "ROUTEROS_MCP_APPROVAL_KEY; see the plans-disabled log line)");
    return;
  }
  auto id = call.arg<std::string>("plan_id", "");
  auto limit = static_cast<size_t>(call.arg<int64_t>("journal_limit", 50));
  auto* self = call.self();
  with_plan(
    call, id,
    [&call, self, id, limit](plan_record& plan, std::vector<device_view>&) {
      self
        ->request(call.svc().plans, call.wait(plans_timeout), atom::get_v,
                  atom::journal_v, id)
        .then(
          [&call, plan, limit](std::vector<plan_step>& steps) {
            json journal = json::array();
            auto first = steps.size() > limit ? steps.size() - limit : 0;
            for (auto i = first; i < steps.size(); ++i)
              journal.push_back(to_json(steps[i]));
            json devices = json::array();
            std::string text = "Plan " + plan.id + " (" + plan.kind + ") is "
                               + to_string(plan.state);
            if (plan.cancel_requested)
              text += ", cancel requested";
            for (auto& d : plan.devices) {
              devices.push_back(
                {{"device_id", d.id}, {"state", d.state}, {"error", d.error}});
              text += "\n" + d.id + ": " + d.state
                      + (d.error.empty() ? "" : " (" + d.error + ")");
            }
            json out{{"plan", plan_view(plan)},
                     {"devices", std::move(devices)},
                     {"journal", std::move(journal)},
                     {"journal_total", steps.size()}};
            call.finish({std::move(out), std::move(text), false});
          },
          [&call](caf::error& err) { call.fail(std::move(err)); });
    });
}

void rollback_plan(tool_call& call) {
  auto& svc = call.svc();
  if (!svc.plans || !svc.rollouts) {
    call.fail(ec::unsupported,
              "plans are disabled in this service: it has no store or no "
              "approval key (plans.approval_key_file / "
              "ROUTEROS_MCP_APPROVAL_KEY; see the plans-disabled log line)");
    return;
  }
  auto id = call.arg<std::string>("plan_id", "");
  auto reason = call.arg<std::string>("reason", "");
  auto* self = call.self();
  with_plan(
    call, id,
    [&call, self, id, reason](plan_record&, std::vector<device_view>&) {
      self
        ->request(call.svc().plans, call.wait(plans_timeout), atom::cancel_v,
                  id, call.caller().subject, reason)
        .then(
          [&call, self, id](plan_record& plan) {
            if (plan.state == plan_state::cancelled) {
              call.finish({{{"plan_id", id}, {"state", "cancelled"}},
                           "Plan " + id
                             + " was not executing; it is cancelled "
                               "and nothing was changed.",
                           false});
              return;
            }
            self
              ->request(
                call.svc().rollouts,
                call.wait(std::chrono::milliseconds{apply_tool_timeout_ms}),
                atom::rollback_v, id)
              .then(
                [&call, id](json& report) {
                  if (report.value("running", false)) {
                    report["state"] = "executing";
                    call.finish(
                      {std::move(report),
                       "Plan " + id
                         + " is being rolled out; its "
                           "coordinator rolls back what it applied, at "
                           "once when it waits for a gate or between "
                           "batches, else after its current step. Follow "
                           "it with get_plan_status.",
                       false});
                    return;
                  }
                  auto text = "Plan " + id + " ended "
                              + report.value("state", std::string{"?"});
                  call.finish({std::move(report), std::move(text), false});
                },
                [&call](caf::error& err) { call.fail(std::move(err)); });
          },
          [&call](caf::error& err) { call.fail(std::move(err)); });
    });
}

json status_schema() {
  json list{{"type", "array"}};
  return {
    {"type", "object"},
    {"properties",
     {{"plan", {{"type", "object"}}}, {"devices", list}, {"journal", list}}},
    {"required", {"plan", "devices", "journal"}}};
}

#define RMCP_SERVERS(name, max, what)                                          \
  "\"" name "\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":" #max         \
  ",\"uniqueItems\":true,\"items\":{\"type\":\"string\",\"minLength\":1,"      \
  "\"maxLength\":253},\"description\":\"" what "\"}"

// The reference project's arguments (docs/tools.md). Who created,
// approved or rolled back a plan is the authenticated caller, never an
// argument; batches are fixed when the plan is made.
const argument_alias plan_aliases[] = {
  {"created_by", alias_kind::refuse, nullptr,
   "the plan's creator is the authenticated caller, recorded with the plan "
   "and in the audit trail"},
};
const argument_alias apply_plan_aliases[] = {
  {"approved_by", alias_kind::refuse, nullptr,
   "approval is out of band: an approver runs `routeros-mcp plan approve "
   "<plan_id>` (or POST /admin/plans/{id}/approve) and hands over the "
   "single-use approval_token; the approver is recorded from their "
   "identity"},
  {"batch_size", alias_kind::ignore, nullptr,
   "batches are fixed when planning (batch_size of "
   "config_plan_dns_ntp_rollout)"},
  {"batch_pause_seconds", alias_kind::ignore, nullptr,
   "the pause between batches is fixed when planning (pause_seconds of "
   "config_plan_dns_ntp_rollout)"},
};
const argument_alias rollback_aliases[] = {
  {"triggered_by", alias_kind::refuse, nullptr,
   "who rolls back is the authenticated caller, recorded in the plan's "
   "journal and the audit trail"},
};

const tool_entry table[] = {
  {"config_plan_dns_ntp_rollout", "Plan a DNS/NTP rollout",
   mcp::tool_tier::professional, read_only_router,
   "Plans new DNS and/or NTP servers on 2+ routers (rollout.max_devices): "
   "checks the devices, "
   "previews current vs intended from each router and stores a pending plan "
   "(canary, then batches). Changes nothing. A person approves the plan_id "
   "out of band; then config_apply_dns_ntp_rollout runs it.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(2) "," RMCP_SERVERS(
     "dns_servers", 3,
     "IP addresses, in order.") "," RMCP_SERVERS("ntp_servers", 4,
                                                 "Addresses or host "
                                                 "names.") R"(},"required":["device_ids"],"additionalProperties":false})",
   nullptr, plan_dns_ntp, 0, plan_created_schema, aliases(plan_aliases)},
  {"config_apply_dns_ntp_rollout", "Apply a DNS/NTP rollout",
   mcp::tool_tier::professional, write_destructive,
   "Runs an approved DNS/NTP plan with the approver's single-use token: "
   "canary, then batches, each with a health gate; a failed gate rolls back "
   "every changed device. Returns the rollout report.",
   RMCP_APPLY_SCHEMA, nullptr, apply_plan, apply_tool_timeout_ms,
   rollout_report_schema, aliases(apply_plan_aliases)},
  {"config_rollback_plan", "Roll back or cancel a plan",
   mcp::tool_tier::professional, write_destructive,
   "Cancels a pending or approved plan; rolls back an executing one (changed "
   "devices return to their snapshots, in reverse order).",
   R"({"type":"object","properties":{)" RMCP_PLAN_ID_PROP R"(,
     "reason":{"type":"string","minLength":1,"maxLength":500,
       "description":"Why."}},
     "required":["plan_id","reason"],"additionalProperties":false})",
   nullptr, rollback_plan, apply_tool_timeout_ms, rollout_report_schema,
   aliases(rollback_aliases)},
  {"get_plan_status", "Plan status", mcp::tool_tier::fundamental, read_only,
   "A plan's state, preview, per-device states and newest journal entries.",
   R"({"type":"object","properties":{)" RMCP_PLAN_ID_PROP R"(,
     "journal_limit":{"type":"integer","minimum":0,"maximum":1000,"default":50,
       "description":"Newest entries."}},
     "required":["plan_id"],"additionalProperties":false})",
   nullptr, get_plan_status, 0, status_schema},
};

#undef RMCP_SERVERS

} // namespace

caf::error register_plan_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
