#include "src/resources/resources.hpp"

#include <chrono>

#include "actors/tool_call.hpp"
#include "actors/tool_registry.hpp"
#include "protocol/authz.hpp"
#include "protocol/error.hpp"
#include "src/tools/device_report.hpp"

namespace rmcp::resources {

namespace {

constexpr auto ask_timeout = std::chrono::seconds{5};
/// Health samples in device://{id}/health.
constexpr uint32_t health_history = 20;
/// Thresholds of the health report's checks.
constexpr double cpu_ok_below = 80;
constexpr double memory_ok_below = 90;

const char* const environments[] = {"lab", "staging", "prod", "all"};

bool measured(const health_sample& s) {
  return s.status == device_status::healthy
         || s.status == device_status::degraded;
}

void fleet_health_summary(resource_read& r) {
  r.self()
    ->request(r.svc().fleet, ask_timeout, atom::get_v, atom::devices_v)
    .then(
      [&r](std::vector<device_view>& views) {
        json counts{
          {"unknown", 0}, {"healthy", 0}, {"degraded", 0}, {"unreachable", 0}};
        json attention = json::array();
        double cpu = 0;
        double memory = 0;
        size_t measured_count = 0;
        size_t managed = 0;
        for (auto& v : views) {
          if (v.record.environment != r.svc().environment
              || !authz::visible(r.caller(), v.record))
            continue;
          ++managed;
          auto status = to_string(v.last.status);
          counts[status] = counts[status].get<int>() + 1;
          if (measured(v.last)) {
            ++measured_count;
            cpu += v.last.cpu_percent;
            memory += tools::percent(v.last.memory_used_bytes,
                                     v.last.memory_total_bytes);
          }
          if (v.last.status != device_status::healthy)
            attention.push_back(
              {{"device_id", v.record.id},
               {"name", v.record.name},
               {"status", status},
               {"issues", v.last.issues},
               {"last_check", tools::iso_time(v.last.timestamp)}});
        }
        json summary{{"environment", r.svc().environment},
                     {"total", managed},
                     {"by_status", std::move(counts)},
                     {"average_cpu_percent",
                      measured_count ? json(cpu / measured_count) : json()},
                     {"average_memory_percent",
                      measured_count ? json(memory / measured_count) : json()}};
        r.finish({{"summary", std::move(summary)},
                  {"devices_needing_attention", std::move(attention)}});
      },
      [&r](caf::error& err) { r.fail(std::move(err)); });
}

void fleet_devices(resource_read& r) {
  auto env = r.param("environment");
  bool known = false;
  for (auto* e : environments)
    known = known || env == e;
  if (!known) {
    r.fail(make_error(ec::resource_not_found,
                      "Resource not found: " + r.uri()
                        + " (environment must be lab, staging, prod or all)"));
    return;
  }
  r.self()
    ->request(r.svc().fleet, ask_timeout, atom::get_v, atom::devices_v)
    .then(
      [&r, env](std::vector<device_view>& views) {
        json devices = json::array();
        for (auto& v : views) {
          if ((env != "all" && v.record.environment != env)
              || !authz::visible(r.caller(), v.record))
            continue;
          auto d = tools::record_json(v.record);
          d["status"] = to_string(v.last.status);
          d["managed"] = v.record.environment == r.svc().environment;
          devices.push_back(std::move(d));
        }
        auto count = devices.size();
        r.finish({{"environment", env},
                  {"devices", std::move(devices)},
                  {"count", count}});
      },
      [&r](caf::error& err) { r.fail(std::move(err)); });
}

void device_overview(resource_read& r) {
  r.self()
    ->request(r.svc().fleet, ask_timeout, atom::get_v, r.param("device_id"),
              atom::view_v)
    .then(
      [&r](device_view& v) {
        r.finish({{"device", tools::record_json(v.record)},
                  {"managed", v.record.environment == r.svc().environment},
                  {"health", tools::health_json(v.last)}});
      },
      [&r](caf::error& err) { r.fail(std::move(err)); });
}

json health_checks(const health_sample& s) {
  if (!measured(s))
    return {{"cpu_ok", nullptr}, {"memory_ok", nullptr}};
  return {
    {"cpu_ok", s.cpu_percent < cpu_ok_below},
    {"memory_ok", tools::percent(s.memory_used_bytes, s.memory_total_bytes)
                    < memory_ok_below}};
}

void device_health(resource_read& r) {
  auto id = r.param("device_id");
  r.self()
    ->request(r.svc().fleet, ask_timeout, atom::get_v, id, atom::view_v)
    .then(
      [&r, id](device_view& v) {
        json report{{"device_id", v.record.id},
                    {"name", v.record.name},
                    {"environment", v.record.environment},
                    {"current", tools::health_json(v.last)},
                    {"checks", health_checks(v.last)}};
        if (!r.svc().store) {
          report["history"] = json::array();
          r.finish(report);
          return;
        }
        r.self()
          ->request(r.svc().store, ask_timeout, atom::get_v, atom::health_v, id,
                    health_history)
          .then(
            [&r, report](std::vector<health_sample>& samples) mutable {
              json history = json::array();
              for (auto& s : samples)
                history.push_back(tools::health_json(s));
              report["history"] = std::move(history);
              r.finish(report);
            },
            [&r](caf::error& err) { r.fail(std::move(err)); });
      },
      [&r](caf::error& err) { r.fail(std::move(err)); });
}

// -- resources served by the read tools ---------------------------------------------

/// Deadline of a nested read tool (below the session's 10 s read timeout).
constexpr auto tool_timeout = std::chrono::seconds{9};

/// Runs read tool `tool` with `args` plus the URI's variables (device_id,
/// plan_id) and hands its structured content to `next`; a tool error fails
/// the read with the tool's error (device_not_found becomes -32002).
void run_tool(resource_read& r, const char* tool, json args,
              std::function<void(json&)> next) {
  auto* desc = r.svc().tools ? r.svc().tools->find(tool) : nullptr;
  if (!desc) {
    r.fail(make_error(ec::internal_error,
                      std::string{"resource needs the tool "} + tool));
    return;
  }
  tool_call_setup setup;
  setup.tool = desc;
  setup.arguments = std::move(args);
  for (auto& [name, value] : r.params())
    setup.arguments[name] = value;
  setup.svc = r.svc_ptr();
  // The reader's identity (the session authorized this read).
  setup.caller = r.caller();
  // The latest revision: its results carry structuredContent.
  setup.version = std::string{mcp::latest_version};
  auto child = spawn_tool_call(r.self(), std::move(setup));
  r.self()
    ->request(child, tool_timeout, atom::run_v)
    .then(
      [&r, next{std::move(next)}](json& result) {
        if (result.value("isError", false))
          r.fail(from_tool_error_result(result));
        else
          next(result["structuredContent"]);
      },
      [&r](caf::error& err) { r.fail(std::move(err)); });
}

/// A resource that is exactly one read tool's structured content.
resource_handler from_tool(const char* tool, json args = json::object()) {
  return [tool, args](resource_read& r) {
    run_tool(r, tool, args, [&r](json& content) { r.finish(content); });
  };
}

/// device://{id}/bridges: every bridge with its ports.
void device_bridges(resource_read& r) {
  run_tool(r, "list_bridges", json::object(), [&r](json& bridges) {
    run_tool(r, "list_bridge_ports", json::object(),
             [&r, bridges](json& ports) mutable {
               size_t total_ports = 0;
               for (auto& b : bridges["bridges"]) {
                 json own = json::array();
                 for (auto& p : ports["ports"])
                   if (p.value("bridge", "") == b.value("name", ""))
                     own.push_back(p);
                 total_ports += own.size();
                 b["ports"] = std::move(own);
               }
               r.finish({{"device_id", bridges["device_id"]},
                         {"bridges", bridges["bridges"]},
                         {"total_bridges", bridges["count"]},
                         {"total_ports", total_ports}});
             });
  });
}

/// Asks the store for a device's newest snapshot record of `kind`; a
/// missing record goes to `missing`, any other error fails the read.
template <class Found, class Missing>
void newest_snapshot(resource_read& r, const std::string& id, std::string kind,
                     Found found, Missing missing) {
  if (!r.svc().store) {
    r.fail(make_error(ec::internal_error, "the store is not running"));
    return;
  }
  r.self()
    ->request(r.svc().store, ask_timeout, atom::get_v, atom::snapshot_v, id,
              std::move(kind))
    .then([found](snapshot_record& rec) mutable { found(rec); },
          [&r, missing](caf::error& err) mutable {
            if (err == ec::resource_not_found)
              missing();
            else
              r.fail(std::move(err));
          });
}

/// device://{id}/config: the newest configuration snapshot.
void device_config(resource_read& r) {
  auto id = r.param("device_id");
  newest_snapshot(
    r, id, "config",
    [&r](snapshot_record& snap) {
      auto size = snap.content.size();
      r.finish({{"device_id", snap.device_id},
                {"config", snap.content},
                {"_meta",
                 {{"snapshot_id", snap.id},
                  {"taken_at", tools::iso_time(snap.timestamp)},
                  {"sha256", snap.sha256},
                  {"size_bytes", size},
                  {"estimated_tokens", size / 4},
                  {"safe_for_context", size < 50000},
                  {"redacted", true}}}});
    },
    [&r, id] {
      r.fail(make_error(ec::resource_not_found,
                        "device '" + id
                          + "' has no configuration snapshot yet; take "
                            "one with the tool capture_config_snapshot"));
    });
}

/// device://{id}/config-drift: the newest drift found by the periodic
/// snapshots (both snapshot ids and times, counts, first changed lines).
void device_config_drift(resource_read& r) {
  auto id = r.param("device_id");
  newest_snapshot(
    r, id, "config-drift",
    [&r, id](snapshot_record& rec) {
      auto drift = json::parse(rec.content, nullptr, false);
      if (!drift.is_object()) {
        r.fail(make_error(ec::internal_error, "the drift record " + rec.id
                                                + " of device '" + id
                                                + "' is not a JSON object"));
        return;
      }
      for (auto key : {"previous_taken_ms", "taken_ms"}) {
        auto at = drift.find(key);
        if (at != drift.end() && at->is_number_integer()) {
          std::string name = key;
          name.replace(name.size() - 3, 3, "_at");
          drift[name] = tools::iso_time(at->get<int64_t>());
          drift.erase(at);
        }
      }
      r.finish({{"device_id", id},
                {"drift", std::move(drift)},
                {"_meta", {{"record_id", rec.id}}}});
    },
    [&r, id] {
      r.finish({{"device_id", id},
                {"drift", nullptr},
                {"_meta",
                 {{"note", "no drift recorded: the periodic snapshots "
                           "(snapshots.interval) have not seen this "
                           "device's configuration change"}}}});
    });
}

// -- plans (get_plan_status seen from three sides; never a token) --------------------

json iso_or_null(const json& unix_ms) {
  return unix_ms.is_number() && unix_ms.get<int64_t>() > 0
           ? tools::iso_time(unix_ms.get<int64_t>())
           : json();
}

void plan_summary(resource_read& r) {
  run_tool(r, "get_plan_status", {{"journal_limit", 0}}, [&r](json& st) {
    auto& p = st["plan"];
    json by_state = json::object();
    for (auto& d : st["devices"]) {
      auto state = d.value("state", "");
      by_state[state] = by_state.value(state, 0) + 1;
    }
    r.finish({{"plan_id", p["id"]},
              {"kind", p["kind"]},
              {"state", p["state"]},
              {"risk", p["risk"]},
              {"environment", p["environment"]},
              {"description", p["description"]},
              {"created_by", p["created_by"]},
              {"created_at", iso_or_null(p["created_at"])},
              {"approved_by", p["approved_by"]},
              {"approved_at", iso_or_null(p["approved_at"])},
              {"apply_tool", p["apply_tool"]},
              {"device_count", st["devices"].size()},
              {"batch_count", p["batches"].size()},
              {"devices_by_state", std::move(by_state)},
              {"cancel_requested", p.value("cancel_requested", false)}});
  });
}

void plan_details(resource_read& r) {
  run_tool(r, "get_plan_status", {{"journal_limit", 0}},
           [&r](json& st) { r.finish(st["plan"]); });
}

void plan_execution_log(resource_read& r) {
  run_tool(r, "get_plan_status", {{"journal_limit", 1000}}, [&r](json& st) {
    r.finish({{"plan_id", st["plan"]["id"]},
              {"state", st["plan"]["state"]},
              {"journal", st["journal"]},
              {"journal_total", st["journal_total"]}});
  });
}

struct entry {
  resource_spec spec;
  resource_handler handler;
};

} // namespace

caf::error register_all(resource_registry& reg) {
  const entry table[] = {
    {{"fleet://health-summary", "fleet-health-summary", "Fleet health summary",
      "Devices of the service's environment by health state (unknown, "
      "healthy, degraded, unreachable), average CPU and memory of the "
      "measured ones, and the devices that need attention with their "
      "issues. Updates (resources/updated) follow health changes.",
      "application/json", true},
     fleet_health_summary},
    {{"fleet://devices/{environment}", "fleet-devices",
      "Devices by environment",
      "Registered devices of an environment (lab, staging, prod, or all): "
      "registry record without secrets, health state and whether this "
      "service manages it.",
      "application/json", false},
     fleet_devices},
    {{"device://{device_id}/overview", "device-overview", "Device overview",
      "One device: registry record (no secrets), capability flags, and its "
      "last health check (RouterOS version, board, CPU, memory, uptime).",
      "application/json", true},
     device_overview},
    {{"device://{device_id}/health", "device-health", "Device health",
      "One device's current health with threshold checks (CPU < 80 %, "
      "memory < 90 %) and its recent health checks from the store.",
      "application/json", true},
     device_health},
    {{"device://{device_id}/config", "device-config", "Device configuration",
      "The newest configuration snapshot of a device (RouterOS export, "
      "secrets redacted) with its id, time, checksum and size. Take one "
      "with the tool capture_config_snapshot; periodic snapshots take one "
      "every snapshots.interval. Subscribable: updated by every new "
      "snapshot.",
      "application/json", true},
     device_config},
    {{"device://{device_id}/config-drift", "device-config-drift",
      "Configuration drift",
      "The newest drift the periodic snapshots found on a device: the two "
      "snapshots compared (ids, times), lines added and removed, and the "
      "first changed lines; drift null when none was found. Includes the "
      "service's own changes (the audit trail tells them apart). "
      "Subscribable.",
      "application/json", true},
     device_config_drift},
    {{"device://{device_id}/logs", "device-logs", "Device logs",
      "The router's 50 newest buffered log entries (time, topics, message); "
      "use the tool get_recent_logs to filter.",
      "application/json", false},
     from_tool("get_recent_logs", {{"limit", 50}})},
    {{"device://{device_id}/bridges", "device-bridges", "Bridges",
      "A router's bridges, each with its ports.", "application/json", false},
     device_bridges},
    {{"device://{device_id}/dhcp-server", "device-dhcp-server", "DHCP servers",
      "A router's DHCP servers.", "application/json", false},
     from_tool("get_dhcp_server_status")},
    {{"device://{device_id}/dhcp-leases", "device-dhcp-leases", "DHCP leases",
      "A router's bound DHCP leases.", "application/json", false},
     from_tool("get_dhcp_leases")},
    {{"device://{device_id}/wireless", "device-wireless", "Wireless interfaces",
      "A router's wireless interfaces (and a hint when CAPsMAN manages "
      "them).",
      "application/json", false},
     from_tool("get_wireless_interfaces")},
    {{"device://{device_id}/wireless/clients", "device-wireless-clients",
      "Wireless clients",
      "Clients registered on a router's wireless "
      "interfaces with signal and rates.",
      "application/json", false},
     from_tool("get_wireless_clients")},
    {{"device://{device_id}/capsman/remote-caps", "device-capsman-caps",
      "CAPsMAN remote CAPs", "Access points a CAPsMAN router manages.",
      "application/json", false},
     from_tool("get_capsman_remote_caps")},
    {{"device://{device_id}/capsman/registrations",
      "device-capsman-registrations", "CAPsMAN registrations",
      "Clients registered through a CAPsMAN router.", "application/json",
      false},
     from_tool("get_capsman_registrations")},
    {{"plan://{plan_id}/summary", "plan-summary", "Plan summary",
      "A plan's kind, state, risk, creator and approver, device and batch "
      "counts and devices by rollout state. Never an approval token.",
      "application/json", false},
     plan_summary},
    {{"plan://{plan_id}/details", "plan-details", "Plan details",
      "A whole plan: parameters, per-device preview (current vs intended), "
      "warnings, batches, per-device states and snapshots. Never an "
      "approval token.",
      "application/json", false},
     plan_details},
    {{"plan://{plan_id}/execution-log", "plan-execution-log",
      "Plan execution log",
      "A plan's journal in order (up to the newest 1,000 steps): every "
      "rollout step with batch, device, event id and details.",
      "application/json", false},
     plan_execution_log},
  };
  for (auto& e : table)
    if (auto err = reg.add(e.spec, e.handler))
      return err;
  return register_audit(reg);
}

} // namespace rmcp::resources
