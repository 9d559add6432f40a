#include "protocol/plan.hpp"

#include "protocol/authz.hpp"
#include "protocol/error.hpp"

namespace rmcp {

namespace {

constexpr plan_state all_states[] = {
  plan_state::pending,      plan_state::approved,    plan_state::executing,
  plan_state::completed,    plan_state::failed,      plan_state::cancelled,
  plan_state::rolling_back, plan_state::rolled_back,
};

} // namespace

std::string to_string(plan_state x) {
  switch (x) {
    case plan_state::pending:
      return "pending";
    case plan_state::approved:
      return "approved";
    case plan_state::executing:
      return "executing";
    case plan_state::completed:
      return "completed";
    case plan_state::failed:
      return "failed";
    case plan_state::cancelled:
      return "cancelled";
    case plan_state::rolling_back:
      return "rolling_back";
    case plan_state::rolled_back:
      return "rolled_back";
  }
  return "unknown";
}

bool from_string(std::string_view text, plan_state& x) {
  for (auto s : all_states)
    if (to_string(s) == text) {
      x = s;
      return true;
    }
  return false;
}

bool is_terminal(plan_state x) {
  return x == plan_state::completed || x == plan_state::failed
         || x == plan_state::cancelled || x == plan_state::rolled_back;
}

caf::error check_transition(const std::string& plan_id, plan_state from,
                            plan_state to) {
  using s = plan_state;
  bool legal = false;
  switch (from) {
    case s::pending:
      legal = to == s::approved || to == s::cancelled;
      break;
    case s::approved:
      legal = to == s::executing || to == s::cancelled;
      break;
    case s::executing:
      legal = to == s::completed || to == s::failed || to == s::cancelled
              || to == s::rolling_back;
      break;
    case s::rolling_back:
      legal = to == s::rolled_back || to == s::failed;
      break;
    case s::completed:
    case s::failed:
    case s::cancelled:
    case s::rolled_back:
      legal = false;
      break;
  }
  if (legal)
    return caf::none;
  std::string why =
    is_terminal(from) ? " (" + to_string(from) + " is final)" : "";
  return make_error(ec::plan_state_invalid,
                    "plan " + plan_id + " cannot go from " + to_string(from)
                      + " to " + to_string(to) + why);
}

plan_device* find_device(plan_record& plan, const std::string& id) {
  for (auto& d : plan.devices)
    if (d.id == id)
      return &d;
  return nullptr;
}

std::vector<std::string> device_ids(const plan_record& plan) {
  std::vector<std::string> out;
  for (auto& d : plan.devices)
    out.push_back(d.id);
  return out;
}

caf::error apply_step(plan_record& plan, const plan_step& st) {
  plan_state to = plan.state;
  if (!st.to_state.empty()) {
    if (!from_string(st.to_state, to))
      return make_error(ec::invalid_arguments,
                        "unknown plan state " + st.to_state);
    if (to != plan.state)
      if (auto e = check_transition(plan.id, plan.state, to))
        return e;
  }
  if (!st.device_id.empty() && !st.device_state.empty()) {
    auto* dev = find_device(plan, st.device_id);
    if (!dev)
      return make_error(ec::invalid_arguments,
                        "plan " + plan.id + " has no device " + st.device_id);
    dev->state = st.device_state;
    if (auto i = st.detail.find("before"); i != st.detail.end())
      dev->before = *i;
    if (auto i = st.detail.find("error");
        i != st.detail.end() && i->is_string())
      dev->error = i->get<std::string>();
  }
  plan.state = to;
  return caf::none;
}

void apply_receipt(plan_record& plan, const step_receipt& r) {
  plan.state = r.state;
  plan.journal_seq = r.step.seq + 1;
  plan.updated_at = r.step.timestamp;
  plan.cancel_requested = r.cancel_requested;
  plan.closed_by = r.closed_by;
  plan.reason = r.reason;
}

json to_json(const plan_device& x) {
  return {
    {"id", x.id}, {"state", x.state}, {"before", x.before}, {"error", x.error}};
}

bool from_json(const json& j, plan_device& x) {
  x.id = j.value("id", "");
  x.state = j.value("state", "pending");
  x.before = j.value("before", json::object());
  x.error = j.value("error", "");
  return !x.id.empty();
}

json to_json(const plan_record& x) {
  json devices = json::array();
  for (auto& d : x.devices)
    devices.push_back(to_json(d));
  return {{"id", x.id},
          {"kind", x.kind},
          {"tool", x.tool},
          {"apply_tool", x.apply_tool},
          {"state", to_string(x.state)},
          {"created_by", x.created_by},
          // null: created before creators' scopes were recorded.
          {"creator_scope",
           x.creator_scope_known ? authz::to_json(x.creator_scope) : json()},
          {"created_at", x.created_at},
          {"updated_at", x.updated_at},
          {"description", x.description},
          {"risk", x.risk},
          {"environment", x.environment},
          {"params", x.params},
          {"preview", x.preview},
          {"warnings", x.warnings},
          {"batches", x.batches},
          {"pause_ms", x.pause_ms},
          {"rollback_on_failure", x.rollback_on_failure},
          {"devices", std::move(devices)},
          {"approved_by", x.approved_by},
          {"approved_at", x.approved_at},
          {"approval_expires_at", x.approval_expires_at},
          {"approval_nonce", x.approval_nonce},
          {"token_used", x.token_used},
          {"hand_to_apply", x.hand_to_apply},
          {"closed_by", x.closed_by},
          {"reason", x.reason},
          {"cancel_requested", x.cancel_requested},
          {"journal_seq", x.journal_seq}};
}

bool from_json(const json& j, plan_record& x) {
  x.id = j.value("id", "");
  x.kind = j.value("kind", "");
  x.tool = j.value("tool", "");
  x.apply_tool = j.value("apply_tool", "");
  if (!from_string(j.value("state", "pending"), x.state))
    return false;
  x.created_by = j.value("created_by", "");
  // Absent or null in plans stored before creators' scopes were recorded.
  auto scope = j.find("creator_scope");
  x.creator_scope_known = scope != j.end() && scope->is_object();
  x.creator_scope =
    x.creator_scope_known ? authz::scope_from_json(*scope) : device_scope{};
  x.created_at = j.value("created_at", int64_t{0});
  x.updated_at = j.value("updated_at", int64_t{0});
  x.description = j.value("description", "");
  x.risk = j.value("risk", "");
  x.environment = j.value("environment", "");
  x.params = j.value("params", json::object());
  x.preview = j.value("preview", json::array());
  x.warnings = j.value("warnings", std::vector<std::string>{});
  x.batches = j.value("batches", std::vector<std::vector<std::string>>{});
  x.pause_ms = j.value("pause_ms", int64_t{0});
  x.rollback_on_failure = j.value("rollback_on_failure", true);
  x.devices.clear();
  for (auto& d : j.value("devices", json::array())) {
    plan_device dev;
    if (!from_json(d, dev))
      return false;
    x.devices.push_back(std::move(dev));
  }
  x.approved_by = j.value("approved_by", "");
  x.approved_at = j.value("approved_at", int64_t{0});
  x.approval_expires_at = j.value("approval_expires_at", int64_t{0});
  x.approval_nonce = j.value("approval_nonce", "");
  x.token_used = j.value("token_used", false);
  x.hand_to_apply = j.value("hand_to_apply", false);
  x.closed_by = j.value("closed_by", "");
  x.reason = j.value("reason", "");
  x.cancel_requested = j.value("cancel_requested", false);
  x.journal_seq = j.value("journal_seq", uint64_t{0});
  return !x.id.empty();
}

json to_json(const plan_step& x) {
  json out{{"seq", x.seq},           {"timestamp", x.timestamp},
           {"plan_id", x.plan_id},   {"event", x.event},
           {"batch", x.batch},       {"device_id", x.device_id},
           {"to_state", x.to_state}, {"device_state", x.device_state},
           {"detail", x.detail}};
  return out;
}

bool from_json(const json& j, plan_step& x) {
  x.plan_id = j.value("plan_id", "");
  x.event = j.value("event", "");
  x.batch = j.value("batch", int32_t{-1});
  x.device_id = j.value("device_id", "");
  x.to_state = j.value("to_state", "");
  x.device_state = j.value("device_state", "");
  x.detail = j.value("detail", json::object());
  x.seq = j.value("seq", uint64_t{0});
  x.timestamp = j.value("timestamp", int64_t{0});
  return !x.plan_id.empty() && !x.event.empty();
}

} // namespace rmcp
