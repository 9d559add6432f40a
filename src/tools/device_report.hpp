#pragma once

// How devices, health samples and connectivity checks look as JSON and
// text: shared by the device tools and the `routeros-mcp device` CLI so
// both report the same fields, failure classes and suggestions. Never
// contains a secret.

#include <string>
#include <vector>

#include "protocol/device.hpp"
#include "protocol/json.hpp"

namespace rmcp::tools {

/// Null for empty text.
json or_null(const std::string& text);

/// part / whole in percent, one decimal; 0 when `whole` is 0.
double percent(uint64_t part, uint64_t whole);

/// Unix milliseconds as ISO 8601 UTC ("2026-11-22T19:25:04.890Z"); null
/// for 0 (never).
json iso_time(int64_t unix_ms);

/// Every capability flag by name.
json flags_json(const device_flags& f);

/// A registry record (the password lives elsewhere and is never shown).
json record_json(const device_record& r);

/// A health sample; metrics are null when the router was not measured
/// (unknown, unreachable).
json health_json(const health_sample& s);

/// A failed check's class and what to do.
struct failure_class {
  std::string name;
  std::vector<std::string> suggestions;
};

/// Classifies the `rmcp::ec` name of a failed check.
failure_class classify_failure(const std::string& error_kind,
                               const device_record& r);

/// The check_connectivity report of one check.
json connectivity_json(const device_record& r, const health_sample& s);

/// Human text of a connectivity report.
std::string connectivity_text(const json& report);

} // namespace rmcp::tools
