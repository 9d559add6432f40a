#include "src/console/login_codes.hpp"

#include <algorithm>

#include "protocol/error.hpp"
#include "src/console/console_sessions.hpp"
#include "storage/encoding.hpp"

namespace rmcp::console {

namespace {

constexpr std::string_view code_prefix = "rmcpc_";

int64_t system_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

bool well_formed(std::string_view code) {
  if (code.size() != code_prefix.size() + 64
      || code.compare(0, code_prefix.size(), code_prefix) != 0)
    return false;
  auto digits = code.substr(code_prefix.size());
  return digits.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace

login_codes::login_codes(login_code_limits limits,
                         std::function<int64_t()> clock)
  : limits_(limits), clock_(std::move(clock)) {
  if (limits_.max_codes == 0)
    limits_.max_codes = 1;
}

int64_t login_codes::now() const {
  return clock_ ? clock_() : system_ms();
}

caf::expected<std::string> login_codes::mint(identity who,
                                             std::chrono::milliseconds ttl) {
  if (who.subject.empty())
    return make_error(ec::invalid_arguments,
                      "a login link needs the identity it logs in (subject)");
  if (ttl < std::chrono::seconds{1} || ttl > limits_.max_ttl)
    return make_error(
      ec::invalid_arguments,
      "a login link is valid for 1 to "
        + std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(limits_.max_ttl)
            .count())
        + " seconds");
  auto code = std::string{code_prefix} + random_hex_token();
  entry e;
  e.hash = storage::sha256_hex(code);
  e.who = std::move(who);
  auto t = now();
  e.expires_ms = t + ttl.count();
  std::lock_guard<std::mutex> guard{mtx_};
  codes_.erase(
    std::remove_if(codes_.begin(), codes_.end(),
                   [t](const entry& x) { return t >= x.expires_ms; }),
    codes_.end());
  while (codes_.size() >= limits_.max_codes) {
    // A used code goes first (it only explains a second use), else the
    // oldest.
    auto used = std::find_if(codes_.begin(), codes_.end(),
                             [](const entry& x) { return x.used_ms != 0; });
    codes_.erase(used != codes_.end() ? used : codes_.begin());
  }
  codes_.push_back(std::move(e));
  return code;
}

caf::expected<identity> login_codes::redeem(std::string_view code) {
  auto refused = [](const std::string& why) {
    return make_error(ec::unauthorized, "login link refused: " + why);
  };
  if (!well_formed(code))
    return refused("malformed code (a login link ends in #code=rmcpc_ and 64 "
                   "hex digits)");
  auto hash = storage::sha256_hex(code);
  auto t = now();
  std::lock_guard<std::mutex> guard{mtx_};
  // Every stored hash is compared in full, in constant time each.
  entry* found = nullptr;
  for (auto& e : codes_)
    if (same_secret(hash, e.hash))
      found = &e;
  if (found == nullptr)
    return refused("unknown code (a link works on the daemon that made it, "
                   "until it restarts); ask for a new one");
  if (found->used_ms != 0)
    return refused("this link was already used at "
                   + storage::iso_utc(found->used_ms)
                   + "; a login link works once: ask for a new one");
  if (t >= found->expires_ms)
    return refused("this link expired at " + storage::iso_utc(found->expires_ms)
                   + "; ask for a new one");
  found->used_ms = t;
  return found->who;
}

size_t login_codes::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return codes_.size();
}

std::string login_link(std::string_view url_base, std::string_view code) {
  std::string out{url_base};
  while (!out.empty() && out.back() == '/')
    out.pop_back();
  out += "/ui/#code=";
  out += code;
  return out;
}

} // namespace rmcp::console
