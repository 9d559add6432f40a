#include "protocol/system_resource.hpp"

#include <cctype>
#include <cmath>
#include <limits>

#include "protocol/error.hpp"

namespace rmcp {

namespace ros_text {

namespace {

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

/// Parses "12", "12.5" or "12,5" at `pos`; advances `pos`.
std::optional<double> take_decimal(const std::string& text, size_t& pos) {
  size_t start = pos;
  double value = 0;
  while (pos < text.size() && is_digit(text[pos]))
    value = value * 10 + (text[pos++] - '0');
  if (pos == start)
    return std::nullopt;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    double scale = 0.1;
    size_t frac = pos;
    while (pos < text.size() && is_digit(text[pos])) {
      value += scale * (text[pos++] - '0');
      scale /= 10;
    }
    if (pos == frac)
      return std::nullopt;
  }
  return value;
}

} // namespace

std::optional<uint64_t> to_uint(const std::string& text) {
  if (text.empty() || text.size() > 20)
    return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (!is_digit(c))
      return std::nullopt;
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<uint64_t> to_bytes(const std::string& text) {
  if (auto plain = to_uint(text))
    return plain;
  size_t pos = 0;
  auto number = take_decimal(text, pos);
  if (!number)
    return std::nullopt;
  auto unit = text.substr(pos);
  static const std::pair<const char*, double> units[] = {
    {"", 1},          {"B", 1},
    {"KiB", 1024.0},  {"MiB", 1024.0 * 1024},
    {"GiB", 1024.0 * 1024 * 1024}, {"TiB", 1024.0 * 1024 * 1024 * 1024},
    {"kB", 1e3},      {"KB", 1e3},
    {"MB", 1e6},      {"GB", 1e9},
    {"TB", 1e12},
  };
  for (auto& [name, factor] : units) {
    if (unit == name) {
      auto bytes = std::llround(*number * factor);
      if (bytes < 0)
        return std::nullopt;
      return static_cast<uint64_t>(bytes);
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> to_seconds(const std::string& text) {
  if (text.empty())
    return std::nullopt;
  // Clock form: "00:05:00" or "1d00:05:00".
  if (text.find(':') != std::string::npos) {
    uint64_t days = 0;
    auto rest = text;
    auto d = text.find('d');
    if (d != std::string::npos) {
      auto parsed = to_uint(text.substr(0, d));
      if (!parsed)
        return std::nullopt;
      days = *parsed;
      rest = text.substr(d + 1);
    }
    if (rest.size() != 8 || rest[2] != ':' || rest[5] != ':')
      return std::nullopt;
    auto h = to_uint(rest.substr(0, 2));
    auto m = to_uint(rest.substr(3, 2));
    auto s = to_uint(rest.substr(6, 2));
    if (!h || !m || !s || *m > 59 || *s > 59)
      return std::nullopt;
    return days * 86400 + *h * 3600 + *m * 60 + *s;
  }
  // Unit form: "1w2d3h4m5s", "4s750ms", "5ms945us".
  double micros = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    auto number = take_decimal(text, pos);
    if (!number)
      return std::nullopt;
    size_t unit_start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos])))
      ++pos;
    auto unit = text.substr(unit_start, pos - unit_start);
    double factor = 0;
    if (unit == "w")
      factor = 7 * 86400e6;
    else if (unit == "d")
      factor = 86400e6;
    else if (unit == "h")
      factor = 3600e6;
    else if (unit == "m")
      factor = 60e6;
    else if (unit == "s")
      factor = 1e6;
    else if (unit == "ms")
      factor = 1e3;
    else if (unit == "us")
      factor = 1;
    else
      return std::nullopt;
    micros += *number * factor;
  }
  return static_cast<uint64_t>(micros / 1e6);
}

} // namespace ros_text

namespace {

/// The field as text: RouterOS sends strings; numbers are accepted too.
std::optional<std::string> text_of(const json& body, const char* key) {
  auto i = body.find(key);
  if (i == body.end())
    return std::nullopt;
  if (i->is_string())
    return i->get<std::string>();
  if (i->is_number_unsigned())
    return std::to_string(i->get<uint64_t>());
  if (i->is_number_integer() && i->get<int64_t>() >= 0)
    return std::to_string(i->get<int64_t>());
  return std::nullopt;
}

caf::error bad(const char* key, const std::optional<std::string>& text) {
  return make_error(ec::router_bad_response,
                    std::string{"/system/resource: field '"} + key + "' "
                      + (text ? "has the unexpected value '" + *text + "'"
                              : std::string{"is missing"}));
}

} // namespace

caf::expected<system_resource> parse_system_resource(const json& raw) {
  // A singleton menu answers an object; tolerate the old [ {...} ] form.
  const json& body = raw.is_array() && raw.size() == 1 ? raw[0] : raw;
  if (!body.is_object())
    return make_error(ec::router_bad_response,
                      "/system/resource did not answer a JSON object");
  system_resource r;
  auto cpu = text_of(body, "cpu-load");
  auto cpu_value = cpu ? ros_text::to_uint(cpu->substr(
                           0, cpu->find('%')))
                       : std::nullopt;
  if (!cpu_value || *cpu_value > 100)
    return bad("cpu-load", cpu);
  r.cpu_load_percent = static_cast<double>(*cpu_value);
  auto total = text_of(body, "total-memory");
  auto total_value = total ? ros_text::to_bytes(*total) : std::nullopt;
  if (!total_value)
    return bad("total-memory", total);
  r.memory_total_bytes = *total_value;
  auto free = text_of(body, "free-memory");
  auto free_value = free ? ros_text::to_bytes(*free) : std::nullopt;
  if (!free_value)
    return bad("free-memory", free);
  r.memory_free_bytes = *free_value;
  auto uptime = text_of(body, "uptime");
  auto uptime_value = uptime ? ros_text::to_seconds(*uptime) : std::nullopt;
  if (!uptime_value)
    return bad("uptime", uptime);
  r.uptime_seconds = *uptime_value;
  auto version = text_of(body, "version");
  if (!version || version->empty())
    return bad("version", version);
  auto space = version->find(' ');
  r.version = version->substr(0, space);
  if (space != std::string::npos) {
    auto open = version->find('(', space);
    auto close = version->find(')', space);
    if (open != std::string::npos && close != std::string::npos && close > open)
      r.channel = version->substr(open + 1, close - open - 1);
  }
  r.board_name = text_of(body, "board-name").value_or("");
  r.architecture = text_of(body, "architecture-name").value_or("");
  r.platform = text_of(body, "platform").value_or("");
  r.cpu = text_of(body, "cpu").value_or("");
  auto small = [&](const char* key) -> std::optional<uint32_t> {
    auto text = text_of(body, key);
    auto value = text ? ros_text::to_uint(*text) : std::nullopt;
    if (!value || *value > std::numeric_limits<uint32_t>::max())
      return std::nullopt;
    return static_cast<uint32_t>(*value);
  };
  r.cpu_count = small("cpu-count");
  r.cpu_frequency_mhz = small("cpu-frequency");
  auto bytes = [&](const char* key) -> std::optional<uint64_t> {
    auto text = text_of(body, key);
    return text ? ros_text::to_bytes(*text) : std::nullopt;
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
