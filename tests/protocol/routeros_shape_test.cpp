#include "protocol/routeros_shape.hpp"
#include "tests/test_paths.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "protocol/error.hpp"

namespace rmcp::ros {

namespace {

/// A /system/resource body as a hAP ax^2 sent it (routeros-golden
/// miklink-get-system-resource): what the post-boot race answers instead.
const json resource = {{"architecture-name", "arm64"},
                       {"board-name", "hAP ax^2"},
                       {"build-time", "2025-11-27 08:17:04"},
                       {"cpu", "ARM64"},
                       {"cpu-count", "4"},
                       {"cpu-load", "7"},
                       {"free-memory", "705699840"},
                       {"platform", "MikroTik"},
                       {"total-memory", "1073741824"},
                       {"uptime", "1h12m40s"},
                       {"version", "7.20.5 (stable)"}};

rest_request get(std::string path) {
  rest_request req;
  req.path = std::move(path);
  return req;
}

/// The error kind of checking `body` as the answer to GET `path`, or "".
std::string verdict(const std::string& path, const json& body) {
  auto err = check_answer("GET " + path, get(path), body);
  return err ? to_string(error_code_of(err)) : std::string{};
}

const json route_row = {{".id", "*2018A"},
                        {"dst-address", "0.0.0.0/0"},
                        {"gateway", "10.0.0.1"},
                        {"active", "true"}};

} // namespace

TEST(routeros_shape, a_list_menu_answers_an_array_of_rows_with_ids) {
  EXPECT_EQ(verdict("/ip/route", json::array({route_row})), "");
  EXPECT_EQ(verdict("/ip/route", json::array()), "");
  EXPECT_EQ(
    verdict("/ip/route?dst-address=0.0.0.0/0", json::array({route_row})), "");
}

TEST(routeros_shape, an_object_where_a_list_belongs_is_a_bad_answer) {
  EXPECT_EQ(verdict("/ip/route", resource), "router_bad_answer");
  EXPECT_EQ(verdict("/interface?disabled=false", resource),
            "router_bad_answer");
  auto err =
    check_answer("device r1: GET /ip/route", get("/ip/route"), resource);
  auto text = error_message(err);
  EXPECT_NE(text.find("device r1: GET /ip/route: the router answered an object "
                      "instead of a list"),
            std::string::npos)
    << text;
  EXPECT_TRUE(is_retryable(error_code_of(err)));
}

TEST(routeros_shape, rows_need_a_routeros_id_and_the_menu_keys) {
  auto no_id = route_row;
  no_id.erase(".id");
  EXPECT_EQ(verdict("/ip/route", json::array({no_id})), "router_bad_answer");
  for (auto* bad : {"1", "*", "*G1", "", "17"}) {
    auto row = route_row;
    row[".id"] = bad;
    EXPECT_EQ(verdict("/ip/route", json::array({row})), "router_bad_answer")
      << bad;
  }
  auto numeric = route_row;
  numeric[".id"] = 1;
  EXPECT_EQ(verdict("/ip/route", json::array({numeric})), "router_bad_answer");
  auto no_dst = route_row;
  no_dst.erase("dst-address");
  EXPECT_EQ(verdict("/ip/route", json::array({route_row, no_dst})),
            "router_bad_answer");
  EXPECT_EQ(verdict("/ip/route", json::array({route_row, "text"})),
            "router_bad_answer");
}

TEST(routeros_shape, values_are_scalars) {
  auto nested = route_row;
  nested["gateway"] = json::object({{"a", "b"}});
  EXPECT_EQ(verdict("/ip/route", json::array({nested})), "router_bad_answer");
  auto listed = route_row;
  listed["gateway"] = json::array({"a"});
  EXPECT_EQ(verdict("/ip/route", json::array({listed})), "router_bad_answer");
  auto null = route_row;
  null["gateway"] = nullptr;
  EXPECT_EQ(verdict("/ip/route", json::array({null})), "router_bad_answer");
  // Numbers and booleans pass (the simulator and fixtures may send them).
  auto typed = route_row;
  typed["distance"] = 1;
  typed["active"] = true;
  EXPECT_EQ(verdict("/ip/route", json::array({typed})), "");
}

TEST(routeros_shape, one_item_of_a_list_menu_is_an_object_with_an_id) {
  EXPECT_EQ(verdict("/ip/route/*2018A", route_row), "");
  EXPECT_EQ(verdict("/ip/route/*2018A", resource), "router_bad_answer");
  EXPECT_EQ(verdict("/ip/route/*2018A", json::array({route_row})),
            "router_bad_answer");
  json ether{{".id", "*1"}, {"name", "ether1"}, {"type", "ether"}};
  EXPECT_EQ(verdict("/interface/ether1", ether), "");
  EXPECT_EQ(verdict("/interface/ether1", resource), "router_bad_answer");
  // A sub-menu in the table is a menu, not an item of its parent.
  EXPECT_EQ(verdict("/interface/bridge", json::array()), "");
  bool item = true;
  EXPECT_NE(find_menu_shape("/interface/bridge", item), nullptr);
  EXPECT_FALSE(item);
  EXPECT_NE(find_menu_shape("/ip/address/*3", item), nullptr);
  EXPECT_TRUE(item);
}

TEST(routeros_shape, a_singleton_answers_an_object_with_its_identifying_keys) {
  json clock{{"date", "2024-05-17"},
             {"time", "17:58:11"},
             {"time-zone-name", "Etc/GMT-1"},
             {"gmt-offset", "+01:00"},
             {"dst-active", "false"}};
  EXPECT_EQ(verdict("/system/clock", clock), "");
  EXPECT_EQ(verdict("/system/clock", resource), "router_bad_answer");
  EXPECT_EQ(verdict("/system/clock", json::array()), "router_bad_answer");
  EXPECT_EQ(verdict("/system/clock", json::object()), "router_bad_answer");
  EXPECT_EQ(verdict("/ip/dns", resource), "router_bad_answer");
  EXPECT_EQ(verdict("/system/identity", json{{"name", "MikroTik"}}), "");
  EXPECT_EQ(verdict("/system/identity", resource), "router_bad_answer");
  EXPECT_EQ(verdict("/system/resource", resource), "");
  // RouterOS 7.1beta4 wrapped singletons in an array of one, which tools
  // would read as nothing.
  EXPECT_EQ(verdict("/system/resource", json::array({resource})),
            "router_bad_answer");
}

TEST(routeros_shape, every_menu_but_system_resource_refuses_the_resource_body) {
  size_t n = 0;
  auto* all = menu_shapes(n);
  ASSERT_GT(n, 20u);
  for (size_t i = 0; i < n; ++i) {
    std::string path = all[i].path;
    if (path == "/system/resource")
      continue;
    EXPECT_EQ(verdict(path, resource), "router_bad_answer") << path;
    EXPECT_EQ(verdict(path, json::array({resource})), "router_bad_answer")
      << path;
  }
}

TEST(routeros_shape, proplist_limits_the_check_to_the_form) {
  json row{{"address", "10.0.0.1/24"}};
  EXPECT_EQ(verdict("/ip/address?.proplist=address", json::array({row})), "");
  EXPECT_EQ(verdict("/ip/address?.proplist=address", row), "router_bad_answer");
  EXPECT_EQ(verdict("/ip/address", json::array({row})), "router_bad_answer");
}

TEST(routeros_shape, commands_writes_and_unknown_menus_are_not_checked) {
  rest_request post;
  post.method = "POST";
  post.path = "/tool/ping";
  EXPECT_FALSE(check_answer("w", post, json::array({{{"seq", "0"}}})));
  rest_request put;
  put.method = "PUT";
  put.path = "/ip/route";
  EXPECT_FALSE(check_answer("w", put, route_row));
  EXPECT_EQ(verdict("/ip/neighbor", resource), "");
  // A sub-menu the table lacks, under a listed menu: its list is not an
  // item by name. An id is always an item.
  EXPECT_EQ(verdict("/interface/vlan", json::array({{{"x", "y"}}})), "");
  EXPECT_EQ(verdict("/interface/vlan", resource), "router_bad_answer");
  EXPECT_EQ(verdict("/interface/*1", json::array()), "router_bad_answer");
  bool item = false;
  EXPECT_EQ(find_menu_shape("/ip", item), nullptr);
}

TEST(routeros_shape, every_recorded_get_answer_passes) {
  size_t checked = 0;
  for (auto& entry : std::filesystem::directory_iterator{RMCP_GOLDEN_DIR}) {
    if (entry.path().extension() != ".json")
      continue;
    std::ifstream in{entry.path()};
    std::stringstream text;
    text << in.rdbuf();
    auto golden = json::parse(text.str(), nullptr, false);
    ASSERT_FALSE(golden.is_discarded()) << entry.path();
    const auto& req = golden["request"];
    const auto& resp = golden["response"];
    if (req["method"] != "GET" || resp["status"] != 200)
      continue;
    auto path = req["path"].get<std::string>().substr(5); // "/rest"
    // Only 7.1beta4's singleton in an array of one is refused (above).
    bool wrapped = path == "/system/resource" && resp["body"].is_array();
    EXPECT_EQ(verdict(path, resp["body"]), wrapped ? "router_bad_answer" : "")
      << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 6u);
}

} // namespace rmcp::ros
