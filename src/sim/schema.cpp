#include "sim/schema.hpp"

#include <algorithm>

#include "sim/state.hpp"
#include "sim/util.hpp"

namespace rmcp::sim {

const std::string* find_arg(const arg_list& args, std::string_view key) {
  for (auto& [k, v] : args)
    if (k == key)
      return &v;
  return nullptr;
}

bool writes_command(const std::string& cmd) {
  for (auto* w :
       {"add", "set", "remove", "enable", "disable", "move", "comment", "unset",
        "flush", "execute", "reboot", "run", "reset-counters"})
    if (cmd == w)
      return true;
  return false;
}

std::string origin::text() const {
  if (via == "scheduler" || via == "script")
    return via + ":" + user;
  return via + ":" + user + "@" + from;
}

// -- menu -------------------------------------------------------------------------

bool menu::is_writable(std::string_view key) const {
  return std::binary_search(writable.begin(), writable.end(), key);
}

const field_spec* menu::spec(std::string_view key) const {
  auto it = std::lower_bound(
    specs.begin(), specs.end(), key,
    [](const field_spec& s, std::string_view k) { return s.name < k; });
  return it != specs.end() && it->name == key ? &*it : nullptr;
}

bool menu::shows(std::string_view key) const {
  if (view.empty())
    return true;
  return std::binary_search(view.begin(), view.end(), key);
}

// -- builder ------------------------------------------------------------------------

menu_builder::menu_builder(std::string path) {
  m_.path = std::move(path);
  m_.table = m_.path;
}

menu_builder& menu_builder::singleton() {
  m_.kind = menu_kind::singleton;
  return *this;
}

menu_builder& menu_builder::table(std::string name, std::string type_filter) {
  m_.table = std::move(name);
  m_.type_filter = std::move(type_filter);
  return *this;
}

menu_builder& menu_builder::named() {
  m_.named = true;
  m_.unique = "name";
  return *this;
}

menu_builder& menu_builder::cmds(std::uint32_t bits) {
  m_.cmds = bits;
  return *this;
}

menu_builder& menu_builder::writable(std::string_view csv) {
  for (auto& w : split(csv, ','))
    m_.writable.push_back(w);
  std::sort(m_.writable.begin(), m_.writable.end());
  m_.writable.erase(std::unique(m_.writable.begin(), m_.writable.end()),
                    m_.writable.end());
  return *this;
}

menu_builder& menu_builder::types(std::string_view spec) {
  for (auto& item : split(spec, ';')) {
    auto parts = split(item, ':', false);
    field_spec s;
    s.name = parts[0];
    auto type = parts.size() > 1 ? parts[1] : std::string{"text"};
    auto arg = parts.size() > 2 ? parts[2] : std::string{};
    if (type == "bool") {
      s.type = ftype::boolean;
    } else if (type == "int") {
      s.type = ftype::integer;
      auto dots = arg.find("..");
      s.lo = *parse_int(arg.substr(0, dots));
      s.hi = *parse_int(arg.substr(dots + 2));
    } else if (type == "time") {
      s.type = ftype::duration;
      s.options = split(arg, '|');
    } else if (type == "enum" || type == "enums") {
      s.type = type == "enum" ? ftype::choice : ftype::choices;
      s.options = split(arg, '|');
    } else if (type == "ip") {
      s.type = ftype::ipv4;
    } else if (type == "prefix") {
      s.type = ftype::prefix;
    } else if (type == "mac") {
      s.type = ftype::mac;
    } else if (type == "ref") {
      s.type = ftype::ref;
      auto words = split(arg, '|');
      s.ref = words.empty() ? std::string{} : words[0];
      s.options.assign(words.begin() + (words.empty() ? 0 : 1), words.end());
    } else if (type == "tod") {
      s.type = ftype::time_of_day;
    } else if (type == "date") {
      s.type = ftype::date;
    }
    m_.specs.push_back(std::move(s));
  }
  std::sort(
    m_.specs.begin(), m_.specs.end(),
    [](const field_spec& a, const field_spec& b) { return a.name < b.name; });
  return *this;
}

menu_builder& menu_builder::defaults(std::string_view kv) {
  for (auto& item : split(kv, ',')) {
    auto eq = item.find('=');
    m_.defaults.set(item.substr(0, eq),
                    eq == std::string::npos ? "" : item.substr(eq + 1));
  }
  return *this;
}

menu_builder& menu_builder::dflt(std::string key, std::string value) {
  m_.defaults.set(key, std::move(value));
  return *this;
}

menu_builder& menu_builder::fixed(std::string key, std::string value) {
  m_.fixed.set(key, std::move(value));
  return *this;
}

menu_builder& menu_builder::on_add(std::string_view kv) {
  for (auto& item : split(kv, ',')) {
    auto eq = item.find('=');
    m_.on_add.set(item.substr(0, eq),
                  eq == std::string::npos ? "" : item.substr(eq + 1));
  }
  return *this;
}

menu_builder& menu_builder::required(std::string_view csv) {
  m_.required = split(csv, ',');
  return *this;
}

menu_builder& menu_builder::view(std::string_view csv) {
  m_.view = split(csv, ',');
  std::sort(m_.view.begin(), m_.view.end());
  return *this;
}

menu_builder& menu_builder::compute(compute_fn f) {
  m_.compute = f;
  return *this;
}

menu_builder& menu_builder::rows(rows_fn f) {
  m_.rows = f;
  return *this;
}

menu_builder& menu_builder::validate(validate_fn f) {
  m_.validate = f;
  return *this;
}

menu_builder& menu_builder::unique(std::string key, std::string error) {
  m_.unique = std::move(key);
  m_.dup_error = std::move(error);
  return *this;
}

menu_builder& menu_builder::command(std::string name, command_fn f) {
  m_.commands[std::move(name)] = f;
  return *this;
}

menu_builder& menu_builder::present(present_fn f) {
  m_.present = f;
  return *this;
}

menu_builder& menu_builder::profile_only() {
  m_.profile_only = true;
  return *this;
}

menu_builder& menu_builder::words(std::string w) {
  m_.words = std::move(w);
  return *this;
}

menu menu_builder::build() {
  // Shared tables: the view always includes the writable keys and defaults.
  if (!m_.view.empty()) {
    for (auto& w : m_.writable)
      m_.view.push_back(w);
    for (auto& [k, v] : m_.defaults)
      m_.view.push_back(k);
    std::sort(m_.view.begin(), m_.view.end());
    m_.view.erase(std::unique(m_.view.begin(), m_.view.end()), m_.view.end());
  }
  return std::move(m_);
}

// -- tree ---------------------------------------------------------------------------

const path_node* path_node::child(std::string_view seg,
                                  const router_profile& p) const {
  auto it = children.find(seg);
  if (it == children.end())
    return nullptr;
  const path_node* c = it->second.get();
  if (c->present && !c->present(p))
    return nullptr;
  if (c->m && c->m->present && !c->m->present(p))
    return nullptr;
  return c;
}

namespace {

bool generic_command(const menu& m, std::string_view name) {
  if (name == "print")
    return true;
  if (name == "add")
    return m.has(c_add);
  if (name == "set")
    return m.has(c_set);
  if (name == "remove")
    return m.has(c_remove);
  if (name == "enable" || name == "disable")
    return m.has(c_enable);
  if (name == "move")
    return m.has(c_move);
  if (name == "comment")
    return m.has(c_comment);
  if (name == "unset")
    return m.has(c_unset);
  return false;
}

} // namespace

bool path_node::has_command(std::string_view name,
                            const router_profile& p) const {
  if (m && (generic_command(*m, name) || m->commands.count(name) > 0))
    return true;
  auto it = commands.find(name);
  return it != commands.end() && (!it->second.present || it->second.present(p));
}

path_node& menu_tree::node_for(std::string_view path) {
  path_node* n = &root_;
  for (auto& seg : split(path, '/')) {
    auto& slot = n->children[seg];
    if (!slot) {
      slot = std::make_unique<path_node>();
      slot->name = seg;
    }
    n = slot.get();
  }
  return *n;
}

void menu_tree::add(menu m) {
  menus_.push_back(std::make_unique<menu>(std::move(m)));
  node_for(menus_.back()->path).m = menus_.back().get();
}

void menu_tree::add_command(std::string_view path, command_fn fn,
                            present_fn present) {
  auto slash = path.rfind('/');
  auto& dir = node_for(path.substr(0, slash));
  dir.commands[std::string{path.substr(slash + 1)}] = command_def{fn, present};
}

void menu_tree::set_present(std::string_view dir_path, present_fn present) {
  node_for(dir_path).present = present;
}

const menu* menu_tree::find(std::string_view path) const {
  const path_node* n = &root_;
  for (auto& seg : split(path, '/')) {
    auto it = n->children.find(seg);
    if (it == n->children.end())
      return nullptr;
    n = it->second.get();
  }
  return n->m;
}

const menu_tree& menu_tree::get() {
  static const menu_tree tree = [] {
    menu_tree t;
    register_system_menus(t);
    register_interface_menus(t);
    register_ip_menus(t);
    register_firewall_menus(t);
    register_tool_commands(t);
    register_script_commands(t);
    return t;
  }();
  return tree;
}

// -- defaults of new interface rows -----------------------------------------------

// Which `disabled` RouterOS gives a row added without one. A `/export`
// prints only values that differ from the menu's default, so an export's
// `add` or `set` line with `disabled=no` shows a default of yes, and one
// without `disabled` a default of no.
const std::vector<new_row_default>& new_row_defaults() {
  static const std::vector<new_row_default> table{
    {"/interface/wireless", "true",
     "RouterOS exports enable radios and virtual APs with disabled=no; "
     "RouterOS's add leaves a new virtual AP disabled"},
    {"/interface/wifi", "true",
     "RouterOS manual, WiFi, basic configuration: an interface is enabled "
     "with an explicit disabled=no"},
    {"/interface/bridge", "false",
     "RouterOS exports: `add name=bridge1`, no disabled"},
    {"/interface/bridge/port", "false",
     "RouterOS exports: `add bridge=bridge1 interface=ether1`, no disabled"},
    {"/interface/bridge/vlan", "false",
     "RouterOS manual, Bridge VLAN Table examples: `add bridge=… vlan-ids=…`, "
     "no disabled"},
    {"/interface/vlan", "false",
     "RouterOS exports: `add interface=ether1 name=… vlan-id=100`, no "
     "disabled"},
    {"/interface/list/member", "false",
     "RouterOS defconf export: `add comment=defconf interface=… list=LAN`, no "
     "disabled"},
  };
  return table;
}

std::string new_row(std::string_view path) {
  for (auto& d : new_row_defaults())
    if (path == d.path)
      return std::string{"disabled="} + d.disabled;
  return {};
}

// -- presence -------------------------------------------------------------------------

bool has_legacy_wireless(const router_profile& p) {
  return p.wireless == wireless_kind::legacy
         || p.capsman == capsman_kind::legacy;
}

bool has_wifi(const router_profile& p) {
  return p.wireless == wireless_kind::wifi || p.capsman == capsman_kind::wifi;
}

bool has_routerboard(const router_profile& p) {
  return p.routerboard;
}

} // namespace rmcp::sim
