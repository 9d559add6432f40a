#pragma once

// The shape each RouterOS menu's GET answer must have, in one table.
//
// A router's answer is untrusted: for a few seconds after a boot RouterOS
// may answer a GET with another menu's body (`/system/resource`'s object for
// `/ip/route`). Converting such a body would report "0 routes" or an empty
// clock as if true. The device actor checks every GET answer against this
// table before anyone converts it; a wrong shape is `ec::router_bad_answer`
// (retryable: idempotent reads retry it).
//
//   - list menu ("/ip/route", "/ip/route?dst-address=…"): a JSON array of
//     objects, each with a `.id` of the form `*HEX` and the menu's row keys;
//   - one item of a list menu ("/ip/route/*3", "/interface/ether1"): one
//     such object;
//   - singleton menu ("/system/clock"): an object with the menu's
//     identifying keys (RouterOS 7.1beta4 wrapped it in an array of one;
//     tools would misread that, so it is refused too);
//   - with `.proplist` in the query only the form is checked: it limits
//     the keys (7.1beta4 even dropped `.id` from lists);
//   - every value inside is a scalar (RouterOS answers strings; numbers and
//     booleans pass for the simulator and fixtures), never an object, an
//     array or null.
//
// Paths that are neither in the table nor items of a listed menu (commands,
// menus no tool reads) are not checked, nor is a list answered for a name
// under a listed menu ("/interface/vlan": a sub-menu the table lacks).

#include <cstddef>
#include <string>

#include <caf/error.hpp>

#include "protocol/json.hpp"
#include "protocol/routeros.hpp"

namespace rmcp::ros {

/// What a menu's GET answers.
enum class answer_form : uint8_t {
  /// An array of rows (`[]` when empty).
  list,
  /// One object (a menu without items).
  singleton,
};

/// The expected answer of one menu.
struct menu_shape {
  /// Menu path without "/rest", e.g. "/ip/route".
  const char* path;
  answer_form form;
  /// Keys every row (list) or the object (singleton) carries; unused slots
  /// are null.
  const char* keys[3];
};

/// The table (for tests that walk it).
const menu_shape* menu_shapes(size_t& count);

/// The shape `path` (query string allowed) must have, and whether the
/// answer is one item of a list menu; null for an unchecked path.
const menu_shape* find_menu_shape(const std::string& path, bool& item);

/// Checks the body of a successful answer to `req`: none when it has the
/// shape of its path (or the request is not a GET of a known menu),
/// otherwise `router_bad_answer` naming what was wrong, prefixed by
/// `what` (e.g. "device edge-01: GET /ip/route").
caf::error check_answer(const std::string& what, const rest_request& req,
                        const json& body);

} // namespace rmcp::ros
