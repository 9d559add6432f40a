// Every row a change kind creates in a menu with a `disabled` property is
// written with an explicit `disabled`, whether the plan creates it or a
// rollback re-creates it: RouterOS's default for a new row differs between
// menus (a virtual AP is created disabled), and the simulator follows it.
// Table-driven over the creating kinds: each case plans its change against
// a simulated router, checks the requests, writes them, and runs the gate's
// comparison on what the router reads back; then a second change removes
// the row and the kind's restore must bring it back, enabled.

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "sim/fleet.hpp"
#include "src/tools/change_kinds.hpp"

namespace rmcp {
namespace {

using namespace tools;

struct create_case {
  const char* what;
  const char* board;
  /// A row written before the case (the interface a port needs), or none.
  const char* setup_path;
  json setup_body;
  const change_kind* create;
  json create_args;
  /// The change that takes the row away again; its rollback re-creates it.
  const change_kind* remove;
  json remove_args;
  /// Where the created row lives and a field/value that finds it.
  const char* path;
  const char* key;
  const char* value;
};

void PrintTo(const create_case& c, std::ostream* os) {
  *os << c.what;
}

std::vector<create_case> cases() {
  return {
    {"legacy virtual AP",
     "hAP ac^2",
     nullptr,
     nullptr,
     &wireless_create_kind,
     {{"ssid", "lobby"}, {"band", "5ghz-ac"}},
     &wireless_remove_kind,
     {{"ssid_id", "wlan-lobby"}},
     "/interface/wireless",
     "name",
     "wlan-lobby"},
    {"wifi virtual AP",
     "hAP ax^2",
     nullptr,
     nullptr,
     &wireless_create_kind,
     {{"ssid", "lobby"}, {"band", "2ghz-ax"}, {"security_profile", "office"}},
     &wireless_remove_kind,
     {{"ssid_id", "wifi-lobby"}},
     "/interface/wifi",
     "name",
     "wifi-lobby"},
    {"bridge port",
     "RB5009UG+S+",
     "/interface/vlan",
     {{"name", "vl-t"},
      {"interface", "ether1"},
      {"vlan-id", "71"},
      {"disabled", "no"}},
     &bridge_port_add_kind,
     {{"bridge_name", "bridge"}, {"interface", "vl-t"}},
     &bridge_port_remove_kind,
     {{"bridge_name", "bridge"}, {"interface", "vl-t"}},
     "/interface/bridge/port",
     "interface",
     "vl-t"},
    {"DHCP server",
     "RB5009UG+S+",
     nullptr,
     nullptr,
     &dhcp_create_kind,
     {{"pool_name", "guests"},
      {"address_range", "10.50.0.10-10.50.0.200"},
      {"network", "10.50.0.0/24"},
      {"interface", "ether1"}},
     &dhcp_remove_kind,
     {{"pool_name", "guests"}},
     "/ip/dhcp-server",
     "name",
     "guests"},
    {"address list entry",
     "RB5009UG+S+",
     nullptr,
     nullptr,
     &address_list_sync_kind,
     {{"list_name", "mcp-t"}, {"addresses", {"192.0.2.1"}}},
     &address_list_sync_kind,
     {{"list_name", "mcp-t"}, {"addresses", {"192.0.2.2"}}},
     "/ip/firewall/address-list",
     "address",
     "192.0.2.1"},
  };
}

class interface_create_test : public ::testing::TestWithParam<create_case> {
protected:
  void SetUp() override {
    sim::fleet_options o;
    o.seed = 42;
    o.overrides[0].board = GetParam().board;
    o.overrides[0].version = "7.20.5";
    fleet_ = std::make_unique<sim::fleet>(o);
  }

  sim::router& router() {
    return fleet_->router(0);
  }

  json get(const std::string& path) {
    auto out = router().request("GET", "/rest" + path);
    auto body = parse_json(out.body);
    if (out.status != 200 || !body)
      return nullptr; // a package's absent menu
    return *body;
  }

  json state(const change_kind& k, const json& params) {
    std::vector<json> bodies;
    for (auto& p : k.reads(params)) {
      bodies.push_back(get(p));
      if (!k.absent_menus_null) {
        EXPECT_FALSE(bodies.back().is_null()) << p;
      }
    }
    return k.state(params, bodies);
  }

  void write(const std::vector<rest_request>& requests) {
    for (auto& r : requests) {
      auto out = router().request(r.method, "/rest" + r.path,
                                  r.body.is_null() ? "" : r.body.dump());
      EXPECT_LT(out.status, 300u) << r.method << " " << r.path << " "
                                  << r.body.dump() << ": " << out.body;
    }
  }

  /// The PUTs to the case's path among `requests`: each says `disabled`.
  size_t creations(const std::vector<rest_request>& requests) {
    size_t n = 0;
    for (auto& r : requests)
      if (r.method == "PUT" && r.path == GetParam().path) {
        ++n;
        EXPECT_EQ(r.body.value("disabled", "<none>"), "false") << r.body.dump();
      }
    return n;
  }

  /// The created row as the router prints it (null when absent).
  json row() {
    auto& c = GetParam();
    for (auto& r : get(c.path))
      if (r.value(c.key, "") == c.value)
        return r;
    return nullptr;
  }

  std::unique_ptr<sim::fleet> fleet_;
  device_record dev_;
};

TEST_P(interface_create_test, created_and_recreated_rows_are_enabled) {
  auto& c = GetParam();
  if (c.setup_path) {
    auto out = router().request("PUT", "/rest" + std::string{c.setup_path},
                                c.setup_body.dump());
    ASSERT_EQ(out.status, 201u) << out.body;
  }
  // The plan creates the row: explicitly enabled, and the gate agrees.
  auto params = c.create->validate(c.create_args);
  ASSERT_TRUE(params) << to_string(params.error());
  auto step = c.create->plan(*params, state(*c.create, *params), dev_);
  ASSERT_TRUE(step) << to_string(step.error());
  EXPECT_EQ(creations(step->requests), 1u);
  write(step->requests);
  EXPECT_EQ(
    c.create->compare(*params, step->intended, state(*c.create, *params)), "");
  ASSERT_FALSE(row().is_null());
  EXPECT_EQ(row().value("disabled", ""), "false") << row().dump();
  // A second change takes it away; its rollback re-creates it enabled.
  auto rparams = c.remove->validate(c.remove_args);
  ASSERT_TRUE(rparams) << to_string(rparams.error());
  auto snapshot = state(*c.remove, *rparams);
  auto removal = c.remove->plan(*rparams, snapshot, dev_);
  ASSERT_TRUE(removal) << to_string(removal.error());
  write(removal->requests);
  ASSERT_TRUE(row().is_null());
  auto back = c.remove->restore(*rparams, snapshot, state(*c.remove, *rparams));
  EXPECT_EQ(creations(back), 1u);
  write(back);
  EXPECT_EQ(c.remove->compare(*rparams, snapshot, state(*c.remove, *rparams)),
            "");
  ASSERT_FALSE(row().is_null());
  EXPECT_EQ(row().value("disabled", ""), "false") << row().dump();
}

INSTANTIATE_TEST_SUITE_P(kinds, interface_create_test,
                         ::testing::ValuesIn(cases()), [](const auto& info) {
                           std::string name;
                           for (char ch : std::string{info.param.what})
                             name += ch == ' ' ? '_' : ch;
                           return name;
                         });

} // namespace
} // namespace rmcp
