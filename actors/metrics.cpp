#include "actors/metrics.hpp"

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

} // namespace

struct metrics::impl {
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
  impl_->tool_calls.Add({{"tool", tool}, {"outcome", std::string{outcome}}})
    .Increment();
  impl_->tool_latency.Add({{"tool", tool}}, tool_latency_buckets())
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

void metrics::device_removed(const std::string& device) {
  for (auto s : all_device_states) {
    prometheus::Labels labels{{"device", device}, {"state", to_string(s)}};
    if (impl_->device_health.Has(labels))
      impl_->device_health.Remove(&impl_->device_health.Add(labels));
  }
  // REST error counters of the device are kept: counters must not go
  // backwards while Prometheus still scrapes them; they vanish at restart.
}

void metrics::rest_error(const std::string& device, ec kind) {
  impl_->rest_errors.Add({{"device", device}, {"kind", to_string(kind)}})
    .Increment();
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
