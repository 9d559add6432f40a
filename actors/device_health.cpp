#include "actors/device_health.hpp"

#include <algorithm>
#include <cmath>

#include "protocol/error.hpp"

namespace rmcp::health {

namespace {

void judge(const char* what, double percent, health_sample& out) {
  auto rounded = std::lround(percent);
  if (percent > critical_percent)
    out.issues.push_back("critical: " + std::string{what} + " "
                         + std::to_string(rounded) + "% > "
                         + std::to_string(std::lround(critical_percent)) + "%");
  else if (percent > warning_percent)
    out.issues.push_back("warning: " + std::string{what} + " "
                         + std::to_string(rounded) + "% > "
                         + std::to_string(std::lround(warning_percent)) + "%");
}

} // namespace

void evaluate(const system_resource& res, health_sample& out) {
  out.cpu_percent = res.cpu_load_percent;
  out.memory_total_bytes = res.memory_total_bytes;
  out.memory_used_bytes = res.memory_used_bytes();
  out.uptime_seconds = res.uptime_seconds;
  out.routeros_version = res.version;
  out.board_name = res.board_name;
  out.error_kind.clear();
  out.issues.clear();
  judge("cpu", res.cpu_load_percent, out);
  judge("memory", res.memory_used_percent(), out);
  out.status =
    out.issues.empty() ? device_status::healthy : device_status::degraded;
}

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

void evaluate_answer(const caf::expected<rest_response>& answer,
                     health_sample& out) {
  auto fail = [&out](const caf::error& err) {
    auto code = error_code_of(err);
    // An answer of the wrong shape proves the router reachable, but says
    // nothing of its load: no figures, and never healthy.
    out.status = code == ec::router_bad_answer ? device_status::degraded
                                               : device_status::unreachable;
    out.error_kind = to_string(code);
    out.issues.push_back(error_message(err));
  };
  if (!answer)
    return fail(answer.error());
  out.transport = answer->transport;
  out.fallback_used = answer->fallback_used;
  out.latency_ms = static_cast<double>(answer->latency_us) / 1000.0;
  auto res = parse_system_resource(answer->body);
  if (!res)
    return fail(res.error());
  evaluate(*res, out);
}

std::chrono::milliseconds next_interval(schedule& s, device_status status,
                                        bool critical,
                                        const schedule_settings& cfg) {
  auto base = critical ? cfg.base / 2 : cfg.base;
  switch (status) {
    case device_status::unknown:
      if (s.interval.count() == 0)
        s.interval = base;
      return s.interval;
    case device_status::healthy:
      if (s.last != device_status::healthy || s.interval.count() == 0) {
        s.interval = base;
        s.healthy_streak = 0;
      }
      if (++s.healthy_streak >= cfg.streak) {
        s.healthy_streak = 0;
        auto grown = std::chrono::milliseconds{
          static_cast<int64_t>(static_cast<double>(s.interval.count()) * 1.5)};
        s.interval = std::min(grown, std::max(cfg.healthy_max, base));
      }
      break;
    case device_status::degraded:
      s.interval = base;
      s.healthy_streak = 0;
      break;
    case device_status::unreachable:
      s.interval =
        s.last == device_status::unreachable
          ? std::min(s.interval * 2, std::max(cfg.unreachable_max, cfg.base))
          : cfg.base;
      s.healthy_streak = 0;
      break;
  }
  s.last = status;
  return s.interval;
}

} // namespace rmcp::health
