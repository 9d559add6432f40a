#include "protocol/system_resource.hpp"

#include <limits>

#include "protocol/error.hpp"
#include "protocol/routeros_value.hpp"

namespace rmcp {

namespace {

caf::error bad(const char* key, const std::optional<std::string>& text) {
  return make_error(ec::router_bad_answer,
                    std::string{"/system/resource: field '"} + key + "' "
                      + (text ? "has the unexpected value '" + *text + "'"
                              : std::string{"is missing"}));
}

} // namespace

caf::expected<system_resource> parse_system_resource(const json& raw) {
  // A singleton menu answers an object; tolerate the old [ {...} ] form.
  const json& body = raw.is_array() && raw.size() == 1 ? raw[0] : raw;
  if (!body.is_object())
    return make_error(ec::router_bad_answer,
                      "/system/resource did not answer a JSON object");
  system_resource r;
  auto cpu = ros::text_of(body, "cpu-load");
  auto cpu_value =
    cpu ? ros::to_uint(cpu->substr(0, cpu->find('%'))) : std::nullopt;
  if (!cpu_value || *cpu_value > 100)
    return bad("cpu-load", cpu);
  r.cpu_load_percent = static_cast<double>(*cpu_value);
  auto total = ros::text_of(body, "total-memory");
  auto total_value = total ? ros::to_bytes(*total) : std::nullopt;
  if (!total_value)
    return bad("total-memory", total);
  r.memory_total_bytes = *total_value;
  auto free = ros::text_of(body, "free-memory");
  auto free_value = free ? ros::to_bytes(*free) : std::nullopt;
  if (!free_value)
    return bad("free-memory", free);
  r.memory_free_bytes = *free_value;
  auto uptime = ros::text_of(body, "uptime");
  auto uptime_value = uptime ? ros::to_whole_seconds(*uptime) : std::nullopt;
  if (!uptime_value)
    return bad("uptime", uptime);
  r.uptime_seconds = *uptime_value;
  auto version = ros::text_of(body, "version");
  auto space = version ? version->find(' ') : std::string::npos;
  // " (stable)" has a channel but no version number.
  if (!version || version->empty() || space == 0)
    return bad("version", version);
  r.version = version->substr(0, space);
  if (space != std::string::npos) {
    auto open = version->find('(', space);
    auto close = version->find(')', space);
    if (open != std::string::npos && close != std::string::npos && close > open)
      r.channel = version->substr(open + 1, close - open - 1);
  }
  r.board_name = ros::text_of(body, "board-name").value_or("");
  r.architecture = ros::text_of(body, "architecture-name").value_or("");
  r.platform = ros::text_of(body, "platform").value_or("");
  r.cpu = ros::text_of(body, "cpu").value_or("");
  auto small = [&](const char* key) -> std::optional<uint32_t> {
    auto text = ros::text_of(body, key);
    auto value = text ? ros::to_uint(*text) : std::nullopt;
    if (!value || *value > std::numeric_limits<uint32_t>::max())
      return std::nullopt;
    return static_cast<uint32_t>(*value);
  };
  r.cpu_count = small("cpu-count");
  r.cpu_frequency_mhz = small("cpu-frequency");
  auto bytes = [&](const char* key) -> std::optional<uint64_t> {
    auto text = ros::text_of(body, key);
    return text ? ros::to_bytes(*text) : std::nullopt;
  };
  r.hdd_total_bytes = bytes("total-hdd-space");
  r.hdd_free_bytes = bytes("free-hdd-space");
  return r;
}

std::string parse_system_identity(const json& raw) {
  const json& body = raw.is_array() && raw.size() == 1 ? raw[0] : raw;
  if (!body.is_object())
    return {};
  auto i = body.find("name");
  return i != body.end() && i->is_string() ? i->get<std::string>() : "";
}

} // namespace rmcp
