// `routeros-mcp doctor` through the built binary against simulated routers
// over TLS: it passes on a working setup and fails, with a specific line
// and fix, on each broken one (key mode, equal keys, unreachable device,
// wrong pin, a router's skewed clock, an open listener without
// authentication, a bad configuration value).

#include <sys/stat.h>

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "sim/fleet.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/support/etcd_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp {

namespace {

using namespace test;

/// 64 hex characters.
const std::string key_a(64, 'a');
const std::string key_b(64, 'b');

class doctor_e2e : public ::testing::Test {
protected:
  doctor_e2e() {
    sim::fleet_options o;
    o.routers = 2;
    o.tls = true;
    routers = std::make_unique<sim::fleet>(o);
  }

  void add(const std::string& id, uint16_t port,
           const std::string& fingerprint) {
    auto o = run_cli(data.path(),
                     {"device", "add", id, "--host", "127.0.0.1", "--port",
                      std::to_string(port), "--username", "admin",
                      "--fingerprint", fingerprint},
                     {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
    ASSERT_EQ(o.code, 0) << o.err;
  }

  /// The demo setup: every simulated router registered with its pin.
  void add_all() {
    add("r0", routers->port(0), routers->fingerprint_sha256());
    add("r1", routers->port(1), routers->fingerprint_sha256());
  }

  outcome doctor(std::vector<std::string> extra = {},
                 std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args = extra;
    args.push_back("doctor");
    return run_cli(data.path(), args, std::move(env));
  }

  /// The output line of a check about `subject`.
  static std::string line_of(const std::string& out, const std::string& check,
                             const std::string& subject) {
    size_t pos = 0;
    while (pos < out.size()) {
      auto end = out.find('\n', pos);
      auto line = out.substr(pos, end == std::string::npos ? end : end - pos);
      if (line.find(" " + check + " ") != std::string::npos
          && line.find(subject + ":") != std::string::npos)
        return line;
      if (end == std::string::npos)
        break;
      pos = end + 1;
    }
    return {};
  }

  std::unique_ptr<sim::fleet> routers;
  temp_dir data;
};

} // namespace

TEST_F(doctor_e2e, passes_on_the_demo_setup) {
  add_all();
  // The daemon's first start generates the lab approval key; the demo has
  // run it.
  {
    std::ofstream key{data / "approval.key"};
    key << key_b << "\n";
  }
  ASSERT_EQ(::chmod((data / "approval.key").c_str(), 0600), 0);
  auto o = doctor();
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  for (auto* id : {"r0", "r1"}) {
    EXPECT_EQ(line_of(o.out, "device", id).rfind("PASS", 0), 0u) << o.out;
    EXPECT_EQ(line_of(o.out, "clock", id).rfind("PASS", 0), 0u) << o.out;
  }
  EXPECT_EQ(line_of(o.out, "keys", "distinct").rfind("PASS", 0), 0u) << o.out;
  EXPECT_NE(o.out.find("checks passed"), std::string::npos) << o.out;
  auto js = run_cli(data.path(), {"doctor", "--json"});
  EXPECT_EQ(js.code, 0) << js.out;
  auto parsed = parse_json(js.out);
  ASSERT_TRUE(parsed) << js.out;
  EXPECT_EQ((*parsed)["ok"], true);
  std::set<std::string> checks;
  for (auto& c : (*parsed)["checks"]) {
    checks.insert(c["check"].get<std::string>());
    EXPECT_EQ(c["ok"], true) << c.dump();
  }
  EXPECT_EQ(checks, (std::set<std::string>{"config", "keys", "store", "http",
                                           "device", "clock"}));
}

TEST_F(doctor_e2e, a_key_file_others_can_read_fails_with_chmod) {
  add_all();
  auto path = data / "credential.key";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto o = doctor();
  EXPECT_EQ(o.code, 1) << o.out;
  auto line = line_of(o.out, "keys", "credential key");
  EXPECT_EQ(line.rfind("FAIL", 0), 0u) << o.out;
  EXPECT_NE(line.find("has mode 0644"), std::string::npos) << line;
  EXPECT_NE(line.find("fix: chmod 600 " + path), std::string::npos) << line;
}

TEST_F(doctor_e2e, equal_credential_and_approval_keys_fail) {
  auto o = doctor({}, {{"ROUTEROS_MCP_ENCRYPTION_KEY", key_a},
                       {"ROUTEROS_MCP_APPROVAL_KEY", key_a}});
  EXPECT_EQ(o.code, 1) << o.out;
  auto line = line_of(o.out, "keys", "distinct");
  EXPECT_EQ(line.rfind("FAIL", 0), 0u) << o.out;
  EXPECT_NE(line.find("are the same key"), std::string::npos) << line;
  auto distinct = doctor({}, {{"ROUTEROS_MCP_ENCRYPTION_KEY", key_a},
                              {"ROUTEROS_MCP_APPROVAL_KEY", key_b}});
  EXPECT_EQ(distinct.code, 0) << distinct.out;
}

TEST_F(doctor_e2e, an_unreachable_device_fails_with_a_fix) {
  add_all();
  auto closed = free_loopback_port();
  ASSERT_NE(closed, 0);
  add("gone", closed, routers->fingerprint_sha256());
  auto o = doctor();
  EXPECT_EQ(o.code, 1) << o.out;
  auto line = line_of(o.out, "device", "gone");
  EXPECT_EQ(line.rfind("FAIL", 0), 0u) << o.out;
  EXPECT_NE(
    line.find("NOT reachable at https://127.0.0.1:" + std::to_string(closed)),
    std::string::npos)
    << line;
  EXPECT_NE(line.find("fix: "), std::string::npos) << line;
  // The others still pass: one bad router does not hide the rest.
  EXPECT_EQ(line_of(o.out, "device", "r0").rfind("PASS", 0), 0u) << o.out;
}

TEST_F(doctor_e2e, a_wrong_pin_fails_naming_the_presented_certificate) {
  std::string wrong;
  for (int i = 0; i < 32; ++i)
    wrong += i == 0 ? "00" : ":00";
  add("pinned", routers->port(0), wrong);
  auto o = doctor();
  EXPECT_EQ(o.code, 1) << o.out;
  auto line = line_of(o.out, "device", "pinned");
  EXPECT_EQ(line.rfind("FAIL", 0), 0u) << o.out;
  EXPECT_NE(line.find("fingerprint mismatch"), std::string::npos) << line;
  EXPECT_NE(line.find(routers->fingerprint_sha256()), std::string::npos)
    << line;
  EXPECT_NE(line.find("fix: "), std::string::npos) << line;
}

TEST_F(doctor_e2e, a_skewed_router_clock_fails) {
  add_all();
  routers->advance_clock(std::chrono::hours{1});
  auto o = doctor();
  EXPECT_EQ(o.code, 1) << o.out;
  auto line = line_of(o.out, "clock", "r0");
  EXPECT_EQ(line.rfind("FAIL", 0), 0u) << o.out;
  EXPECT_NE(line.find("ahead of this host's"), std::string::npos) << line;
  EXPECT_NE(line.find("fix: enable NTP"), std::string::npos) << line;
  // Within --max-skew it passes.
  auto tolerant = run_cli(data.path(), {"doctor", "--max-skew", "7200"});
  EXPECT_EQ(tolerant.code, 0) << tolerant.out;
}

TEST_F(doctor_e2e, a_non_loopback_listener_without_auth_fails) {
  auto o = doctor({"--set", "http.listen=0.0.0.0:8080"});
  EXPECT_EQ(o.code, 1) << o.out;
  auto line = line_of(o.out, "http", "http.listen");
  EXPECT_EQ(line.rfind("FAIL", 0), 0u) << o.out;
  EXPECT_NE(line.find("no authentication is configured"), std::string::npos)
    << line;
  EXPECT_NE(line.find("auth.api_tokens=true"), std::string::npos) << line;
  auto with_auth = doctor(
    {"--set", "http.listen=0.0.0.0:8080", "--set", "auth.api_tokens=true"});
  EXPECT_EQ(with_auth.code, 0) << with_auth.out;
}

TEST_F(doctor_e2e, a_configuration_that_does_not_load_is_a_failed_check) {
  auto o = doctor({"--set", "device.request_timeout=never"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  auto line = line_of(o.out, "config", "(no file)");
  EXPECT_EQ(line.rfind("FAIL", 0), 0u) << o.out;
  EXPECT_NE(line.find("device.request_timeout"), std::string::npos) << line;
}

} // namespace rmcp
