// The RouterOS script-literal builder (protocol/ros_script), checked against
// the simulator's script interpreter, which parses scripts with code of its
// own. For any bytes `v`:
//   - literal(v) is printable ASCII;
//   - `:put literal(v)` prints exactly v (the literal ends where it should);
//   - as a command argument and inside [find where ...] it is one value:
//     the entry is added with comment v, found again by it, and the
//     router's configuration afterwards is what it was before (nothing else
//     ran).
// Identifier checks and command arguments built from v must not crash
// either.

#include "fuzz_target.hpp"

#include <algorithm>
#include <string>

#include "protocol/json.hpp"
#include "protocol/ros_script.hpp"
#include "sim/fleet.hpp"
#include "sim/script.hpp"

using namespace rmcp;

namespace {

sim::router& router() {
  static sim::fleet routers{sim::fleet_options{}};
  return routers.router(0);
}

sim::script_result run(const std::string& script) {
  return router().with_state([&](sim::router_state& st) {
    return sim::run_script(st, script, sim::origin{});
  });
}

/// The router's configuration without the export's dated header lines.
std::string configuration() {
  auto text = router().with_state(
    [](sim::router_state& st) { return sim::export_config(st); });
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    end = end == std::string::npos ? text.size() : end + 1;
    if (text[at] != '#')
      out.append(text, at, end - at);
    at = end;
  }
  return out;
}

size_t entries(const std::string& list) {
  auto out = router().request(
    "GET", "/rest/ip/firewall/address-list?.proplist=.id&list=" + list);
  auto body = parse_json(out.body);
  return body && body->is_array() ? body->size() : 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string before = configuration();
  std::string value{fuzz::as_text(data, size)};
  auto lit = ros_script::literal(value);
  FUZZ_CHECK(std::all_of(lit.begin(), lit.end(),
                         [](char c) { return c >= 0x20 && c < 0x7f; }));

  auto put = run(":put " + lit);
  FUZZ_CHECK(put.ok);
  FUZZ_CHECK(put.output == value + "\r\n");

  // Not empty: an empty comment is no comment.
  auto comment = ros_script::literal("v" + value);
  auto res =
    run("/ip firewall address-list add list=fuzz-p address=192.0.2.1 "
        "comment="
        + comment + "; /ip firewall address-list set [find where comment="
        + comment + "] list=fuzz-found");
  FUZZ_CHECK(res.ok);
  FUZZ_CHECK(entries("fuzz-found") == 1);
  FUZZ_CHECK(entries("fuzz-p") == 0);
  FUZZ_CHECK(
    run("/ip firewall address-list remove [find where list=fuzz-found]").ok);
  FUZZ_CHECK(configuration() == before);

  // Names are checked, never quoted: whatever passes a check is refused or
  // accepted without a crash, and arguments quote every value.
  for (auto kind : {ros_script::ident::property, ros_script::ident::menu,
                    ros_script::ident::id})
    (void)ros_script::check_identifier(value, kind, ec::invalid_params);
  auto args = ros_script::arguments(json{{"comment", value}, {value, "x"}},
                                    ec::invalid_params);
  if (args)
    FUZZ_CHECK(std::all_of(args->begin(), args->end(),
                           [](char c) { return c >= 0x20 && c < 0x7f; }));
  return 0;
}
