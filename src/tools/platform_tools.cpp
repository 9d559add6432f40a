// Platform tools: service helpers that touch no router.

#include <caf/actor_registry.hpp>
#include <caf/actor_system_config.hpp>

#include "protocol/error.hpp"
#include "protocol/version.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

void echo(tool_call& call) {
  auto message = call.arg<std::string>("message", "");
  mcp::tool_result result;
  result.structured = {{"message", message},
                       {"environment", call.svc().environment}};
  result.text = "Echo: " + message;
  call.finish(std::move(result));
}

/// Marks the report degraded with a reason.
void degrade(json& report, std::string problem) {
  report["status"] = "degraded";
  report["problems"].push_back(std::move(problem));
}

/// Share of the store's map in use above which service_health warns.
constexpr double store_full_warning = 0.9;

/// Second step of service_health: probe the store, then answer.
void report_store(tool_call& call, json report) {
  const auto& svc = call.svc();
  if (!svc.store) {
    report["store"] = {{"status", "absent"}};
    degrade(report, "the store is not running");
    call.finish({std::move(report), {}, false});
    return;
  }
  call.self()
    ->request(svc.store, std::chrono::seconds{2}, atom::get_v, atom::status_v)
    .then(
      [&call, report](store_status& st) mutable {
        report["store"] = {
          {"status", "ok"},
          {"backend", st.backend},
          {"path", st.path},
          {"schema_version", st.schema_version},
          {"devices", st.devices},
          {"used_bytes", st.used_bytes},
          {"map_bytes", st.map_bytes},
          {"probe_ms", st.probe_ms},
        };
        if (st.map_bytes > 0
            && static_cast<double>(st.used_bytes)
                 > store_full_warning * static_cast<double>(st.map_bytes))
          degrade(report, "the store is "
                            + std::to_string(st.used_bytes * 100 / st.map_bytes)
                            + "% full: raise store.map_size_mib");
        call.finish({std::move(report), {}, false});
      },
      [&call, report](caf::error& err) mutable {
        report["store"] = {{"status", "failed"}, {"error", error_message(err)}};
        degrade(report,
                "the store did not answer its probe: " + error_message(err));
        call.finish({std::move(report), {}, false});
      });
}

void service_health(tool_call& call) {
  const auto& svc = call.svc();
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::steady_clock::now() - svc.started_steady)
                  .count();
  json report{
    {"status", "ok"},
    {"version", rmcp::version},
    {"environment", svc.environment},
    {"transports", svc.transports},
    {"uptime_seconds", uptime},
    {"actor_system",
     {{"running_actors", svc.system->registry().running()},
      {"worker_threads",
       caf::get_or(svc.system->config(), "scheduler.max-threads", size_t{0})}}},
    {"tools", svc.tools ? svc.tools->all().size() : 0},
    {"problems", json::array()},
  };
  auto* self = call.self();
  self->request(svc.notifier, std::chrono::seconds{2}, atom::count_v)
    .then(
      [&call, report](uint64_t sessions) mutable {
        report["sessions"] = sessions;
        report_store(call, std::move(report));
      },
      [&call, report](caf::error& err) mutable {
        report["sessions"] = 0;
        degrade(report,
                "session registry did not answer: " + error_message(err));
        report_store(call, std::move(report));
      });
}

constexpr const char* empty_args =
  R"({"type":"object","additionalProperties":false})";

const tool_entry table[] = {
  {"echo",
   "Echo",
   mcp::tool_tier::platform,
   read_only,
   "Returns the given message unchanged. Use it only to test that the MCP "
   "connection works; it touches no router.",
   R"({"type":"object","properties":{"message":{"type":"string","minLength":1,
       "maxLength":10000,"description":"Text to send back."}},
       "required":["message"],"additionalProperties":false})",
   R"({"type":"object","properties":{"message":{"type":"string"},
       "environment":{"type":"string"}},"required":["message","environment"]})",
   echo,
   0,
   nullptr,
   {},
   output_check::typed},
  {"service_health", "Service health", mcp::tool_tier::platform, read_only,
   "Reports the health of the routeros-mcp service itself: version, "
   "environment, uptime, actor system and sessions, and the state of its "
   "store. Use it when tools fail in unexpected ways; it does not check "
   "routers (use device_health or check_connectivity for that).",
   empty_args,
   R"({"type":"object","properties":{
       "status":{"type":"string","enum":["ok","degraded"]},
       "version":{"type":"string"},"environment":{"type":"string"},
       "transports":{"type":"string"},
       "uptime_seconds":{"type":"integer","minimum":0},
       "sessions":{"type":"integer","minimum":0},
       "tools":{"type":"integer","minimum":0},
       "actor_system":{"type":"object","properties":{
         "running_actors":{"type":"integer"},"worker_threads":{"type":"integer"}}},
       "store":{"type":"object","properties":{
         "status":{"type":"string","enum":["ok","failed","absent"]},
         "backend":{"type":"string"},"path":{"type":"string"},
         "schema_version":{"type":"integer"},
         "devices":{"type":"integer","minimum":0},
         "used_bytes":{"type":"integer","minimum":0},
         "map_bytes":{"type":"integer","minimum":0},
         "probe_ms":{"type":"number"},"error":{"type":"string"}},
         "required":["status"]},
       "problems":{"type":"array","items":{"type":"string"}}},
     "required":["status","version","environment","uptime_seconds","sessions",
                 "store","problems"]})",
   service_health},
};

} // namespace

caf::error register_platform_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
