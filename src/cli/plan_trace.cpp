#include "src/cli/plan_trace.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "src/cli/cli_io.hpp"
#include "storage/encoding.hpp"

namespace rmcp::cli {

namespace {

/// ISO 8601 UTC with milliseconds (steps of one device are often less
/// than a second apart).
std::string time_text(int64_t ms) {
  if (ms <= 0)
    return "-";
  auto text = storage::iso_utc(ms);
  if (!text.empty() && text.back() == 'Z') {
    char frac[8];
    std::snprintf(frac, sizeof(frac), ".%03d", static_cast<int>(ms % 1000));
    text.insert(text.size() - 1, frac);
  }
  return text;
}

std::string str(const json& j, const char* key) {
  auto i = j.find(key);
  return i != j.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

int64_t num(const json& j, const char* key) {
  auto i = j.find(key);
  return i != j.end() && i->is_number_integer() ? i->get<int64_t>() : 0;
}

/// What a journal step says beyond its event: an error, a gate's verdict,
/// the values a snapshot read (short).
std::string step_detail(const plan_step& st) {
  if (!st.detail.is_object() || st.detail.empty())
    return {};
  if (auto e = st.detail.find("error"); e != st.detail.end() && e->is_string())
    return "error: " + e->get<std::string>();
  auto text = st.detail.dump();
  constexpr size_t max_detail = 160;
  if (text.size() > max_detail)
    text = text.substr(0, max_detail - 3) + "...";
  return text;
}

/// The event name of an audit record in the timeline.
std::string audit_event(const json& rec, const plan_record& plan) {
  auto kind = str(rec, "kind");
  auto tool = str(rec, "tool");
  if (kind == "approval")
    return "plan-" + str(rec, "outcome");
  if (kind == "denied")
    return "refused";
  if (kind == "change")
    return "router-change";
  if (tool == plan.apply_tool)
    return "apply-call";
  if (tool == plan.tool)
    return "plan-call";
  return tool;
}

bool relevant(const json& rec, const plan_record& plan) {
  if (str(rec, "plan_id") != plan.id)
    return false;
  auto kind = str(rec, "kind");
  if (kind != "call")
    return true;
  auto tool = str(rec, "tool");
  return tool == plan.apply_tool || tool == plan.tool;
}

} // namespace

json plan_trace(const plan_record& plan, const std::vector<plan_step>& journal,
                const std::vector<json>& audit) {
  json timeline = json::array();
  struct device_span {
    int64_t first = 0;
    int64_t last = 0;
    size_t steps = 0;
    std::string error;
  };
  std::map<std::string, device_span> spans;
  for (auto& st : journal) {
    json e{{"at", time_text(st.timestamp)},
           {"at_ms", st.timestamp},
           {"source", "journal"},
           {"seq", st.seq},
           {"event", st.event},
           {"batch", st.batch},
           {"device_id", st.device_id},
           {"state", st.device_state.empty() ? st.to_state : st.device_state},
           {"detail", step_detail(st)}};
    timeline.push_back(std::move(e));
    if (!st.device_id.empty()) {
      auto& s = spans[st.device_id];
      if (s.steps++ == 0)
        s.first = st.timestamp;
      s.last = st.timestamp;
      if (auto err = st.detail.find("error");
          err != st.detail.end() && err->is_string())
        s.error = err->get<std::string>();
    }
  }
  for (auto& rec : audit) {
    if (!relevant(rec, plan))
      continue;
    auto at = num(rec, "timestamp");
    timeline.push_back({{"at", time_text(at)},
                        {"at_ms", at},
                        {"source", "audit"},
                        {"seq", num(rec, "seq")},
                        {"event", audit_event(rec, plan)},
                        {"device_id", str(rec, "device_id")},
                        {"who", str(rec, "actor")},
                        {"outcome", str(rec, "outcome")},
                        {"request_id", str(rec, "request_id")},
                        {"detail", str(rec, "error")}});
  }
  std::stable_sort(
    timeline.begin(), timeline.end(), [](const json& a, const json& b) {
      if (a["at_ms"] != b["at_ms"])
        return a["at_ms"].get<int64_t>() < b["at_ms"].get<int64_t>();
      // The journal line of a step is written before the
      // records of what it led to.
      return a["source"] == "journal" && b["source"] == "audit";
    });
  json devices = json::array();
  for (auto& d : plan.devices) {
    auto s = spans[d.id];
    devices.push_back({{"device_id", d.id},
                       {"state", d.state},
                       {"first_at", time_text(s.first)},
                       {"last_at", time_text(s.last)},
                       {"duration_ms", s.steps > 0 ? s.last - s.first : 0},
                       {"steps", s.steps},
                       {"error", d.error.empty() ? s.error : d.error}});
  }
  return {{"plan",
           {{"plan_id", plan.id},
            {"kind", plan.kind},
            {"risk", plan.risk},
            {"state", to_string(plan.state)},
            {"environment", plan.environment},
            {"created_by", plan.created_by},
            {"created_at", time_text(plan.created_at)},
            {"approved_by", plan.approved_by},
            {"approved_at", time_text(plan.approved_at)},
            {"closed_by", plan.closed_by},
            {"reason", plan.reason}}},
          {"timeline", std::move(timeline)},
          {"devices", std::move(devices)}};
}

std::string render_plan_trace(const json& trace) {
  std::ostringstream out;
  const auto& p = trace["plan"];
  out << "plan         " << str(p, "plan_id") << " (" << str(p, "kind")
      << ", risk " << str(p, "risk") << ", " << str(p, "environment") << ")\n"
      << "state        " << str(p, "state") << "\n"
      << "planned by   " << str(p, "created_by") << " at "
      << str(p, "created_at") << "\n";
  if (!str(p, "approved_by").empty())
    out << "approved by  " << str(p, "approved_by") << " at "
        << str(p, "approved_at") << "\n";
  if (!str(p, "closed_by").empty())
    out << "closed by    " << str(p, "closed_by") << ": " << str(p, "reason")
        << "\n";
  out << "\n";
  std::vector<std::vector<std::string>> rows{{"TIME", "SOURCE", "EVENT",
                                              "BATCH", "DEVICE", "STATE", "WHO",
                                              "REQUEST", "DETAIL"}};
  auto dash = [](std::string s) { return s.empty() ? "-" : s; };
  for (auto& e : trace["timeline"]) {
    auto batch = e.value("batch", -1);
    auto state =
      str(e, "source") == "journal" ? str(e, "state") : str(e, "outcome");
    rows.push_back(
      {str(e, "at"), str(e, "source"), str(e, "event"),
       batch < 0 ? "-" : (batch == 0 ? "canary" : std::to_string(batch)),
       dash(str(e, "device_id")), dash(state), dash(str(e, "who")),
       dash(str(e, "request_id")), str(e, "detail")});
  }
  out << render_table(rows) << "\n";
  std::vector<std::vector<std::string>> devs{
    {"DEVICE", "STATE", "FIRST STEP", "LAST STEP", "TOOK", "STEPS", "ERROR"}};
  for (auto& d : trace["devices"])
    devs.push_back({str(d, "device_id"), str(d, "state"), str(d, "first_at"),
                    str(d, "last_at"),
                    std::to_string(d.value("duration_ms", int64_t{0})) + " ms",
                    std::to_string(d.value("steps", 0)), str(d, "error")});
  out << render_table(devs);
  return out.str();
}

} // namespace rmcp::cli
