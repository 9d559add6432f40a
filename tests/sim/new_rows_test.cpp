// New rows of the interface menus get RouterOS's `disabled` default (a
// virtual AP is created disabled, a VLAN enabled), every interface menu
// that can add rows says which, and an explicit value always wins.

#include <set>

#include "sim/schema.hpp"
#include "sim_fixture.hpp"

namespace rmcp::sim::test {
namespace {

class new_rows : public sim_test {
protected:
  /// Router 0 a legacy-wireless board, router 1 a wifi one.
  void SetUp() override {
    auto o = fast_options(2);
    o.overrides[0].board = "hAP ac^2";
    o.overrides[1].board = "hAP ax^2";
    o.overrides[1].version = "7.20.5";
    start(o);
    wifi_ = std::make_unique<http_client>(fleet_->port(1));
  }

  /// PUTs `body` to `path` on `c` and returns the new row as printed.
  json add(http_client& c, const std::string& path, const json& body) {
    auto r = c.request("PUT", "/rest" + path, body.dump(), "application/json");
    EXPECT_EQ(r.status, 201u) << path << ": " << r.body;
    return parse(r.body);
  }

  std::unique_ptr<http_client> wifi_;
};

TEST_F(new_rows, every_interface_menu_with_add_has_a_new_row_default) {
  std::set<std::string> listed;
  for (auto& d : new_row_defaults()) {
    listed.insert(d.path);
    EXPECT_TRUE(std::string{d.disabled} == "true"
                || std::string{d.disabled} == "false")
      << d.path;
    EXPECT_GT(std::string{d.source}.size(), 20u) << d.path;
  }
  for (auto& m : menu_tree::get().menus()) {
    if (m->path.rfind("/interface", 0) != 0 || !m->has(c_add)
        || !m->is_writable("disabled"))
      continue;
    EXPECT_TRUE(listed.count(m->path)) << m->path << " is not in the table";
    EXPECT_EQ(m->on_add.get("disabled"), new_row(m->path).substr(9)) << m->path;
  }
}

TEST_F(new_rows, rows_added_without_disabled_follow_the_table) {
  // In table order; each body names only what its menu requires.
  std::vector<std::pair<std::string, json>> adds{
    {"/interface/wireless",
     {{"name", "vap-t"}, {"master-interface", "wlan1"}, {"ssid", "t"}}},
    {"/interface/bridge", {{"name", "br-t"}}},
    {"/interface/vlan",
     {{"name", "vl-t"}, {"interface", "ether2"}, {"vlan-id", "77"}}},
    {"/interface/bridge/port", {{"bridge", "br-t"}, {"interface", "vl-t"}}},
    {"/interface/bridge/vlan", {{"bridge", "br-t"}, {"vlan-ids", "77"}}},
    {"/interface/list/member", {{"interface", "vl-t"}, {"list", "LAN"}}},
  };
  for (auto& [path, body] : adds) {
    auto row = add(*client_, path, body);
    EXPECT_EQ(row.value("disabled", ""), new_row(path).substr(9)) << path;
  }
  auto vap = add(*wifi_, "/interface/wifi",
                 {{"name", "vap-t"},
                  {"master-interface", "wifi1"},
                  {"configuration.ssid", "t"}});
  EXPECT_EQ(vap.value("disabled", ""), "true");
  EXPECT_EQ(vap.value("running", ""), "false");
  // The shared interface table shows the same value in /interface.
  auto all = call_json("GET", "/rest/interface?name=vap-t");
  ASSERT_EQ(all.size(), 1u) << all.dump();
  EXPECT_EQ(all[0].value("disabled", ""), "true");
  EXPECT_EQ(all[0].value("running", ""), "false");
  // Seeded radios are enabled (defconf enables them).
  auto radio = call_json("GET", "/rest/interface/wireless/wlan1");
  EXPECT_EQ(radio.value("disabled", ""), "false");
}

TEST_F(new_rows, an_explicit_disabled_wins) {
  auto vap = add(*client_, "/interface/wireless",
                 {{"name", "vap-on"},
                  {"master-interface", "wlan2"},
                  {"ssid", "on"},
                  {"disabled", "no"}});
  EXPECT_EQ(vap.value("disabled", ""), "false");
  EXPECT_EQ(vap.value("running", ""), "true");
  auto vlan = add(*client_, "/interface/vlan",
                  {{"name", "vl-off"},
                   {"interface", "ether2"},
                   {"vlan-id", "78"},
                   {"disabled", "yes"}});
  EXPECT_EQ(vlan.value("disabled", ""), "true");
}

} // namespace
} // namespace rmcp::sim::test
