// `routeros-mcp device import|export` against a temporary data dir: a whole
// file is checked before anything is written, written in one go, reported,
// and exported again without secrets.

#include <fstream>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string fingerprint =
  "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
  "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

class device_import_test : public ::testing::Test {
protected:
  std::string write(const std::string& name, const std::string& text) {
    auto path = dir / name;
    std::ofstream out{path};
    out << text;
    return path;
  }

  outcome run(std::vector<std::string> args,
              std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), "device");
    return run_cli(data.path(), args, std::move(env));
  }

  json list() {
    auto o = run({"list", "--json"});
    EXPECT_EQ(o.code, 0) << o.err;
    auto parsed = parse_json(o.out);
    return parsed ? *parsed : json{};
  }

  temp_dir data;
  temp_dir dir;
};

} // namespace

TEST_F(device_import_test, csv_adds_every_row_and_exports_without_secrets) {
  auto pw = write("pw", "file-secret\n");
  auto csv =
    write("fleet.csv",
          "id,host,port,username,password_env,password_file,"
          "fingerprint,tags,flags\n"
          "edge-01,192.0.2.1,8443,mcp,PW1,,"
            + fingerprint
            + ",site=ams;role=edge,allow-advanced-writes;critical\n"
              "edge-02,192.0.2.2,,mcp,,"
            + pw + ",,\"note=a, b\",\n" + "edge-03,r3.example,,api,,,,,\n");
  auto o = run({"import", csv, "--password-env", "PWALL"},
               {{"PW1", "secret-one"}, {"PWALL", "secret-all"}});
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("imported: 3 added, 0 changed, 0 unchanged"),
            std::string::npos)
    << o.out;
  auto devices = list();
  ASSERT_EQ(devices.size(), 3u) << devices.dump();
  EXPECT_EQ(devices[0]["id"], "edge-01");
  EXPECT_EQ(devices[0]["port"], 8443);
  EXPECT_EQ(devices[0]["tls"]["mode"], "pin");
  EXPECT_EQ(devices[0]["tags"]["site"], "ams");
  EXPECT_EQ(devices[0]["flags"]["critical"], true);
  EXPECT_EQ(devices[1]["tags"]["note"], "a, b");
  auto shown = run({"show", "edge-02", "--json"});
  EXPECT_NE(shown.out.find("stored (decrypts with the current key)"),
            std::string::npos)
    << shown.out;

  for (auto format : {"csv", "yaml"}) {
    auto exported = run({"export", "--format", format});
    ASSERT_EQ(exported.code, 0) << exported.err;
    for (auto secret : {"secret-one", "secret-all", "file-secret"})
      EXPECT_EQ(exported.out.find(secret), std::string::npos) << format;
    // The export imports again as is: nothing to change.
    auto again = write(std::string{"again."} + format, exported.out);
    auto re = run({"import", again});
    EXPECT_EQ(re.code, 0) << format << re.out << re.err;
    EXPECT_NE(re.out.find("0 added, 0 changed, 3 unchanged"), std::string::npos)
      << format << "\n"
      << exported.out << re.out;
  }
  auto audit = run_cli(data.path(), {"audit", "export"});
  EXPECT_NE(audit.out.find("\"device import\""), std::string::npos)
    << audit.out;
}

TEST_F(device_import_test, yaml_reports_added_changed_and_unchanged) {
  auto first = write("a.yaml", "devices:\n"
                               "  - id: core-01\n"
                               "    host: 192.0.2.10\n"
                               "    username: mcp\n"
                               "    password_env: PW\n"
                               "    tags: {site: fra}\n"
                               "    flags: [allow-dhcp-writes]\n"
                               "  - id: core-02\n"
                               "    host: 192.0.2.11\n"
                               "    username: mcp\n"
                               "    password_env: PW\n");
  auto o = run({"import", first, "--json"}, {{"PW", "pw"}});
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  auto report = parse_json(o.out);
  ASSERT_TRUE(report) << o.out;
  EXPECT_EQ((*report)["added"], (json{"core-01", "core-02"}));
  EXPECT_EQ((*report)["written"], true);
  auto second = write("b.yaml", "devices:\n"
                                "  - id: core-01\n"
                                "    host: 192.0.2.10\n"
                                "    username: mcp\n"
                                "    tags: {site: ams}\n"
                                "    flags: [allow-dhcp-writes]\n"
                                "  - id: core-02\n"
                                "    host: 192.0.2.11\n"
                                "    username: mcp\n");
  auto changed = run({"import", second});
  ASSERT_EQ(changed.code, 0) << changed.out << changed.err;
  EXPECT_NE(changed.out.find("0 added, 1 changed, 1 unchanged"),
            std::string::npos)
    << changed.out;
  EXPECT_EQ(list()[0]["tags"]["site"], "ams");
}

TEST_F(device_import_test, one_bad_row_refuses_the_whole_file_naming_each) {
  auto csv = write("bad.csv", "id,host,port,username,password_env,scheme,"
                              "environment\n"
                              "ok-01,192.0.2.1,,mcp,PW,,\n"
                              "bad-port,192.0.2.2,99999,mcp,PW,,\n"
                              "ok-01,192.0.2.3,,mcp,PW,,\n"
                              "no-pw,192.0.2.4,,mcp,UNSET_VAR,,\n"
                              "plain,192.0.2.5,,mcp,PW,http,prod\n"
                              "Bad_Id,192.0.2.6,,mcp,PW,,\n");
  auto o = run({"import", csv}, {{"PW", "pw"}});
  EXPECT_EQ(o.code, 2) << o.out << o.err;
  for (auto what :
       {"line 3 (bad-port): port: '99999'", "line 4 (ok-01)", "more than once",
        "line 5 (no-pw)", "UNSET_VAR", "line 6 (plain)", "line 7 (Bad_Id)"})
    EXPECT_NE(o.out.find(what), std::string::npos) << what << "\n" << o.out;
  EXPECT_NE(o.out.find("nothing imported"), std::string::npos) << o.out;
  EXPECT_EQ(list().size(), 0u);
  auto dry = run({"import", csv, "--dry-run"}, {{"PW", "pw"}});
  EXPECT_EQ(dry.code, 2);
}

TEST_F(device_import_test, inline_passwords_and_silent_moves_are_refused) {
  auto inline_pw = write("inline.csv", "id,host,username,password\n"
                                       "edge-01,192.0.2.1,mcp,hunter2\n");
  auto o = run({"import", inline_pw});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("never inline"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("hunter2"), std::string::npos) << o.err;
  auto yaml_pw = write("inline.yaml", "devices:\n  - id: edge-01\n"
                                      "    host: 192.0.2.1\n"
                                      "    username: mcp\n"
                                      "    password: hunter2\n");
  auto y = run({"import", yaml_pw});
  EXPECT_EQ(y.code, 2);
  EXPECT_NE(y.out.find("never inline"), std::string::npos) << y.out;
  EXPECT_EQ(y.out.find("hunter2"), std::string::npos) << y.out;

  auto add = write("add.csv", "id,host,username\nedge-01,192.0.2.1,mcp\n");
  ASSERT_EQ(run({"import", add, "--password-env", "PW"}, {{"PW", "pw"}}).code,
            0);
  auto moved = write("moved.csv", "id,host,username\nedge-01,192.0.2.9,mcp\n");
  auto m = run({"import", moved});
  EXPECT_EQ(m.code, 2) << m.out;
  EXPECT_NE(m.out.find("its endpoint changes"), std::string::npos) << m.out;
  EXPECT_EQ(list()[0]["host"], "192.0.2.1");
  auto with_pw =
    run({"import", moved, "--password-env", "PW"}, {{"PW", "pw2"}});
  EXPECT_EQ(with_pw.code, 0) << with_pw.out;
  EXPECT_EQ(list()[0]["host"], "192.0.2.9");
}

} // namespace rmcp
