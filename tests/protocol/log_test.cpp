// Structured log events: JSON lines with every field at the top level,
// `key=value` text, journald entries, redaction of secrets.

#include "protocol/log.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/json.hpp"

namespace rmcp {

namespace {

/// Runs `fn` with stderr redirected to a temporary file; its text.
template <class F>
std::string capture_stderr(F fn) {
  std::fflush(stderr);
  auto* tmp = std::tmpfile();
  int saved = dup(2);
  dup2(fileno(tmp), 2);
  fn();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string out;
  std::rewind(tmp);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), tmp)) > 0)
    out.append(buf, n);
  std::fclose(tmp);
  return out;
}

class log_test : public ::testing::Test {
protected:
  void TearDown() override {
    log::set_forwarder({});
    log::set_forward_level(spdlog::level::off);
    log::init({});
  }
};

} // namespace

TEST_F(log_test, json_lines_carry_every_field_as_a_typed_member) {
  log::init({spdlog::level::info, log::format::json, false});
  auto text = capture_stderr([] {
    log::info(log::rollout(), "rollout-step",
              {{"plan_id", "plan-1"},
               {"batch", 2},
               {"seq", uint64_t{7}},
               {"latency_ms", 1.5},
               {"ok", true},
               {"device_id", ""},
               {"error", "a \"quoted\"\nline"}});
    log::debug(log::rollout(), "not-written", {{"plan_id", "plan-1"}});
  });
  auto line = text.substr(0, text.find('\n'));
  auto j = parse_json(line);
  ASSERT_TRUE(j) << text;
  EXPECT_EQ(j->value("msg", ""), "rollout-step");
  EXPECT_EQ(j->value("component", ""), "rollout");
  EXPECT_EQ(j->value("level", ""), "info");
  EXPECT_EQ(j->value("plan_id", ""), "plan-1");
  EXPECT_TRUE((*j)["batch"].is_number_integer());
  EXPECT_EQ((*j)["batch"], 2);
  EXPECT_EQ((*j)["seq"], 7);
  EXPECT_EQ((*j)["latency_ms"], 1.5);
  EXPECT_EQ((*j)["ok"], true);
  EXPECT_EQ((*j)["error"], "a \"quoted\"\nline");
  // Empty strings are left out; events below the level are not written.
  EXPECT_FALSE(j->contains("device_id"));
  EXPECT_EQ(text.find("not-written"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

TEST_F(log_test, text_lines_and_forwarded_records_are_key_value) {
  log::init({spdlog::level::debug, log::format::text, false});
  std::vector<std::string> forwarded;
  log::set_forwarder(
    [&](spdlog::level::level_enum, const std::string& who,
        const std::string& text) { forwarded.push_back(who + " " + text); });
  log::set_forward_level(spdlog::level::trace);
  auto text = capture_stderr([] {
    log::warn(log::fleet(), "breaker-open",
              {{"device_id", "r1"},
               {"failures", 3},
               {"reason", "two words"},
               {"path", "/ip/dns?x=1"}});
  });
  const std::string want = "breaker-open device_id=r1 failures=3 "
                           "reason=\"two words\" path=\"/ip/dns?x=1\"";
  EXPECT_NE(text.find(" warning fleet   " + want), std::string::npos) << text;
  ASSERT_EQ(forwarded.size(), 1u);
  EXPECT_EQ(forwarded[0], "fleet " + want);
}

TEST_F(log_test, secrets_never_reach_a_line) {
  log::init({spdlog::level::info, log::format::json, false});
  auto text = capture_stderr([] {
    log::info(log::core(), "secret-test",
              {{"password", "hunter2hunter2"},
               {"error", "header Authorization: Bearer abc.def.ghi"},
               {"detail", "set wpa2-pre-shared-key=TopSecret99 ssid=x"}});
  });
  EXPECT_EQ(text.find("hunter2hunter2"), std::string::npos) << text;
  EXPECT_EQ(text.find("abc.def.ghi"), std::string::npos) << text;
  EXPECT_EQ(text.find("TopSecret99"), std::string::npos) << text;
  auto j = parse_json(text.substr(0, text.find('\n')));
  ASSERT_TRUE(j) << text;
  EXPECT_EQ(j->value("password", ""), "*****");
}

TEST_F(log_test, journal_entries_name_each_field_in_upper_case) {
  auto e = log::journal_record(spdlog::level::warn, "rollout", "gate-failed",
                               {{"plan_id", "plan-1"},
                                {"batch", 1},
                                {"device_id", ""},
                                {"9lives", "x"},
                                {"password", "hunter2hunter2"}});
  std::vector<std::string> want{"MESSAGE=gate-failed plan_id=plan-1 batch=1 "
                                "9lives=x password=*****",
                                "PRIORITY=4",
                                "SYSLOG_IDENTIFIER=routeros-mcp",
                                "RMCP_COMPONENT=rollout",
                                "RMCP_EVENT=gate-failed",
                                "PLAN_ID=plan-1",
                                "BATCH=1",
                                "F9LIVES=x",
                                "PASSWORD=*****"};
  EXPECT_EQ(e, want);
}

} // namespace rmcp
