#pragma once

// A small interpreter for the restricted RouterOS script form used by
// scheduler `on-event`, `/execute` and `/import`:
//
//   statements separated by ';' or newlines;
//   [/menu/path | /menu path] [command] [unnamed-arg] [key=value ...];
//   a line with a path only changes the current menu (export files);
//   commands: add set remove enable disable move comment unset print, and
//   the root commands /export and /import, :log info|warning|error, :put;
//   values: word, "quoted \"string\"" (RouterOS escapes \" \\ \$ \? \_ \a \b
//   \f \n \r \t \v and \HH; an unescaped $ is refused: no variables),
//   [find], [find key=value ...], [find where key=value and key2="w"],
//   [/path find ...].
//
// Every state change goes through the same operations as the REST handlers
// (ops.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/schema.hpp"
#include "sim/state.hpp"

namespace rmcp::sim {

struct script_result {
  bool ok = true;
  /// What the script printed (`:put`, `/export`), CRLF line ends.
  std::string output;
  /// RouterOS-style error text, e.g.
  /// "input does not match any value of interface (/ip/address/add (interface); line 1)".
  std::string error;
};

script_result run_script(router_state& st, std::string_view source,
                         const origin& who);

/// Export text of the router's configuration ("/export" format).
/// `section` limits it to one menu (menu-level export); `terse` puts the
/// full menu path on every line; `compact` leaves out
/// default values (always the case here, like `/export` in v7).
std::string export_config(const router_state& st, const menu* section = nullptr,
                          bool terse = false);

/// Next time (epoch s) a scheduler item runs; nullopt when it never will.
std::optional<std::int64_t> scheduler_next_run(const router_state& st,
                                               const fields& item);

/// Runs the scheduler items that are due.
void run_due_jobs(router_state& st);

} // namespace rmcp::sim
