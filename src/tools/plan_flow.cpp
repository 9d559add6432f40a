#include "src/tools/plan_flow.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "protocol/authz.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "src/tools/change_kinds.hpp"
#include "src/tools/device_access.hpp"

namespace rmcp::tools {

namespace {

/// Deadline of a plan store request when the call's spawner does not bound
/// the call (tool_call::wait).
constexpr auto plans_timeout = std::chrono::seconds{30};

/// Upper bound of the rollout an apply tool waits for: the tool's own
/// deadline.
constexpr auto rollout_timeout =
  std::chrono::milliseconds{apply_tool_timeout_ms};

std::string listed(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ", ") + x;
  return out;
}

/// Checks that `ids` are registered devices of this service's environment
/// that allow professional workflows and `kind`'s flag. Returns the records
/// in the order of `ids`, or the error naming every offending device.
caf::expected<std::vector<device_view>>
check_devices(const tool_call& call, const change_kind& kind,
              const std::vector<std::string>& ids,
              const std::vector<device_view>& fleet) {
  std::map<std::string, const device_view*> by_id;
  for (auto& v : fleet)
    by_id[v.record.id] = &v;
  std::vector<std::string> missing, other_env, no_pro, no_flag;
  std::vector<device_view> out;
  const auto& env = call.svc().environment;
  for (auto& id : ids) {
    auto i = by_id.find(id);
    if (i == by_id.end()) {
      missing.push_back(id);
      continue;
    }
    auto& r = i->second->record;
    if (r.environment != env)
      other_env.push_back(id + " (" + r.environment + ")");
    else if (!r.flags.allow_professional_workflows)
      no_pro.push_back(id);
    else if (kind.flag != nullptr && !(r.flags.*kind.flag))
      no_flag.push_back(id);
    out.push_back(*i->second);
  }
  if (!missing.empty())
    return make_error(ec::device_not_found,
                      "unknown device(s): " + listed(missing)
                        + "; call list_devices for the registered ids");
  if (!other_env.empty())
    return make_error(ec::environment_mismatch,
                      "device(s) " + listed(other_env)
                        + " do not belong to this service's environment '" + env
                        + "'; a plan changes one environment only");
  auto denied = [&](const std::vector<std::string>& devs,
                    bool device_flags::*flag) {
    return capability_denied("device(s) " + listed(devs), call.tool().spec.name,
                             flag, "<id>");
  };
  if (!no_pro.empty())
    return denied(no_pro, &device_flags::allow_professional_workflows);
  if (!no_flag.empty())
    return denied(no_flag, kind.flag);
  return out;
}

/// Canary first, then batches of `size`; management devices last, alone.
std::vector<std::vector<std::string>>
make_batches(const std::vector<std::string>& ids, size_t size,
             const std::vector<std::string>& management) {
  std::vector<std::string> normal, last;
  for (auto& id : ids)
    (std::find(management.begin(), management.end(), id) != management.end()
       ? last
       : normal)
      .push_back(id);
  std::vector<std::vector<std::string>> out;
  for (size_t i = 0; i < normal.size();) {
    auto n = i == 0 ? size_t{1} : size;
    out.emplace_back(normal.begin() + i,
                     normal.begin() + std::min(normal.size(), i + n));
    i += n;
  }
  for (auto& id : last)
    out.push_back({id});
  return out;
}

/// State of one plan creation while the previews come in.
struct creation : std::enable_shared_from_this<creation> {
  creation(tool_call& c, const change_kind& k) : call(c), kind(k) {
    // nop
  }

  tool_call& call;
  const change_kind& kind;
  json params;
  std::vector<std::string> ids;
  int64_t batch_size = 1;
  std::vector<device_view> devices;
  std::vector<std::string> warnings;
  std::vector<json> previews;
  std::vector<std::string> refusals;
  size_t pending = 0;

  void preview_one(size_t i) {
    auto self = shared_from_this();
    auto fail = [self, i](const std::string& what) {
      self->refusals.push_back(self->ids[i] + ": " + what);
      self->preview_done();
    };
    device_ops::with_device(
      call.self(), call.svc().fleet, devices[i].record.id,
      [self, i, fail](device_handle dev) {
        device_ops::read_state(
          self->call.self(), dev.actor, self->kind, self->params,
          [self, i](json current) { self->previewed(i, std::move(current)); },
          [fail](caf::error err) {
            fail("reading its state failed: " + error_message(err));
          },
          0, self->call.context(), self->call.wait(device_ops::device_timeout));
      },
      [fail](caf::error err) { fail(error_message(err)); },
      call.wait(device_ops::fleet_timeout));
  }

  /// Device `i`'s preview from its current state (or its refusal).
  void previewed(size_t i, json current) {
    auto& rec = devices[i].record;
    auto refuse = [this, i](const std::string& what) {
      refusals.push_back(ids[i] + ": " + what);
      preview_done();
    };
    auto step = kind.plan(params, current, rec);
    if (!step) {
      refuse(error_message(step.error()));
      return;
    }
    if (kind.risky) {
      auto revert = kind.revert_script(params, current);
      if (!revert) {
        refuse("no dead-man revert can be written: "
               + error_message(revert.error()));
        return;
      }
    }
    for (auto& w : step->warnings)
      warnings.push_back(rec.id + ": " + w);
    previews[i] = {{"device_id", rec.id},
                   {"current", current},
                   {"intended", step->intended},
                   {"changes", !step->requests.empty()},
                   {"warnings", step->warnings}};
    preview_done();
  }

  void preview_done() {
    if (--pending > 0)
      return;
    if (!refusals.empty()) {
      call.fail(
        ec::guard_refused, "pre-checks failed, no plan was created:\n  " + [&] {
          std::string out;
          for (auto& r : refusals)
            out += (out.empty() ? "" : "\n  ") + r;
          return out;
        }());
      return;
    }
    store();
  }

  void store() {
    auto& svc = call.svc();
    plan_record plan;
    plan.kind = kind.name;
    plan.tool = call.tool().spec.name;
    plan.apply_tool = kind.apply_tool;
    plan.created_by = call.caller().subject;
    plan.creator_scope = call.caller().scope;
    plan.creator_scope_known = true;
    plan.description = call.arg<std::string>("description", "");
    plan.hand_to_apply = call.arg<bool>("hand_to_apply", false);
    std::vector<device_record> records;
    for (auto& d : devices)
      records.push_back(d.record);
    plan.risk = kind.risk(params, records, warnings);
    if (svc.environment == "prod") {
      plan.risk = "high";
      warnings.push_back("production devices: high risk");
    }
    plan.environment = svc.environment;
    plan.params = params;
    plan.preview = previews;
    plan.warnings = warnings;
    plan.batches = make_batches(ids, static_cast<size_t>(batch_size),
                                svc.rollout.management_devices);
    plan.pause_ms =
      call.arg<int64_t>("pause_seconds", svc.rollout.pause.count() / 1000)
      * 1000;
    plan.rollback_on_failure = true;
    for (auto& id : ids) {
      plan_device d;
      d.id = id;
      plan.devices.push_back(std::move(d));
    }
    auto self = shared_from_this();
    call.self()
      ->request(svc.plans, call.wait(plans_timeout), atom::put_v,
                std::move(plan))
      .then([self](plan_record& p) { self->answer(p); },
            [self](caf::error& err) { self->call.fail(std::move(err)); });
  }

  void answer(const plan_record& p) {
    size_t changing = 0;
    for (auto& pv : p.preview)
      changing += pv.value("changes", false) ? 1 : 0;
    log::info(log::rollout(), "plan-created",
              {{"plan_id", p.id},
               {"kind", p.kind},
               {"risk", p.risk},
               {"devices", p.devices.size()},
               {"changing", changing},
               {"subject", p.created_by},
               {"request_id", call.setup().request_id}});
    json out{{"plan_id", p.id},
             {"state", to_string(p.state)},
             {"kind", p.kind},
             {"risk", p.risk},
             {"environment", p.environment},
             {"device_count", p.devices.size()},
             {"devices_changing", changing},
             {"batches", p.batches},
             {"pause_seconds", p.pause_ms / 1000},
             {"dead_man", kind.risky},
             {"preview", p.preview},
             {"warnings", p.warnings},
             {"apply_tool", p.apply_tool},
             {"hand_to_apply", p.hand_to_apply}};
    if (p.hand_to_apply) {
      std::string text =
        "Plan " + p.id + " created: " + p.kind + ", risk " + p.risk + ", "
        + std::to_string(p.devices.size())
        + " device(s). It is pending and made with hand_to_apply: call "
        + p.apply_tool + " with plan_id only; it waits (approval_wait_seconds) "
        + "until a person approves it in the web console, with `routeros-mcp "
          "plan approve "
        + p.id + "` or POST /admin/plans/" + p.id
        + "/approve, and then runs; no token is handed around.";
      for (auto& w : p.warnings)
        text += "\nwarning: " + w;
      call.finish({std::move(out), std::move(text), false});
      return;
    }
    std::string text =
      "Plan " + p.id + " created: " + p.kind + ", risk " + p.risk + ", "
      + std::to_string(p.devices.size()) + " device(s) ("
      + std::to_string(changing) + " to change) in "
      + std::to_string(p.batches.size()) + " batch(es), canary "
      + (p.batches.empty() || p.batches[0].empty() ? "-" : p.batches[0][0])
      + ". It is pending: a person must review and approve it out of band "
        "with `routeros-mcp plan show "
      + p.id + "` and `routeros-mcp plan approve " + p.id + "`, then call "
      + p.apply_tool + " with plan_id and the approval token they give you.";
    for (auto& w : p.warnings)
      text += "\nwarning: " + w;
    call.finish({std::move(out), std::move(text), false});
  }
};

} // namespace

void create_plan(tool_call& call, const change_kind& kind) {
  auto& svc = call.svc();
  if (!svc.plans || !svc.fleet) {
    call.fail(ec::unsupported,
              "plans are disabled in this service: it has no store or no "
              "approval key (plans.approval_key_file / "
              "ROUTEROS_MCP_APPROVAL_KEY; see the plans-disabled log line)");
    return;
  }
  auto c = std::make_shared<creation>(call, kind);
  auto params = kind.validate(call.args());
  if (!params) {
    call.fail(std::move(params.error()));
    return;
  }
  c->params = std::move(*params);
  for (auto& id : call.args().value("device_ids", json::array()))
    c->ids.push_back(id.get<std::string>());
  auto max = static_cast<size_t>(svc.rollout.max_devices);
  if (c->ids.size() < kind.min_devices || c->ids.size() > max) {
    call.fail(ec::invalid_arguments,
              "device_ids: a " + std::string{kind.name} + " plan needs "
                + std::to_string(kind.min_devices) + " to "
                + std::to_string(max) + " devices (rollout.max_devices), got "
                + std::to_string(c->ids.size()));
    return;
  }
  auto n = static_cast<int64_t>(c->ids.size());
  auto size = call.arg<int64_t>("batch_size", 0);
  if (size == 0) // the configured default, at most the device count
    size = std::max<int64_t>(1, std::min(svc.rollout.batch_size, n));
  else if (size > n) {
    call.fail(ec::invalid_arguments,
              "batch_size: must be 1 to " + std::to_string(c->ids.size())
                + " (the number of devices), got " + std::to_string(size));
    return;
  }
  c->batch_size = size;
  call.self()
    ->request(svc.fleet, call.wait(fleet_timeout), atom::get_v, atom::devices_v)
    .then(
      [c](std::vector<device_view>& fleet) {
        auto checked = check_devices(c->call, c->kind, c->ids, fleet);
        if (!checked) {
          c->call.fail(std::move(checked.error()));
          return;
        }
        c->devices = std::move(*checked);
        std::vector<std::string> unreachable;
        for (auto& d : c->devices) {
          if (d.last.status == device_status::unreachable)
            unreachable.push_back(d.record.id);
          else if (d.last.status == device_status::degraded)
            c->warnings.push_back(d.record.id + " is degraded");
        }
        if (!unreachable.empty()) {
          c->call.fail(ec::guard_refused,
                       "pre-checks failed: device(s) " + listed(unreachable)
                         + " are unreachable (see device_health); no plan "
                           "was created");
          return;
        }
        c->previews.resize(c->devices.size());
        c->pending = c->devices.size();
        for (size_t i = 0; i < c->devices.size(); ++i)
          c->preview_one(i);
      },
      [c](caf::error& err) { c->call.fail(std::move(err)); });
}

void with_plan(
  tool_call& call, const std::string& id,
  std::function<void(plan_record&, std::vector<device_view>&)> next) {
  auto& svc = call.svc();
  auto refuse = [&call](const authz::plan_facts& facts) {
    auto d = authz::authorize_plan(call.caller(), facts);
    if (!d)
      call.fail(ec::forbidden, d.reason);
    return !d;
  };
  auto* self = call.self();
  self
    ->request(svc.plans, call.wait(plans_timeout), atom::get_v, atom::plan_v,
              id)
    .then(
      [&call, self, refuse, next](plan_record& plan) {
        auto decide = [&call, refuse, next,
                       plan](std::vector<device_view>& fleet) mutable {
          std::map<std::string, const device_record*> by_id;
          for (auto& v : fleet)
            by_id[v.record.id] = &v.record;
          auto find = [&by_id](const std::string& dev) {
            auto i = by_id.find(dev);
            return i == by_id.end() ? nullptr : i->second;
          };
          if (refuse({plan.id, true, plan.creator_scope_known,
                      authz::facts_of(device_ids(plan), find)}))
            return;
          next(plan, fleet);
        };
        if (!call.svc().fleet) {
          std::vector<device_view> none;
          decide(none);
          return;
        }
        self
          ->request(call.svc().fleet, call.wait(fleet_timeout), atom::get_v,
                    atom::devices_v)
          .then([decide](
                  std::vector<device_view>& fleet) mutable { decide(fleet); },
                [&call](caf::error& err) { call.fail(std::move(err)); });
      },
      [&call, refuse, id](caf::error& err) {
        // A scoped caller learns nothing of plans outside its scope: an
        // unknown id is refused the same way.
        if (error_code_of(err) == ec::plan_not_found
            && refuse({id, false, false, {}}))
          return;
        call.fail(std::move(err));
      });
}

namespace {

/// Runs plan `id`, now executing, and answers with the rollout report.
void run_started(tool_call& call, caf::event_based_actor* self,
                 const std::string& id) {
  auto& s = call.setup();
  call.progress(0, std::nullopt,
                "approval accepted; rollout of " + id + " started");
  self
    ->request(call.svc().rollouts, call.wait(rollout_timeout), atom::run_v, id,
              s.session, s.request_key, s.progress_token)
    .then(
      [&call](json& report) {
        auto state = report.value("state", "");
        std::string text =
          "Plan " + report.value("plan_id", "") + " ended " + state;
        if (report.contains("reason"))
          text += " (" + report["reason"].get<std::string>() + ")";
        for (auto& d : report["devices"])
          text +=
            "\n" + d.value("device_id", "") + ": " + d.value("state", "")
            + (d.contains("error") ? " (" + d["error"].get<std::string>() + ")"
                                   : "");
        call.finish({std::move(report), std::move(text), false});
      },
      [&call](caf::error& err) { call.fail(std::move(err)); });
}

/// An apply without a token: the plan must be made with hand_to_apply by
/// this caller; the plan store starts it once an approver approved it,
/// waiting up to approval_wait_seconds while it is pending.
void wait_for_handoff(tool_call& call, caf::event_based_actor* self,
                      const plan_record& plan) {
  if (!plan.hand_to_apply) {
    call.fail(ec::invalid_arguments,
              "approval_token: required for plan " + plan.id
                + " (it was not made with hand_to_apply); an approver gives "
                  "it to you after `routeros-mcp plan approve "
                + plan.id + "`");
    return;
  }
  if (plan.created_by != call.caller().subject) {
    call.fail(ec::forbidden, "plan " + plan.id
                               + " hands its approval to the apply call of "
                               + "its creator (" + plan.created_by
                               + "), not of '" + call.caller().subject + "'");
    return;
  }
  auto wait_s =
    call.arg<int64_t>("approval_wait_seconds", default_approval_wait_s);
  if (plan.state == plan_state::pending)
    call.progress(0, std::nullopt,
                  "waiting up to " + std::to_string(wait_s)
                    + " s for an approver to approve plan " + plan.id
                    + " (web console, POST /admin/plans/" + plan.id
                    + "/approve or routeros-mcp plan approve " + plan.id + ")");
  auto id = plan.id;
  self
    ->request(call.svc().plans,
              call.wait(std::chrono::seconds{wait_s} + plans_timeout),
              atom::start_v, id, wait_s * 1000)
    .then([&call, self, id](plan_record&) { run_started(call, self, id); },
          [&call](caf::error& err) { call.fail(std::move(err)); });
}

} // namespace

void apply_plan(tool_call& call) {
  auto& svc = call.svc();
  if (!svc.plans || !svc.rollouts || !svc.fleet) {
    call.fail(ec::unsupported,
              "plans are disabled in this service: it has no store or no "
              "approval key (plans.approval_key_file / "
              "ROUTEROS_MCP_APPROVAL_KEY; see the plans-disabled log line)");
    return;
  }
  auto token = call.arg<std::string>("approval_token", "");
  auto* self = call.self();
  with_plan(
    call, call.arg<std::string>("plan_id", ""),
    [&call, self, token](plan_record& plan, std::vector<device_view>& fleet) {
      auto id = plan.id;
      auto* kind = find_change_kind(plan.kind);
      if (kind == nullptr || call.tool().spec.name != kind->apply_tool) {
        call.fail(ec::invalid_arguments,
                  "plan " + id + " is a '" + plan.kind
                    + "' plan; apply it with "
                    + (kind ? kind->apply_tool : plan.apply_tool.c_str())
                    + ", not " + call.tool().spec.name);
        return;
      }
      auto checked = check_devices(call, *kind, device_ids(plan), fleet);
      if (!checked) {
        call.fail(std::move(checked.error()));
        return;
      }
      // A plan never changes a device outside its creator's scope, also
      // one re-tagged since the plan was made.
      std::vector<std::string> left;
      for (auto& v : *checked)
        if (plan.creator_scope_known
            && !authz::in_scope(plan.creator_scope, authz::facts_of(v.record)))
          left.push_back(v.record.id);
      if (!left.empty()) {
        call.fail(ec::forbidden, "device(s) " + listed(left)
                                   + " left the device scope of the "
                                     "plan's creator since plan "
                                   + id + " was made; make a new plan");
        return;
      }
      if (!token.empty()) {
        self
          ->request(call.svc().plans, call.wait(plans_timeout), atom::start_v,
                    id, token)
          .then(
            [&call, self, id](plan_record&) { run_started(call, self, id); },
            [&call](caf::error& err) { call.fail(std::move(err)); });
        return;
      }
      wait_for_handoff(call, self, plan);
    });
}

json plan_created_schema() {
  json str{{"type", "string"}};
  return {{"type", "object"},
          {"properties",
           {{"plan_id", str},
            {"state", str},
            {"risk", str},
            {"preview", {{"type", "array"}}},
            {"batches", {{"type", "array"}}}}},
          {"required", {"plan_id", "state", "risk", "preview", "batches"}}};
}

json rollout_report_schema() {
  json str{{"type", "string"}};
  return {{"type", "object"},
          {"properties", {{"plan_id", str}, {"state", str}}},
          {"required", {"plan_id", "state"}}};
}

} // namespace rmcp::tools
