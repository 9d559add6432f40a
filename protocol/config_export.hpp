#pragma once

// Comparing two configuration exports (`/export terse`): the lines that
// matter, without the header comments (date, software id) that change on
// every export, and what was added and removed between two of them. Shared
// by the on-demand snapshot tool and the periodic snapshots.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/device.hpp"
#include "protocol/routeros.hpp"

namespace rmcp {

/// The configuration lines of an export: without comment lines ('#'),
/// empty lines and '\r'.
std::vector<std::string> config_lines(const std::string& text);

/// Lines of `a` missing from `b`, counting repeats.
std::vector<std::string> missing_from(const std::vector<std::string>& a,
                                      const std::vector<std::string>& b);

/// The difference between two exports, order of lines ignored.
struct config_diff {
  std::vector<std::string> added;
  std::vector<std::string> removed;

  bool changed() const noexcept {
    return !added.empty() || !removed.empty();
  }
};

config_diff diff_config(const std::string& before, const std::string& after);

/// `/export terse` as one string: POST /execute with `as-string`.
rest_request export_request();

/// The configuration snapshot (kind "config", secrets redacted, taken at
/// `now_ms`) in a router's answer to export_request(); router_bad_response
/// naming the device when the answer carries no text (`ret`).
caf::expected<snapshot_record> export_snapshot(const std::string& device_id,
                                               const rest_response& resp,
                                               int64_t now_ms);

} // namespace rmcp
