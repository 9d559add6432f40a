#include "src/console/console_sessions.hpp"

#include <cstdlib>

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace rmcp::console {

namespace {

int64_t system_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

bool is_hex_id(std::string_view id) {
  return id.size() == 64
         && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace

session_table::session_table(session_limits limits,
                             std::function<int64_t()> clock)
  : limits_(limits), clock_(std::move(clock)) {
  if (limits_.max_sessions == 0)
    limits_.max_sessions = 1;
}

int64_t session_table::now() const {
  return clock_ ? clock_() : system_ms();
}

bool session_table::expired(const login_session& s, int64_t now) const {
  return now - s.created_ms >= limits_.lifetime.count()
         || now - s.last_used_ms >= limits_.idle.count();
}

login_session session_table::open(identity who, std::string token) {
  login_session s;
  s.id = random_hex_token();
  s.csrf = random_hex_token();
  s.who = std::move(who);
  s.token = std::move(token);
  s.created_ms = s.last_used_ms = now();
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto i = sessions_.begin(); i != sessions_.end();)
    i = expired(i->second, s.created_ms) ? sessions_.erase(i) : std::next(i);
  while (sessions_.size() >= limits_.max_sessions) {
    auto lru = sessions_.begin();
    for (auto i = sessions_.begin(); i != sessions_.end(); ++i)
      if (i->second.last_used_ms < lru->second.last_used_ms)
        lru = i;
    sessions_.erase(lru);
  }
  sessions_.emplace(s.id, s);
  return s;
}

std::optional<login_session> session_table::find(std::string_view id) {
  if (!is_hex_id(id))
    return std::nullopt;
  auto t = now();
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = sessions_.find(id);
  if (i == sessions_.end())
    return std::nullopt;
  if (expired(i->second, t)) {
    sessions_.erase(i);
    return std::nullopt;
  }
  i->second.last_used_ms = t;
  return i->second;
}

bool session_table::close(std::string_view id) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = sessions_.find(id);
  if (i == sessions_.end())
    return false;
  sessions_.erase(i);
  return true;
}

void session_table::close_token(const std::string& token) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto i = sessions_.begin(); i != sessions_.end();)
    i = i->second.token == token ? sessions_.erase(i) : std::next(i);
}

size_t session_table::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return sessions_.size();
}

std::string random_hex_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1)
    std::abort();
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty())
    return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    auto end = header.find(';', pos);
    if (end == std::string_view::npos)
      end = header.size();
    auto pair = header.substr(pos, end - pos);
    auto first = pair.find_first_not_of(' ');
    if (first != std::string_view::npos) {
      pair.remove_prefix(first);
      auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        auto value = pair.substr(eq + 1);
        while (!value.empty() && value.back() == ' ')
          value.remove_suffix(1);
        return std::string{value};
      }
    }
    pos = end + 1;
  }
  return {};
}

std::string session_cookie(std::string_view name, std::string_view id, bool tls,
                           std::chrono::milliseconds max_age) {
  auto seconds =
    id.empty()
      ? 0
      : std::chrono::duration_cast<std::chrono::seconds>(max_age).count();
  std::string out{name};
  out += '=';
  out += id;
  out += "; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=";
  out += std::to_string(seconds);
  if (tls)
    out += "; Secure";
  return out;
}

} // namespace rmcp::console
