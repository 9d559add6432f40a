// MCP-side registry tools: register_device and update_device change the
// service's device registry (not a router). Both refuse devices of another
// environment than the service's, validate the record like the admin CLI
// (protocol/device.hpp validate), go through the fleet (store first, then
// the device actor is spawned or updated) and are audited; passwords are
// never echoed or audited. RBAC (admin only) comes with the auth issue.

#include <memory>

#include "protocol/error.hpp"
#include "src/tools/device_access.hpp"
#include "src/tools/device_report.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "protocol/redact.hpp"
#include "src/tools/tools.hpp"
#include "src/tools/write_flow.hpp"

namespace rmcp::tools {

namespace {

/// Applies the record fields given in `args` to `r`; returns their names.
std::vector<std::string> apply_fields(const json& args, device_record& r) {
  std::vector<std::string> changed;
  auto set = [&](const char* key, auto& field) {
    auto i = args.find(key);
    if (i == args.end())
      return;
    auto value = i->get<std::decay_t<decltype(field)>>();
    if (value != field) {
      field = value;
      changed.emplace_back(key);
    }
  };
  set("name", r.name);
  set("host", r.host);
  set("port", r.port);
  set("scheme", r.scheme);
  set("username", r.username);
  set("tags", r.tags);
  if (auto i = args.find("tls_mode"); i != args.end()
                                       && i->get<std::string>() != r.tls.mode) {
    r.tls.mode = i->get<std::string>();
    changed.emplace_back("tls_mode");
  }
  if (auto i = args.find("tls_fingerprint_sha256");
      i != args.end()) {
    auto fp = normalize_fingerprint(i->get<std::string>());
    if (fp != r.tls.fingerprint_sha256) {
      r.tls.fingerprint_sha256 = fp;
      changed.emplace_back("tls_fingerprint_sha256");
    }
  }
  if (auto i = args.find("flags"); i != args.end()) {
    auto before = r.flags;
    apply_flags(*i, r.flags);
    if (!(before == r.flags))
      changed.emplace_back("flags");
  }
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
  rec.device_id = id;
  rec.devices = {id};
  rec.outcome = "applied";
  rec.arguments = redact_json(call.args());
  rec.before = std::move(before);
  rec.after = std::move(after);
  call.self()
    ->request(call.svc().store, std::chrono::seconds{10}, atom::put_v,
              std::move(rec))
    .then([next](uint64_t seq) { next(seq); },
          [&call, id](caf::error& err) {
            call.fail(ec::store_failure,
                      "device '" + id + "' was saved but the change could "
                      "not be recorded in the audit trail: "
                        + error_message(err));
          });
}

/// Stores the record and credential through the fleet, audits, answers.
void save(tool_call& call, device_record r, credential cred, json before,
          std::vector<std::string> changed) {
  auto after = record_json(r);
  call.self()
    ->request(call.svc().fleet, fleet_timeout, atom::put_v, r, cred)
    .then(
      [&call, r, before, after, changed](atom::ok) {
        audit(call, r.id, before, after,
              [&call, r, after, changed](uint64_t seq) {
                json out{{"device_id", r.id},
                         {"dry_run", false},
                         {"changed", true},
                         {"updated_fields", changed},
                         {"device", after},
                         {"audit_seq", seq}};
                call.finish({std::move(out),
                             "Saved device " + r.id + " (" + r.host + ")",
                             false});
              });
      },
      [&call](caf::error& err) { call.fail(std::move(err)); });
}

caf::error check_environment(const tool_call& call, const device_record& r) {
  if (r.environment == call.svc().environment)
    return caf::none;
  return make_error(ec::environment_mismatch,
                    "device '" + r.id + "' is in environment '" + r.environment
                      + "' but this service manages '"
                      + call.svc().environment + "'");
}

void register_device(tool_call& call) {
  if (!call.svc().fleet || !call.svc().store) {
    call.fail(ec::unsupported, "no device registry is configured");
    return;
  }
  device_record r;
  r.id = call.arg<std::string>("device_id", "");
  r.environment = call.arg<std::string>("environment", call.svc().environment);
  apply_fields(call.args(), r);
  credential cred{r.username, call.arg<std::string>("password", "")};
  if (auto err = check_environment(call, r)) {
    call.fail(std::move(err));
    return;
  }
  if (auto err = validate(r)) {
    call.fail(std::move(err));
    return;
  }
  call.self()
    ->request(call.svc().fleet, fleet_timeout, atom::get_v, r.id, atom::view_v)
    .then(
      [&call, r](device_view&) {
        call.fail(ec::conflict, "device '" + r.id
                                  + "' is already registered; use "
                                    "update_device");
      },
      [&call, r, cred](caf::error& err) {
        if (error_code_of(err) != ec::device_not_found) {
          call.fail(std::move(err));
          return;
        }
        std::vector<std::string> fields{"device_id"};
        if (call.arg<bool>("dry_run", false)) {
          json out{{"device_id", r.id},
                   {"dry_run", true},
                   {"changed", false},
                   {"would_change", true},
                   {"device", record_json(r)}};
          call.finish({std::move(out), "Would register " + r.id, false});
          return;
        }
        save(call, r, cred, nullptr, fields);
      });
}

void update_device(tool_call& call) {
  if (!call.svc().fleet || !call.svc().store) {
    call.fail(ec::unsupported, "no device registry is configured");
    return;
  }
  auto id = call.arg<std::string>("device_id", "");
  call.self()
    ->request(call.svc().fleet, fleet_timeout, atom::get_v, id, atom::view_v)
    .then(
      [&call, id](device_view& view) {
        auto r = view.record;
        if (auto err = check_environment(call, r)) {
          call.fail(std::move(err));
          return;
        }
        auto before = record_json(r);
        auto changed = apply_fields(call.args(), r);
        bool new_password = call.args().contains("password");
        if (new_password)
          changed.emplace_back("password");
        if (auto err = validate(r)) {
          call.fail(std::move(err));
          return;
        }
        if (changed.empty() || call.arg<bool>("dry_run", false)) {
          json out{{"device_id", id},
                   {"dry_run", call.arg<bool>("dry_run", false)},
                   {"changed", false},
                   {"would_change", !changed.empty()},
                   {"updated_fields", changed},
                   {"device", record_json(r)}};
          call.finish({std::move(out),
                       changed.empty() ? "No change to device " + id
                                       : "Would update device " + id,
                       false});
          return;
        }
        // The fleet stores record and credential together: keep the
        // stored password unless a new one is given.
        call.self()
          ->request(call.svc().store, fleet_timeout, atom::get_v,
                    atom::credential_v, id)
          .then(
            [&call, r, before, changed, new_password](credential& cred) {
              cred.username = r.username;
              if (new_password)
                cred.password = call.arg<std::string>("password", "");
              save(call, r, cred, before, changed);
            },
            [&call](caf::error& err) { call.fail(std::move(err)); });
      },
      [&call](caf::error& err) { call.fail(std::move(err)); });
}

json registry_output() {
  return {{"type", "object"},
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

#define RMCP_RECORD_PROPS                                                      \
  R"("name":{"type":"string","minLength":1,"maxLength":128,"description":"Display name."},)" \
  R"("host":{"type":"string","minLength":1,"maxLength":253,"description":"Address or host name."},)" \
  R"("port":{"type":"integer","minimum":1,"maximum":65535,"description":"Default 443."},)" \
  R"("scheme":{"enum":["https","http"],"description":"Default https."},)" \
  R"("tls_mode":{"enum":["verify","pin","insecure"],"description":"Certificate check."},)" \
  R"("tls_fingerprint_sha256":{"type":"string","maxLength":128,"description":"For mode pin."},)" \
  R"("username":{"type":"string","minLength":1,"maxLength":64,"description":"REST user."},)" \
  R"("password":{"type":"string","maxLength":256,"description":"Stored encrypted."},)" \
  R"("tags":{"type":"object","maxProperties":16,"additionalProperties":{"type":"string","maxLength":256},"description":"Labels."},)" \
  R"("flags":{"type":"object","additionalProperties":{"type":"boolean"},"description":"e.g. {\"allow_advanced_writes\":true}"},)" \
  RMCP_DRY_RUN_PROP

const tool_entry table[] = {
  {"register_device", "Register device", mcp::tool_tier::advanced,
   {false, false, false, false},
   "Adds a router to the service's registry without contacting it: id, "
   "name, host, port, TLS, REST credentials (password stored encrypted, "
   "never shown), tags, flags. Service environment only. Then run "
   "check_connectivity. Audited.",
   R"({"type":"object","properties":{
       "device_id":{"type":"string","pattern":"^[a-z0-9][a-z0-9_.-]{0,63}$","description":"New device id."},
       "environment":{"type":"string","enum":["lab","staging","prod"],"description":"Must be the service's environment."},)"
   RMCP_RECORD_PROPS R"(},
     "required":["device_id","name","host","username","password"],"additionalProperties":false})",
   nullptr, register_device, 0, registry_output},
  {"update_device", "Update device", mcp::tool_tier::advanced,
   {false, false, true, false},
   "Changes the given fields of a registered router's entry (name, "
   "address, TLS, credentials, tags, flags); no change if all equal. Takes "
   "effect at once. Audited without the password.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP "," RMCP_RECORD_PROPS R"(},
     "required":["device_id"],"additionalProperties":false})",
   nullptr, update_device, 0, registry_output},
};

} // namespace

caf::error register_registry_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
