// The CAPsMAN tools against the three kinds of controller the simulator
// has: the wifi package's CAPsMAN (RouterOS 7.13+, /interface/wifi/capsman),
// legacy CAPsMAN v1 (/caps-man) and none. One typed answer for both, with
// `driver` saying which; a wifi CAPsMAN that is switched off, or a router
// without either package, answers no CAPs; an answer of the wrong shape is
// an error naming the menu, never "0 caps".

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

class capsman_tools_test : public test::sim_harness {
protected:
  /// 0: hAP ac^2, legacy controller; 1: RB5009 (no radio), wifi controller;
  /// 2: hAP ax^2 with the wifi CAPsMAN off; 3: RB5009 without either
  /// package; 4: hAP ax^3, wifi controller.
  void start_controllers() {
    using sim::capsman_kind;
    sim_overrides[0] = {"hAP ac^2", "7.20.5", {}, capsman_kind::legacy};
    sim_overrides[1] = {"RB5009UG+S+", "7.20.5", {}, capsman_kind::wifi};
    sim_overrides[2] = {"hAP ax^2", "7.20.5", {}, capsman_kind::none};
    sim_overrides[3] = {"RB5009UG+S+", "7.20.5", {}, capsman_kind::none};
    sim_overrides[4] = {"hAP ax^3", "7.16.2", {}, capsman_kind::wifi};
    start_with(5);
  }

  /// Router `i` answers the next requests for `path` with `body`.
  void raw_answer(size_t i, const std::string& path, const std::string& body) {
    sim_fleet->router(i).update_faults([&](sim::fault_config& f) {
      f.raw_answer_path = "/rest" + path;
      f.raw_answer_body = body;
      f.raw_answer_count = 50; // more than the device actor's retries
    });
  }

  /// Calls a tool and lets the device actor's retries of a bad answer
  /// (jittered backoff, well under a second) run.
  json call_through_retries(const std::string& tool, json args) {
    auto id = ++last_id;
    call_async(id, tool, std::move(args));
    for (int i = 0; i < 50 && result_of(id).is_null(); ++i)
      advance_time(std::chrono::milliseconds{100});
    return result_of(id);
  }

  /// The error text of a call that must fail; its kind in `kind`.
  std::string error_text(const std::string& tool, json args,
                         std::string& kind) {
    auto res = call_through_retries(tool, std::move(args));
    kind = res.value("_meta", json::object()).value("error_kind", "");
    EXPECT_TRUE(res.value("isError", false)) << tool << ": " << res.dump();
    EXPECT_FALSE(res.contains("structuredContent")) << res.dump();
    std::string out;
    for (auto& c : res.value("content", json::array()))
      out += c.value("text", "");
    return out;
  }
};

} // namespace

TEST_F(capsman_tools_test, each_kind_of_controller_answers_its_remote_caps) {
  start_controllers();
  auto legacy = ok("get_capsman_remote_caps", on(0));
  EXPECT_EQ(legacy["driver"], "capsman");
  EXPECT_EQ(legacy["count"], router_get(0, "/caps-man/remote-cap").size());
  ASSERT_EQ(legacy["count"], 2);
  EXPECT_EQ(legacy["caps"][0]["board"], "cAP ac");
  EXPECT_EQ(legacy["caps"][0]["state"], "Run");
  EXPECT_TRUE(legacy["caps"][0]["uptime_seconds"].is_number());
  for (size_t i : {1u, 4u}) {
    auto wifi = ok("get_capsman_remote_caps", on(i));
    EXPECT_EQ(wifi["driver"], "wifi") << i;
    auto rows = router_get(i, "/interface/wifi/capsman/remote-cap");
    ASSERT_EQ(rows.size(), 3u) << i;
    ASSERT_EQ(wifi["count"], 3) << i;
    for (size_t k = 0; k < 3; ++k) {
      auto& cap = wifi["caps"][k];
      EXPECT_EQ(cap["id"], rows[k][".id"]);
      EXPECT_EQ(cap["identity"], rows[k]["identity"]);
      EXPECT_EQ(cap["address"], rows[k]["address"]);
      EXPECT_EQ(cap["board"], rows[k]["board-name"]);
      EXPECT_EQ(cap["serial"], rows[k]["serial"]);
      EXPECT_EQ(cap["base_mac"], rows[k]["base-mac"]);
      EXPECT_EQ(cap["state"], "Ok");
    }
  }
  // The wifi package without its CAPsMAN on: no CAPs, and it says why.
  auto off = call("get_capsman_remote_caps", on(2));
  EXPECT_FALSE(off.value("isError", false)) << off.dump();
  EXPECT_EQ(off["structuredContent"]["driver"], "wifi");
  EXPECT_EQ(off["structuredContent"]["count"], 0);
  EXPECT_NE(off.dump().find("CAPsMAN is disabled"), std::string::npos)
    << off.dump();
  EXPECT_EQ(router_get(2, "/interface/wifi/capsman").value("enabled", ""),
            "false");
  auto none = ok("get_capsman_remote_caps", on(3));
  EXPECT_EQ(none["driver"], "none");
  EXPECT_EQ(none["count"], 0);
}

TEST_F(capsman_tools_test, registrations_follow_the_same_controller) {
  start_controllers();
  auto legacy = ok("get_capsman_registrations", on(0));
  EXPECT_EQ(legacy["driver"], "capsman");
  EXPECT_EQ(legacy["count"],
            router_get(0, "/caps-man/registration-table").size());
  EXPECT_LT(legacy["clients"][0]["signal_dbm"].get<int>(), 0);
  auto wifi = ok("get_capsman_registrations", on(4));
  EXPECT_EQ(wifi["driver"], "wifi");
  auto table = router_get(4, "/interface/wifi/registration-table");
  ASSERT_GT(table.size(), 0u);
  EXPECT_EQ(wifi["count"], table.size());
  EXPECT_EQ(wifi["clients"][0]["mac_address"], table[0]["mac-address"]);
  EXPECT_TRUE(wifi["clients"][0]["bytes_sent"].is_number_unsigned());
  // A radio-less wifi controller: its (empty) registration table.
  auto bare = ok("get_capsman_registrations", on(1));
  EXPECT_EQ(bare["driver"], "wifi");
  EXPECT_EQ(bare["count"], 0);
  EXPECT_EQ(ok("get_capsman_registrations", on(3))["driver"], "none");
}

TEST_F(capsman_tools_test, wrong_shaped_answers_are_errors_not_zero_caps) {
  start_controllers();
  struct bad_case {
    size_t router;
    const char* tool;
    const char* path;
    const char* body;
  };
  const bad_case cases[] = {
    // An object where the list of CAPs belongs.
    {0, "get_capsman_remote_caps", "/caps-man/remote-cap",
     R"({"identity":"cap-1"})"},
    {1, "get_capsman_remote_caps", "/interface/wifi/capsman/remote-cap",
     R"({".id":"*1","identity":"cap-ax-1"})"},
    // A list where the settings object belongs, on a controller and on a
    // router that has no CAPsMAN at all.
    {4, "get_capsman_remote_caps", "/interface/wifi/capsman", "[]"},
    {3, "get_capsman_remote_caps", "/interface/wifi/capsman",
     R"([{"enabled":"true"}])"},
    // Rows that are not rows.
    {4, "get_capsman_registrations", "/interface/wifi/registration-table",
     R"([1,2,3])"},
    {0, "get_capsman_registrations", "/caps-man/registration-table",
     R"({"interface":"cap1"})"},
  };
  for (auto& c : cases) {
    raw_answer(c.router, c.path, c.body);
    std::string kind;
    auto text = error_text(c.tool, on(c.router), kind);
    EXPECT_NE(text.find(c.path), std::string::npos)
      << c.tool << " on " << c.router << ": " << text;
    EXPECT_EQ(kind, "router_bad_answer") << c.tool << " on " << c.router;
    sim_fleet->router(c.router).update_faults(
      [](sim::fault_config& f) { f.raw_answer_count = 0; });
    // Healed, the same call answers again.
    EXPECT_FALSE(call(c.tool, on(c.router)).value("isError", false))
      << c.tool << " on " << c.router;
  }
}

TEST_F(capsman_tools_test, a_controller_needs_its_package) {
  sim::fleet_options o;
  o.overrides[0] = {"hAP ax^2", "7.20.5", {}, sim::capsman_kind::legacy};
  EXPECT_THROW(sim::fleet{o}, std::invalid_argument);
  o.overrides[0] = {"hAP ac^2", "7.20.5", {}, sim::capsman_kind::wifi};
  EXPECT_THROW(sim::fleet{o}, std::invalid_argument);
  o.overrides[0] = {"RB5009UG+S+", "7.12.1", {}, sim::capsman_kind::wifi};
  EXPECT_THROW(sim::fleet{o}, std::invalid_argument);
}

} // namespace rmcp
