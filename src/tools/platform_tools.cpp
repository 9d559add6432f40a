// Platform tools: service helpers that touch no router.

#include <caf/actor_registry.hpp>
#include <caf/actor_system_config.hpp>

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

void service_health(tool_call& call) {
  const auto& svc = call.svc();
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::steady_clock::now() - svc.started_steady)
                  .count();
  json structured{
    {"status", "ok"},
    {"version", rmcp::version},
    {"environment", svc.environment},
    {"transports", svc.transports},
    {"uptime_seconds", uptime},
    {"actor_system",
     {{"running_actors", svc.system->registry().running()},
      {"worker_threads", caf::get_or(svc.system->config(), "scheduler.max-threads", size_t{0})}}},
    {"tools", svc.tools ? svc.tools->all().size() : 0},
  };
  auto* self = call.self();
  self->request(svc.notifier, std::chrono::seconds{2}, atom::count_v)
    .then(
      [&call, structured](uint64_t sessions) mutable {
        structured["sessions"] = sessions;
        call.finish({std::move(structured), {}, false});
      },
      [&call, structured](caf::error& err) mutable {
        structured["status"] = "degraded";
        structured["sessions"] = 0;
        structured["problems"] = json::array(
          {"session registry did not answer: " + error_message(err)});
        call.finish({std::move(structured), {}, false});
      });
}

constexpr const char* empty_args = R"({"type":"object","additionalProperties":false})";

const tool_entry table[] = {
  {"echo", "Echo", mcp::tool_tier::platform, read_only,
   "Returns the given message unchanged. Use it only to test that the MCP "
   "connection works; it touches no router.",
   R"({"type":"object","properties":{"message":{"type":"string","minLength":1,
       "maxLength":10000,"description":"Text to send back."}},
       "required":["message"],"additionalProperties":false})",
   R"({"type":"object","properties":{"message":{"type":"string"},
       "environment":{"type":"string"}},"required":["message","environment"]})",
   echo},
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
       "problems":{"type":"array","items":{"type":"string"}}},
     "required":["status","version","environment","uptime_seconds","sessions"]})",
   service_health},
};

} // namespace

caf::error register_platform_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
