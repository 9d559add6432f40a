// Wireless plans against the RouterOS simulator, on legacy wireless
// (hAP ac^2) and wifi (hAP ax^2) routers: SSIDs are created, modified and
// removed and radios retuned (read back from the routers), a failed gate
// restores the previous interfaces (a removed one is re-created), bad
// arguments are refused naming the argument, and no key of a security
// profile or an inline passphrase ever leaves the service.

#include <gtest/gtest.h>

#include <mutex>

#include "protocol/log.hpp"
#include "tests/support/plan_harness.hpp"

namespace rmcp {

namespace {

class wireless_plan_test : public test::plan_harness {
protected:
  /// `n` routers of `board` allowing wireless writes.
  void start_boards(size_t n, const std::string& board) {
    for (size_t i = 0; i < n; ++i)
      sim_overrides[i].board = board;
    start_pro(n, &device_flags::allow_wireless_writes);
  }

  /// Router `i`'s interface `name` of `menu` (null when absent).
  json iface(size_t i, const std::string& menu, const std::string& name) {
    for (auto& r : router_get(i, menu))
      if (r.value("name", "") == name)
        return r;
    return nullptr;
  }

  std::string plan_id(const std::string& tool, json args) {
    return plan(tool, std::move(args)).value("plan_id", "");
  }

  void heal(size_t i) {
    sim_fleet->router(i).update_faults(
      [](sim::fault_config& f) { f.high_cpu = false; });
  }

  static constexpr const char* wl = "/interface/wireless";
  static constexpr const char* wf = "/interface/wifi";
};

} // namespace

TEST_F(wireless_plan_test, legacy_ssid_is_created_modified_and_removed) {
  start_boards(3, "hAP ac^2");
  // wlan1 is the 2.4 GHz radio, wlan2 the 5 GHz one.
  ASSERT_EQ(iface(0, wl, "wlan2").value("band", ""), "5ghz-a/n/ac");
  auto out =
    plan("plan_create_wireless_ssid",
         {{"device_ids", ids(0, 3)}, {"ssid", "guest"}, {"band", "5ghz-ac"}});
  EXPECT_EQ(out.value("risk", ""), "medium");
  EXPECT_EQ(out.value("kind", ""), "wireless_create");
  EXPECT_EQ(out.value("apply_tool", ""), "apply_wireless_plan");
  // The "default" profile has no key: allowed, with a warning.
  EXPECT_NE(out["warnings"].dump().find("will be open"), std::string::npos)
    << out.dump();
  EXPECT_EQ(out["preview"][0]["current"].value("driver", ""), "wireless");
  auto report =
    approve_and_apply("apply_wireless_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 3; ++i) {
    auto r = iface(i, wl, "wlan-guest");
    ASSERT_FALSE(r.is_null()) << i;
    EXPECT_EQ(r.value("master-interface", ""), "wlan2");
    EXPECT_EQ(r.value("ssid", ""), "guest");
    EXPECT_EQ(r.value("mode", ""), "ap-bridge");
    EXPECT_EQ(r.value("security-profile", ""), "default");
  }
  // The same plan again has nothing to do.
  out =
    plan("plan_create_wireless_ssid",
         {{"device_ids", ids(0, 1)}, {"ssid", "guest"}, {"band", "5ghz-ac"}});
  EXPECT_FALSE(out["preview"][0].value("changes", true)) << out.dump();

  out = plan("plan_modify_wireless_ssid", {{"device_ids", ids(0, 3)},
                                           {"ssid_id", "wlan-guest"},
                                           {"ssid", "guest-5"},
                                           {"security_profile", "office"}});
  EXPECT_EQ(out.value("risk", ""), "high");
  EXPECT_EQ(out["warnings"].dump().find("will be open"), std::string::npos);
  report = approve_and_apply("apply_wireless_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 3; ++i) {
    auto r = iface(i, wl, "wlan-guest");
    EXPECT_EQ(r.value("ssid", ""), "guest-5");
    EXPECT_EQ(r.value("security-profile", ""), "office");
  }
  // Band and channel belong to the radio, not to a virtual AP.
  auto text = error_text(
    "plan_modify_wireless_ssid",
    {{"device_ids", ids(0, 1)}, {"ssid_id", "wlan-guest"}, {"channel", 36}});
  EXPECT_NE(text.find("plan_wireless_rf_settings on wlan2"), std::string::npos)
    << text;
  // A radio cannot be removed; the virtual AP can.
  text = error_text("plan_remove_wireless_ssid",
                    {{"device_ids", ids(0, 1)}, {"ssid_id", "wlan1"}});
  EXPECT_NE(text.find("is a radio"), std::string::npos) << text;
  out = plan("plan_remove_wireless_ssid",
             {{"device_ids", ids(0, 3)}, {"ssid_id", "wlan-guest"}});
  EXPECT_EQ(out.value("risk", ""), "high");
  report = approve_and_apply("apply_wireless_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(iface(i, wl, "wlan-guest").is_null()) << i;
    EXPECT_FALSE(iface(i, wl, "wlan1").is_null()) << i;
  }
}

TEST_F(wireless_plan_test, new_ssids_are_enabled_where_routeros_adds_them_off) {
  // RouterOS creates a virtual AP disabled unless the add says otherwise
  // (the simulator too): the plan writes disabled=no, and the gate, which
  // compares `disabled`, passes on what the routers read back.
  sim_overrides[0].board = "hAP ac^2";
  sim_overrides[1].board = "hAP ac^2";
  sim_overrides[2].board = "hAP ax^2";
  start_pro(3, &device_flags::allow_wireless_writes);
  auto out = plan("plan_create_wireless_ssid",
                  {{"device_ids", ids(0, 3)}, {"ssid", "lobby"}});
  auto report =
    approve_and_apply("apply_wireless_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 3; ++i) {
    auto r = i < 2 ? iface(i, wl, "wlan-lobby") : iface(i, wf, "wifi-lobby");
    ASSERT_FALSE(r.is_null()) << i;
    EXPECT_EQ(r.value("disabled", ""), "false") << i;
    EXPECT_EQ(r.value("running", ""), "true") << i;
  }
}

TEST_F(wireless_plan_test, legacy_radio_settings_apply_and_roll_back) {
  start_boards(2, "hAP ac^2");
  auto before = iface(1, wl, "wlan1");
  auto id = plan_id("plan_wireless_rf_settings", {{"device_ids", ids(0, 2)},
                                                  {"interface", "wlan1"},
                                                  {"channel", 6},
                                                  {"tx_power", 17},
                                                  {"batch_size", 1}});
  fail_gate(1);
  auto report = approve_and_apply("apply_wireless_plan", id);
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  for (size_t i = 0; i < 2; ++i) {
    auto r = iface(i, wl, "wlan1");
    EXPECT_EQ(r.value("frequency", ""), before.value("frequency", "")) << i;
    EXPECT_EQ(r.value("tx-power-mode", ""), "default") << i;
  }
  heal(1);
  id = plan_id("plan_wireless_rf_settings", {{"device_ids", ids(0, 2)},
                                             {"interface", "wlan1"},
                                             {"channel", 6},
                                             {"tx_power", 17},
                                             {"band", "2ghz-n"}});
  report = approve_and_apply("apply_wireless_plan", id);
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 2; ++i) {
    auto r = iface(i, wl, "wlan1");
    EXPECT_EQ(r.value("frequency", ""), "2437"); // MHz, not the channel
    EXPECT_EQ(r.value("tx-power", ""), "17");
    EXPECT_EQ(r.value("tx-power-mode", ""), "all-rates-fixed");
    EXPECT_EQ(r.value("band", ""), "2ghz-b/g/n");
  }
}

TEST_F(wireless_plan_test, wifi_ssid_lifecycle_and_removal_rolled_back) {
  start_boards(2, "hAP ax^2");
  // wifi1 is the 5 GHz radio, wifi2 the 2.4 GHz one.
  auto out =
    plan("plan_create_wireless_ssid", {{"device_ids", ids(0, 2)},
                                       {"ssid", "iot"},
                                       {"band", "2ghz-ax"},
                                       {"security_profile", "office"}});
  EXPECT_EQ(out["preview"][0]["current"].value("driver", ""), "wifi");
  EXPECT_TRUE(out["warnings"].empty()) << out.dump();
  auto report =
    approve_and_apply("apply_wireless_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  std::vector<json> created;
  for (size_t i = 0; i < 2; ++i) {
    auto r = iface(i, wf, "wifi-iot");
    ASSERT_FALSE(r.is_null()) << i;
    EXPECT_EQ(r.value("master-interface", ""), "wifi2");
    EXPECT_EQ(r.value("configuration.ssid", ""), "iot");
    EXPECT_EQ(r.value("configuration.mode", ""), "ap");
    EXPECT_EQ(r.value("security", ""), "office");
    created.push_back(r);
  }
  // Radio settings on wifi1: channel 36 is 5180 MHz; the SSID of a radio
  // changes without touching its inline key.
  auto key = iface(0, wf, "wifi1").value("security.passphrase", "");
  ASSERT_FALSE(key.empty());
  report = approve_and_apply(
    "apply_wireless_plan",
    plan_id("plan_wireless_rf_settings", {{"device_ids", ids(0, 2)},
                                          {"interface", "wifi1"},
                                          {"channel", 36},
                                          {"tx_power", 20}}));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  report = approve_and_apply(
    "apply_wireless_plan",
    plan_id(
      "plan_modify_wireless_ssid",
      {{"device_ids", ids(0, 2)}, {"ssid_id", "wifi1"}, {"ssid", "corp"}}));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  auto radio = iface(0, wf, "wifi1");
  EXPECT_EQ(radio.value("channel.frequency", ""), "5180");
  EXPECT_EQ(radio.value("configuration.tx-power", ""), "20");
  EXPECT_EQ(radio.value("configuration.ssid", ""), "corp");
  EXPECT_EQ(radio.value("security.passphrase", ""), key);
  // A removal whose gate fails: the removed interface is re-created with
  // the same settings (a new id).
  out = plan(
    "plan_remove_wireless_ssid",
    {{"device_ids", ids(0, 2)}, {"ssid_id", "wifi-iot"}, {"batch_size", 1}});
  fail_gate(1);
  report = approve_and_apply("apply_wireless_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  for (size_t i = 0; i < 2; ++i) {
    auto r = iface(i, wf, "wifi-iot");
    ASSERT_FALSE(r.is_null()) << i;
    for (auto* f : {"master-interface", "configuration.ssid",
                    "configuration.mode", "security"})
      EXPECT_EQ(r.value(f, ""), created[i].value(f, "")) << i << " " << f;
  }
  EXPECT_NE(iface(0, wf, "wifi-iot").value(".id", ""),
            created[0].value(".id", ""));
  // A radio rolled back: the frequency it did not have is unset again.
  heal(1);
  out = plan("plan_wireless_rf_settings", {{"device_ids", ids(0, 2)},
                                           {"interface", "wifi2"},
                                           {"channel", 11},
                                           {"batch_size", 1}});
  fail_gate(1);
  report = approve_and_apply("apply_wireless_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  EXPECT_FALSE(iface(0, wf, "wifi2").contains("channel.frequency"));
  // Interfaces with an inline key are not removed (no rollback possible
  // without storing the key); radios not at all.
  auto text = error_text("plan_remove_wireless_ssid",
                         {{"device_ids", ids(0, 1)}, {"ssid_id", "wifi1"}});
  EXPECT_NE(text.find("is a radio"), std::string::npos) << text;
}

TEST_F(wireless_plan_test, bad_arguments_are_refused_naming_them) {
  start_boards(1, "hAP ac^2");
  auto create = [&](json more) {
    json args{{"device_ids", ids(0, 1)}, {"ssid", "x"}};
    args.update(more);
    return error_text("plan_create_wireless_ssid", args);
  };
  auto text = create({{"channel", 100}});
  EXPECT_NE(text.find("channel: 100 is a DFS channel"), std::string::npos)
    << text;
  EXPECT_NE(text.find("radar"), std::string::npos) << text;
  text = create({{"channel", 36}, {"band", "2ghz-n"}});
  EXPECT_NE(text.find("channel: 36 is a 5 GHz channel, but band is 2ghz-n"),
            std::string::npos)
    << text;
  text = create({{"channel", 20}});
  EXPECT_NE(text.find("channel: 20 is not a Wi-Fi channel"), std::string::npos)
    << text;
  text = create({{"band", "6ghz"}});
  EXPECT_NE(text.find("band"), std::string::npos) << text;
  // 17 two-byte characters: within 32 characters, but 34 bytes.
  std::string long_ssid;
  for (int i = 0; i < 17; ++i)
    long_ssid += "\xc3\xa9";
  text = create({{"ssid", long_ssid}});
  EXPECT_NE(text.find("ssid: an SSID has 1 to 32 bytes, got 34"),
            std::string::npos)
    << text;
  text = create({{"ssid", std::string(33, 'a')}});
  EXPECT_NE(text.find("ssid"), std::string::npos) << text;
  // Per router: the legacy driver has no 802.11ax; unknown profiles.
  text = create({{"band", "5ghz-ax"}});
  EXPECT_NE(text.find("band: 5ghz-ax is not supported by the wireless driver"),
            std::string::npos)
    << text;
  text = create({{"security_profile", "nope"}});
  EXPECT_NE(text.find("security_profile: no security profile 'nope'"),
            std::string::npos)
    << text;
  text = create({{"master_interface", "wlan9"}});
  EXPECT_NE(text.find("master_interface: no radio wlan9"), std::string::npos)
    << text;
  // Changes are required; tx_power is 0-30 dBm.
  text = error_text("plan_modify_wireless_ssid",
                    {{"device_ids", ids(0, 1)}, {"ssid_id", "wlan1"}});
  EXPECT_NE(text.find("at least one change"), std::string::npos) << text;
  text = error_text("plan_wireless_rf_settings",
                    {{"device_ids", ids(0, 1)}, {"interface", "wlan1"}});
  EXPECT_NE(text.find("at least one change"), std::string::npos) << text;
  text = error_text(
    "plan_wireless_rf_settings",
    {{"device_ids", ids(0, 1)}, {"interface", "wlan1"}, {"tx_power", 31}});
  EXPECT_NE(text.find("tx_power"), std::string::npos) << text;
  text = error_text(
    "plan_wireless_rf_settings",
    {{"device_ids", ids(0, 1)}, {"interface", "wlan1"}, {"channel", 36}});
  EXPECT_NE(text.find("wlan1 is a 2.4 GHz radio"), std::string::npos) << text;
  text = error_text(
    "plan_modify_wireless_ssid",
    {{"device_ids", ids(0, 1)}, {"ssid_id", "wlan7"}, {"ssid", "y"}});
  EXPECT_NE(text.find("ssid_id: no wireless interface wlan7"),
            std::string::npos)
    << text;
  // Nothing was planned or written.
  EXPECT_TRUE(iface(0, wl, "wlan-x").is_null());
}

TEST_F(wireless_plan_test, routers_without_wireless_are_refused) {
  sim_overrides[0].board = "RB5009UG+S+";
  start_pro(1, &device_flags::allow_wireless_writes);
  auto text = error_text("plan_create_wireless_ssid",
                         {{"device_ids", ids(0, 1)}, {"ssid", "x"}});
  EXPECT_NE(text.find("no wireless package"), std::string::npos) << text;
}

TEST_F(wireless_plan_test, keys_and_passphrases_are_never_echoed) {
  std::mutex mtx;
  std::string logged;
  log::init({spdlog::level::debug, log::format::text});
  log::set_forwarder([&](spdlog::level::level_enum, const std::string& who,
                         const std::string& text) {
    std::lock_guard<std::mutex> guard{mtx};
    logged += who + " " + text + "\n";
  });
  sim_overrides[0].board = "hAP ac^2";
  sim_overrides[1].board = "hAP ax^2";
  start_pro(2, &device_flags::allow_wireless_writes);
  log::set_forward_level(spdlog::level::trace);
  // The keys on the routers: a legacy security profile, a wifi security
  // profile and wifi1's inline passphrase.
  std::vector<std::string> secrets;
  for (auto& p : router_get(0, "/interface/wireless/security-profiles"))
    if (p.value("name", "") == "office")
      secrets.push_back(p.value("wpa2-pre-shared-key", ""));
  for (auto& p : router_get(1, "/interface/wifi/security"))
    secrets.push_back(p.value("passphrase", ""));
  secrets.push_back(iface(1, wf, "wifi1").value("security.passphrase", ""));
  ASSERT_EQ(secrets.size(), 3u);
  for (auto& s : secrets)
    ASSERT_GE(s.size(), 8u);
  // A passphrase argument is refused (keys live in security profiles).
  const std::string psk = "Sup3r-Secret-PSK";
  auto refused =
    call("plan_create_wireless_ssid",
         {{"device_ids", ids(0, 2)}, {"ssid", "corp"}, {"passphrase", psk}});
  EXPECT_TRUE(refused.value("isError", false));
  secrets.push_back(psk);
  // Plans over both drivers that read every profile and radio.
  std::string seen = refused.dump();
  auto out =
    plan("plan_create_wireless_ssid", {{"device_ids", ids(0, 2)},
                                       {"ssid", "corp"},
                                       {"security_profile", "office"}});
  auto id = out.value("plan_id", "");
  auto report = approve_and_apply("apply_wireless_plan", id);
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  auto mod =
    plan("plan_modify_wireless_ssid",
         {{"device_ids", ids(1, 2)}, {"ssid_id", "wifi1"}, {"ssid", "corp-5"}});
  fail_gate(1);
  auto rolled =
    approve_and_apply("apply_wireless_plan", mod.value("plan_id", ""));
  EXPECT_EQ(rolled.value("state", ""), "rolled_back") << rolled.dump();
  EXPECT_EQ(iface(1, wf, "wifi1").value("security.passphrase", ""), secrets[2]);
  seen += out.dump() + report.dump() + mod.dump() + rolled.dump();
  for (auto& pid : {id, mod.value("plan_id", "")}) {
    seen += ok("get_plan_status", {{"plan_id", pid}}).dump();
    for (auto* part : {"summary", "details", "execution-log"})
      seen += read("plan://" + pid + "/" + part).dump();
    auto rec = plan_db->get(pid);
    ASSERT_TRUE(rec);
    seen += to_json(*rec).dump();
    auto journal = plan_db->journal(pid);
    ASSERT_TRUE(journal);
    for (auto& st : *journal)
      seen += st.event + " " + st.detail.dump();
  }
  for (auto& a : data->audit)
    seen += a.arguments.dump() + a.before.dump() + a.after.dump() + a.error;
  log::set_forwarder({});
  log::init({});
  {
    std::lock_guard<std::mutex> guard{mtx};
    seen += logged;
    EXPECT_NE(logged.find("rollout-step"), std::string::npos);
  }
  // What was searched holds the plans' content...
  EXPECT_NE(seen.find("corp-5"), std::string::npos);
  EXPECT_NE(seen.find("device-snapshot"), std::string::npos);
  EXPECT_FALSE(data->audit.empty());
  // ...and none of the keys.
  for (auto& s : secrets)
    EXPECT_EQ(seen.find(s), std::string::npos) << s;
}

} // namespace rmcp
