#pragma once

// Typed view of RouterOS `/system/resource` and `/system/identity`: what
// health checks and get_system_overview read. RouterOS answers every value
// as a string ("1073741824", "2d20h12m20s", "7.16.1 (stable)"); this is the
// one place where those answers become numbers.

#include <cstdint>
#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "protocol/json.hpp"

namespace rmcp {

struct system_resource {
  /// "7.16.1" (without the channel).
  std::string version;
  /// "stable", "long-term", "testing", "development"; empty when absent.
  std::string channel;
  std::string board_name;
  std::string architecture;
  std::string platform;
  std::string cpu;
  std::optional<uint32_t> cpu_count;
  std::optional<uint32_t> cpu_frequency_mhz;
  double cpu_load_percent = 0;
  uint64_t memory_total_bytes = 0;
  uint64_t memory_free_bytes = 0;
  std::optional<uint64_t> hdd_total_bytes;
  std::optional<uint64_t> hdd_free_bytes;
  uint64_t uptime_seconds = 0;

  uint64_t memory_used_bytes() const noexcept {
    return memory_total_bytes > memory_free_bytes
             ? memory_total_bytes - memory_free_bytes
             : 0;
  }

  /// Used memory in percent of the total (0 when the total is unknown).
  double memory_used_percent() const noexcept {
    return memory_total_bytes == 0
             ? 0
             : 100.0 * static_cast<double>(memory_used_bytes())
                 / static_cast<double>(memory_total_bytes);
  }
};

/// Parses the body of GET /system/resource. Fails with
/// ec::router_bad_answer naming the field when cpu-load, free-memory,
/// total-memory, uptime or version is missing or malformed.
caf::expected<system_resource> parse_system_resource(const json& body);

/// The `name` of GET /system/identity; empty when absent.
std::string parse_system_identity(const json& body);

} // namespace rmcp
