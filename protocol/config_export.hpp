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
#include "protocol/json.hpp"
#include "protocol/routeros.hpp"

namespace rmcp {

/// The configuration lines of an export: without comment lines ('#'),
/// empty lines and '\r'.
std::vector<std::string> config_lines(const std::string& text);

/// The difference between two exports, order of lines ignored.
struct config_diff {
  std::vector<std::string> added;
  std::vector<std::string> removed;

  bool changed() const noexcept {
    return !added.empty() || !removed.empty();
  }
};

config_diff diff_config(const std::string& before, const std::string& after);

/// A diff as reported to clients and stored as drift: `lines_added`,
/// `lines_removed` (complete counts) and the first 20 lines of each as
/// `added` and `removed`.
json drift_summary(const config_diff& diff);

/// The MCP resources of a device's newest snapshot
/// (`device://{id}/config`) and newest drift (`device://{id}/config-drift`).
std::string config_resource_uri(const std::string& device_id);
std::string config_drift_resource_uri(const std::string& device_id);

/// `/export terse` as one string: POST /execute with `as-string`.
rest_request export_request();

/// The configuration snapshot (kind "config", secrets redacted, taken at
/// `now_ms`) in a router's answer to export_request(); router_bad_response
/// naming the device when the answer carries no text (`ret`).
caf::expected<snapshot_record> export_snapshot(const std::string& device_id,
                                               const rest_response& resp,
                                               int64_t now_ms);

} // namespace rmcp
