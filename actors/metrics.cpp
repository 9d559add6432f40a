#include "actors/metrics.hpp"

#include <mutex>
#include <string_view>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "protocol/version.hpp"

namespace rmcp {

namespace {

constexpr device_status all_device_states[] = {
  device_status::unknown, device_status::healthy, device_status::degraded,
  device_status::unreachable};

/// Tool latencies span a local echo (sub-millisecond) to a slow router
/// rollout step (a minute).
prometheus::Histogram::BucketBoundaries tool_latency_buckets() {
  return {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
          0.5,   1,     2.5,  5,     10,   30,  60};
}

/// A RouterOS REST round trip: a local simulator answers in a millisecond,
/// a slow router over a WAN link in seconds (the request timeout is 10 s).
prometheus::Histogram::BucketBoundaries rest_latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
          0.25,  0.5,    1,     2.5,  5,     10,   30};
}

} // namespace

// Not in the anonymous namespace: metrics::impl has members of this type.
namespace detail {

/// The series of a family by the values of its labels, looked up in the
/// family once: prometheus-cpp's Family::Add builds the metric (for a
/// histogram, its buckets) before it finds the one it has, on every call.
/// For series that are never removed (their references stay valid).
template <class T>
class series_cache {
public:
  template <class Add>
  T& get(const std::string& key, Add add) {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = series_.find(key);
    if (i == series_.end())
      i = series_.emplace(key, &add()).first;
    return *i->second;
  }

private:
  std::mutex mtx_;
  std::unordered_map<std::string, T*> series_;
};

} // namespace detail

namespace {

/// `a` and `b` as one key ('\0' occurs in neither).
std::string key_of(std::string_view a, std::string_view b) {
  std::string key;
  key.reserve(a.size() + b.size() + 1);
  key.append(a).append(1, '\0').append(b);
  return key;
}

} // namespace

struct metrics::impl {
  detail::series_cache<prometheus::Counter> tool_call_series;
  detail::series_cache<prometheus::Histogram> tool_latency_series;
  detail::series_cache<prometheus::Histogram> rest_latency_series;
  prometheus::Registry registry;
  prometheus::Family<prometheus::Gauge>& build_info =
    prometheus::BuildGauge()
      .Name("rmcp_build_info")
      .Help("Always 1; the version label names the running build.")
      .Register(registry);
  prometheus::Family<prometheus::Counter>& tool_calls =
    prometheus::BuildCounter()
      .Name("rmcp_tool_calls_total")
      .Help("Finished tools/call requests by tool and outcome "
            "(ok, error, timeout, cancelled).")
      .Register(registry);
  prometheus::Family<prometheus::Histogram>& tool_latency =
    prometheus::BuildHistogram()
      .Name("rmcp_tool_call_duration_seconds")
      .Help("Wall-clock time from the start of a tool call to its answer.")
      .Register(registry);
  prometheus::Family<prometheus::Gauge>& sessions =
    prometheus::BuildGauge()
      .Name("rmcp_sessions_open")
      .Help("Open MCP sessions by transport (stdio, http, sse).")
      .Register(registry);
  prometheus::Family<prometheus::Counter>& http_requests =
    prometheus::BuildCounter()
      .Name("rmcp_http_requests_total")
      .Help("Answered HTTP requests by endpoint and status code.")
      .Register(registry);
  prometheus::Family<prometheus::Counter>& http_rejections =
    prometheus::BuildCounter()
      .Name("rmcp_http_rejections_total")
      .Help("HTTP requests refused by a safety check, by reason (host, "
            "origin, body_limit, header_limit, rate_limit, session_limit).")
      .Register(registry);
  prometheus::Family<prometheus::Gauge>& device_health =
    prometheus::BuildGauge()
      .Name("rmcp_device_health")
      .Help("1 for the current health state of each device, 0 for the "
            "others (unknown, healthy, degraded, unreachable).")
      .Register(registry);
  prometheus::Family<prometheus::Counter>& rest_errors =
    prometheus::BuildCounter()
      .Name("rmcp_rest_errors_total")
      .Help("Failed RouterOS REST requests by device and error kind.")
      .Register(registry);
  prometheus::Family<prometheus::Gauge>& rollouts =
    prometheus::BuildGauge()
      .Name("rmcp_rollouts")
      .Help("Rollouts currently in each state.")
      .Register(registry);
  prometheus::Family<prometheus::Counter>& rollout_transitions =
    prometheus::BuildCounter()
      .Name("rmcp_rollout_transitions_total")
      .Help("Rollouts that entered each state.")
      .Register(registry);
  prometheus::Family<prometheus::Counter>& rollout_steps =
    prometheus::BuildCounter()
      .Name("rmcp_rollout_steps_total")
      .Help("Journaled rollout steps by change kind and outcome (the "
            "step's event: device-applied, device-apply-failed, "
            "gate-passed, ...).")
      .Register(registry);
  prometheus::Family<prometheus::Histogram>& rest_latency =
    prometheus::BuildHistogram()
      .Name("rmcp_rest_request_duration_seconds")
      .Help("RouterOS REST round trips by device and outcome (ok, or the "
            "error code).")
      .Register(registry);
  prometheus::Family<prometheus::Gauge>& device_cpu =
    prometheus::BuildGauge()
      .Name("rmcp_device_cpu_percent")
      .Help("CPU load of each device at its last health check.")
      .Register(registry);
  prometheus::Family<prometheus::Gauge>& device_memory_used =
    prometheus::BuildGauge()
      .Name("rmcp_device_memory_used_bytes")
      .Help("Memory in use on each device at its last health check.")
      .Register(registry);
  prometheus::Family<prometheus::Gauge>& device_memory_total =
    prometheus::BuildGauge()
      .Name("rmcp_device_memory_total_bytes")
      .Help("Memory of each device.")
      .Register(registry);
  prometheus::Family<prometheus::Gauge>& device_uptime =
    prometheus::BuildGauge()
      .Name("rmcp_device_uptime_seconds")
      .Help("Uptime of each device at its last health check.")
      .Register(registry);
  prometheus::Family<prometheus::Gauge>& audit_queue =
    prometheus::BuildGauge()
      .Name("rmcp_audit_queue_depth")
      .Help("Audit records buffered by the store actor, waiting for their "
            "commit.")
      .Register(registry);
  prometheus::Gauge& audit_queue_depth = audit_queue.Add({});
};

metrics::metrics() : impl_(std::make_unique<impl>()) {
  impl_->build_info.Add({{"version", std::string{rmcp::version}}}).Set(1);
  // Known transports start at 0 so dashboards see them before first use.
  for (auto* transport : {"stdio", "http", "sse"})
    impl_->sessions.Add({{"transport", transport}});
}

metrics::~metrics() = default;

void metrics::tool_call_finished(const std::string& tool,
                                 std::string_view outcome,
                                 std::chrono::duration<double> latency) {
  impl_->tool_call_series
    .get(key_of(tool, outcome),
         [&]() -> prometheus::Counter& {
           return impl_->tool_calls.Add(
             {{"tool", tool}, {"outcome", std::string{outcome}}});
         })
    .Increment();
  impl_->tool_latency_series
    .get(tool,
         [&]() -> prometheus::Histogram& {
           return impl_->tool_latency.Add({{"tool", tool}},
                                          tool_latency_buckets());
         })
    .Observe(latency.count());
}

void metrics::session_opened(const std::string& transport) {
  impl_->sessions.Add({{"transport", transport}}).Increment();
}

void metrics::session_closed(const std::string& transport) {
  impl_->sessions.Add({{"transport", transport}}).Decrement();
}

void metrics::http_request(std::string_view endpoint, unsigned status) {
  impl_->http_requests
    .Add(
      {{"endpoint", std::string{endpoint}}, {"status", std::to_string(status)}})
    .Increment();
}

void metrics::http_rejected(std::string_view reason) {
  impl_->http_rejections.Add({{"reason", std::string{reason}}}).Increment();
}

void metrics::device_health(const std::string& device, device_status state) {
  for (auto s : all_device_states)
    impl_->device_health.Add({{"device", device}, {"state", to_string(s)}})
      .Set(s == state ? 1 : 0);
}

void metrics::device_sample(const health_sample& sample) {
  device_health(sample.device_id, sample.status);
  if (sample.status == device_status::unreachable
      || sample.status == device_status::unknown)
    return;
  prometheus::Labels labels{{"device", sample.device_id}};
  impl_->device_cpu.Add(labels).Set(sample.cpu_percent);
  impl_->device_memory_used.Add(labels).Set(
    static_cast<double>(sample.memory_used_bytes));
  impl_->device_memory_total.Add(labels).Set(
    static_cast<double>(sample.memory_total_bytes));
  impl_->device_uptime.Add(labels).Set(
    static_cast<double>(sample.uptime_seconds));
}

void metrics::device_removed(const std::string& device) {
  for (auto s : all_device_states) {
    prometheus::Labels labels{{"device", device}, {"state", to_string(s)}};
    if (impl_->device_health.Has(labels))
      impl_->device_health.Remove(&impl_->device_health.Add(labels));
  }
  prometheus::Labels labels{{"device", device}};
  for (auto* family : {&impl_->device_cpu, &impl_->device_memory_used,
                       &impl_->device_memory_total, &impl_->device_uptime})
    if (family->Has(labels))
      family->Remove(&family->Add(labels));
  // REST error counters of the device are kept: counters must not go
  // backwards while Prometheus still scrapes them; they vanish at restart.
}

void metrics::rest_error(const std::string& device, ec kind) {
  impl_->rest_errors.Add({{"device", device}, {"kind", to_string(kind)}})
    .Increment();
}

void metrics::rest_request(const std::string& device, std::string_view outcome,
                           std::chrono::duration<double> latency) {
  impl_->rest_latency_series
    .get(key_of(device, outcome),
         [&]() -> prometheus::Histogram& {
           return impl_->rest_latency.Add(
             {{"device", device}, {"outcome", std::string{outcome}}},
             rest_latency_buckets());
         })
    .Observe(latency.count());
}

void metrics::rollout_step(std::string_view kind, std::string_view outcome) {
  impl_->rollout_steps
    .Add({{"kind", std::string{kind}}, {"outcome", std::string{outcome}}})
    .Increment();
}

void metrics::audit_queue_depth(size_t n) {
  impl_->audit_queue_depth.Set(static_cast<double>(n));
}

void metrics::rollout_transition(std::string_view from, std::string_view to) {
  if (!from.empty())
    impl_->rollouts.Add({{"state", std::string{from}}}).Decrement();
  if (!to.empty()) {
    impl_->rollouts.Add({{"state", std::string{to}}}).Increment();
    impl_->rollout_transitions.Add({{"state", std::string{to}}}).Increment();
  }
}

std::string metrics::render() const {
  return prometheus::TextSerializer{}.Serialize(impl_->registry.Collect());
}

prometheus::Registry& metrics::registry() noexcept {
  return impl_->registry;
}

} // namespace rmcp
