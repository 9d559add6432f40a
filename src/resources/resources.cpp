#include "src/resources/resources.hpp"

#include <chrono>

#include "protocol/error.hpp"
#include "src/tools/device_report.hpp"

namespace rmcp::resources {

namespace {

constexpr auto ask_timeout = std::chrono::seconds{5};
/// Health samples in device://{id}/health.
constexpr uint32_t health_history = 20;
/// Thresholds of the health report's checks (seed-spec §2.1).
constexpr double cpu_ok_below = 80;
constexpr double memory_ok_below = 90;

const char* const environments[] = {"lab", "staging", "prod", "all"};

bool measured(const health_sample& s) {
  return s.status == device_status::healthy
         || s.status == device_status::degraded;
}

void fleet_health_summary(resource_read& r) {
  r.self()
    ->request(r.svc().fleet, ask_timeout, atom::get_v, atom::devices_v)
    .then(
      [&r](std::vector<device_view>& views) {
        json counts{{"unknown", 0}, {"healthy", 0}, {"degraded", 0},
                    {"unreachable", 0}};
        json attention = json::array();
        double cpu = 0;
        double memory = 0;
        size_t measured_count = 0;
        size_t managed = 0;
        for (auto& v : views) {
          if (v.record.environment != r.svc().environment)
            continue;
          ++managed;
          auto status = to_string(v.last.status);
          counts[status] = counts[status].get<int>() + 1;
          if (measured(v.last)) {
            ++measured_count;
            cpu += v.last.cpu_percent;
            memory += tools::percent(v.last.memory_used_bytes,
                                     v.last.memory_total_bytes);
          }
          if (v.last.status != device_status::healthy)
            attention.push_back({{"device_id", v.record.id},
                                 {"name", v.record.name},
                                 {"status", status},
                                 {"issues", v.last.issues},
                                 {"last_check", tools::iso_time(v.last.timestamp)}});
        }
        json summary{{"environment", r.svc().environment},
                     {"total", managed},
                     {"by_status", std::move(counts)},
                     {"average_cpu_percent",
                      measured_count ? json(cpu / measured_count) : json()},
                     {"average_memory_percent",
                      measured_count ? json(memory / measured_count) : json()}};
        r.finish({{"summary", std::move(summary)},
                  {"devices_needing_attention", std::move(attention)}});
      },
      [&r](caf::error& err) { r.fail(std::move(err)); });
}

void fleet_devices(resource_read& r) {
  auto env = r.param("environment");
  bool known = false;
  for (auto* e : environments)
    known = known || env == e;
  if (!known) {
    r.fail(make_error(ec::resource_not_found,
                      "Resource not found: " + r.uri()
                        + " (environment must be lab, staging, prod or all)"));
    return;
  }
  r.self()
    ->request(r.svc().fleet, ask_timeout, atom::get_v, atom::devices_v)
    .then(
      [&r, env](std::vector<device_view>& views) {
        json devices = json::array();
        for (auto& v : views) {
          if (env != "all" && v.record.environment != env)
            continue;
          auto d = tools::record_json(v.record);
          d["status"] = to_string(v.last.status);
          d["managed"] = v.record.environment == r.svc().environment;
          devices.push_back(std::move(d));
        }
        auto count = devices.size();
        r.finish({{"environment", env},
                  {"devices", std::move(devices)},
                  {"count", count}});
      },
      [&r](caf::error& err) { r.fail(std::move(err)); });
}

void device_overview(resource_read& r) {
  r.self()
    ->request(r.svc().fleet, ask_timeout, atom::get_v, r.param("device_id"),
              atom::view_v)
    .then(
      [&r](device_view& v) {
        r.finish({{"device", tools::record_json(v.record)},
                  {"managed", v.record.environment == r.svc().environment},
                  {"health", tools::health_json(v.last)}});
      },
      [&r](caf::error& err) { r.fail(std::move(err)); });
}

json health_checks(const health_sample& s) {
  if (!measured(s))
    return {{"cpu_ok", nullptr}, {"memory_ok", nullptr}};
  return {{"cpu_ok", s.cpu_percent < cpu_ok_below},
          {"memory_ok", tools::percent(s.memory_used_bytes,
                                       s.memory_total_bytes)
                          < memory_ok_below}};
}

void device_health(resource_read& r) {
  auto id = r.param("device_id");
  r.self()
    ->request(r.svc().fleet, ask_timeout, atom::get_v, id, atom::view_v)
    .then(
      [&r, id](device_view& v) {
        json report{{"device_id", v.record.id},
                    {"name", v.record.name},
                    {"environment", v.record.environment},
                    {"current", tools::health_json(v.last)},
                    {"checks", health_checks(v.last)}};
        if (!r.svc().store) {
          report["history"] = json::array();
          r.finish(report);
          return;
        }
        r.self()
          ->request(r.svc().store, ask_timeout, atom::get_v, atom::health_v,
                    id, health_history)
          .then(
            [&r, report](std::vector<health_sample>& samples) mutable {
              json history = json::array();
              for (auto& s : samples)
                history.push_back(tools::health_json(s));
              report["history"] = std::move(history);
              r.finish(report);
            },
            [&r](caf::error& err) { r.fail(std::move(err)); });
      },
      [&r](caf::error& err) { r.fail(std::move(err)); });
}

struct entry {
  resource_spec spec;
  void (*handler)(resource_read&);
};

} // namespace

caf::error register_all(resource_registry& reg) {
  const entry table[] = {
    {{"fleet://health-summary", "fleet-health-summary", "Fleet health summary",
      "Devices of the service's environment by health state (unknown, "
      "healthy, degraded, unreachable), average CPU and memory of the "
      "measured ones, and the devices that need attention with their "
      "issues. Updates (resources/updated) follow health changes.",
      "application/json", true},
     fleet_health_summary},
    {{"fleet://devices/{environment}", "fleet-devices", "Devices by environment",
      "Registered devices of an environment (lab, staging, prod, or all): "
      "registry record without secrets, health state and whether this "
      "service manages it.",
      "application/json", false},
     fleet_devices},
    {{"device://{device_id}/overview", "device-overview", "Device overview",
      "One device: registry record (no secrets), capability flags, and its "
      "last health check (RouterOS version, board, CPU, memory, uptime).",
      "application/json", true},
     device_overview},
    {{"device://{device_id}/health", "device-health", "Device health",
      "One device's current health with threshold checks (CPU < 80 %, "
      "memory < 90 %) and its recent health checks from the store.",
      "application/json", true},
     device_health},
  };
  for (auto& e : table)
    if (auto err = reg.add(e.spec, e.handler))
      return err;
  return caf::none;
}

} // namespace rmcp::resources
