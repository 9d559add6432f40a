#pragma once

// Fault injection settings of one simulated router. Plain data: the router
// guards its copy with its own mutex.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace rmcp::sim {

struct fault_config {
  /// Added before every answer (real milliseconds, not scaled).
  std::uint32_t latency_ms = 0;
  /// Uniform extra latency in [0, jitter_ms].
  std::uint32_t jitter_ms = 0;
  /// Share of requests answered 500 with a RouterOS-like body.
  double error_rate = 0;
  /// Share of requests whose connection is closed without an answer.
  double drop_rate = 0;
  /// Share of requests never answered (the connection stays open until the
  /// client gives up).
  double timeout_rate = 0;
  /// 401 even for the right credentials.
  bool reject_auth = false;
  /// `/system/resource` reports cpu-load 95..99.
  bool high_cpu = false;
  /// `/system/resource` reports free-memory below 3 % of total.
  bool high_memory = false;
  /// The next N writes answer 400 but are applied all the same.
  std::uint32_t write_fail_applied = 0;
  /// Raw control byte 0x1b inside a DHCP lease host-name (TF#165 quirk).
  bool control_bytes = false;
  /// The next N GETs of menus other than `/system/resource` answer 200 with
  /// `/system/resource`'s body (RouterOS's post-boot race).
  std::uint32_t wrong_body_count = 0;
  /// The next `raw_answer_count` requests for `raw_answer_path` (e.g.
  /// "/rest/ip/route"; the query is ignored) are answered 200 with exactly
  /// `raw_answer_body` and change nothing: hostile answers of every kind
  /// (wrong shapes, truncated JSON, invalid UTF-8, control bytes, huge
  /// arrays, malformed `.id`s). In JSON the body travels as
  /// `raw_answer_body_hex`, so any bytes fit.
  std::string raw_answer_path;
  std::string raw_answer_body;
  std::uint32_t raw_answer_count = 0;
  /// REST switched off (`/ip service disable www,www-ssl`): the router's
  /// HTTP(S) port refuses connections while SSH still answers.
  bool rest_disabled = false;
  /// The SSH endpoint presents another host key than the fleet's (a
  /// replaced router, or a man in the middle).
  bool ssh_wrong_host_key = false;

  bool operator==(const fault_config& o) const;
};

/// JSON object with every field (names as above).
nlohmann::json to_json(const fault_config& f);

/// Merges the keys present in `j` into `f`. Returns an error text for an
/// unknown key or a value of the wrong type.
std::optional<std::string> merge_json(fault_config& f, const nlohmann::json& j);

} // namespace rmcp::sim
