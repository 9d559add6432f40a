// Simple single-device writes: set_system_identity, update_interface_comment.
// Both go through the write flow (src/tools/write_flow.hpp): lease,
// before/after, dry_run, no-op detection, audit record.

#include "protocol/error.hpp"
#include "src/tools/ros_fields.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"
#include "src/tools/write_flow.hpp"

namespace rmcp::tools {

namespace {

using ros::kind;

// -- set_system_identity ------------------------------------------------------------

void set_system_identity(tool_call& call) {
  auto name = call.arg<std::string>("identity", "");
  with_device(call, [&call, name](device_handle dev) {
    write_spec spec;
    spec.reads = {"/system/identity"};
    spec.state = [](std::vector<json>& bodies) {
      return ros::convert(bodies[0], identity_fields);
    };
    spec.plan = [name](const json& before) -> caf::expected<write_plan> {
      write_plan plan;
      auto current = before.value("identity", "");
      if (current == name)
        return plan;
      plan.changes["identity"] = change(current, name);
      // A singleton menu: POST <menu>/set, never PATCH.
      plan.requests.push_back(
        post_request("/system/identity/set", {{"name", name}}));
      return plan;
    };
    spec.summary = [name](const json&) { return "identity " + name; };
    run_write(call, dev, std::move(spec));
  });
}

// -- update_interface_comment ---------------------------------------------------------

constexpr ros::field comment_fields[] = {
  {".id", "id", kind::text},
  {"name", "name", kind::text},
  {"comment", "comment", kind::text},
};

/// GET filter for an interface given by name or by .id.
std::string interface_query(const std::string& which) {
  return std::string{"/interface?"}
         + (which.rfind('*', 0) == 0 ? ".id=" : "name=") + url_encode(which);
}

void update_interface_comment(tool_call& call) {
  auto which = call.arg<std::string>("interface", "");
  auto comment = call.arg<std::string>("comment", "");
  with_device(call, [&call, which, comment](device_handle dev) {
    write_spec spec;
    spec.reads = {interface_query(which)};
    spec.state = [](std::vector<json>& bodies) {
      auto rows = ros::convert_rows(bodies[0], comment_fields);
      if (rows.empty())
        return json::object();
      auto row = rows[0];
      // RouterOS omits an empty comment: make "no comment" explicit.
      if (!row.contains("comment"))
        row["comment"] = "";
      return row;
    };
    spec.plan = [which, comment, id{dev.view.record.id}](
                  const json& before) -> caf::expected<write_plan> {
      if (!before.contains("id"))
        return make_error(ec::resource_not_found,
                          "interface '" + which + "' does not exist on device '"
                            + id + "' (see list_interfaces)");
      write_plan plan;
      auto current = before.value("comment", "");
      if (current == comment)
        return plan;
      plan.changes["comment"] = change(current, comment);
      plan.requests.push_back(
        patch_request("/interface/" + before["id"].get<std::string>(),
                      {{"comment", comment}}));
      return plan;
    };
    spec.summary = [](const json& out) {
      return "interface " + out["before"].value("name", "?") + " comment";
    };
    run_write(call, dev, std::move(spec));
  });
}

json identity_output() {
  return write_output_schema();
}

const tool_entry table[] = {
  {"set_system_identity", "Set system identity", mcp::tool_tier::advanced,
   write_idempotent,
   "Sets a router's system identity (its name in prompts, neighbour "
   "discovery, logs); no change if it already has it. Supports dry_run. "
   "Needs allow_advanced_writes; audited.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "identity":{"type":"string","minLength":1,"maxLength":64,"pattern":"^\\S(.*\\S)?$",
         "description":"New identity, e.g. core-ams-01."},)" RMCP_DRY_RUN_PROP
   R"(},
     "required":["device_id","identity"],"additionalProperties":false})",
   nullptr, set_system_identity, 0, identity_output},
  {"update_interface_comment", "Update interface comment",
   mcp::tool_tier::advanced, write_idempotent,
   "Sets or clears (empty text) the comment of one interface given by name "
   "or id; refuses unknown interfaces; no change if equal. Supports "
   "dry_run. Needs allow_advanced_writes; audited.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "interface":{"type":"string","minLength":1,"maxLength":64,"description":"Interface name or .id (*1)."},
       "comment":{"type":"string","maxLength":255,"description":"New comment; empty clears it."},)" RMCP_DRY_RUN_PROP
   R"(},
     "required":["device_id","interface","comment"],"additionalProperties":false})",
   nullptr, update_interface_comment, 0, identity_output},
};

} // namespace

caf::error register_system_write_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
