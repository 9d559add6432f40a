// update_device, the one registry tool: an MCP client may rename and retag
// a registered router, nothing else. Where a device lives (host, port,
// scheme, TLS), how the service logs in (username, password), its
// environment, its capability flags and management-path mark decide what
// the client may reach and do, so only an operator sets them, out of band
// (`routeros-mcp device add|update`). The input schema has no such
// properties: a call naming one is refused by validation before anything is
// read or written. Registering a device is out of band for the same reason.
//
// The record is read from the store and written back without a credential
// (the store keeps the credential of an unchanged endpoint); the fleet
// reloads at once. Devices of another environment are refused; every change
// is audited.

#include <algorithm>

#include <caf/send.hpp>

#include "protocol/error.hpp"
#include "protocol/redact.hpp"
#include "src/tools/device_access.hpp"
#include "src/tools/device_report.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"
#include "src/tools/write_flow.hpp"

namespace rmcp::tools {

namespace {

/// Applies the descriptive fields given in `args` to `r`; returns the
/// names of those that changed.
std::vector<std::string> apply_fields(const json& args, device_record& r) {
  std::vector<std::string> changed;
  auto set = [&](const char* key, auto& field) {
    auto i = args.find(key);
    if (i == args.end())
      return;
    auto value = i->get<std::decay_t<decltype(field)>>();
    if (value != field) {
      field = std::move(value);
      changed.emplace_back(key);
    }
  };
  set("name", r.name);
  set("tags", r.tags);
  return changed;
}

void audit(tool_call& call, const std::string& id, json before, json after,
           std::function<void(uint64_t)> next) {
  audit_record rec;
  rec.kind = audit_kind::change;
  rec.actor = call.caller().subject;
  rec.role = call.caller().role;
  rec.transport = call.caller().transport;
  rec.tool = call.tool().spec.name;
  rec.request_id = call.setup().request_id;
  rec.device_id = id;
  rec.devices = {id};
  rec.outcome = "applied";
  rec.arguments = redact_json(call.args());
  rec.before = std::move(before);
  rec.after = std::move(after);
  call.self()
    ->request(call.svc().store, call.wait(std::chrono::seconds{10}),
              atom::put_v, std::move(rec))
    .then([next](uint64_t seq) { next(seq); },
          [&call, id](caf::error& err) {
            call.fail(ec::store_failure,
                      "device '" + id
                        + "' was saved but the change could "
                          "not be recorded in the audit trail: "
                        + error_message(err));
          });
}

/// Stores the record, lets the fleet pick it up, audits, answers.
void save(tool_call& call, device_record r, json before,
          std::vector<std::string> changed) {
  call.self()
    ->request(call.svc().store, call.wait(fleet_timeout), atom::put_v, r)
    .then(
      [&call, r, before, changed](atom::ok) {
        // Nobody waits for the answer: the fleet reconciles on its own.
        caf::anon_send(call.svc().fleet, atom::reload_v);
        auto after = record_json(r);
        audit(call, r.id, before, after,
              [&call, r, after, changed](uint64_t seq) {
                json out{{"device_id", r.id}, {"dry_run", false},
                         {"changed", true},   {"updated_fields", changed},
                         {"device", after},   {"audit_seq", seq}};
                call.finish({std::move(out), "Saved device " + r.id, false});
              });
      },
      [&call](caf::error& err) { call.fail(std::move(err)); });
}

caf::error check_environment(const tool_call& call, const device_record& r) {
  if (r.environment == call.svc().environment)
    return caf::none;
  return make_error(ec::environment_mismatch,
                    "device '" + r.id + "' is in environment '" + r.environment
                      + "' but this service manages '" + call.svc().environment
                      + "'");
}

void update_device(tool_call& call) {
  if (!call.svc().fleet || !call.svc().store) {
    call.fail(ec::unsupported, "no device registry is configured");
    return;
  }
  auto id = call.arg<std::string>("device_id", "");
  // The store's record, not the fleet's view: a change the CLI made a
  // moment ago is not written back over.
  call.self()
    ->request(call.svc().store, call.wait(fleet_timeout), atom::get_v,
              atom::devices_v)
    .then(
      [&call, id](std::vector<device_record>& all) {
        auto i = std::find_if(all.begin(), all.end(),
                              [&id](const auto& x) { return x.id == id; });
        if (i == all.end()) {
          call.fail(ec::device_not_found,
                    "no device '" + id + "' is registered; see list_devices");
          return;
        }
        auto r = *i;
        if (auto err = check_environment(call, r)) {
          call.fail(std::move(err));
          return;
        }
        auto before = record_json(r);
        auto changed = apply_fields(call.args(), r);
        if (auto err = validate(r)) {
          call.fail(std::move(err));
          return;
        }
        auto dry_run = call.arg<bool>("dry_run", false);
        if (changed.empty() || dry_run) {
          json out{
            {"device_id", id},           {"dry_run", dry_run},
            {"changed", false},          {"would_change", !changed.empty()},
            {"updated_fields", changed}, {"device", record_json(r)}};
          call.finish({std::move(out),
                       changed.empty() ? "No change to device " + id
                                       : "Would update device " + id,
                       false});
          return;
        }
        save(call, r, before, changed);
      },
      [&call](caf::error& err) { call.fail(std::move(err)); });
}

json registry_output() {
  return {
    {"type", "object"},
    {"properties",
     {{"device_id", {{"type", "string"}}},
      {"dry_run", {{"type", "boolean"}}},
      {"changed", {{"type", "boolean"}}},
      {"would_change", {{"type", "boolean"}}},
      {"updated_fields", {{"type", "array"}, {"items", {{"type", "string"}}}}},
      {"device", {{"type", "object"}}},
      {"audit_seq", {{"type", "integer"}}}}},
    {"required", {"device_id", "changed", "device"}}};
}

const tool_entry table[] = {
  {"update_device",
   "Update device",
   mcp::tool_tier::advanced,
   {false, false, true, false},
   "Renames or retags a registered router; no change if equal. Address, "
   "TLS, credentials, environment and capability flags are not settable "
   "here: an operator sets them out of band (routeros-mcp device update). "
   "Audited.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "name":{"type":"string","minLength":1,"maxLength":128,"description":"Display name."},
       "tags":{"type":"object","maxProperties":16,"additionalProperties":{"type":"string","maxLength":256},"description":"Labels; replace all tags."},)" RMCP_DRY_RUN_PROP
   R"(},
     "required":["device_id"],"additionalProperties":false})",
   nullptr,
   update_device,
   0,
   registry_output},
};

} // namespace

caf::error register_registry_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
