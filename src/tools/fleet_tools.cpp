// Fleet reads: fleet_read runs one read tool on many routers at once.
//
// Every selected device gets its own nested tool call (the read tool's
// handler with device_id set, run inside the fleet call's own actor: no
// actor spawn, no audit record of its own; the session audits the one
// fleet_read call), all started at once; each goes through its device actor
// as usual, so the per-router connection caps, breakers and queues apply,
// and each request has its own deadline. A device that fails (down, wrong
// credentials, refused) becomes an `ok: false` entry; the fleet call itself
// fails only for bad arguments. With a progressToken, every finished device
// is reported as it comes in ("<device_id> ok" or "<device_id> <error
// kind>"), so a long fleet streams its progress.

#include <memory>

#include "actors/tool_registry.hpp"
#include "protocol/authz.hpp"
#include "protocol/error.hpp"
#include "src/tools/device_access.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

/// Most devices one fleet_read may address (as many as one rollout).
constexpr size_t max_devices = 1000;

/// Read tools fleet_read may run: offered router reads whose only required
/// argument is device_id (others may be passed in `arguments`).
bool fleet_capable(const tool_descriptor& t) {
  const auto& s = t.spec;
  if (!t.offered || s.tier != mcp::tool_tier::fundamental
      || !s.annotations.read_only || !s.annotations.open_world
      || s.name == "fleet_read")
    return false;
  auto props = s.input_schema.value("properties", json::object());
  return props.contains("device_id");
}

std::string capable_names(const tool_registry& reg) {
  std::string out;
  for (auto& t : reg.all())
    if (fleet_capable(t))
      out += (out.empty() ? "" : ", ") + t.spec.name;
  return out;
}

bool selected(const device_view& v, const json& args, const std::string& env) {
  if (v.record.environment != env)
    return false;
  if (auto tags = args.find("tags"); tags != args.end())
    for (auto& [key, value] : tags->items()) {
      auto i = v.record.tags.find(key);
      if (i == v.record.tags.end() || i->second != value.get<std::string>())
        return false;
    }
  return true;
}

struct fleet_join {
  json results = json::array();
  size_t pending = 0;
  size_t total = 0;
  size_t failed = 0;
  std::string tool;
};

void finish_fleet(tool_call& call, fleet_join& j) {
  auto ok = j.total - j.failed;
  json out{{"tool", j.tool},
           {"total", j.total},
           {"succeeded", ok},
           {"failed", j.failed},
           {"results", std::move(j.results)}};
  std::string text = j.tool + " on " + std::to_string(j.total)
                     + " devices: " + std::to_string(ok) + " ok, "
                     + std::to_string(j.failed) + " failed";
  for (auto& r : out["results"])
    if (!r["ok"].get<bool>())
      text += "\n" + r["device_id"].get<std::string>() + ": "
              + r.value("error_kind", "") + ": " + r.value("error", "");
  call.finish({std::move(out), std::move(text), false});
}

void run_on(tool_call& call, const tool_descriptor* tool,
            std::vector<std::string> ids, json extra) {
  auto j = std::make_shared<fleet_join>();
  j->tool = tool->spec.name;
  j->total = ids.size();
  j->pending = ids.size();
  j->results = json::array();
  if (ids.empty()) {
    finish_fleet(call, *j);
    return;
  }
  // Results keep the order of `ids`.
  for (auto& id : ids)
    j->results.push_back({{"device_id", id}, {"ok", false}});
  bool has_output = !tool->spec.output_schema.is_null();
  for (size_t i = 0; i < ids.size(); ++i) {
    auto args = extra;
    args["device_id"] = ids[i];
    auto done = [&call, j, i,
                 has_output](caf::expected<mcp::tool_result> outcome) {
      auto& entry = j->results[i];
      if (!outcome) {
        ++j->failed;
        entry["error_kind"] = to_string(error_code_of(outcome.error()));
        entry["error"] = error_message(outcome.error());
      } else {
        auto text = outcome->text.empty() ? mcp::render_kv(outcome->structured)
                                          : std::move(outcome->text);
        if (outcome->is_error) {
          // A soft failure the tool reported itself.
          ++j->failed;
          entry["error_kind"] = "";
          entry["error"] = std::move(text);
        } else {
          entry["ok"] = true;
          if (has_output)
            entry["result"] = std::move(outcome->structured);
          else
            entry["text"] = std::move(text);
        }
      }
      call.progress(
        static_cast<double>(j->total - j->pending + 1),
        static_cast<double>(j->total),
        entry["device_id"].get<std::string>() + " "
          + (entry["ok"].get<bool>()
               ? std::string{"ok"}
               : "failed " + entry["error_kind"].get<std::string>()));
      if (--j->pending == 0)
        finish_fleet(call, *j);
    };
    call.run_nested(call.nested(tool, args), std::move(done));
  }
}

void fleet_read(tool_call& call) {
  auto name = call.arg<std::string>("tool", "");
  const auto& reg = *call.svc().tools;
  auto* tool = reg.find(name);
  if (tool == nullptr || !fleet_capable(*tool)) {
    call.fail(ec::invalid_arguments,
              "tool: '" + name
                + "' cannot run on a fleet; use one of: " + capable_names(reg));
    return;
  }
  // The tool it runs is the caller's call too (role and tool patterns;
  // devices are checked per id by the session or filtered below).
  if (auto d =
        authz::authorize(call.caller(), authz::action::tool(tool->spec), {});
      !d) {
    call.fail(ec::forbidden, d.reason);
    return;
  }
  auto extra = call.args().value("arguments", json::object());
  extra["device_id"] = "placeholder";
  if (auto violations = tool->input.validate(extra); !violations.empty()) {
    call.fail(ec::invalid_arguments, "arguments for '" + name + "':\n"
                                       + schema::to_string(violations));
    return;
  }
  extra.erase("device_id");
  const auto& fleet = call.svc().fleet;
  if (!fleet) {
    call.fail(ec::unsupported, "no device registry is configured in this "
                               "service");
    return;
  }
  call.self()
    ->request(fleet, call.wait(fleet_timeout), atom::get_v, atom::devices_v)
    .then(
      [&call, tool, extra](std::vector<device_view>& views) {
        std::vector<std::string> ids;
        if (auto given = call.args().find("device_ids");
            given != call.args().end()) {
          // Explicit ids are run even when unknown or of another
          // environment: those entries then say why they failed.
          for (auto& id : *given)
            ids.push_back(id.get<std::string>());
        } else {
          for (auto& v : views)
            if (selected(v, call.args(), call.svc().environment)
                && authz::visible(call.caller(), v.record))
              ids.push_back(v.record.id);
        }
        if (ids.size() > max_devices) {
          call.fail(ec::invalid_arguments,
                    std::to_string(ids.size()) + " devices selected; at most "
                      + std::to_string(max_devices)
                      + " per call (narrow with tags or device_ids)");
          return;
        }
        run_on(call, tool, std::move(ids), extra);
      },
      [&call](caf::error& err) { call.fail(std::move(err)); });
}

const tool_entry table[] = {
  {"fleet_read", "Read from many routers", mcp::tool_tier::fundamental,
   read_only_router,
   "Runs one read tool (e.g. get_system_overview, get_dns_status) on many "
   "routers in parallel: one entry per device with the tool's result or "
   "its error (one unreachable router never fails the call). Selects "
   "device_ids, or all managed devices matching tags; the tool's other "
   "arguments go in `arguments`.",
   R"({"type":"object","properties":{
       "tool":{"type":"string","pattern":"^[a-z_]{1,64}$","description":"Name of a read tool taking device_id."},
       "arguments":{"type":"object","description":"Other arguments of that tool (not device_id)."},
       "device_ids":{"type":"array","minItems":1,"maxItems":1000,"uniqueItems":true,
         "items":{"type":"string","pattern":"^[a-z0-9][a-z0-9_.-]{0,63}$"},"description":"Devices to read; default all managed devices."},
       "tags":{"type":"object","maxProperties":16,"additionalProperties":{"type":"string","maxLength":256},
         "description":"Only devices carrying all these tags (ignored with device_ids)."}},
     "required":["tool"],"additionalProperties":false})",
   R"({"type":"object","properties":{"tool":{"type":"string"},
       "total":{"type":"integer","minimum":0},"succeeded":{"type":"integer","minimum":0},
       "failed":{"type":"integer","minimum":0},
       "results":{"type":"array","items":{"type":"object","properties":{
         "device_id":{"type":"string"},"ok":{"type":"boolean"},
         "result":{"type":"object"},"text":{"type":"string"},
         "error_kind":{"type":"string"},"error":{"type":"string"}},
         "required":["device_id","ok"]}}},
     "required":["tool","total","succeeded","failed","results"]})",
   fleet_read, 150'000},
};

} // namespace

caf::error register_fleet_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
