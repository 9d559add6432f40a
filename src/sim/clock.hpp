#pragma once

// The simulator clock: simulated wall time (UTC epoch) that runs 1/scale
// times as fast as the real clock and can be advanced by tests. Every
// simulated wait (ping interval, reboot downtime, session limit) is
// converted to real time with `to_real`.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace rmcp::sim {

class sim_clock {
public:
  /// @param base_epoch_ms simulated time at construction (0 = real now).
  /// @param scale real seconds per simulated second (0.001: 1000x faster).
  sim_clock(std::int64_t base_epoch_ms, double scale)
    : scale_(scale > 0 ? scale : 1.0),
      start_(std::chrono::steady_clock::now()) {
    if (base_epoch_ms == 0)
      base_epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    base_ms_ = base_epoch_ms;
  }

  std::int64_t now_ms() const {
    auto real = std::chrono::duration<double, std::milli>(
      std::chrono::steady_clock::now() - start_);
    return base_ms_ + offset_ms_.load()
           + static_cast<std::int64_t>(real.count() / scale_);
  }

  std::int64_t now_s() const {
    auto ms = now_ms();
    return ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  }

  void advance(std::chrono::milliseconds d) {
    offset_ms_ += d.count();
  }

  double scale() const {
    return scale_;
  }

  /// Real duration of a simulated one of `sim_us` microseconds.
  std::chrono::nanoseconds to_real(std::int64_t sim_us) const {
    return std::chrono::nanoseconds{
      static_cast<std::int64_t>(static_cast<double>(sim_us) * 1000.0 * scale_)};
  }

private:
  double scale_;
  std::int64_t base_ms_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::atomic<std::int64_t> offset_ms_{0};
};

} // namespace rmcp::sim
