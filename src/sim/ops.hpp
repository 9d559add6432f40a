#pragma once

// The write and print operations on menus. REST handlers (engine.cpp) and
// the script interpreter (script.cpp) both go through these functions: there
// is one code path for every state change.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/schema.hpp"
#include "sim/state.hpp"

namespace rmcp::sim {

// -- printing -----------------------------------------------------------------

/// An item as print shows it: defaults, stored values (minus private `~`
/// keys and keys the menu does not show) and computed values, plus `.id`.
fields materialize(const router_state& st, const menu& m, const record& r);

/// Calls `f` for every row of `m` in print order (table rows, then dynamic
/// rows), materialized.
void for_each_item(const router_state& st, const menu& m,
                   const std::function<void(const record&, fields&&)>& f);

/// The singleton item of `m` (materialized).
fields singleton_item(const router_state& st, const menu& m);

/// Finds an item by `*id` or (named menus) by name; nullopt when missing.
std::optional<fields> find_item(const router_state& st, const menu& m,
                                std::string_view ref);

/// Resolves `numbers` / `.id` (comma list of `*id` or names) to table ids.
/// 404 when one does not exist.
std::optional<op_error> resolve_ids(const router_state& st, const menu& m,
                                    std::string_view numbers,
                                    std::vector<std::uint32_t>& ids);

// -- print options ------------------------------------------------------------------

struct print_options {
  bool has_proplist = false;
  std::vector<std::string> proplist;
  /// Exact-match filters (URL query string).
  std::vector<std::pair<std::string, std::string>> filters;
  /// API query words (`.query`), without the leading '?'.
  std::vector<std::string> query;
  bool count_only = false;
};

bool matches(const fields& item, const print_options& o);
/// Keeps only the proplist keys (+ `.id` when `keep_id`).
fields project(fields item, const print_options& o, bool keep_id);
/// Validates query words; error text for a malformed one.
std::optional<op_error> check_query(const std::vector<std::string>& words);

// -- writes -----------------------------------------------------------------------

/// Adds an item; returns its id (as `{"ret":"*N"}` result) or an error.
cmd_result op_add(router_state& st, const menu& m, const arg_list& args,
                  const origin& who, std::uint32_t* new_id = nullptr);
/// Sets arguments on items (`ids` empty for a singleton).
cmd_result op_set(router_state& st, const menu& m,
                  const std::vector<std::uint32_t>& ids, const arg_list& args,
                  const origin& who);
cmd_result op_remove(router_state& st, const menu& m,
                     const std::vector<std::uint32_t>& ids, const origin& who);

/// Runs a generic command (print, add, set, remove, enable, disable, move,
/// comment, unset) with API-style arguments (`.id` / `numbers`).
cmd_result run_generic(command_ctx& ctx, std::string_view command);

/// True when `command` is a generic command that changes state.
bool is_write_command(std::string_view command);

/// Value of an item's field as printed (for references: name of an item).
bool item_exists(const router_state& st, const menu& m, std::string_view name);

} // namespace rmcp::sim
