// doctor's device and clock findings: every device of the environment
// asked GET /system/resource (reachability, TLS pin, credentials) and GET
// /system/clock (skew) through the daemon's own REST client, `parallel` at
// a time; each request carries the device.* deadlines, and the wait for a
// batch is bounded on top of them.

#include <cmath>
#include <cstdio>
#include <ctime>
#include <future>
#include <memory>

#include "actors/device_actor.hpp"
#include "actors/device_health.hpp"
#include "protocol/error.hpp"
#include "protocol/version.hpp"
#include "src/app/doctor.hpp"
#include "src/app/runtime.hpp"
#include "src/routeros/beast_client.hpp"
#include "src/routeros/ssh_client.hpp"
#include "src/tools/device_report.hpp"
#include "storage/device_store.hpp"

namespace rmcp::app::doctor {

namespace {

using sys_clock = std::chrono::system_clock;

/// One answer with the local times around it.
struct timed_answer {
  caf::expected<rest_response> answer{make_error(ec::cancelled, "not sent")};
  sys_clock::time_point sent;
  sys_clock::time_point received;
};

using pending = std::shared_ptr<std::promise<timed_answer>>;

std::future<timed_answer> ask(rest_client& client, const std::string& path,
                              std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<timed_answer>>();
  auto result = promise->get_future();
  rest_request req;
  req.path = path;
  auto sent = sys_clock::now();
  client.async_request(req, timeout,
                       [promise, sent](caf::expected<rest_response> x) {
                         timed_answer t;
                         t.answer = std::move(x);
                         t.sent = sent;
                         t.received = sys_clock::now();
                         promise->set_value(std::move(t));
                       });
  return result;
}

/// The answer, or a timeout error once `limit` passes (the client's own
/// deadline should always come first).
timed_answer await(std::future<timed_answer>& f,
                   std::chrono::steady_clock::time_point limit) {
  if (f.wait_until(limit) == std::future_status::ready)
    return f.get();
  timed_answer t;
  t.answer = make_error(ec::router_timeout, "no answer before the deadline");
  return t;
}

struct probe {
  device_record record;
  std::shared_ptr<rest_client> client;
  std::future<timed_answer> resource;
  std::future<timed_answer> clock;
  bool reachable = false;
};

std::string endpoint_text(const device_record& r) {
  auto text = r.scheme + "://" + r.host + ":" + std::to_string(r.port);
  if (r.scheme == "https")
    text += " (tls " + r.tls.mode + ")";
  return text;
}

void judge_resource(probe& p, timed_answer t, report& out) {
  health_sample sample;
  sample.device_id = p.record.id;
  health::evaluate_answer(t.answer, sample);
  if (sample.status == device_status::unreachable
      || !sample.error_kind.empty()) {
    auto info = tools::classify_failure(sample.error_kind, p.record);
    out.fail("device", p.record.id,
             "NOT reachable at " + endpoint_text(p.record) + " ("
               + (info.name.empty() ? sample.error_kind : info.name)
               + "): " + (sample.issues.empty() ? "" : sample.issues.front()),
             info.suggestions.empty()
               ? "routeros-mcp device check " + p.record.id
               : info.suggestions.front());
    return;
  }
  p.reachable = true;
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.0f ms", sample.latency_ms);
  out.pass("device", p.record.id,
           "reachable at " + endpoint_text(p.record) + ", RouterOS "
             + (sample.routeros_version.empty() ? "?" : sample.routeros_version)
             + ", " + ms);
}

void judge_clock(const probe& p, timed_answer t, std::chrono::seconds max_skew,
                 report& out) {
  const std::string fix =
    "enable NTP on the router (/system ntp client set enabled=yes "
    "servers=…) or set its clock; check this host's clock too "
    "(timedatectl)";
  if (!t.answer) {
    out.fail("clock", p.record.id,
             "cannot read /system/clock: " + error_message(t.answer.error()),
             "give the REST user the read policy");
    return;
  }
  auto router = router_clock_utc(t.answer->body);
  if (!router) {
    out.fail("clock", p.record.id, error_message(router.error()), fix);
    return;
  }
  auto mid = t.sent + (t.received - t.sent) / 2;
  auto ours = std::chrono::duration_cast<std::chrono::milliseconds>(
                mid.time_since_epoch())
                .count();
  auto skew_ms = *router * 1000 - ours;
  // The router's clock has whole seconds: up to 1 s of the skew is that.
  auto skew_s = static_cast<double>(skew_ms) / 1000.0;
  char text[96];
  std::snprintf(text, sizeof text, "router clock %+.0f s %s this host's",
                skew_s, skew_s >= 0 ? "ahead of" : "behind");
  if (std::fabs(skew_s) > static_cast<double>(max_skew.count()) + 1.0)
    out.fail("clock", p.record.id,
             std::string{text} + " (more than "
               + std::to_string(max_skew.count())
               + " s: audit times, logs and dead-man jobs disagree)",
             fix);
  else
    out.pass("clock", p.record.id, text);
}

/// Reads "HH:MM:SS"-like numbers separated by `sep` into `out`.
bool parse_numbers(const std::string& text, char sep, int (&out)[3]) {
  int n = 0;
  size_t i = 0;
  for (int k = 0; k < 3; ++k) {
    if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i])))
      return false;
    int v = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
      v = v * 10 + (text[i++] - '0');
    out[n++] = v;
    if (k < 2) {
      if (i >= text.size() || text[i] != sep)
        return false;
      ++i;
    }
  }
  return i == text.size();
}

bool parse_date(const std::string& text, std::tm& tm) {
  int f[3];
  if (parse_numbers(text, '-', f)) { // 2026-12-06 (RouterOS 7.10 and later)
    tm.tm_year = f[0] - 1900;
    tm.tm_mon = f[1] - 1;
    tm.tm_mday = f[2];
    return f[1] >= 1 && f[1] <= 12 && f[2] >= 1 && f[2] <= 31;
  }
  // dec/06/2026 (older RouterOS 7)
  static const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (text.size() != 11 || text[3] != '/' || text[6] != '/')
    return false;
  auto mon = text.substr(0, 3);
  for (auto& c : mon)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int m = -1;
  for (int i = 0; i < 12; ++i)
    if (mon == months[i])
      m = i;
  int rest[3];
  if (m < 0 || !parse_numbers("0/" + text.substr(4), '/', rest))
    return false;
  tm.tm_mon = m;
  tm.tm_mday = rest[1];
  tm.tm_year = rest[2] - 1900;
  return rest[1] >= 1 && rest[1] <= 31;
}

} // namespace

caf::expected<int64_t> router_clock_utc(const json& clock) {
  auto field = [&clock](const char* name) -> std::string {
    if (!clock.is_object() || !clock.contains(name) || !clock[name].is_string())
      return {};
    return clock[name].get<std::string>();
  };
  auto bad = [](const std::string& what) {
    return make_error(ec::router_bad_answer, "/system/clock: " + what);
  };
  std::tm tm{};
  auto date = field("date");
  if (!parse_date(date, tm))
    return bad("date '" + date + "' is neither 2026-12-06 nor dec/06/2026");
  int t[3];
  auto time = field("time");
  if (!parse_numbers(time, ':', t) || t[0] > 23 || t[1] > 59 || t[2] > 60)
    return bad("time '" + time + "' is not HH:MM:SS");
  tm.tm_hour = t[0];
  tm.tm_min = t[1];
  tm.tm_sec = t[2];
  auto offset = field("gmt-offset");
  int64_t offset_s = 0;
  if (!offset.empty()) {
    int hm[3];
    if (offset.size() != 6 || (offset[0] != '+' && offset[0] != '-')
        || !parse_numbers(offset.substr(1) + ":0", ':', hm))
      return bad("gmt-offset '" + offset + "' is not +HH:MM");
    offset_s = (hm[0] * 3600 + hm[1] * 60) * (offset[0] == '-' ? -1 : 1);
  }
  return static_cast<int64_t>(timegm(&tm)) - offset_s;
}

void check_devices(const config::server_options& opts,
                   storage::device_store& db, const settings& s, report& out) {
  auto all = db.devices();
  if (!all) {
    out.fail("device", "",
             "cannot list the devices: " + error_message(all.error()),
             "check the store (above)");
    return;
  }
  std::vector<device_record> mine;
  for (auto& r : *all) {
    if (r.environment == opts.environment)
      mine.push_back(r);
    else
      out.pass("device", r.id,
               "skipped: environment " + r.environment + ", this service runs "
                 + opts.environment);
  }
  if (mine.empty())
    return;
  auto device = make_fleet_settings(opts).device;
  auto io = std::make_shared<routeros::io_runtime>(
    static_cast<size_t>(std::max<int64_t>(1, opts.device_io_threads)));
  auto ssh = std::make_shared<routeros::ssh_workers>(
    static_cast<size_t>(std::max<int64_t>(1, opts.device_io_threads)));
  auto factory = routeros::make_transport_factory(
    routeros::make_rest_client_factory(io,
                                       std::string{"routeros-mcp/"} + version),
    ssh, opts.device_rest_retry_after);
  auto timeout = device.request_timeout;
  // The client's deadline covers connect + request; this one only guards
  // against a callback that never comes.
  auto slack = device.connect_timeout + timeout + std::chrono::seconds{5};
  auto parallel = std::max<size_t>(1, s.parallel);
  for (size_t first = 0; first < mine.size(); first += parallel) {
    std::vector<probe> batch;
    for (size_t i = first; i < std::min(mine.size(), first + parallel); ++i) {
      probe p;
      p.record = mine[i];
      auto cred = db.get_credential(p.record.id);
      if (!cred) {
        out.fail("device", p.record.id, error_message(cred.error()),
                 "routeros-mcp device update " + p.record.id
                   + " --password-file FILE");
        continue;
      }
      p.client = factory->make(make_endpoint(p.record, *cred, device));
      p.resource = ask(*p.client, "/system/resource", timeout);
      batch.push_back(std::move(p));
    }
    auto limit = std::chrono::steady_clock::now() + slack;
    for (auto& p : batch) {
      judge_resource(p, await(p.resource, limit), out);
      if (p.reachable)
        p.clock = ask(*p.client, "/system/clock", timeout);
    }
    limit = std::chrono::steady_clock::now() + slack;
    for (auto& p : batch) {
      if (p.reachable)
        judge_clock(p, await(p.clock, limit), s.max_skew, out);
      p.client->close();
    }
  }
}

} // namespace rmcp::app::doctor
