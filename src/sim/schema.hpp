#pragma once

// Menu schema of the simulator: what each RouterOS menu path is (list or
// singleton), which commands it has, its writable arguments with their
// types, defaults shown on print, computed fields, dynamic rows and extra
// commands. Built once at start (`menu_tree::get()`), immutable afterwards
// and shared by every router.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/fields.hpp"

namespace rmcp::sim {

class router_state;
struct router_profile;
struct menu;

// -- arguments and results ------------------------------------------------------

/// Arguments of a command as strings, in request order. `.proplist` arrives
/// comma-joined, `.query` newline-joined.
using arg_list = std::vector<std::pair<std::string, std::string>>;

const std::string* find_arg(const arg_list& args, std::string_view key);

/// A RouterOS error: HTTP status, the `detail` text and, for script error
/// messages, the argument it concerns.
struct op_error {
  unsigned status = 400;
  std::string detail;
  std::string arg;
};

/// Who is changing things (for log lines: "by rest-api:admin@127.0.0.1").
struct origin {
  std::string user = "admin";
  std::string via = "rest-api";
  std::string from = "127.0.0.1";
  /// A user of group `read`: commands that change things are refused
  /// ("not enough permissions (9)"), over REST and SSH alike.
  bool read_only = false;
  std::string text() const;
};

/// True for the commands a user of group `read` may not run (add, set,
/// remove, execute, reboot, ...), by their last path segment.
bool writes_command(const std::string& cmd);

/// Result of a command (POST), mirroring the API reply.
struct cmd_result {
  enum class kind : std::uint8_t { empty, records, ret, error };
  kind k = kind::empty;
  std::vector<fields> records; ///< `!re` sentences -> JSON array
  std::string ret;             ///< `!done =ret=` -> {"ret":...}
  op_error err;
  /// Simulated run time of the command (microseconds of simulated time).
  std::int64_t duration_us = 0;
  /// The command never ends by itself (runs into the session limit).
  bool unbounded = false;
  /// The router reboots after answering (`/system/reboot`).
  bool reboot = false;

  static cmd_result error(op_error e) {
    cmd_result r;
    r.k = kind::error;
    r.err = std::move(e);
    return r;
  }
  static cmd_result error(unsigned status, std::string detail,
                          std::string arg = {}) {
    return error(op_error{status, std::move(detail), std::move(arg)});
  }
  static cmd_result returning(std::string ret) {
    cmd_result r;
    r.k = kind::ret;
    r.ret = std::move(ret);
    return r;
  }
  static cmd_result list(std::vector<fields> recs) {
    cmd_result r;
    r.k = kind::records;
    r.records = std::move(recs);
    return r;
  }
  bool ok() const {
    return k != kind::error;
  }
};

/// Context of one command run.
struct command_ctx {
  router_state& st;
  const menu* m; ///< the menu the command belongs to (null for root commands)
  const arg_list& args;
  const origin& who;
};

using command_fn = cmd_result (*)(command_ctx&);
using present_fn = bool (*)(const router_profile&);

// -- field types ------------------------------------------------------------------

enum class ftype : std::uint8_t {
  text,
  boolean,
  integer, ///< lo..hi
  duration,
  choice,  ///< one of `choices`
  choices, ///< comma list of `choices`
  ipv4,
  prefix, ///< a.b.c.d[/n]
  mac,
  ref,         ///< name of an item of menu `ref` ("" allowed when `optional`)
  time_of_day, ///< HH:MM:SS or "startup"
  date,
};

struct field_spec {
  std::string name;
  ftype type = ftype::text;
  std::int64_t lo = 0, hi = 0;
  std::vector<std::string> options; ///< choices / extra words accepted by refs
  std::string ref;                  ///< menu path for `ref`
};

// -- menus --------------------------------------------------------------------------

enum class menu_kind : std::uint8_t { list, singleton };

/// Generic commands a menu has.
enum cmd_bit : std::uint32_t {
  c_add = 1,
  c_set = 2,
  c_remove = 4,
  c_enable = 8, ///< enable + disable
  c_move = 16,
  c_comment = 32,
  c_unset = 64,
};

using compute_fn = void (*)(const router_state&, const record&, fields& out);
using rows_fn = void (*)(const router_state&, std::vector<record>& out);
/// Checks a proposed item (after defaults); may complete it (e.g. network).
/// `old` is null when adding.
using validate_fn = std::optional<op_error> (*)(router_state&,
                                                const record* old,
                                                fields& item);

struct menu {
  std::string path; ///< "/ip/address"
  menu_kind kind = menu_kind::list;
  std::string table;       ///< backing table (several menus may share one)
  std::string type_filter; ///< only rows whose `type` equals this
  bool named = false;      ///< items addressable by `name`
  std::uint32_t cmds = 0;
  std::vector<std::string> writable; ///< sorted
  std::vector<field_spec> specs;     ///< sorted by name
  fields defaults; ///< printed when the item does not set them
  fields fixed;    ///< stored on add (e.g. type=vlan)
  /// Stored on add when the request does not set them: RouterOS's default
  /// for a new row, which may differ from what print shows for rows nobody
  /// added (a virtual AP is created disabled; defconf's radios are enabled).
  fields on_add;
  std::vector<std::string> required;
  std::vector<std::string> view; ///< shared tables: stored keys this menu shows
  compute_fn compute = nullptr;
  rows_fn rows = nullptr;
  validate_fn validate = nullptr;
  std::string unique; ///< key that must be unique (usually name)
  std::string dup_error = "failure: already have such name";
  std::map<std::string, command_fn, std::less<>> commands;
  present_fn present = nullptr;
  /// Only the profile is needed to print it: no table seeding.
  bool profile_only = false;
  /// `/ip address`-style words for export and log lines; empty: not exported.
  std::string words;

  bool has(cmd_bit b) const {
    return (cmds & b) != 0;
  }
  bool is_writable(std::string_view key) const;
  const field_spec* spec(std::string_view key) const;
  bool shows(std::string_view key) const;
};

/// Builder used by the menus_*.cpp files.
class menu_builder {
public:
  explicit menu_builder(std::string path);
  menu_builder& singleton();
  menu_builder& table(std::string name, std::string type_filter = {});
  menu_builder& named();
  menu_builder& cmds(std::uint32_t bits);
  /// Comma-separated argument names.
  menu_builder& writable(std::string_view csv);
  /// "name:type[:args];...": bool, int:lo..hi, time, enum:a|b, enums:a|b,
  /// ip, prefix, mac, ref:/menu/path[|word...], tod, date.
  menu_builder& types(std::string_view spec);
  /// "key=value,..." (values may not contain commas; use `dflt` for those).
  menu_builder& defaults(std::string_view kv);
  menu_builder& dflt(std::string key, std::string value);
  menu_builder& fixed(std::string key, std::string value);
  /// "key=value,...": see `menu::on_add`.
  menu_builder& on_add(std::string_view kv);
  menu_builder& required(std::string_view csv);
  menu_builder& view(std::string_view csv);
  menu_builder& compute(compute_fn f);
  menu_builder& rows(rows_fn f);
  menu_builder& validate(validate_fn f);
  menu_builder& unique(std::string key, std::string error);
  menu_builder& command(std::string name, command_fn f);
  menu_builder& present(present_fn f);
  menu_builder& profile_only();
  menu_builder& words(std::string w);
  menu build();

private:
  menu m_;
};

// -- the tree of paths ------------------------------------------------------------

struct command_def {
  command_fn fn = nullptr;
  present_fn present = nullptr;
};

struct path_node {
  std::string name;
  std::map<std::string, std::unique_ptr<path_node>, std::less<>> children;
  const menu* m = nullptr;
  present_fn present = nullptr;
  /// Commands of a directory without a menu (`/tool/ping`, `/export`).
  std::map<std::string, command_def, std::less<>> commands;

  const path_node* child(std::string_view seg, const router_profile& p) const;
  /// Command `name` here (menu commands, generic ones and directory ones).
  bool has_command(std::string_view name, const router_profile& p) const;
};

class menu_tree {
public:
  /// The process-wide tree (built on first use, thread-safe).
  static const menu_tree& get();

  const path_node& root() const {
    return root_;
  }
  const menu* find(std::string_view path) const;
  /// Menus in registration order (export order).
  const std::vector<std::unique_ptr<menu>>& menus() const {
    return menus_;
  }

  // used while building
  void add(menu m);
  void add_command(std::string_view path, command_fn fn,
                   present_fn present = nullptr);
  void set_present(std::string_view dir_path, present_fn present);

private:
  path_node& node_for(std::string_view path);
  path_node root_;
  std::vector<std::unique_ptr<menu>> menus_;
};

// Registration functions of the menus_*.cpp and command files.
void register_system_menus(menu_tree& t);
void register_interface_menus(menu_tree& t);
void register_ip_menus(menu_tree& t);
void register_firewall_menus(menu_tree& t);
void register_tool_commands(menu_tree& t);
void register_script_commands(menu_tree& t);

// -- defaults of new interface rows ---------------------------------------------

/// RouterOS's `disabled` for a row that `add` creates without one, for an
/// interface menu of the simulator (menus_interface.cpp holds the table and
/// where each value comes from).
struct new_row_default {
  const char* path;
  const char* disabled; ///< "true" or "false"
  const char* source;
};

/// Every interface menu with `add` and a `disabled` property.
const std::vector<new_row_default>& new_row_defaults();

/// "disabled=<value>" for `path` (for `menu_builder::on_add`).
std::string new_row(std::string_view path);

// -- presence predicates ------------------------------------------------------------

bool has_legacy_wireless(const router_profile& p);
bool has_wifi(const router_profile& p);
bool has_routerboard(const router_profile& p);

} // namespace rmcp::sim
