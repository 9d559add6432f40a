#pragma once

// Logging: one spdlog logger per room/component, all writing to stderr
// (stdout belongs to the MCP protocol). A log event is a stable kebab-case
// event id plus typed fields:
//
//   log::warn(log::fleet(), "health-degraded",
//             {{"device_id", id}, {"cpu", cpu}});
//
// The text format writes `event key=value ...` (values with spaces, quotes
// or '=' quoted), the JSON format one object per line with `msg` = the
// event id and every field as its own top-level member, so
// `jq 'select(.plan_id=="...")'` finds every line of a plan. Under systemd
// with the journal on stderr (`JOURNAL_STREAM`), events go to journald
// natively instead, each field as a journal field (`PLAN_ID=...`).
//
// A string field with an empty value is left out. String values pass
// through the one redaction (protocol/redact.hpp):
// secrets never reach a log line, whatever the call site passed.
//
// A forwarding hook lets the MCP layer turn log records into
// `notifications/message` for clients that asked for them (text format).

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <spdlog/spdlog.h>

namespace rmcp::log {

enum class format { text, json };

struct settings {
  spdlog::level::level_enum level = spdlog::level::info;
  log::format output = format::text;
  /// Send events to journald when stderr is the journal (JOURNAL_STREAM).
  bool journal = true;
};

/// Configures level and format of every component logger. Safe to call
/// again (tests, config reload).
void init(const settings& cfg);

/// Parses "trace|debug|info|warn|error|critical|off".
bool parse_level(const std::string& text, spdlog::level::level_enum& out);

/// Component loggers (created on first use, sharing the configured sinks).
std::shared_ptr<spdlog::logger> core();
std::shared_ptr<spdlog::logger> mcp();
std::shared_ptr<spdlog::logger> http();
std::shared_ptr<spdlog::logger> fleet();
std::shared_ptr<spdlog::logger> router();
std::shared_ptr<spdlog::logger> store();
std::shared_ptr<spdlog::logger> rollout();
std::shared_ptr<spdlog::logger> audit();
std::shared_ptr<spdlog::logger> cli();

// -- events -------------------------------------------------------------------

/// One typed field of an event. Strings are kept as views (an event is
/// written before the expression that built it ends); numbers and booleans
/// stay typed (JSON numbers); anything else fmt can format is formatted
/// once into an owned string.
class field {
public:
  enum class kind { string, integer, unsigned_integer, floating, boolean };

  field(std::string_view key, std::string_view value)
    : key_(key), kind_(kind::string), str_(value) {}

  field(std::string_view key, const std::string& value)
    : field(key, std::string_view{value}) {}

  field(std::string_view key, const char* value)
    : field(key, std::string_view{value == nullptr ? "" : value}) {}

  field(std::string_view key, bool value)
    : key_(key), kind_(kind::boolean), u_(value ? 1 : 0) {}

  template <
    class T,
    std::enable_if_t<std::is_integral_v<
                       T> && !std::is_same_v<T, bool> && std::is_signed_v<T>>* =
      nullptr>
  field(std::string_view key, T value)
    : key_(key), kind_(kind::integer), i_(static_cast<int64_t>(value)) {}

  template <
    class T,
    std::enable_if_t<
      std::is_integral_v<
        T> && !std::is_same_v<T, bool> && std::is_unsigned_v<T>>* = nullptr>
  field(std::string_view key, T value)
    : key_(key), kind_(kind::unsigned_integer),
      u_(static_cast<uint64_t>(value)) {}

  template <class T, std::enable_if_t<std::is_floating_point_v<T>>* = nullptr>
  field(std::string_view key, T value)
    : key_(key), kind_(kind::floating), d_(static_cast<double>(value)) {}

  /// Anything else fmt formats (enums with a formatter, chrono durations).
  template <
    class T,
    std::enable_if_t<
      !std::is_arithmetic_v<
        T> && !std::is_convertible_v<const T&, std::string_view>>* = nullptr>
  field(std::string_view key, const T& value)
    : key_(key), kind_(kind::string),
      owned_(std::make_shared<std::string>(fmt::format("{}", value))),
      str_(*owned_) {}

  std::string_view key() const noexcept {
    return key_;
  }

  kind type() const noexcept {
    return kind_;
  }

  std::string_view str() const noexcept {
    return str_;
  }

  int64_t integer() const noexcept {
    return i_;
  }

  uint64_t unsigned_integer() const noexcept {
    return u_;
  }

  double floating() const noexcept {
    return d_;
  }

  bool boolean() const noexcept {
    return u_ != 0;
  }

private:
  std::string_view key_;
  kind kind_;
  std::shared_ptr<std::string> owned_;
  std::string_view str_;
  int64_t i_ = 0;
  uint64_t u_ = 0;
  double d_ = 0;
};

using fields = std::initializer_list<field>;

/// Writes one event: `id` is the kebab-case event id, `fs` its fields.
/// Nothing is formatted when `lg` does not log at `level`.
void event(spdlog::logger& lg, spdlog::level::level_enum level,
           std::string_view id, fields fs = {});

inline void trace(const std::shared_ptr<spdlog::logger>& lg,
                  std::string_view id, fields fs = {}) {
  event(*lg, spdlog::level::trace, id, fs);
}

inline void debug(const std::shared_ptr<spdlog::logger>& lg,
                  std::string_view id, fields fs = {}) {
  event(*lg, spdlog::level::debug, id, fs);
}

inline void info(const std::shared_ptr<spdlog::logger>& lg, std::string_view id,
                 fields fs = {}) {
  event(*lg, spdlog::level::info, id, fs);
}

inline void warn(const std::shared_ptr<spdlog::logger>& lg, std::string_view id,
                 fields fs = {}) {
  event(*lg, spdlog::level::warn, id, fs);
}

inline void error(const std::shared_ptr<spdlog::logger>& lg,
                  std::string_view id, fields fs = {}) {
  event(*lg, spdlog::level::err, id, fs);
}

inline void critical(const std::shared_ptr<spdlog::logger>& lg,
                     std::string_view id, fields fs = {}) {
  event(*lg, spdlog::level::critical, id, fs);
}

/// `key=value` for the text format: the value as is when it has no space,
/// quote, '=' or control character, else double-quoted with escapes.
void append_text_field(std::string& out, const field& f);

/// The journald entries (`NAME=value`) of one event: MESSAGE (the text
/// format without time and level), PRIORITY, SYSLOG_IDENTIFIER,
/// RMCP_COMPONENT, RMCP_EVENT, then each field under its key in upper case
/// (`plan_id` → `PLAN_ID`).
std::vector<std::string> journal_record(spdlog::level::level_enum level,
                                        std::string_view component,
                                        std::string_view id, fields fs);

// -- forwarding ---------------------------------------------------------------

/// Receives (spdlog level, component, text) for records at or above the
/// forwarding level; the text is the event in the text format. Called from
/// arbitrary threads; must not log.
using forward_fn = std::function<void(spdlog::level::level_enum,
                                      const std::string&, const std::string&)>;

/// Installs (or, with an empty function, removes) the forwarding hook.
void set_forwarder(forward_fn fn);

/// Minimum level of records handed to the forwarder (default: off).
void set_forward_level(spdlog::level::level_enum level);

} // namespace rmcp::log
