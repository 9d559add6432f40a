// `routeros-mcp device …` against a temporary data dir: the registry round
// trip, exit codes, and passwords that never come from argv or reach output.

#include <fstream>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp {

namespace {

using namespace test;

class device_cli_test : public ::testing::Test {
protected:
  outcome run(std::vector<std::string> args,
              std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), "device");
    return run_cli(data.path(), args, std::move(env));
  }

  json run_json(std::vector<std::string> args) {
    args.push_back("--json");
    auto o = run(std::move(args));
    EXPECT_EQ(o.code, 0) << o.err;
    auto parsed = parse_json(o.out);
    EXPECT_TRUE(parsed) << o.out;
    return parsed ? *parsed : json{};
  }

  outcome add(const std::string& id, std::vector<std::string> extra = {},
              const std::string& password = "pa55-word") {
    std::vector<std::string> args{"add",       id,           "--host",
                                  "127.0.0.1", "--username", "api"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args, {{"ROUTEROS_MCP_DEVICE_PASSWORD", password}});
  }

  temp_dir data;
};

const std::string fingerprint =
  "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:"
  "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89";

} // namespace

TEST_F(device_cli_test, add_list_show_update_remove_round_trip) {
  auto added =
    add("edge-01", {"--port", "8443", "--fingerprint", fingerprint, "--tag",
                    "site=ams", "--allow-advanced-writes", "--critical"});
  ASSERT_EQ(added.code, 0) << added.err;
  EXPECT_NE(added.out.find("added edge-01"), std::string::npos);
  auto shown = run_json({"show", "edge-01"});
  EXPECT_EQ(shown["port"], 8443);
  EXPECT_EQ(shown["environment"], "lab");
  EXPECT_EQ(shown["tls"]["mode"], "pin");
  EXPECT_EQ(shown["tls"]["fingerprint_sha256"],
            "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
            "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
  EXPECT_EQ(shown["tags"]["site"], "ams");
  EXPECT_EQ(shown["flags"]["allow_advanced_writes"], true);
  EXPECT_EQ(shown["flags"]["critical"], true);
  EXPECT_EQ(shown["credential"], "stored (decrypts with the current key)");
  EXPECT_TRUE(shown["last_health"].is_null());

  auto updated = run({"update", "edge-01", "--no-critical", "--untag", "site",
                      "--tag", "role=edge", "--name", "Edge 1"});
  ASSERT_EQ(updated.code, 0) << updated.err;
  shown = run_json({"show", "edge-01"});
  EXPECT_EQ(shown["name"], "Edge 1");
  EXPECT_EQ(shown["flags"]["critical"], false);
  EXPECT_EQ(shown["flags"]["allow_advanced_writes"], true);
  EXPECT_EQ(shown["tags"], (json{{"role", "edge"}}));

  ASSERT_EQ(add("core-01", {"--environment", "staging"}).code, 0);
  auto list = run_json({"list"});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["id"], "core-01");
  EXPECT_EQ(list[1]["id"], "edge-01");
  EXPECT_EQ(run_json({"list", "--environment", "staging"}).size(), 1u);
  auto table = run({"list"});
  EXPECT_NE(table.out.find("ID"), std::string::npos);
  EXPECT_NE(table.out.find("https://127.0.0.1:8443 (tls pin)"),
            std::string::npos);

  auto removed = run({"remove", "core-01", "--yes"});
  ASSERT_EQ(removed.code, 0) << removed.err;
  EXPECT_EQ(run({"show", "core-01"}).code, 3);
  EXPECT_EQ(run_json({"list"}).size(), 1u);
}

TEST_F(device_cli_test, a_new_endpoint_drops_the_stored_password) {
  const std::string stored = "stored (decrypts with the current key)";
  ASSERT_EQ(add("edge-01").code, 0);
  auto same = run_json({"update", "edge-01", "--name", "Edge", "--username",
                        "api2", "--tag", "site=ams", "--critical"});
  EXPECT_EQ(same["credential"], "unchanged");
  EXPECT_EQ(run_json({"show", "edge-01"})["credential"], stored);
  const std::vector<std::vector<std::string>> moves{
    {"--host", "127.0.0.2"},
    {"--port", "8443"},
    {"--tls-mode", "insecure"},
    {"--fingerprint", fingerprint},
    {"--ca-file", "/etc/other.pem"},
    {"--server-name", "r1.example"},
    {"--scheme", "http"}};
  for (auto& move : moves) {
    auto entered = run({"update", "edge-01", "--password-env", "PW"},
                       {{"PW", "pw-" + move[0]}});
    ASSERT_EQ(entered.code, 0) << entered.err;
    ASSERT_EQ(run_json({"show", "edge-01"})["credential"], stored);
    std::vector<std::string> args{"update", "edge-01"};
    args.insert(args.end(), move.begin(), move.end());
    EXPECT_EQ(run_json(args)["credential"], "dropped") << move[0];
    auto shown = run_json({"show", "edge-01"});
    EXPECT_NE(
      shown["credential"].get<std::string>().find("no stored credential"),
      std::string::npos)
      << move[0] << ": " << shown.dump();
  }
  // A password given with the move is kept for the new endpoint.
  auto both =
    run({"update", "edge-01", "--host", "127.0.0.3", "--password-env", "PW"},
        {{"PW", "for-the-new-host"}});
  ASSERT_EQ(both.code, 0) << both.err;
  EXPECT_NE(both.out.find("credential replaced"), std::string::npos)
    << both.out;
  EXPECT_EQ(run_json({"show", "edge-01"})["credential"], stored);
}

TEST_F(device_cli_test, exit_codes_tell_what_went_wrong) {
  ASSERT_EQ(add("edge-01").code, 0);
  EXPECT_EQ(add("edge-01").code, 4);
  EXPECT_EQ(run({"show", "nope"}).code, 3);
  EXPECT_EQ(run({"update", "nope", "--port", "1"}).code, 3);
  EXPECT_EQ(run({"remove", "nope", "--yes"}).code, 3);
  auto bad_id = add("Bad_ID");
  EXPECT_EQ(bad_id.code, 2);
  EXPECT_NE(bad_id.err.find("id:"), std::string::npos) << bad_id.err;
  auto bad_fp = add("r2", {"--fingerprint", "12:34"});
  EXPECT_EQ(bad_fp.code, 2);
  EXPECT_NE(bad_fp.err.find("--fingerprint"), std::string::npos);
  auto prod_http = add("r3", {"--environment", "prod", "--scheme", "http"});
  EXPECT_EQ(prod_http.code, 2);
  EXPECT_NE(prod_http.err.find("plain HTTP"), std::string::npos);
  auto unconfirmed = run({"remove", "edge-01"});
  EXPECT_EQ(unconfirmed.code, 2);
  EXPECT_NE(unconfirmed.err.find("--yes"), std::string::npos);
  EXPECT_EQ(run({"frobnicate"}).code, 2);
}

TEST_F(device_cli_test, passwords_never_come_from_argv_or_reach_output) {
  auto on_argv = run({"add", "r1", "--host", "127.0.0.1", "--username", "api",
                      "--password", "hunter2"});
  EXPECT_EQ(on_argv.code, 2);
  auto none = run({"add", "r1", "--host", "127.0.0.1", "--username", "api"});
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("no password"), std::string::npos) << none.err;

  std::string file = data / "pw.txt";
  std::ofstream{file} << "from-a-file\n";
  auto from_file = run({"add", "r1", "--host", "127.0.0.1", "--username", "api",
                        "--password-file", file});
  ASSERT_EQ(from_file.code, 0) << from_file.err;
  auto from_env = run({"add", "r2", "--host", "127.0.0.1", "--username", "api",
                       "--password-env", "MY_ROUTER_PW"},
                      {{"MY_ROUTER_PW", "from-the-env"}});
  ASSERT_EQ(from_env.code, 0) << from_env.err;
  auto unset = run({"update", "r2", "--password-env", "UNSET_VARIABLE_X"});
  EXPECT_EQ(unset.code, 2);
  EXPECT_NE(unset.err.find("UNSET_VARIABLE_X"), std::string::npos);
  for (auto& args : std::vector<std::vector<std::string>>{
         {"list", "--json"}, {"show", "r1", "--json"}, {"show", "r2"}}) {
    auto o = run(args);
    EXPECT_EQ(o.out.find("from-a-file"), std::string::npos);
    EXPECT_EQ(o.out.find("from-the-env"), std::string::npos);
    EXPECT_EQ(o.err.find("from-a-file"), std::string::npos);
  }
}

} // namespace rmcp
