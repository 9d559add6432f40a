#pragma once

// RouterOS script text from untrusted values. Every script the daemon
// writes to a router (dead-man jobs, revert scripts, `/execute` bodies) puts
// values in only as `literal`s and names (properties, menus, `.id`s) only
// after `check_identifier`: a route comment, a field name from a router's
// answer or a tool argument can never end a string or start a command.

#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "protocol/error.hpp"
#include "protocol/json.hpp"

namespace rmcp::ros_script {

/// `value` as a double-quoted RouterOS string literal meaning exactly
/// `value`: `"` `\` `$` escaped with a backslash; newline, CR and tab as
/// \n \r \t; every other byte outside printable ASCII (control bytes, DEL,
/// the bytes of multi-byte UTF-8) and `[ ] { } ?` as \HH (two upper-case
/// hex digits). The result is printable ASCII.
std::string literal(std::string_view value);

/// What an identifier names.
enum class ident {
  /// A property (field) name: `dst-address`, `.id`, `remote.as`.
  property,
  /// A menu path: `/ip/firewall/filter` or `/ip firewall filter`.
  menu,
  /// An item id: `*1A`.
  id,
};

/// An error of `code` naming `text` unless it is an identifier of `kind`.
caf::error check_identifier(std::string_view text, ident kind, ec code);

/// ` key=value` words of a command for `fields` (booleans "true"/"false"
/// as yes/no, every other value a `literal`), skipping the keys in `skip`;
/// an error of `code` naming the first key that is not a property name.
caf::expected<std::string> arguments(const json& fields, ec code,
                                     const std::vector<std::string>& skip = {});

} // namespace rmcp::ros_script
