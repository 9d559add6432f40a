#pragma once

// RouterOS value normalisation: the ONE place where RouterOS's string values
// become typed values (the REST API answers every value
// as a JSON string — "1073741824", "true", "2d20h12m20s", "1024.0MiB",
// "950Mbps", "sep/29/2022 07:09:24").
//
// Every function is pure, never throws, and answers nullopt for anything it
// does not recognise (tools then omit the field instead of guessing). JSON
// numbers and booleans are accepted wherever a string would be, so values
// from other sources (the simulator, fixtures) pass through unchanged.
//
// Tools convert whole rows with a field table:
//
//   constexpr ros::field interface_fields[] = {
//     {".id", "id", ros::kind::text},
//     {"mtu", "mtu", ros::kind::uint},
//     {"running", "running", ros::kind::boolean},
//     {"last-link-up-time", "last_link_up", ros::kind::time},
//   };
//   json out = ros::convert(row, interface_fields);

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json.hpp"

namespace rmcp::ros {

// -- scalars ------------------------------------------------------------------

/// "123" → 123. 64-bit safe (counters up to 2^64-1); no sign, no spaces.
std::optional<uint64_t> to_uint(std::string_view text);

/// "-65", "+3", "42" → signed 64-bit.
std::optional<int64_t> to_int(std::string_view text);

/// "12", "-3.25", "12,5" (decimal comma) → double.
std::optional<double> to_double(std::string_view text);

/// "true"/"yes" → true, "false"/"no" → false; anything else ("auto",
/// "enabled", "") → nullopt.
std::optional<bool> to_bool(std::string_view text);

/// Durations: "1w2d3h4m5s", "2d20h12m20s", "5ms945us", "453us", "4s750ms",
/// "-1ms500us", "00:05:00", "1d00:00:00", "00:00:00.25" → seconds
/// (fractional). "never", "none", "" → nullopt.
std::optional<double> to_seconds(std::string_view text);

/// `to_seconds` truncated to whole seconds; negative durations → nullopt.
std::optional<uint64_t> to_whole_seconds(std::string_view text);

/// Sizes: "92979200", "1024.0MiB", "64KiB", "1.5GB", "2,5kB", "512B" →
/// bytes (KiB/MiB/GiB/TiB ×1024ⁿ; kB/KB/MB/GB/TB ×1000ⁿ).
std::optional<uint64_t> to_bytes(std::string_view text);

/// "7", "7%", "7.5%" → 7.5 (0–100 is not enforced: RouterOS reports
/// e.g. 101 % on some boards for a moment).
std::optional<double> to_percent(std::string_view text);

/// Bit rates: "950Mbps", "1.5Gbps", "38.2kbps", "0bps", "123456" → bits
/// per second. A wireless rate's annotation after the rate is ignored:
/// "1.3Gbps-80MHz/2S/SGI" → 1300000000.
std::optional<uint64_t> to_bps(std::string_view text);

/// Signal levels: "-65dBm", "-65", "-65dBm@6Mbps" (legacy wireless: level
/// at a rate) → -65; signal-to-noise "40dB" → 40.
std::optional<int64_t> to_dbm(std::string_view text);

/// "a,b, c" → {"a","b","c"}; "" → {} (RouterOS sends lists comma-joined).
std::vector<std::string> to_list(std::string_view text);

/// RouterOS timestamps → ISO 8601 local time without zone
/// ("YYYY-MM-DDTHH:MM:SS"):
///   "2025-12-09 12:52:49"      (7.10+)
///   "sep/29/2022 07:09:24", "Dec/04/2020 14:19:51" (older)
///   "dec/09 12:52:49", "12-09 12:52:49"  (log: this year → needs
///                                         `reference_date`)
///   "12:52:49"                  (log: today → needs `reference_date`)
/// `reference_date` is "YYYY-MM-DD" (the router's clock date); without it
/// the short forms give nullopt.
std::optional<std::string> to_iso_time(std::string_view text,
                                       std::string_view reference_date = {});

/// Dates: "2025-12-09", "dec/09/2025" → "2025-12-09".
std::optional<std::string> to_iso_date(std::string_view text);

// -- JSON fields --------------------------------------------------------------

/// The value at `key` as text: strings as they are, JSON numbers and
/// booleans printed; absent, null, arrays and objects → nullopt.
std::optional<std::string> text_of(const json& object, std::string_view key);

/// What a field becomes in a tool's structured output.
enum class kind {
  /// Verbatim string.
  text,
  /// to_uint.
  uint,
  /// to_int.
  integer,
  /// to_double.
  number,
  /// to_bool.
  boolean,
  /// to_seconds (fractional).
  seconds,
  /// to_whole_seconds.
  whole_seconds,
  /// to_bytes.
  bytes,
  /// to_percent.
  percent,
  /// to_bps.
  bps,
  /// to_dbm.
  dbm,
  /// to_list → JSON array of strings.
  list,
  /// to_iso_time (full timestamps only; see `convert`'s reference date).
  time,
  /// to_iso_date.
  date,
};

/// One RouterOS field of a row and where it goes.
struct field {
  /// RouterOS name, e.g. ".id", "mac-address".
  const char* ros_name;
  /// Output name, e.g. "id", "mac_address".
  const char* out_name;
  ros::kind kind;
};

/// Converts one value; nullopt when absent or not convertible.
std::optional<json> convert_value(const json& object, std::string_view key,
                                  kind k, std::string_view reference_date = {});

/// Builds an object with every field of `fields` that `row` has and that
/// converts; absent or malformed values are omitted (output schemas then
/// list them as optional), never replaced by guesses.
json convert(const json& row, const field* fields, size_t count,
             std::string_view reference_date = {});

template <size_t N>
json convert(const json& row, const field (&fields)[N],
             std::string_view reference_date = {}) {
  return convert(row, fields, N, reference_date);
}

/// `convert` for every element of an array answer (GET of a list menu); a
/// non-array answer gives an empty array.
json convert_rows(const json& rows, const field* fields, size_t count,
                  std::string_view reference_date = {});

template <size_t N>
json convert_rows(const json& rows, const field (&fields)[N],
                  std::string_view reference_date = {}) {
  return convert_rows(rows, fields, N, reference_date);
}

} // namespace rmcp::ros
