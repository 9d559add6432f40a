// Configuration snapshots: capture_config_snapshot reads a router's
// configuration export, redacts secrets, stores it (kind "config", the
// store keeps the newest few per device) and reports the drift against the
// previous snapshot. device://{id}/config (src/resources/) serves the newest
// one.
//
// The export is taken with `/execute {"script": "/export terse",
// "as-string": ""}`: RouterOS returns the script's output as `ret` without
// writing a file to the router (a plain POST /export answers nothing over
// the API).

#include "actors/device_health.hpp"
#include "protocol/config_export.hpp"
#include "protocol/error.hpp"
#include "src/tools/device_report.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"
#include "storage/encoding.hpp"

namespace rmcp::tools {

namespace {

/// Deadline of a store request when the call's spawner does not bound the
/// call (tool_call::wait).
constexpr auto store_timeout = std::chrono::seconds{10};

/// Stores `snap` and finishes with its summary and the drift against
/// `previous` (null when there is none).
void store_snapshot(tool_call& call, snapshot_record snap, json previous) {
  json out{{"device_id", snap.device_id},
           {"size_bytes", snap.content.size()},
           {"lines", config_lines(snap.content).size()}};
  if (previous.is_object()) {
    auto diff =
      diff_config(previous["content"].get<std::string>(), snap.content);
    out["previous"] = drift_summary(diff);
    out["previous"]["snapshot_id"] = previous["id"];
    out["previous"]["taken_at"] = previous["taken_at"];
    out["previous"]["changed"] = diff.changed();
  }
  call.self()
    ->request(call.svc().store, call.wait(store_timeout), atom::put_v, snap)
    .then(
      [&call, out, snap](std::string& id) mutable {
        out["snapshot_id"] = id;
        out["taken_at"] = iso_time(snap.timestamp);
        out["sha256"] = storage::sha256_hex(snap.content);
        std::string text = "Configuration of " + snap.device_id + " saved as "
                           + id + " ("
                           + std::to_string(out["lines"].get<size_t>())
                           + " lines, secrets redacted)";
        if (out.contains("previous")) {
          auto& p = out["previous"];
          text +=
            p["changed"].get<bool>()
              ? "; since " + p["snapshot_id"].get<std::string>() + ": +"
                  + std::to_string(p["lines_added"].get<size_t>()) + " -"
                  + std::to_string(p["lines_removed"].get<size_t>()) + " lines"
              : "; unchanged since " + p["snapshot_id"].get<std::string>();
        }
        // Subscribers of the configuration learn of the new snapshot.
        if (call.svc().notifier)
          call.self()->send(call.svc().notifier, atom::update_v,
                            config_resource_uri(snap.device_id));
        call.finish({std::move(out), text, false});
      },
      [&call](caf::error& err) { call.fail(std::move(err)); });
}

void capture_config_snapshot(tool_call& call) {
  if (!call.svc().store) {
    call.fail(ec::internal_error, "the store is not running");
    return;
  }
  with_device(call, [&call](device_handle dev) {
    device_request(
      call, dev.actor, export_request(),
      [&call, id{dev.view.record.id}](rest_response& resp) {
        auto got = export_snapshot(id, resp, health::unix_ms_now());
        if (!got) {
          call.fail(got.error());
          return;
        }
        auto snap = std::move(*got);
        call.self()
          ->request(call.svc().store, call.wait(store_timeout), atom::get_v,
                    atom::snapshot_v, id, std::string{"config"})
          .then(
            [&call, snap](snapshot_record& prev) {
              store_snapshot(call, snap,
                             {{"id", prev.id},
                              {"taken_at", iso_time(prev.timestamp)},
                              {"content", prev.content}});
            },
            [&call, snap](caf::error& err) {
              if (err == ec::resource_not_found)
                store_snapshot(call, snap, nullptr);
              else
                call.fail(std::move(err));
            });
      });
  });
}

json snapshot_schema() {
  json lines{{"type", "array"}, {"items", {{"type", "string"}}}};
  return {{"type", "object"},
          {"properties",
           {{"device_id", {{"type", "string"}}},
            {"snapshot_id", {{"type", "string"}}},
            {"taken_at", {{"type", "string"}}},
            {"sha256", {{"type", "string"}}},
            {"size_bytes", {{"type", "integer"}}},
            {"lines", {{"type", "integer"}}},
            {"previous",
             {{"type", "object"},
              {"properties",
               {{"snapshot_id", {{"type", "string"}}},
                {"taken_at", {{"type", "string"}}},
                {"changed", {{"type", "boolean"}}},
                {"lines_added", {{"type", "integer"}}},
                {"lines_removed", {{"type", "integer"}}},
                {"added", lines},
                {"removed", lines}}}}}}},
          {"required", {"device_id", "snapshot_id", "sha256", "lines"}}};
}

const tool_entry table[] = {
  {"capture_config_snapshot", "Capture configuration snapshot",
   mcp::tool_tier::fundamental,
   mcp::tool_annotations{false, false, false, true},
   "Saves a router's configuration export (secrets redacted) in the "
   "service's store and reports the drift since the previous snapshot: "
   "lines added and removed. Changes nothing on the router. Read the text "
   "with the resource device://{device_id}/config.",
   RMCP_DEVICE_ONLY_INPUT, nullptr, capture_config_snapshot, 0,
   snapshot_schema},
};

} // namespace

caf::error register_config_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
