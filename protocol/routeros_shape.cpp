#include "protocol/routeros_shape.hpp"

#include <cctype>
#include <iterator>

#include "protocol/error.hpp"

namespace rmcp::ros {

namespace {

constexpr auto list = answer_form::list;
constexpr auto singleton = answer_form::singleton;

// Keys RouterOS v7 always sends for the menu (never `comment`, flags shown
// only when true, or fields only newer versions have), as recorded answers
// of real routers (tests/sim/golden) show.
constexpr menu_shape shapes[] = {
  // -- singletons ---------------------------------------------------------
  {"/system/resource", singleton, {"uptime", "version", "total-memory"}},
  {"/system/identity", singleton, {"name"}},
  {"/system/clock", singleton, {"date", "time"}},
  {"/system/routerboard", singleton, {"routerboard", "model"}},
  {"/system/package/update", singleton, {"channel"}},
  {"/system/ntp/client", singleton, {"enabled", "mode"}},
  {"/interface/wifi/capsman", singleton, {"enabled"}},
  {"/ip/dns", singleton, {"servers", "allow-remote-requests", "cache-size"}},
  // -- lists --------------------------------------------------------------
  {"/interface", list, {"name", "type"}},
  {"/interface/bridge", list, {"name"}},
  {"/interface/bridge/port", list, {"interface", "bridge"}},
  {"/interface/wireless", list, {"name"}},
  {"/interface/wireless/registration-table",
   list,
   {"interface", "mac-address"}},
  {"/interface/wireless/security-profiles", list, {"name"}},
  {"/interface/wifi", list, {"name"}},
  {"/interface/wifi/registration-table", list, {"interface", "mac-address"}},
  {"/interface/wifi/security", list, {"name"}},
  {"/interface/wifi/capsman/remote-cap", list, {}},
  {"/caps-man/remote-cap", list, {}},
  {"/caps-man/registration-table", list, {"interface", "mac-address"}},
  {"/ip/address", list, {"address", "interface"}},
  {"/ip/arp", list, {"address", "interface"}},
  {"/ip/route", list, {"dst-address"}},
  {"/ip/pool", list, {"name", "ranges"}},
  {"/ip/dns/cache", list, {"name"}},
  {"/ip/dhcp-server", list, {"name", "interface"}},
  {"/ip/dhcp-server/lease", list, {"address", "mac-address"}},
  {"/ip/dhcp-server/network", list, {"address"}},
  {"/ip/firewall/filter", list, {"chain", "action"}},
  {"/ip/firewall/nat", list, {"chain", "action"}},
  {"/ip/firewall/address-list", list, {"list", "address"}},
  {"/system/package", list, {"name"}},
  {"/system/logging", list, {"topics"}},
  {"/system/scheduler", list, {"name"}},
  {"/log", list, {"message", "time"}},
};

const menu_shape* exact(std::string_view menu) {
  for (auto& s : shapes)
    if (menu == s.path)
      return &s;
  return nullptr;
}

/// "*0", "*1A", "*80000001": RouterOS's internal ids.
bool is_ros_id(const json& v) {
  if (!v.is_string())
    return false;
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() < 2 || s[0] != '*')
    return false;
  for (size_t i = 1; i < s.size(); ++i)
    if (!std::isxdigit(static_cast<unsigned char>(s[i])))
      return false;
  return true;
}

const char* type_name(const json& v) {
  return v.is_array()    ? "an array"
         : v.is_object() ? "an object"
         : v.is_null()   ? "null"
                         : "a scalar";
}

/// What a body of the menu must hold besides its form.
struct expectation {
  const menu_shape& shape;
  /// Rows and items carry a `.id` and the menu's keys (not with
  /// `.proplist`, which limits the keys; 7.1beta4 even dropped `.id`).
  bool full;
};

/// What is wrong with one object of the menu, or empty.
std::string object_problem(const json& obj, const expectation& e,
                           bool need_id) {
  if (!obj.is_object())
    return std::string{type_name(obj)} + " instead of an object";
  if (need_id && e.full && !is_ros_id(obj.value(".id", json{})))
    return "an object without a RouterOS .id (*HEX)";
  for (auto* key : e.shape.keys)
    if (e.full && key != nullptr && !obj.contains(key))
      return std::string{"an object without '"} + key + "'";
  for (auto& [key, v] : obj.items())
    if (!v.is_primitive() || v.is_null())
      return "'" + key + "' is " + type_name(v) + ", not a value";
  return {};
}

std::string problem(const json& body, const expectation& e, bool item) {
  if (item)
    return object_problem(body, e, true);
  if (e.shape.form == singleton)
    return object_problem(body, e, false);
  if (!body.is_array())
    return std::string{type_name(body)} + " instead of a list";
  for (size_t i = 0; i < body.size(); ++i) {
    auto p = object_problem(body[i], e, true);
    if (!p.empty())
      return "row " + std::to_string(i) + ": " + p;
  }
  return {};
}

} // namespace

const menu_shape* menu_shapes(size_t& count) {
  count = std::size(shapes);
  return shapes;
}

const menu_shape* find_menu_shape(const std::string& path, bool& item) {
  auto menu = std::string_view{path}.substr(0, path.find('?'));
  item = false;
  if (auto* s = exact(menu))
    return s;
  auto slash = menu.rfind('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == menu.size())
    return nullptr;
  auto* parent = exact(menu.substr(0, slash));
  if (parent == nullptr || parent->form != list)
    return nullptr;
  item = true;
  return parent;
}

caf::error check_answer(const std::string& what, const rest_request& req,
                        const json& body) {
  if (req.method != "GET")
    return caf::none;
  bool item = false;
  auto* shape = find_menu_shape(req.path, item);
  if (shape == nullptr)
    return caf::none;
  // "/interface/vlan" looks like an item of "/interface" by name; a list
  // answer there is a sub-menu the table does not know.
  if (item && body.is_array()
      && req.path[req.path.rfind('/', req.path.find('?')) + 1] != '*')
    return caf::none;
  bool full = req.path.find(".proplist=") == std::string::npos;
  auto p = problem(body, expectation{*shape, full}, item);
  if (p.empty())
    return caf::none;
  std::string expected = item ? "one item of " + std::string{shape->path}
                         : shape->form == list ? "a list of rows"
                                               : "the menu's object";
  return make_error(ec::router_bad_answer,
                    what + ": the router answered " + p + " where " + expected
                      + " belongs (RouterOS may answer another menu's body "
                        "shortly after a boot); retry in a few seconds");
}

} // namespace rmcp::ros
