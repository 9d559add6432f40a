#include "protocol/routeros_value.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

namespace rmcp::ros {

namespace {

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

bool is_alpha(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

/// Parses "12", "12.5" or "12,5" at `pos`; advances `pos`.
std::optional<double> take_decimal(std::string_view text, size_t& pos) {
  size_t start = pos;
  double value = 0;
  while (pos < text.size() && is_digit(text[pos]))
    value = value * 10 + (text[pos++] - '0');
  if (pos == start)
    return std::nullopt;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    size_t frac = pos + 1;
    size_t p = frac;
    double scale = 0.1;
    double fraction = 0;
    while (p < text.size() && is_digit(text[p])) {
      fraction += scale * (text[p++] - '0');
      scale /= 10;
    }
    if (p == frac)
      return std::nullopt;
    value += fraction;
    pos = p;
  }
  return value;
}

/// A number followed by a unit from `units` (exact, case-sensitive);
/// returns number × factor.
template <size_t N>
std::optional<double>
scaled(std::string_view text,
       const std::array<std::pair<std::string_view, double>, N>& units) {
  size_t pos = 0;
  auto number = take_decimal(text, pos);
  if (!number)
    return std::nullopt;
  auto unit = text.substr(pos);
  for (auto& [name, factor] : units)
    if (unit == name)
      return *number * factor;
  return std::nullopt;
}

std::optional<uint64_t> to_u64(double value) {
  if (!std::isfinite(value) || value < 0 || value >= 18446744073709551616.0)
    return std::nullopt;
  // Near 2^64 doubles are 4096 apart, so +0.5 cannot overflow.
  return static_cast<uint64_t>(value + 0.5);
}

/// "HH:MM:SS" or "HH:MM:SS.frac" → seconds.
std::optional<double> clock_seconds(std::string_view t) {
  if (t.size() < 8 || t[2] != ':' || t[5] != ':')
    return std::nullopt;
  auto h = to_uint(t.substr(0, 2));
  auto m = to_uint(t.substr(3, 2));
  auto s = to_uint(t.substr(6, 2));
  if (!h || !m || !s || *m > 59 || *s > 59)
    return std::nullopt;
  double value = static_cast<double>(*h * 3600 + *m * 60 + *s);
  if (t.size() > 8) {
    if (t[8] != '.')
      return std::nullopt;
    size_t pos = 9;
    double scale = 0.1;
    if (pos == t.size())
      return std::nullopt;
    for (; pos < t.size(); ++pos) {
      if (!is_digit(t[pos]))
        return std::nullopt;
      value += scale * (t[pos] - '0');
      scale /= 10;
    }
  }
  return value;
}

/// "jan" … "dec" (any case) → 1–12; 0 when unknown.
int month_of(std::string_view name) {
  static constexpr std::array<std::string_view, 12> months = {
    "jan", "feb", "mar", "apr", "may", "jun",
    "jul", "aug", "sep", "oct", "nov", "dec"};
  for (size_t i = 0; i < months.size(); ++i)
    if (iequals(name, months[i]))
      return static_cast<int>(i + 1);
  return 0;
}

bool valid_time(std::string_view t) {
  return t.size() == 8 && clock_seconds(t).has_value()
         && to_uint(t.substr(0, 2)).value_or(99) < 24;
}

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

/// Checks and formats year/month/day.
std::optional<std::string> make_date(std::string_view year, int month,
                                     std::string_view day) {
  auto y = to_uint(year);
  auto d = to_uint(day);
  if (year.size() != 4 || !y || !d || month < 1 || month > 12 || *d < 1
      || *d > 31)
    return std::nullopt;
  return std::string{year} + "-" + two(month) + "-" + two(static_cast<int>(*d));
}

} // namespace

// -- scalars ------------------------------------------------------------------

std::optional<uint64_t> to_uint(std::string_view text) {
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

std::optional<int64_t> to_int(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  auto magnitude = to_uint(text);
  if (!magnitude)
    return std::nullopt;
  constexpr auto max =
    static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (*magnitude > max + 1)
      return std::nullopt;
    return *magnitude == max + 1 ? std::numeric_limits<int64_t>::min()
                                 : -static_cast<int64_t>(*magnitude);
  }
  if (*magnitude > max)
    return std::nullopt;
  return static_cast<int64_t>(*magnitude);
}

std::optional<double> to_double(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  size_t pos = 0;
  auto value = take_decimal(text, pos);
  if (!value || pos != text.size())
    return std::nullopt;
  return negative ? -*value : *value;
}

std::optional<bool> to_bool(std::string_view text) {
  if (text == "true" || text == "yes")
    return true;
  if (text == "false" || text == "no")
    return false;
  return std::nullopt;
}

std::optional<double> to_seconds(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.empty())
    return std::nullopt;
  auto sign = [negative](double v) { return negative ? -v : v; };
  // Clock form: "00:05:00", "1d00:05:00", "1w2d00:05:00", "00:00:00.25".
  if (text.find(':') != std::string_view::npos) {
    double prefix = 0;
    size_t pos = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      size_t start = pos;
      while (pos < text.size() && is_digit(text[pos]))
        ++pos;
      if (pos >= text.size() || (text[pos] != 'd' && text[pos] != 'w')) {
        pos = start;
        break;
      }
      auto n = to_uint(text.substr(start, pos - start));
      if (!n)
        return std::nullopt;
      prefix += static_cast<double>(*n) * (text[pos] == 'w' ? 604800 : 86400);
      ++pos;
    }
    auto clock = clock_seconds(text.substr(pos));
    if (!clock)
      return std::nullopt;
    return sign(prefix + *clock);
  }
  // Unit form: "1w2d3h4m5s", "4s750ms", "5ms945us", "100ns".
  double seconds = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    auto number = take_decimal(text, pos);
    if (!number)
      return std::nullopt;
    size_t unit_start = pos;
    while (pos < text.size() && is_alpha(text[pos]))
      ++pos;
    auto unit = text.substr(unit_start, pos - unit_start);
    double factor = 0;
    if (unit == "w")
      factor = 604800;
    else if (unit == "d")
      factor = 86400;
    else if (unit == "h")
      factor = 3600;
    else if (unit == "m")
      factor = 60;
    else if (unit == "s" || unit.empty())
      factor = 1;
    else if (unit == "ms")
      factor = 1e-3;
    else if (unit == "us")
      factor = 1e-6;
    else if (unit == "ns")
      factor = 1e-9;
    else
      return std::nullopt;
    // A bare number is seconds only when it is the whole value ("30").
    if (unit.empty() && (unit_start != text.size() || seconds != 0))
      return std::nullopt;
    seconds += *number * factor;
  }
  return sign(seconds);
}

std::optional<uint64_t> to_whole_seconds(std::string_view text) {
  auto s = to_seconds(text);
  if (!s || *s < 0)
    return std::nullopt;
  // Guard against 4.999999 from binary fractions of "4s999ms…"; beyond
  // 2^64 s there is no whole number to give.
  return to_u64(std::floor(*s + 1e-9));
}

std::optional<uint64_t> to_bytes(std::string_view text) {
  if (auto plain = to_uint(text))
    return plain;
  static constexpr std::array<std::pair<std::string_view, double>, 12> units = {
    {{"B", 1},
     {"KiB", 1024.0},
     {"MiB", 1024.0 * 1024},
     {"GiB", 1024.0 * 1024 * 1024},
     {"TiB", 1024.0 * 1024 * 1024 * 1024},
     {"kB", 1e3},
     {"KB", 1e3},
     {"kiB", 1024.0},
     {"MB", 1e6},
     {"GB", 1e9},
     {"TB", 1e12},
     {"", 1}}};
  auto value = scaled(text, units);
  return value ? to_u64(*value) : std::nullopt;
}

std::optional<double> to_percent(std::string_view text) {
  if (!text.empty() && text.back() == '%')
    text.remove_suffix(1);
  return to_double(text);
}

std::optional<uint64_t> to_bps(std::string_view text) {
  // Wireless rates carry an annotation: "1.3Gbps-80MHz/2S/SGI".
  if (auto dash = text.find('-'); dash != std::string_view::npos && dash > 0)
    text = text.substr(0, dash);
  static constexpr std::array<std::pair<std::string_view, double>, 6> units = {
    {{"bps", 1},
     {"kbps", 1e3},
     {"Kbps", 1e3},
     {"Mbps", 1e6},
     {"Gbps", 1e9},
     {"", 1}}};
  auto value = scaled(text, units);
  return value ? to_u64(*value) : std::nullopt;
}

std::optional<int64_t> to_dbm(std::string_view text) {
  // Legacy wireless appends the rate the level was measured at.
  if (auto at = text.find('@'); at != std::string_view::npos)
    text = text.substr(0, at);
  if (text.size() > 3 && text.substr(text.size() - 3) == "dBm")
    text.remove_suffix(3);
  else if (text.size() > 2 && text.substr(text.size() - 2) == "dB")
    text.remove_suffix(2);
  return to_int(text);
}

std::vector<std::string> to_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty())
      out.emplace_back(item);
    if (comma == std::string_view::npos)
      break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<std::string> to_iso_date(std::string_view text) {
  // "2025-12-09"
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    auto m = to_uint(text.substr(5, 2));
    return m ? make_date(text.substr(0, 4), static_cast<int>(*m),
                         text.substr(8, 2))
             : std::nullopt;
  }
  // "dec/09/2025"
  if (text.size() == 11 && text[3] == '/' && text[6] == '/')
    return make_date(text.substr(7, 4), month_of(text.substr(0, 3)),
                     text.substr(4, 2));
  return std::nullopt;
}

std::optional<std::string> to_iso_time(std::string_view text,
                                       std::string_view reference_date) {
  auto space = text.rfind(' ');
  auto date_part = space == std::string_view::npos ? std::string_view{}
                                                   : text.substr(0, space);
  auto time_part =
    space == std::string_view::npos ? text : text.substr(space + 1);
  if (!valid_time(time_part))
    return std::nullopt;
  std::optional<std::string> date;
  if (date_part.empty()) {
    date = to_iso_date(reference_date);
  } else if (auto full = to_iso_date(date_part)) {
    date = full;
  } else {
    // Short forms of the current year: "dec/09", "12-09".
    auto year = to_iso_date(reference_date);
    if (!year)
      return std::nullopt;
    auto y = std::string_view{*year}.substr(0, 4);
    if (date_part.size() == 6 && date_part[3] == '/')
      date =
        make_date(y, month_of(date_part.substr(0, 3)), date_part.substr(4, 2));
    else if (date_part.size() == 5 && date_part[2] == '-')
      if (auto m = to_uint(date_part.substr(0, 2)))
        date = make_date(y, static_cast<int>(*m), date_part.substr(3, 2));
  }
  if (!date)
    return std::nullopt;
  return *date + "T" + std::string{time_part};
}

// -- JSON fields --------------------------------------------------------------

std::optional<std::string> text_of(const json& object, std::string_view key) {
  if (!object.is_object())
    return std::nullopt;
  auto i = object.find(key);
  if (i == object.end())
    return std::nullopt;
  if (i->is_string())
    return i->get<std::string>();
  if (i->is_boolean())
    return i->get<bool>() ? "true" : "false";
  if (i->is_number())
    return i->dump();
  return std::nullopt;
}

std::optional<json> convert_value(const json& object, std::string_view key,
                                  kind k, std::string_view reference_date) {
  auto text = text_of(object, key);
  if (!text)
    return std::nullopt;
  auto wrap = [](const auto& v) -> std::optional<json> {
    if (!v)
      return std::nullopt;
    return json(*v);
  };
  switch (k) {
    case kind::text:
      return json(*text);
    case kind::uint:
      return wrap(to_uint(*text));
    case kind::integer:
      return wrap(to_int(*text));
    case kind::number:
      return wrap(to_double(*text));
    case kind::boolean:
      return wrap(to_bool(*text));
    case kind::seconds:
      return wrap(to_seconds(*text));
    case kind::whole_seconds:
      return wrap(to_whole_seconds(*text));
    case kind::bytes:
      return wrap(to_bytes(*text));
    case kind::percent:
      return wrap(to_percent(*text));
    case kind::bps:
      return wrap(to_bps(*text));
    case kind::dbm:
      return wrap(to_dbm(*text));
    case kind::list:
      return json(to_list(*text));
    case kind::time:
      return wrap(to_iso_time(*text, reference_date));
    case kind::date:
      return wrap(to_iso_date(*text));
  }
  return std::nullopt;
}

json convert(const json& row, const field* fields, size_t count,
             std::string_view reference_date) {
  json out = json::object();
  for (size_t i = 0; i < count; ++i)
    if (auto v = convert_value(row, fields[i].ros_name, fields[i].kind,
                               reference_date))
      out[fields[i].out_name] = std::move(*v);
  return out;
}

json convert_rows(const json& rows, const field* fields, size_t count,
                  std::string_view reference_date) {
  json out = json::array();
  if (!rows.is_array())
    return out;
  for (auto& row : rows)
    out.push_back(convert(row, fields, count, reference_date));
  return out;
}

} // namespace rmcp::ros
