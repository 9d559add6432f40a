// Device registry and health tools: list_devices, check_connectivity,
// device_health, get_system_overview. Every router contact goes through the
// device actor (src/tools/device_access.hpp).

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include "actors/device_health.hpp"
#include "protocol/authz.hpp"
#include "protocol/error.hpp"
#include "protocol/system_resource.hpp"
#include "src/tools/device_access.hpp"
#include "src/tools/device_report.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

// -- list_devices ---------------------------------------------------------------

bool matches(const device_view& v, const json& args) {
  if (auto env = args.find("environment");
      env != args.end() && v.record.environment != env->get<std::string>())
    return false;
  if (auto status = args.find("status");
      status != args.end()
      && to_string(v.last.status) != status->get<std::string>())
    return false;
  if (auto tags = args.find("tags"); tags != args.end()) {
    for (auto& [key, value] : tags->items()) {
      auto i = v.record.tags.find(key);
      if (i == v.record.tags.end() || i->second != value.get<std::string>())
        return false;
    }
  }
  return true;
}

void list_devices(tool_call& call) {
  const auto& fleet = call.svc().fleet;
  if (!fleet) {
    call.fail(ec::unsupported, "no device registry is configured in this "
                               "service");
    return;
  }
  call.self()
    ->request(fleet, call.wait(fleet_timeout), atom::get_v, atom::devices_v)
    .then(
      [&call](std::vector<device_view>& views) {
        json devices = json::array();
        json rows = json::array();
        for (auto& v : views) {
          if (!matches(v, call.args())
              || !authz::visible(call.caller(), v.record))
            continue;
          auto& r = v.record;
          devices.push_back(
            {{"id", r.id},
             {"name", r.name},
             {"environment", r.environment},
             {"managed", r.environment == call.svc().environment},
             {"host", r.host},
             {"port", r.port},
             {"transport", r.ssh.transport},
             {"status", to_string(v.last.status)},
             {"routeros_version", or_null(v.last.routeros_version)},
             {"board", or_null(v.last.board_name)},
             {"identity", or_null(v.last.identity)},
             {"tags", r.tags},
             {"flags", flags_json(r.flags)},
             {"management_path", r.management_path},
             {"last_check", iso_time(v.last.timestamp)}});
          rows.push_back(
            {{"id", r.id},
             {"environment", r.environment},
             {"status", to_string(v.last.status)},
             {"version",
              v.last.routeros_version.empty() ? "-" : v.last.routeros_version},
             {"host", r.host}});
        }
        auto count = devices.size();
        mcp::tool_result result;
        result.text = std::to_string(count) + " device(s)"
                      + (count > 0 ? ":\n" + mcp::render_kv(rows) : "");
        result.structured = {{"devices", std::move(devices)},
                             {"total_count", count},
                             {"service_environment", call.svc().environment}};
        call.finish(std::move(result));
      },
      [&call](caf::error& err) { call.fail(std::move(err)); });
}

// -- check_connectivity ------------------------------------------------------------

void check_connectivity(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    device_ops::ask(call.self(), dev.actor, call.wait(device_timeout),
                    atom::check_v)
      .then(
        [&call, record{dev.view.record}](health_sample& s) {
          call.note_transport(s.transport, s.fallback_used);
          auto report = connectivity_json(record, s);
          auto text = connectivity_text(report);
          call.finish({std::move(report), std::move(text), false});
        },
        [&call](caf::error& err) { call.fail(std::move(err)); });
  });
}

// -- device_health -----------------------------------------------------------------

void device_health(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    device_ops::ask(call.self(), dev.actor, call.wait(device_timeout),
                    atom::check_v)
      .then(
        [&call](health_sample& s) {
          call.note_transport(s.transport, s.fallback_used);
          auto out = health_json(s);
          std::string text =
            "Device " + s.device_id + ": " + to_string(s.status);
          if (s.status == device_status::healthy
              || s.status == device_status::degraded)
            text += " (cpu " + std::to_string(std::lround(s.cpu_percent))
                    + "%, memory "
                    + std::to_string(std::lround(
                      percent(s.memory_used_bytes, s.memory_total_bytes)))
                    + "%, up " + std::to_string(s.uptime_seconds) + " s)";
          for (auto& issue : s.issues)
            text += "\n- " + issue;
          call.finish({std::move(out), std::move(text), false});
        },
        [&call](caf::error& err) { call.fail(std::move(err)); });
  });
}

// -- get_system_overview ---------------------------------------------------------------

/// The two reads of get_system_overview, run in parallel.
struct overview_join {
  device_record record;
  std::optional<system_resource> resource;
  bool identity_done = false;
  std::string identity;
  std::string identity_error;
};

void finish_overview(tool_call& call, const overview_join& j) {
  if (!j.resource || !j.identity_done || call.finished())
    return;
  const auto& res = *j.resource;
  auto opt = [](const auto& x) { return x ? json(*x) : json(nullptr); };
  json out{{"device_id", j.record.id},
           {"device_name", j.record.name},
           {"identity", or_null(j.identity)},
           {"identity_error", or_null(j.identity_error)},
           {"routeros_version", res.version},
           {"channel", or_null(res.channel)},
           {"board_name", or_null(res.board_name)},
           {"architecture", or_null(res.architecture)},
           {"platform", or_null(res.platform)},
           {"cpu", or_null(res.cpu)},
           {"cpu_count", opt(res.cpu_count)},
           {"cpu_frequency_mhz", opt(res.cpu_frequency_mhz)},
           {"cpu_load_percent", res.cpu_load_percent},
           {"memory_total_bytes", res.memory_total_bytes},
           {"memory_used_bytes", res.memory_used_bytes()},
           {"memory_free_bytes", res.memory_free_bytes},
           {"memory_used_percent",
            percent(res.memory_used_bytes(), res.memory_total_bytes)},
           {"storage_total_bytes", opt(res.hdd_total_bytes)},
           {"storage_free_bytes", opt(res.hdd_free_bytes)},
           {"uptime_seconds", res.uptime_seconds}};
  call.finish({std::move(out), {}, false});
}

void get_system_overview(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    auto j = std::make_shared<overview_join>();
    j->record = dev.view.record;
    device_request(call, dev.actor, get_request("/system/resource"),
                   [&call, j](rest_response& resp) {
                     auto res = parse_system_resource(resp.body);
                     if (!res) {
                       call.fail(res.error());
                       return;
                     }
                     j->resource = std::move(*res);
                     finish_overview(call, *j);
                   });
    // The identity is a nicety: its failure is reported, not fatal.
    device_ops::ask(call.self(), dev.actor, call.wait(device_timeout),
                    atom::exec_v, call.request(get_request("/system/identity")))
      .then(
        [&call, j](rest_response& resp) {
          j->identity = parse_system_identity(resp.body);
          j->identity_done = true;
          finish_overview(call, *j);
        },
        [&call, j](caf::error& err) {
          j->identity_error =
            to_string(error_code_of(err)) + ": " + error_message(err);
          j->identity_done = true;
          finish_overview(call, *j);
        });
  });
}

constexpr const char* device_id_arg = RMCP_DEVICE_ONLY_INPUT;

#define RMCP_STATUS_ENUM R"(["unknown","healthy","degraded","unreachable"])"
#define RMCP_OPT_STRING R"({"type":["string","null"]})"

const tool_entry table[] = {
  {"list_devices", "List devices", mcp::tool_tier::fundamental, read_only,
   "Lists the registered routers from the registry (no router contacted): "
   "id, environment, last health (status, RouterOS version, board, "
   "identity, check time), tags, capability flags. Call it first for the "
   "device_id values other tools need. Filters: environment, status, tags "
   "(all pairs must match). Devices outside the service's environment show "
   "managed=false; router tools refuse them.",
   R"({"type":"object","properties":{
       "environment":{"type":"string","enum":["lab","staging","prod"],
         "description":"Only devices registered in this environment."},
       "status":{"type":"string","enum":)" RMCP_STATUS_ENUM R"(,
         "description":"Only devices whose last health check had this status (unknown = not checked yet)."},
       "tags":{"type":"object","maxProperties":16,
         "additionalProperties":{"type":"string","maxLength":256},
         "description":"Only devices carrying every one of these tag pairs, e.g. {\"site\":\"ams\"}."}},
     "additionalProperties":false})",
   R"({"type":"object","properties":{
       "devices":{"type":"array","items":{"type":"object","properties":{
         "id":{"type":"string"},"name":{"type":"string"},
         "environment":{"type":"string","enum":["lab","staging","prod"]},
         "managed":{"type":"boolean"},"host":{"type":"string"},
         "port":{"type":"integer","minimum":1,"maximum":65535},
         "transport":{"type":"string","enum":["rest","ssh","auto"]},
         "status":{"type":"string","enum":)" RMCP_STATUS_ENUM R"(},
         "routeros_version":)" RMCP_OPT_STRING R"(,
         "board":)" RMCP_OPT_STRING R"(,"identity":)" RMCP_OPT_STRING R"(,
         "tags":{"type":"object","additionalProperties":{"type":"string"}},
         "flags":{"type":"object","additionalProperties":{"type":"boolean"}},
         "management_path":{"type":"boolean"},
         "last_check":)" RMCP_OPT_STRING R"(},
         "required":["id","name","environment","managed","status","tags",
                     "flags","last_check"]}},
       "total_count":{"type":"integer","minimum":0},
       "service_environment":{"type":"string"}},
     "required":["devices","total_count","service_environment"]})",
   list_devices},
  {"check_connectivity", "Check connectivity", mcp::tool_tier::fundamental,
   read_only_router,
   "Checks now whether the service can reach and log in to one router "
   "(GET /system/resource); a failure is classified (timeout, "
   "network_error, tls_failed, auth_failed, authz_failed, not_found, "
   "client_error, server_error) with fixes to try. Unreachable is a result "
   "(reachable=false), not an error. Use it after a router_* error or a "
   "new registration.",
   device_id_arg,
   R"({"type":"object","properties":{
       "device_id":{"type":"string"},"reachable":{"type":"boolean"},
       "status":{"type":"string","enum":)" RMCP_STATUS_ENUM R"(},
       "endpoint":{"type":"object","properties":{"host":{"type":"string"},
         "port":{"type":"integer"},"scheme":{"type":"string"},
         "tls_mode":{"type":"string"}}},
       "checked_at":)" RMCP_OPT_STRING R"(,
       "response_time_ms":{"type":["number","null"],"minimum":0},
       "routeros_version":)" RMCP_OPT_STRING R"(,
       "board":)" RMCP_OPT_STRING R"(,"identity":)" RMCP_OPT_STRING R"(,
       "failure_class":{"enum":["timeout","network_error","tls_failed",
         "auth_failed","authz_failed","not_found","client_error",
         "server_error","unknown",null]},
       "error_kind":)" RMCP_OPT_STRING R"(,"error":)" RMCP_OPT_STRING R"(,
       "suggestions":{"type":"array","items":{"type":"string"}}},
     "required":["device_id","reachable","status","failure_class",
                 "suggestions"]})",
   check_connectivity},
  {"device_health", "Device health", mcp::tool_tier::fundamental,
   read_only_router,
   "Checks one router's health now: CPU load, memory use, uptime, RouterOS "
   "version and the status healthy, degraded (CPU or memory above 75 %; "
   "critical above 90 %) or unreachable, with the issues found. Degraded "
   "or unreachable is a result in the status field, not an error. The "
   "service also checks routers on an adaptive schedule; list_devices "
   "shows those results without contacting routers.",
   device_id_arg,
   R"({"type":"object","properties":{
       "device_id":{"type":"string"},
       "status":{"type":"string","enum":)" RMCP_STATUS_ENUM R"(},
       "checked_at":)" RMCP_OPT_STRING R"(,
       "cpu_percent":{"type":["number","null"],"minimum":0,"maximum":100},
       "memory_total_bytes":{"type":["integer","null"],"minimum":0},
       "memory_used_bytes":{"type":["integer","null"],"minimum":0},
       "memory_percent":{"type":["number","null"],"minimum":0,"maximum":100},
       "uptime_seconds":{"type":["integer","null"],"minimum":0},
       "latency_ms":{"type":["number","null"],"minimum":0},
       "routeros_version":)" RMCP_OPT_STRING R"(,
       "board":)" RMCP_OPT_STRING R"(,"identity":)" RMCP_OPT_STRING R"(,
       "issues":{"type":"array","items":{"type":"string"}},
       "error_kind":)" RMCP_OPT_STRING R"(,
       "thresholds":{"type":"object","properties":{
         "warning_percent":{"type":"number"},
         "critical_percent":{"type":"number"}}}},
     "required":["device_id","status","issues","thresholds"]})",
   device_health},
  {"get_system_overview",
   "System overview",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Reads one router's system overview: identity, RouterOS version and "
   "channel, board, architecture, CPU count, frequency and load, memory and "
   "storage in bytes, uptime in seconds. All values are typed numbers, not "
   "RouterOS strings. Read-only.",
   device_id_arg,
   R"({"type":"object","properties":{
       "device_id":{"type":"string"},"device_name":{"type":"string"},
       "identity":)" RMCP_OPT_STRING R"(,
       "identity_error":)" RMCP_OPT_STRING R"(,
       "routeros_version":{"type":"string"},
       "channel":)" RMCP_OPT_STRING R"(,
       "board_name":)" RMCP_OPT_STRING R"(,
       "architecture":)" RMCP_OPT_STRING R"(,
       "platform":)" RMCP_OPT_STRING R"(,"cpu":)" RMCP_OPT_STRING R"(,
       "cpu_count":{"type":["integer","null"],"minimum":0},
       "cpu_frequency_mhz":{"type":["integer","null"],"minimum":0},
       "cpu_load_percent":{"type":"number","minimum":0,"maximum":100},
       "memory_total_bytes":{"type":"integer","minimum":0},
       "memory_used_bytes":{"type":"integer","minimum":0},
       "memory_free_bytes":{"type":"integer","minimum":0},
       "memory_used_percent":{"type":"number","minimum":0,"maximum":100},
       "storage_total_bytes":{"type":["integer","null"],"minimum":0},
       "storage_free_bytes":{"type":["integer","null"],"minimum":0},
       "uptime_seconds":{"type":"integer","minimum":0}},
     "required":["device_id","routeros_version","cpu_load_percent",
                 "memory_total_bytes","memory_used_bytes","uptime_seconds"]})",
   get_system_overview,
   0,
   nullptr,
   {},
   output_check::typed},
};

#undef RMCP_STATUS_ENUM
#undef RMCP_OPT_STRING

} // namespace

caf::error register_device_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
