#include "sim/util.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace rmcp::sim {

// -- deterministic randomness -------------------------------------------------

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t hash_of(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  return mix64(mix64(mix64(a) ^ b) ^ c);
}

std::uint64_t hash_str(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : s)
    h = (h ^ ch) * 1099511628211ULL;
  return h;
}

std::uint64_t prng::next() {
  state_ += 0x9E3779B97F4A7C15ULL;
  return mix64(state_);
}

std::int64_t prng::range(std::int64_t lo, std::int64_t hi) {
  if (hi <= lo)
    return lo;
  auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<std::int64_t>(next() % span);
}

bool prng::chance(double p) {
  return static_cast<double>(next() % 1000000) < p * 1000000.0;
}

// -- durations ----------------------------------------------------------------

std::string format_duration_us(std::int64_t us) {
  if (us <= 0)
    return "0s";
  static constexpr std::array<std::pair<std::int64_t, const char*>, 7> units{{
    {604800000000LL, "w"},
    {86400000000LL, "d"},
    {3600000000LL, "h"},
    {60000000LL, "m"},
    {1000000LL, "s"},
    {1000LL, "ms"},
    {1LL, "us"},
  }};
  std::string out;
  for (auto& [size, name] : units) {
    if (us >= size) {
      out += std::to_string(us / size);
      out += name;
      us %= size;
    }
  }
  return out;
}

std::optional<std::int64_t> parse_duration_us(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  // Clock style: [Nd]HH:MM:SS or HH:MM.
  if (text.find(':') != std::string_view::npos) {
    std::int64_t days = 0;
    if (auto d = text.find('d'); d != std::string_view::npos) {
      auto n = parse_int(text.substr(0, d));
      if (!n)
        return std::nullopt;
      days = *n;
      text.remove_prefix(d + 1);
    }
    auto tod = parse_time_of_day(text);
    if (!tod)
      return std::nullopt;
    return (days * 86400 + *tod) * 1000000;
  }
  std::int64_t total = 0;
  std::size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    std::size_t start = i;
    while (
      i < text.size()
      && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start)
      return std::nullopt;
    double value = 0;
    try {
      value = std::stod(std::string{text.substr(start, i - start)});
    } catch (...) {
      return std::nullopt;
    }
    std::size_t ustart = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
      ++i;
    auto unit = text.substr(ustart, i - ustart);
    double factor = 0;
    if (unit.empty() || unit == "s")
      factor = 1e6;
    else if (unit == "w")
      factor = 604800e6;
    else if (unit == "d")
      factor = 86400e6;
    else if (unit == "h")
      factor = 3600e6;
    else if (unit == "m")
      factor = 60e6;
    else if (unit == "ms")
      factor = 1e3;
    else if (unit == "us")
      factor = 1;
    else
      return std::nullopt;
    if (unit.empty() && i < text.size())
      return std::nullopt;
    total += static_cast<std::int64_t>(value * factor + 0.5);
    any = true;
  }
  if (!any)
    return std::nullopt;
  return total;
}

// -- timestamps ---------------------------------------------------------------

namespace {

constexpr std::array<const char*, 12> month_names{"jan", "feb", "mar", "apr",
                                                  "may", "jun", "jul", "aug",
                                                  "sep", "oct", "nov", "dec"};

// Howard Hinnant's civil-from-days / days-from-civil.
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

} // namespace

std::string format_date(std::int64_t epoch_s, bool iso) {
  int y;
  unsigned m, d;
  civil_from_days(floor_div(epoch_s, 86400), y, m, d);
  char buf[32];
  if (iso)
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  else
    std::snprintf(buf, sizeof buf, "%s/%02u/%04d", month_names[m - 1], d, y);
  return buf;
}

std::string format_time(std::int64_t epoch_s) {
  auto sod = epoch_s - floor_div(epoch_s, 86400) * 86400;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  return buf;
}

std::string format_datetime(std::int64_t epoch_s, bool iso) {
  return format_date(epoch_s, iso) + " " + format_time(epoch_s);
}

std::optional<std::int64_t> parse_date(std::string_view text) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    auto yy = parse_int(text.substr(0, 4));
    auto mm = parse_int(text.substr(5, 2));
    auto dd = parse_int(text.substr(8, 2));
    if (!yy || !mm || !dd)
      return std::nullopt;
    y = static_cast<int>(*yy);
    m = static_cast<unsigned>(*mm);
    d = static_cast<unsigned>(*dd);
  } else if (text.size() == 11 && text[3] == '/' && text[6] == '/') {
    auto mon = to_lower(text.substr(0, 3));
    for (unsigned i = 0; i < 12; ++i)
      if (mon == month_names[i])
        m = i + 1;
    auto dd = parse_int(text.substr(4, 2));
    auto yy = parse_int(text.substr(7, 4));
    if (!dd || !yy)
      return std::nullopt;
    y = static_cast<int>(*yy);
    d = static_cast<unsigned>(*dd);
  } else {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31)
    return std::nullopt;
  return days_from_civil(y, m, d) * 86400;
}

std::optional<std::int64_t> parse_time_of_day(std::string_view text) {
  auto parts = split(text, ':', false);
  if (parts.size() < 2 || parts.size() > 3)
    return std::nullopt;
  std::int64_t v[3] = {0, 0, 0};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto n = parse_int(parts[i]);
    if (!n || *n < 0 || (i > 0 && *n > 59))
      return std::nullopt;
    v[i] = *n;
  }
  return v[0] * 3600 + v[1] * 60 + v[2];
}

// -- ids ----------------------------------------------------------------------

std::string id_text(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "*%X", id);
  return buf;
}

std::optional<std::uint32_t> parse_id(std::string_view text) {
  if (text.size() < 2 || text.size() > 9 || text[0] != '*')
    return std::nullopt;
  std::uint32_t v = 0;
  for (char c : text.substr(1)) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else
      return std::nullopt;
    v = v * 16 + static_cast<std::uint32_t>(d);
  }
  return v;
}

// -- IPv4 ---------------------------------------------------------------------

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  auto parts = split(text, '.', false);
  if (parts.size() != 4)
    return std::nullopt;
  std::uint32_t ip = 0;
  for (auto& p : parts) {
    if (p.empty() || p.size() > 3)
      return std::nullopt;
    for (char c : p)
      if (!std::isdigit(static_cast<unsigned char>(c)))
        return std::nullopt;
    auto n = std::stoi(p);
    if (n > 255)
      return std::nullopt;
    ip = ip << 8 | static_cast<std::uint32_t>(n);
  }
  return ip;
}

std::string format_ipv4(std::uint32_t ip) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 255,
                ip >> 8 & 255, ip & 255);
  return buf;
}

std::string ipv4_prefix::text() const {
  return format_ipv4(ip) + "/" + std::to_string(len);
}

std::string ipv4_prefix::network_text() const {
  return format_ipv4(network()) + "/" + std::to_string(len);
}

std::optional<ipv4_prefix> parse_prefix(std::string_view text) {
  ipv4_prefix p;
  auto slash = text.find('/');
  auto ip = parse_ipv4(text.substr(0, slash));
  if (!ip)
    return std::nullopt;
  p.ip = *ip;
  if (slash != std::string_view::npos) {
    auto len = parse_int(text.substr(slash + 1));
    if (!len || *len < 0 || *len > 32)
      return std::nullopt;
    p.len = static_cast<int>(*len);
  }
  return p;
}

// -- versions -----------------------------------------------------------------

ros_version ros_version::parse(std::string_view text) {
  ros_version v;
  auto space = text.find(' ');
  auto nums = split(text.substr(0, space), '.', false);
  auto num = [&](std::size_t i) {
    if (i >= nums.size())
      return 0;
    std::size_t n = 0;
    while (n < nums[i].size()
           && std::isdigit(static_cast<unsigned char>(nums[i][n])))
      ++n;
    return n == 0 ? 0 : std::stoi(nums[i].substr(0, n));
  };
  v.major = num(0);
  v.minor = num(1);
  v.patch = num(2);
  return v;
}

bool ros_version::at_least(int mj, int mn, int pt) const {
  return !(*this < ros_version{mj, mn, pt});
}

bool ros_version::operator<(const ros_version& o) const {
  if (major != o.major)
    return major < o.major;
  if (minor != o.minor)
    return minor < o.minor;
  return patch < o.patch;
}

// -- text ---------------------------------------------------------------------

std::vector<std::string> split(std::string_view text, char sep,
                               bool skip_empty) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto pos = text.find(sep, start);
    if (pos == std::string_view::npos)
      pos = text.size();
    auto part = text.substr(start, pos - start);
    if (!part.empty() || !skip_empty)
      out.emplace_back(part);
    start = pos + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0)
      out += sep;
    out += parts[i];
  }
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size()
         && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  bool neg = false;
  if (text[0] == '-' || text[0] == '+') {
    neg = text[0] == '-';
    text.remove_prefix(1);
  }
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty() || text.size() > 18)
    return std::nullopt;
  std::int64_t v = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    v = v * base + d;
  }
  return neg ? -v : v;
}

std::optional<std::string> normalize_bool(std::string_view text) {
  if (text == "yes" || text == "true")
    return std::string{"true"};
  if (text == "no" || text == "false")
    return std::string{"false"};
  return std::nullopt;
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      auto hex = std::string{s.substr(i + 1, 2)};
      char* end = nullptr;
      auto v = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string script_quote(std::string_view v) {
  bool plain = !v.empty();
  for (char c : v)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'
          || c == '_' || c == '/' || c == ':' || c == ',' || c == '*'
          || c == '@' || c == '!' || c == '+'))
      plain = false;
  if (plain)
    return std::string{v};
  std::string out = "\"";
  for (char c : v) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '"' || c == '\\' || c == '$')
      out += std::string{'\\', c};
    else
      out += c;
  }
  return out + "\"";
}

std::string format_mac(std::uint64_t bits) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%02X:%02X:%02X:%02X:%02X:%02X",
                static_cast<unsigned>(bits >> 40 & 255),
                static_cast<unsigned>(bits >> 32 & 255),
                static_cast<unsigned>(bits >> 24 & 255),
                static_cast<unsigned>(bits >> 16 & 255),
                static_cast<unsigned>(bits >> 8 & 255),
                static_cast<unsigned>(bits & 255));
  return buf;
}

} // namespace rmcp::sim
