#include "src/config/options_table.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <type_traits>
#include <variant>

#include <unistd.h> // environ

#include "protocol/error.hpp"
#include "src/config/option_bindings.hpp"

namespace rmcp::config {

namespace {

using detail::binding;
using detail::bindings;
using detail::value;

const binding* find_binding(const std::string& key) {
  for (auto& b : bindings())
    if (b.def.key == key)
      return &b;
  return nullptr;
}

std::string join(const std::vector<std::string>& xs) {
  std::string result;
  for (auto& x : xs)
    result += (result.empty() ? "" : ", ") + x;
  return result;
}

std::string known_keys() {
  std::vector<std::string> keys;
  for (auto& b : bindings())
    keys.push_back(b.def.key);
  return join(keys);
}

caf::error bad(const std::string& origin, const std::string& key,
               const std::string& what) {
  return make_error(ec::invalid_params, origin + ": " + key + ": " + what);
}

bool parse_int(const std::string& text, int64_t& out) {
  if (text.empty())
    return false;
  char* end = nullptr;
  errno = 0;
  auto value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size())
    return false;
  out = value;
  return true;
}

std::string render_duration(std::chrono::milliseconds ms) {
  auto n = ms.count();
  if (n % 3600000 == 0 && n != 0)
    return std::to_string(n / 3600000) + "h";
  if (n % 60000 == 0 && n != 0)
    return std::to_string(n / 60000) + "m";
  if (n % 1000 == 0)
    return std::to_string(n / 1000) + "s";
  return std::to_string(n) + "ms";
}

} // namespace

const std::vector<option_def>& option_table() {
  static const std::vector<option_def> defs = [] {
    std::vector<option_def> result;
    for (auto& b : bindings())
      result.push_back(b.def);
    return result;
  }();
  return defs;
}

std::string env_name(const std::string& key) {
  std::string result = "ROUTEROS_MCP_";
  for (char c : key)
    result += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return result;
}

const std::vector<std::string>& reserved_env_names() {
  static const std::vector<std::string> names{
    "ROUTEROS_MCP_ENCRYPTION_KEY", "ROUTEROS_MCP_APPROVAL_KEY",
    "ROUTEROS_MCP_DEVICE_PASSWORD", "ROUTEROS_MCP_CLI_USER",
    "ROUTEROS_MCP_TOKEN"};
  return names;
}

bool parse_duration(const std::string& text, std::chrono::milliseconds& out) {
  static const std::pair<const char*, int64_t> units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  size_t digits = 0;
  while (digits < text.size()
         && std::isdigit(static_cast<unsigned char>(text[digits])))
    ++digits;
  if (digits == 0 || digits > 12)
    return false;
  auto value = std::stoll(text.substr(0, digits));
  auto unit = text.substr(digits);
  if (unit.empty()) {
    out = std::chrono::milliseconds{value * 1000};
    return true;
  }
  for (auto& [name, factor] : units) {
    if (unit == name) {
      out = std::chrono::milliseconds{value * factor};
      return true;
    }
  }
  return false;
}

caf::error set_option(server_options& opts, const std::string& key,
                      const std::string& text, const std::string& origin) {
  const auto* b = find_binding(key);
  if (b == nullptr)
    return bad(origin, key, "unknown key; known keys: " + known_keys());
  const auto& def = b->def;
  // No option holds a control character. One is a stray byte (a bare
  // carriage return that YAML keeps inside a plain value), and `config
  // show` would write it back so that it loads to another value.
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "0x%02X", c);
      return bad(origin, key,
                 std::string{"the value holds the control character "} + hex
                   + " at byte " + std::to_string(i) + "; remove it");
    }
  }
  auto range = [&] {
    return " (legal: " + std::to_string(def.min) + ".."
           + std::to_string(def.max) + ")";
  };
  switch (def.type) {
    case option_type::string:
      b->set(opts, text);
      return caf::none;
    case option_type::choice:
      for (auto& c : def.choices) {
        if (c == text) {
          b->set(opts, text);
          return caf::none;
        }
      }
      return bad(origin, key,
                 "illegal value '" + text
                   + "'; legal values: " + join(def.choices));
    case option_type::integer: {
      int64_t value = 0;
      if (!parse_int(text, value) || value < def.min || value > def.max)
        return bad(origin, key,
                   "illegal value '" + text + "'; expected an integer"
                     + range());
      b->set(opts, value);
      return caf::none;
    }
    case option_type::boolean: {
      bool value = false;
      if (text == "true" || text == "yes" || text == "on" || text == "1")
        value = true;
      else if (!(text == "false" || text == "no" || text == "off"
                 || text == "0"))
        return bad(origin, key,
                   "illegal value '" + text + "'; legal values: true, false");
      b->set(opts, value);
      return caf::none;
    }
    case option_type::duration: {
      std::chrono::milliseconds value{0};
      if (!parse_duration(text, value) || value.count() < def.min
          || value.count() > def.max)
        return bad(
          origin, key,
          "illegal value '" + text
            + "'; expected a duration like 500ms, 30s, 5m or 1h (legal: "
            + render_duration(std::chrono::milliseconds{def.min}) + ".."
            + render_duration(std::chrono::milliseconds{def.max}) + ")");
      b->set(opts, value);
      return caf::none;
    }
  }
  return bad(origin, key, "unsupported option type");
}

std::string get_option(const server_options& opts, const std::string& key) {
  const auto* b = find_binding(key);
  if (b == nullptr)
    return {};
  return std::visit(
    [](const auto& value) -> std::string {
      using value_type = std::decay_t<decltype(value)>;
      if constexpr (std::is_same_v<value_type, std::string>)
        return value;
      else if constexpr (std::is_same_v<value_type, bool>)
        return value ? "true" : "false";
      else if constexpr (std::is_same_v<value_type, std::chrono::milliseconds>)
        return render_duration(value);
      else
        return std::to_string(value);
    },
    b->get(opts));
}

caf::error apply_environment(server_options& opts,
                             const std::map<std::string, std::string>& env) {
  for (auto& [name, value] : env) {
    if (name.rfind("ROUTEROS_MCP_", 0) != 0)
      continue;
    const binding* match = nullptr;
    for (auto& b : bindings())
      if (env_name(b.def.key) == name)
        match = &b;
    if (match == nullptr) {
      bool reserved = false;
      for (auto& r : reserved_env_names())
        reserved = reserved || r == name;
      if (reserved)
        continue;
      std::vector<std::string> known;
      for (auto& b : bindings())
        known.push_back(env_name(b.def.key));
      return make_error(ec::invalid_params,
                        "environment: " + name
                          + ": unknown variable; known: " + join(known));
    }
    if (auto err =
          set_option(opts, match->def.key, value, "environment " + name))
      return err;
  }
  return caf::none;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> result;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry{*e};
    auto eq = entry.find('=');
    if (eq == std::string::npos)
      continue;
    auto name = entry.substr(0, eq);
    if (name.rfind("ROUTEROS_MCP_", 0) == 0)
      result.emplace(name, entry.substr(eq + 1));
  }
  return result;
}

} // namespace rmcp::config
