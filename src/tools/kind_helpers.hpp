#pragma once

// Small pieces the change kinds of the professional tools share
// (firewall, DHCP, bridge, wireless, address-list sync): argument errors,
// REST requests and RouterOS booleans. (Script text: protocol/ros_script.hpp.)

#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "protocol/json.hpp"
#include "protocol/routeros.hpp"

namespace rmcp::tools::kind {

/// invalid_arguments with `text` (which names the argument).
caf::error bad(const std::string& text);

/// A request to `path` (without /rest) with `body` (null: none).
rest_request request(const char* method, std::string path, json body = nullptr);

/// An IP address or prefix as RouterOS prints it: "10.1.0.0/16" (the
/// network), "10.1.2.3" for a host prefix (/32, /128); nullopt if neither.
std::optional<std::string> address_or_prefix(const std::string& text);

/// RouterOS booleans as the REST API returns them ("true", "yes", true).
bool truthy(const json& v);

/// Refuses quotes, backslashes, $ ; [ ] { } and control characters in a
/// free-text argument (comments, names): they end up in router scripts.
caf::error check_text(const std::string& text, const char* name);

/// A RouterOS duration ("1h30m", "90m", "1d") in RouterOS' own form
/// ("1h30m"); nullopt when it is not one or zero.
std::optional<std::string> duration(const std::string& text);

/// The keys of `a` and `b` whose values differ, as a short text
/// ("name: 'x' vs 'y'"); empty when equal.
std::string differences(const json& want, const json& have);

// -- rows of RouterOS tables as state ------------------------------------------
//
// Kinds whose state is a few rows of some tables keep it as
// {"<path>": [row, ...]}, each row {"id": ".id", field: "text", ...} with
// only the writable fields the kind manages and without empty or false
// values (the defaults). Rows compare by content (ids change when a row is
// re-created).

/// `row` (a REST body item) as state, keeping the fields in `keep`.
json row_state(const json& row, const std::vector<std::string>& keep);

/// `row` without its id.
json content(json row);

/// The body that creates `row` (a state row) in a menu with a `disabled`
/// property: its content with `disabled` always written ("false" unless the
/// row says "true"). RouterOS's default for a new row differs between menus
/// (a virtual AP is created disabled, a VLAN enabled), and the state drops
/// false values, so without it the gate would expect an enabled row that
/// the router created disabled.
json creation(const json& row);

/// Requests that set row `have` at `path` back to `want` (PATCH the
/// differing fields, unset the extra ones, set extra true booleans to false).
void patch_back(const std::string& path, const json& want, const json& have,
                std::vector<rest_request>& out);

/// Empty when the tables (keys starting with '/') in `want` hold the same rows (by content, in any
/// order) in `have`; else what differs.
std::string compare_tables(const json& want, const json& have);

/// Requests that bring the tables of `now` back to `snapshot`: rows the
/// snapshot lacks are deleted (tables in reverse order of `paths`), then
/// rows are set back or re-created (in the order of `paths`, so a pool is
/// there before the server that names it). Rows re-created in the tables
/// of `with_disabled` are written with `creation`.
std::vector<rest_request>
restore_tables(const json& snapshot, const json& now,
               const std::vector<std::string>& paths,
               const std::vector<std::string>& with_disabled = {});

} // namespace rmcp::tools::kind
