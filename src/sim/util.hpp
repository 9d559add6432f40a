#pragma once

// Value helpers of the RouterOS simulator: RouterOS durations, timestamps,
// `.id` words, IPv4 arithmetic, versions and a deterministic hash. Pure
// functions, no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rmcp::sim {

// -- deterministic randomness -------------------------------------------------

/// splitmix64 step: a good 64-bit mix of `x`.
std::uint64_t mix64(std::uint64_t x);

/// Hash of a few values, stable across runs and platforms.
std::uint64_t hash_of(std::uint64_t a, std::uint64_t b = 0,
                      std::uint64_t c = 0);

/// FNV-1a of a string (stable).
std::uint64_t hash_str(std::string_view s);

/// A tiny deterministic generator (splitmix64 sequence).
class prng {
public:
  explicit prng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  /// Uniform in [lo, hi].
  std::int64_t range(std::int64_t lo, std::int64_t hi);
  /// True with probability p.
  bool chance(double p);
  template <class Vec>
  const auto& pick(const Vec& v) {
    return v[static_cast<std::size_t>(
      range(0, static_cast<std::int64_t>(v.size()) - 1))];
  }

private:
  std::uint64_t state_;
};

// -- durations ----------------------------------------------------------------

/// RouterOS duration text of `us` microseconds: largest unit first, no zero
/// components: "2d20h12m20s", "5ms945us", "453us", "0s".
std::string format_duration_us(std::int64_t us);

/// Same for whole seconds.
inline std::string format_duration_s(std::int64_t s) {
  return format_duration_us(s * 1000000);
}

/// Parses "1w2d3h4m5s", "500ms", "10" (seconds), "00:05:00", "1d00:00:00",
/// "1.5s". Returns microseconds.
std::optional<std::int64_t> parse_duration_us(std::string_view text);

// -- timestamps ---------------------------------------------------------------

/// "YYYY-MM-DD HH:MM:SS" (RouterOS >= 7.10) or "mmm/dd/yyyy HH:MM:SS".
std::string format_datetime(std::int64_t epoch_s, bool iso = true);
/// "YYYY-MM-DD" or "mmm/dd/yyyy".
std::string format_date(std::int64_t epoch_s, bool iso = true);
/// "HH:MM:SS".
std::string format_time(std::int64_t epoch_s);
/// Parses "YYYY-MM-DD" or "mmm/dd/yyyy" to the epoch of its midnight (UTC).
std::optional<std::int64_t> parse_date(std::string_view text);
/// Parses "HH:MM:SS" or "HH:MM" to seconds since midnight.
std::optional<std::int64_t> parse_time_of_day(std::string_view text);

// -- ids ----------------------------------------------------------------------

/// "*1A".
std::string id_text(std::uint32_t id);
/// "*1A" -> 0x1A; nullopt unless `*` followed by 1-8 hex digits.
std::optional<std::uint32_t> parse_id(std::string_view text);

// -- IPv4 ---------------------------------------------------------------------

std::optional<std::uint32_t> parse_ipv4(std::string_view text);
std::string format_ipv4(std::uint32_t ip);

struct ipv4_prefix {
  std::uint32_t ip = 0;
  int len = 32;
  std::uint32_t mask() const {
    return len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
  }
  std::uint32_t network() const {
    return ip & mask();
  }
  bool contains(std::uint32_t a) const {
    return (a & mask()) == network();
  }
  /// "10.0.0.1/24" as given (host bits kept).
  std::string text() const;
  /// "10.0.0.0/24".
  std::string network_text() const;
};

/// "10.0.0.1/24" or "10.0.0.1" (meaning /32).
std::optional<ipv4_prefix> parse_prefix(std::string_view text);

// -- versions -----------------------------------------------------------------

/// RouterOS version "7.16.2" (channel suffix ignored).
struct ros_version {
  int major = 7, minor = 0, patch = 0;
  static ros_version parse(std::string_view text);
  bool at_least(int mj, int mn, int pt = 0) const;
  bool operator<(const ros_version& o) const;
};

// -- text ---------------------------------------------------------------------

std::vector<std::string> split(std::string_view text, char sep,
                               bool skip_empty = true);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string to_lower(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);

/// Parses a decimal (or 0x-hex) integer; nullopt on junk.
std::optional<std::int64_t> parse_int(std::string_view text);

/// "yes"/"true" -> "true", "no"/"false" -> "false"; nullopt otherwise.
std::optional<std::string> normalize_bool(std::string_view text);

/// Percent-decodes a URL component ("%20" -> " ").
std::string url_decode(std::string_view s);

/// A value as a RouterOS script word: as is when plain, else in double
/// quotes with `"`, `\`, `$`, CR and LF escaped.
std::string script_quote(std::string_view v);

/// MAC address in upper case "AA:BB:CC:DD:EE:FF" from 48 bits.
std::string format_mac(std::uint64_t bits);

} // namespace rmcp::sim
