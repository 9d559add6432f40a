// Verbs and their state changes, filters, .proplist, .query, singleton
// rules, validation errors.

#include "sim_fixture.hpp"

namespace rmcp::sim::test {
namespace {

class verbs : public sim_test {
protected:
  void SetUp() override {
    start();
  }
};

TEST_F(verbs, put_creates_and_get_returns_it) {
  auto r =
    call("PUT", "/rest/ip/address",
         R"({"address":"10.77.0.1/24","interface":"ether2","comment":"x"})");
  ASSERT_EQ(r.status, 201u) << r.body;
  auto item = parse(r.body);
  auto id = item[".id"].get<std::string>();
  EXPECT_EQ(id[0], '*');
  EXPECT_EQ(item["network"], "10.77.0.0");
  EXPECT_EQ(r.headers["Location"],
            "http://127.0.0.1:" + std::to_string(fleet_->port(0))
              + "/rest/ip/address/" + id);
  EXPECT_EQ(call_json("GET", "/rest/ip/address/" + id)["comment"], "x");
}

TEST_F(verbs, patch_changes_and_returns_the_whole_item) {
  auto id =
    call_json("PUT", "/rest/ip/address",
              R"({"address":"10.77.0.1/24","interface":"ether2"})")[".id"]
      .get<std::string>();
  auto r = call("PATCH", "/rest/ip/address/" + id,
                R"({"disabled":true,"comment":"c"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto item = parse(r.body);
  EXPECT_EQ(item["disabled"], "true");
  EXPECT_EQ(item["address"], "10.77.0.1/24");
  // An empty comment is omitted, never "".
  item = call_json("PATCH", "/rest/ip/address/" + id, R"({"comment":""})");
  EXPECT_FALSE(item.contains("comment"));
}

TEST_F(verbs, delete_answers_204_then_404) {
  auto id =
    call_json("PUT", "/rest/ip/address",
              R"({"address":"10.77.0.1/24","interface":"ether2"})")[".id"]
      .get<std::string>();
  auto r = call("DELETE", "/rest/ip/address/" + id);
  EXPECT_EQ(r.status, 204u);
  EXPECT_TRUE(r.body.empty());
  r = call("DELETE", "/rest/ip/address/" + id);
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(parse(r.body),
            json::parse(R"({"error":404,"message":"Not Found"})"));
}

TEST_F(verbs, post_add_answers_ret_with_the_new_id) {
  auto r = call_json("POST", "/rest/ip/firewall/address-list/add",
                     R"({"list":"mcp-test","address":"192.0.2.9"})");
  ASSERT_TRUE(r.contains("ret"));
  auto id = r["ret"].get<std::string>();
  EXPECT_EQ(call_json("GET", "/rest/ip/firewall/address-list/" + id)["list"],
            "mcp-test");
  auto dup = call("POST", "/rest/ip/firewall/address-list/add",
                  R"({"list":"mcp-test","address":"192.0.2.9"})");
  EXPECT_EQ(dup.status, 400u);
  EXPECT_EQ(parse(dup.body)["detail"], "failure: already have such entry");
}

TEST_F(verbs, post_set_remove_enable_disable_with_id_or_numbers) {
  auto id =
    call_json("POST", "/rest/ip/route/add",
              R"({"dst-address":"10.99.0.0/16","gateway":"ether2"})")["ret"]
      .get<std::string>();
  EXPECT_EQ(call("POST", "/rest/ip/route/set",
                 R"({".id":")" + id + R"(","distance":"7"})")
              .body,
            "[]");
  EXPECT_EQ(call_json("GET", "/rest/ip/route/" + id)["distance"], "7");
  EXPECT_EQ(
    call("POST", "/rest/ip/route/disable", R"({"numbers":")" + id + R"("})")
      .body,
    "[]");
  auto item = call_json("GET", "/rest/ip/route/" + id);
  EXPECT_EQ(item["disabled"], "true");
  EXPECT_FALSE(item.contains("active"));
  EXPECT_EQ(
    call("POST", "/rest/ip/route/enable", R"({".id":")" + id + R"("})").body,
    "[]");
  EXPECT_EQ(
    call("POST", "/rest/ip/route/remove", R"({".id":")" + id + R"("})").body,
    "[]");
  EXPECT_EQ(call("GET", "/rest/ip/route/" + id).status, 404u);
  EXPECT_EQ(
    call("POST", "/rest/ip/route/remove", R"({".id":")" + id + R"("})").status,
    404u);
}

TEST_F(verbs, move_places_an_item_before_another) {
  auto rules = call_json("GET", "/rest/ip/firewall/filter");
  auto first = rules[0][".id"].get<std::string>();
  auto last = rules[rules.size() - 1][".id"].get<std::string>();
  EXPECT_EQ(
    call("POST", "/rest/ip/firewall/filter/move",
         R"({"numbers":")" + last + R"(","destination":")" + first + R"("})")
      .body,
    "[]");
  EXPECT_EQ(call_json("GET", "/rest/ip/firewall/filter")[0][".id"], last);
  auto self =
    call("POST", "/rest/ip/firewall/filter/move",
         R"({".id":")" + first + R"(","destination":")" + first + R"("})");
  EXPECT_EQ(parse(self.body)["detail"],
            "failure: can not move object before itself");
  EXPECT_EQ(parse(call("POST", "/rest/ip/firewall/filter/move",
                       R"({"destination":"*1"})")
                    .body)["detail"],
            "missing =.id=");
}

TEST_F(verbs, singleton_get_is_an_object_patch_refused_post_set_works) {
  EXPECT_TRUE(call_json("GET", "/rest/system/identity").is_object());
  auto r = call("PATCH", "/rest/system/identity", R"({"name":"x"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(parse(r.body)["detail"], "missing or invalid resource identifier");
  EXPECT_EQ(
    call("POST", "/rest/system/identity/set", R"({"name":"renamed"})").body,
    "[]");
  EXPECT_EQ(call_json("GET", "/rest/system/identity")["name"], "renamed");
  EXPECT_EQ(
    call("POST", "/rest/ip/dns/set", R"({"servers":"9.9.9.9,1.1.1.1"})").body,
    "[]");
  EXPECT_EQ(call_json("GET", "/rest/ip/dns")["servers"], "9.9.9.9,1.1.1.1");
  EXPECT_EQ(call("POST", "/rest/system/ntp/client/set",
                 R"({"servers":"192.0.2.1","enabled":"yes"})")
              .body,
            "[]");
  auto ntp = call_json("GET", "/rest/system/ntp/client");
  EXPECT_EQ(ntp["enabled"], "true");
  EXPECT_EQ(ntp["status"], "synchronized");
}

TEST_F(verbs, command_paths_and_unknown_segments) {
  auto r =
    call("GET", "/rest/interface/monitor-traffic?interface=ether1&once=true");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(parse(r.body)["detail"], "no such command");
  EXPECT_EQ(parse(call("GET", "/rest/ip/firewall/filter/print").body)["detail"],
            "no such command");
  EXPECT_EQ(parse(call("GET", "/rest/ip/bogus").body)["detail"],
            "no such command or directory (bogus)");
  EXPECT_EQ(parse(call("GET", "/rest/ip/address/%2A1").body)["detail"],
            "no such command prefix");
  EXPECT_EQ(parse(call("GET", "/rest/ip/address/notanid").body)["detail"],
            "no such command prefix");
  EXPECT_EQ(parse(call("POST", "/rest/ip/address", "{}").body)["detail"],
            "no such command");
  EXPECT_EQ(call("GET", "/rest/interface/ether1").status, 200u);
  EXPECT_EQ(call("GET", "/rest/interface/nonexistent").status, 404u);
}

TEST_F(verbs, values_are_strings_and_inputs_are_normalised) {
  auto id =
    call_json(
      "PUT", "/rest/interface/vlan",
      R"({"name":"v99","vlan-id":99,"interface":"ether2","disabled":"yes"})")
      [".id"]
        .get<std::string>();
  auto item = call_json("GET", "/rest/interface/vlan/" + id);
  EXPECT_EQ(item["vlan-id"], "99");
  EXPECT_EQ(item["disabled"], "true");
  auto all = call_json("GET", "/rest/interface");
  for (auto& item : all)
    for (auto& [k, v] : item.items())
      EXPECT_TRUE(v.is_string()) << k;
}

TEST_F(verbs, validation_errors_use_routeros_texts) {
  auto detail = [&](const std::string& method, const std::string& path,
                    const std::string& body) {
    return parse(call(method, path, body).body)["detail"].get<std::string>();
  };
  EXPECT_EQ(detail("PUT", "/rest/ip/address",
                   R"({"address":"10.0.0.1/24","interface":"nope"})"),
            "input does not match any value of interface");
  EXPECT_EQ(
    detail("PUT", "/rest/ip/address",
           R"({"address":"10.0.0.1/24","interface":"ether2","foo":"1"})"),
    "unknown parameter foo");
  EXPECT_EQ(detail("PUT", "/rest/ip/address", R"({"interface":"ether2"})"),
            "missing =address=");
  EXPECT_EQ(detail("PUT", "/rest/interface/vlan",
                   R"({"interface":"ether2","vlan-id":"5000"})"),
            "value of vlan-id out of range (1..4094)");
  EXPECT_EQ(detail("PUT", "/rest/ip/firewall/address-list",
                   R"({"list":"a","address":"192.0.2.1","timeout":"soon"})"),
            "invalid time value for argument timeout");
  EXPECT_EQ(detail("PUT", "/rest/ip/dhcp-server",
                   R"({"interface":"ether2","address-pool":"nopool"})"),
            "input does not match any value of address-pool");
  auto id = call_json("GET", "/rest/ip/address")[0][".id"].get<std::string>();
  EXPECT_EQ(
    detail("PATCH", "/rest/ip/address/" + id, R"({"place-before":"*1"})"),
    "unknown parameter place-before");
  EXPECT_EQ(call("PUT", "/rest/ip/address", R"({"address":"10.0.0.1/24"})",
                 "text/plain")
              .status,
            415u);
  EXPECT_EQ(detail("PUT", "/rest/ip/address", "{not json"),
            "Failed to parse json");
}

TEST_F(verbs, query_string_filters_are_exact_and_accept_yes_no) {
  auto all = call_json("GET", "/rest/ip/address");
  auto dyn = call_json("GET", "/rest/ip/address?dynamic=yes");
  auto stat = call_json("GET", "/rest/ip/address?dynamic=false");
  EXPECT_EQ(dyn.size() + stat.size(), all.size());
  for (auto& a : dyn)
    EXPECT_EQ(a["dynamic"], "true");
  EXPECT_EQ(call_json("GET", "/rest/ip/address?interface=nothing"),
            json::array());
}

TEST_F(verbs, proplist_on_get_and_post_print) {
  fleet_options o = fast_options();
  o.overrides[0].version = "7.22.1";
  start(o);
  auto list = call_json("GET", "/rest/ip/address?.proplist=address,missing");
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list[0].size(), 2u); // .id kept on 7.2x list GETs
  EXPECT_TRUE(list[0].contains(".id"));
  auto id = list[0][".id"].get<std::string>();
  EXPECT_EQ(
    call_json("GET", "/rest/ip/address/" + id + "?.proplist=address").size(),
    1u);
  auto printed = call_json("POST", "/rest/ip/address/print",
                           R"({".proplist":"address,interface"})");
  EXPECT_EQ(printed[0].size(), 2u);
  EXPECT_EQ(
    call_json("POST", "/rest/ip/address/print", R"({"count-only":""})")["ret"],
    std::to_string(list.size()));
}

TEST_F(verbs, query_words_have_stack_semantics) {
  auto q = [&](const std::string& words) {
    return call_json("POST", "/rest/interface/print",
                     R"({".proplist":["name","type"],".query":)" + words + "}");
  };
  auto ethers = q(R"(["type=ether"])");
  auto bridges = q(R"(["type=bridge"])");
  auto both = q(R"(["type=ether","type=bridge","#|"])");
  EXPECT_EQ(both.size(), ethers.size() + bridges.size());
  auto not_ether = q(R"(["type=ether","#!"])");
  EXPECT_EQ(not_ether.size() + ethers.size(),
            call_json("GET", "/rest/interface").size());
  EXPECT_EQ(q(R"(["type=ether","-type"])").size(), 0u);
  EXPECT_EQ(q(R"(["<mtu=1501",">mtu=1499","type=ether"])").size(),
            ethers.size());
  EXPECT_EQ(q(R"(["type=ether","type=bridge","#&"])").size(), 0u);
}

TEST_F(verbs, absent_package_menus_answer_no_such_directory) {
  fleet_options o = fast_options(2);
  o.overrides[0].board = "hAP ax^2";
  o.overrides[0].version = "7.20.5";
  o.overrides[1].board = "hAP ac^2";
  start(o);
  EXPECT_EQ(parse(call("GET", "/rest/interface/wireless").body)["detail"],
            "no such command or directory (wireless)");
  EXPECT_EQ(parse(call("GET", "/rest/caps-man/remote-cap").body)["detail"],
            "no such command or directory (caps-man)");
  EXPECT_EQ(call("GET", "/rest/interface/wifi/registration-table").status,
            200u);
  http_client legacy{fleet_->port(1)};
  EXPECT_EQ(parse(legacy.get("/rest/interface/wifi").body)["detail"],
            "no such command or directory (wifi)");
  EXPECT_EQ(legacy.get("/rest/interface/wireless/registration-table").status,
            200u);
  EXPECT_EQ(legacy.get("/rest/caps-man/remote-cap").status, 200u);
}

TEST_F(verbs, every_seed_spec_path_answers) {
  for (auto* path : {"/rest/system/resource",
                     "/rest/system/identity",
                     "/rest/system/package",
                     "/rest/system/clock",
                     "/rest/system/health",
                     "/rest/system/ntp/client",
                     "/rest/interface",
                     "/rest/interface/ethernet",
                     "/rest/interface/bridge",
                     "/rest/interface/bridge/port",
                     "/rest/interface/bridge/vlan",
                     "/rest/interface/vlan",
                     "/rest/ip/address",
                     "/rest/ip/arp",
                     "/rest/ip/route",
                     "/rest/ip/dns",
                     "/rest/ip/dns/cache",
                     "/rest/ip/dhcp-server",
                     "/rest/ip/dhcp-server/lease",
                     "/rest/ip/dhcp-server/network",
                     "/rest/ip/pool",
                     "/rest/ip/firewall/filter",
                     "/rest/ip/firewall/nat",
                     "/rest/ip/firewall/address-list",
                     "/rest/log",
                     "/rest/system/logging",
                     "/rest/system/scheduler",
                     "/rest/ip/service",
                     "/rest/user",
                     "/rest/file"}) {
    auto r = call("GET", path);
    EXPECT_EQ(r.status, 200u) << path << " " << r.body;
  }
  EXPECT_EQ(call("POST", "/rest/ip/dns/cache/flush", "{}").body, "[]");
  EXPECT_EQ(call_json("GET", "/rest/ip/dns/cache"), json::array());
  for (auto& u : call_json("GET", "/rest/user"))
    EXPECT_FALSE(u.contains("password"));
}

TEST_F(verbs, connected_routes_follow_addresses) {
  auto id =
    call_json("PUT", "/rest/ip/address",
              R"({"address":"172.31.5.1/24","interface":"ether2"})")[".id"]
      .get<std::string>();
  auto routes = call_json("GET", "/rest/ip/route?dst-address=172.31.5.0/24");
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0]["connect"], "true");
  EXPECT_EQ(routes[0][".id"].get<std::string>().substr(0, 5), "*2018");
  call("DELETE", "/rest/ip/address/" + id);
  EXPECT_EQ(call_json("GET", "/rest/ip/route?dst-address=172.31.5.0/24"),
            json::array());
}

TEST_F(verbs, changes_are_logged) {
  call("POST", "/rest/system/identity/set", R"({"name":"logged"})");
  auto log = call_json("GET", "/rest/log");
  bool login = false, change = false;
  for (auto& e : log) {
    login |= e["message"].get<std::string>().find(
               "logged in from 127.0.0.1 via rest-api")
             != std::string::npos;
    change |= e["message"].get<std::string>().find(
                "system identity changed by rest-api:admin@127.0.0.1")
              != std::string::npos;
  }
  EXPECT_TRUE(login);
  EXPECT_TRUE(change);
}

TEST_F(verbs, readonly_user_cannot_write) {
  client_->set_credentials("readonly", "routeros-sim");
  EXPECT_EQ(call("GET", "/rest/system/identity").status, 200u);
  auto r = call("POST", "/rest/system/identity/set", R"({"name":"x"})");
  EXPECT_EQ(r.status, 500u);
  EXPECT_EQ(parse(r.body)["detail"], "not enough permissions (9)");
}

} // namespace
} // namespace rmcp::sim::test
