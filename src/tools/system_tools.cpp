// System reads: get_system_packages, get_system_clock.
// (get_system_overview lives in device_tools.cpp, set_system_identity in
// system_write_tools.cpp.)

#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

using ros::kind;

constexpr ros::field package_fields[] = {
  {".id", "id", kind::text},
  {"name", "name", kind::text},
  {"version", "version", kind::text},
  {"build-time", "build_time", kind::time},
  {"size", "size_bytes", kind::bytes},
  {"disabled", "disabled", kind::boolean},
  {"available", "available", kind::boolean},
  {"scheduled", "scheduled", kind::text},
};

constexpr ros::field clock_fields[] = {
  {"date", "date", kind::date},
  {"time", "time", kind::text},
  {"time-zone-name", "time_zone", kind::text},
  {"gmt-offset", "gmt_offset", kind::text},
  {"dst-active", "dst_active", kind::boolean},
  {"time-zone-autodetect", "time_zone_autodetect", kind::boolean},
};

void get_system_packages(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    device_request(
      call, dev.actor, get_request("/system/package"),
      [&call, id{dev.view.record.id}](rest_response& resp) {
        json rows = json::array();
        size_t installed = 0;
        for (auto& row : ros::convert_rows(resp.body, package_fields)) {
          // "available" rows are downloadable but not installed.
          bool is_installed =
            !row.value("available", false) && row.contains("version");
          row["installed"] = is_installed;
          installed += is_installed ? 1 : 0;
          rows.push_back(std::move(row));
        }
        auto n = rows.size();
        json out{{"device_id", id},
                 {"packages", std::move(rows)},
                 {"count", n},
                 {"installed_count", installed}};
        finish_with_rows(call, std::move(out),
                         std::to_string(installed) + " of " + std::to_string(n)
                           + " packages installed on " + id,
                         "packages");
      });
  });
}

/// "+02:00" / "-05:00" → seconds east of UTC.
std::optional<int64_t> offset_seconds(const std::string& text) {
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':')
    return std::nullopt;
  auto h = ros::to_uint(std::string_view{text}.substr(1, 2));
  auto m = ros::to_uint(std::string_view{text}.substr(4, 2));
  if (!h || !m)
    return std::nullopt;
  auto s = static_cast<int64_t>(*h * 3600 + *m * 60);
  return text[0] == '-' ? -s : s;
}

void get_system_clock(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    device_request(
      call, dev.actor, get_request("/system/clock"),
      [&call, id{dev.view.record.id}](rest_response& resp) {
        auto clock = ros::convert(resp.body, clock_fields);
        if (clock.contains("date") && clock.contains("time"))
          clock["local_time"] = clock["date"].get<std::string>() + "T"
                                + clock["time"].get<std::string>();
        if (auto off = offset_seconds(clock.value("gmt_offset", "")))
          clock["gmt_offset_seconds"] = *off;
        clock["device_id"] = id;
        call.finish({std::move(clock), {}, false});
      });
  });
}

json packages_schema() {
  auto row = row_schema(package_fields, {"name"});
  row["properties"]["installed"] = {{"type", "boolean"}};
  return rows_output_schema("packages", std::move(row),
                            {{"installed_count", {{"type", "integer"}}}});
}

json clock_schema() {
  auto out = row_schema(clock_fields);
  out["properties"]["device_id"] = {{"type", "string"}};
  out["properties"]["local_time"] = {{"type", "string"}};
  out["properties"]["gmt_offset_seconds"] = {{"type", "integer"}};
  out["required"] = {"device_id"};
  return out;
}

const tool_entry table[] = {
  {"get_system_packages",
   "System packages",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's RouterOS packages: name, version, build time, size in "
   "bytes, installed/available/disabled, scheduled actions. Use it to check "
   "which features (wireless, container, ...) a router has.",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   get_system_packages,
   0,
   packages_schema,
   {},
   output_check::typed},
  {"get_system_clock",
   "System clock",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Reads a router's clock: local date and time (ISO 8601), time zone, GMT "
   "offset (text and seconds), DST. Use it to spot a router with a wrong "
   "clock.",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   get_system_clock,
   0,
   clock_schema,
   {},
   output_check::typed},
};

} // namespace

caf::error register_system_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
