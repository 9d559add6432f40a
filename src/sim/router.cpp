#include "sim/router.hpp"

#include <optional>

#include <openssl/evp.h>

#include "sim/engine.hpp"
#include "sim/json_out.hpp"
#include "sim/script.hpp"

namespace rmcp::sim {

namespace {

constexpr const char* timeout_detail =
  "action timed out - try again, if error continues contact MikroTik support "
  "and send a "
  "supout file (13)";

/// Standard base64 (RFC 4648, padded) through OpenSSL's decoder; nullopt
/// when malformed, so a garbled Authorization header is refused like a
/// wrong password.
std::optional<std::string> base64_decode(std::string_view in) {
  // Credentials are short; a longer header is refused before decoding.
  if (in.size() % 4 != 0 || in.size() > 4096)
    return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0)
    return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t pad = 0;
  if (!in.empty() && in.back() == '=')
    pad = in.size() >= 2 && in[in.size() - 2] == '=' ? 2 : 1;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

/// Commands that change state (refused for users without `write`).
bool writes(const http_in& in) {
  if (in.method == "PUT" || in.method == "PATCH" || in.method == "DELETE")
    return true;
  if (in.method != "POST")
    return false;
  auto path = in.target.substr(0, in.target.find('?'));
  return writes_command(path.substr(path.rfind('/') + 1));
}

http_out json_reply(unsigned status, std::string body) {
  http_out out;
  out.status = status;
  out.body = std::move(body);
  return out;
}

} // namespace

router::router(router_profile profile, const sim_clock& clock,
               const router_settings& settings)
  : profile_(profile), clock_(clock), settings_(settings),
    state_(std::move(profile), clock),
    rng_(hash_of(profile_.seed, profile_.index, 0xfa17)) {
  state_.passwords[settings.username] = settings.password;
  state_.passwords["readonly"] = settings.password;
  seed_boot_log(state_, state_.boot_s, false);
}

fault_config router::faults() const {
  std::lock_guard<std::mutex> guard{mu_};
  return faults_;
}

void router::set_faults(const fault_config& f) {
  update_faults([&](fault_config& cur) { cur = f; });
}

void router::update_faults(const std::function<void(fault_config&)>& fn) {
  std::function<void(bool)> hook;
  bool rest_on = true;
  {
    std::lock_guard<std::mutex> guard{mu_};
    bool was_disabled = faults_.rest_disabled;
    fn(faults_);
    state_.flags.high_cpu = faults_.high_cpu;
    state_.flags.high_memory = faults_.high_memory;
    state_.flags.control_bytes = faults_.control_bytes;
    if (was_disabled != faults_.rest_disabled) {
      hook = rest_hook_;
      rest_on = !faults_.rest_disabled;
    }
  }
  if (hook)
    hook(rest_on);
}

void router::set_rest_hook(std::function<void(bool)> hook) {
  bool off = false;
  {
    std::lock_guard<std::mutex> guard{mu_};
    rest_hook_ = hook;
    off = faults_.rest_disabled;
  }
  if (off && hook)
    hook(false);
}

void router::set_credentials(const std::string& user,
                             const std::string& password) {
  std::lock_guard<std::mutex> guard{mu_};
  state_.passwords[user] = password;
  if (state_.seeded()) {
    auto& users = state_.tab("/user");
    if (!users.find_by("name", user))
      users.insert(fields{{"name", user}, {"group", "full"}});
  }
}

rest_result router::request(const std::string& method, const std::string& path,
                            const std::string& body) {
  rest_reply r;
  {
    std::lock_guard<std::mutex> guard{mu_};
    rest_request req{method, path, body, true,
                     "http://127.0.0.1:" + std::to_string(port())};
    r = handle_rest(state_, req,
                    origin{settings_.username, "rest-api", "127.0.0.1"});
  }
  if (r.reboot)
    reboot(std::chrono::seconds{settings_.reboot_downtime_s});
  return {r.status, r.body};
}

std::vector<request_record> router::request_log() const {
  std::lock_guard<std::mutex> guard{mu_};
  return {request_log_.begin(), request_log_.end()};
}

router_stats router::stats() const {
  std::lock_guard<std::mutex> guard{mu_};
  return stats_;
}

void router::note_connection() {
  std::lock_guard<std::mutex> guard{mu_};
  ++stats_.connections;
}

void router::set_reboot_hook(
  std::function<void(std::chrono::nanoseconds)> hook) {
  std::lock_guard<std::mutex> guard{mu_};
  reboot_hook_ = std::move(hook);
}

void router::reboot(std::chrono::milliseconds downtime) {
  std::function<void(std::chrono::nanoseconds)> hook;
  {
    std::lock_guard<std::mutex> guard{mu_};
    if (!up_)
      return;
    up_ = false;
    ++stats_.reboots;
    hook = reboot_hook_;
  }
  if (hook)
    hook(clock_.to_real(downtime.count() * 1000));
  else
    boot();
}

void router::boot() {
  std::lock_guard<std::mutex> guard{mu_};
  state_.boot_s = state_.now_s();
  state_.clear_log();
  seed_boot_log(state_, state_.boot_s, true);
  up_ = true;
}

void router::run_scheduler() {
  std::lock_guard<std::mutex> guard{mu_};
  if (up_ && state_.seeded())
    run_due_jobs(state_);
}

double router::roll() {
  return static_cast<double>(rng_.next() % 1000000) / 1000000.0;
}

std::chrono::nanoseconds router::session_limit() const {
  if (settings_.session_limit_ms > 0)
    return std::chrono::milliseconds{settings_.session_limit_ms};
  return clock_.to_real(60 * 1000000LL);
}

bool router::password_ok(const std::string& user, const std::string& password,
                         bool& read_only) {
  if (faults_.reject_auth)
    return false;
  auto it = state_.passwords.find(user);
  if (it == state_.passwords.end() || it->second != password)
    return false;
  read_only = user == "readonly";
  if (state_.seeded()) {
    auto* row = state_.tab("/user").find_by("name", user);
    if (!row || row->f.is_true("disabled"))
      return false;
    read_only = row->f.get("group") == "read";
  }
  return true;
}

void router::note_request(std::string method, std::string target,
                          unsigned status, bool write) {
  request_log_.push_back({std::move(method), std::move(target), status, write});
  if (request_log_.size() > 10000)
    request_log_.pop_front();
}

bool router::ssh_login(const std::string& user, const std::string& password,
                       const std::string& peer) {
  std::lock_guard<std::mutex> guard{mu_};
  bool read_only = false;
  if (!password_ok(user, password, read_only)) {
    state_.log("system,error,critical",
               "login failure for user " + user + " from " + peer + " via ssh");
    return false;
  }
  if (state_.note_login(user, peer))
    state_.log("system,info,account",
               "user " + user + " logged in from " + peer + " via ssh");
  return true;
}

ssh_out router::ssh_exec(const std::string& user, const std::string& command,
                         const std::string& peer) {
  std::lock_guard<std::mutex> guard{mu_};
  ++stats_.requests;
  ssh_out out;
  // Only the reads the daemon sends (`:put [:serialize ...]`) leave the
  // state alone for sure; anything else counts as a write in the log.
  bool write = !starts_with(command, ":put [:serialize ");
  if (faults_.timeout_rate > 0 && roll() < faults_.timeout_rate) {
    out.act = ssh_out::action::hang;
    note_request("SSH", command, 0, write);
    return out;
  }
  bool drop = faults_.drop_rate > 0 && roll() < faults_.drop_rate;
  origin who{user, "ssh", peer};
  who.read_only = user == "readonly";
  if (state_.seeded())
    if (auto* row = state_.tab("/user").find_by("name", user))
      who.read_only = row->f.get("group") == "read";
  auto r = run_script(state_, command, who);
  out.output = std::move(r.output);
  if (!r.ok)
    out.output += r.error + "\r\n";
  if (drop)
    out.act = ssh_out::action::drop;
  note_request("SSH", command, drop ? 0u : 200u, write);
  if (faults_.latency_ms > 0 || faults_.jitter_ms > 0) {
    auto jitter = faults_.jitter_ms > 0 ? rng_.range(0, faults_.jitter_ms) : 0;
    out.delay = std::chrono::milliseconds{faults_.latency_ms + jitter};
  }
  return out;
}

bool router::check_auth(const http_in& in, std::string& user, bool& read_only) {
  if (faults_.reject_auth || !starts_with(in.authorization, "Basic "))
    return false;
  auto decoded_or = base64_decode(in.authorization.substr(6));
  if (!decoded_or)
    return false;
  const std::string& decoded = *decoded_or;
  auto colon = decoded.find(':');
  if (colon == std::string::npos)
    return false;
  user = decoded.substr(0, colon);
  return password_ok(user, decoded.substr(colon + 1), read_only);
}

http_out router::handle(const http_in& in, const std::string& base_url) {
  std::lock_guard<std::mutex> guard{mu_};
  ++stats_.requests;
  auto out = handle_locked(in, base_url);
  note_request(in.method, in.target,
               out.act == http_out::action::respond ? out.status : 0u,
               writes(in));
  if (out.act == http_out::action::respond
      && (faults_.latency_ms > 0 || faults_.jitter_ms > 0)) {
    auto jitter = faults_.jitter_ms > 0 ? rng_.range(0, faults_.jitter_ms) : 0;
    out.delay += std::chrono::milliseconds{faults_.latency_ms + jitter};
  }
  return out;
}

http_out router::handle_locked(const http_in& in, const std::string& base_url) {
  http_out out;
  if (faults_.timeout_rate > 0 && roll() < faults_.timeout_rate) {
    out.act = http_out::action::hang;
    return out;
  }
  if (faults_.drop_rate > 0 && roll() < faults_.drop_rate) {
    out.act = http_out::action::drop;
    return out;
  }
  auto path = in.target.substr(0, in.target.find('?'));
  if (path != "/rest" && !starts_with(path, "/rest/")) {
    // WebFig answers without authentication.
    out.content_type = "text/html";
    out.body =
      "<html><head><title>RouterOS router configuration page</title></head>"
      "<body>mikrotik routeros "
      + profile_.version_text + " configuration page</body></html>";
    if (path != "/")
      out.status = 404;
    return out;
  }
  std::string user;
  bool read_only = false;
  if (!check_auth(in, user, read_only)) {
    state_.log("system,error,critical",
               "login failure for user "
                 + (user.empty() ? std::string{"(unknown)"} : user) + " from "
                 + in.peer + " via rest-api");
    out = json_reply(401, json_error(401, ""));
    out.headers.emplace_back("WWW-Authenticate", "Basic realm=\"RouterOS\"");
    return out;
  }
  if (state_.note_login(user, in.peer)) {
    state_.log("system,info,account",
               "user " + user + " logged in from " + in.peer + " via rest-api");
    state_.log("system,info,account", "user " + user + " logged in via api");
  }
  if (faults_.error_rate > 0 && roll() < faults_.error_rate)
    return json_reply(500, json_error(500, timeout_detail));
  if (read_only && writes(in))
    return json_reply(500, json_error(500, "not enough permissions (9)"));

  if (faults_.raw_answer_count > 0 && path == faults_.raw_answer_path) {
    --faults_.raw_answer_count;
    out.body = faults_.raw_answer_body;
    return out;
  }
  auto ctype = to_lower(in.content_type);
  rest_request req{in.method, in.target, in.body,
                   ctype.find("application/json") != std::string::npos,
                   base_url};
  if (faults_.wrong_body_count > 0 && in.method == "GET"
      && path != "/rest/system/resource") {
    --faults_.wrong_body_count;
    req.target = "/rest/system/resource";
  }
  auto r = handle_rest(state_, req, origin{user, "rest-api", in.peer});
  if (r.write && r.status < 300 && faults_.write_fail_applied > 0) {
    --faults_.write_fail_applied;
    r = error_reply(400, timeout_detail);
  }
  auto limit = session_limit();
  auto run = clock_.to_real(r.duration_us);
  if (r.unbounded || run > limit) {
    r = error_reply(400, "Session closed");
    run = limit;
  }
  out.status = r.status;
  out.body = std::move(r.body);
  out.delay = run;
  out.reboot = r.reboot;
  if (!r.location.empty())
    out.headers.emplace_back("Location", r.location);
  return out;
}

} // namespace rmcp::sim
