// /execute, /export + /file/read, the script interpreter and the scheduler
// (dead-man revert driven by the simulated clock).

#include "sim_fixture.hpp"

namespace rmcp::sim::test {
namespace {

using namespace std::chrono_literals;

class scripts : public sim_test {
protected:
  void SetUp() override {
    auto o = fast_options();
    o.time_scale = 1.0; // the clock moves only when the test advances it
    start(o);
  }
  std::string execute(const std::string& script) {
    json body{{"script", script}, {"as-string", ""}};
    return call_json("POST", "/rest/execute", body.dump())["ret"]
      .get<std::string>();
  }
};

TEST_F(scripts, execute_as_string_returns_the_output) {
  EXPECT_EQ(execute(":put hello"), "hello\r\n");
}

TEST_F(scripts, execute_reports_script_errors_with_200) {
  auto r = call(
    "POST", "/rest/execute",
    R"({"script":"/ip/address/add address=10.1.1.1/24 interface=nope","as-string":""})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(parse(r.body)["ret"], "input does not match any value of interface "
                                  "(/ip/address/add (interface); line 1)");
}

TEST_F(scripts, execute_without_as_string_returns_a_job_id_and_runs) {
  auto r = call_json("POST", "/rest/execute",
                     R"({"script":"/system identity set name=from-job"})");
  EXPECT_EQ(r["ret"].get<std::string>()[0], '*');
  EXPECT_EQ(call_json("GET", "/rest/system/identity")["name"], "from-job");
}

TEST_F(scripts, statements_paths_and_find_selectors) {
  auto out = execute(
    "/ip firewall address-list\n"
    "add list=mcp-a address=192.0.2.1 comment=\"one two\"\n"
    "add list=mcp-a address=192.0.2.2; add list=mcp-b address=192.0.2.3\n"
    "/ip/firewall/address-list/remove [find where list=\"mcp-a\" and "
    "address=192.0.2.2]\n"
    "/ip firewall address-list set [find list=mcp-b] comment=b");
  EXPECT_EQ(out, "");
  EXPECT_EQ(
    call_json("GET", "/rest/ip/firewall/address-list?list=mcp-a").size(), 1u);
  EXPECT_EQ(
    call_json("GET", "/rest/ip/firewall/address-list?list=mcp-a")[0]["comment"],
    "one two");
  EXPECT_EQ(
    call_json("GET", "/rest/ip/firewall/address-list?list=mcp-b")[0]["comment"],
    "b");
  execute("/ip firewall address-list remove [find]");
  EXPECT_EQ(call_json("GET", "/rest/ip/firewall/address-list"), json::array());
  EXPECT_EQ(execute("/interface set ether2 comment=uplink; /interface disable "
                    "[find name=ether3]"),
            "");
  EXPECT_EQ(call_json("GET", "/rest/interface/ether2")["comment"], "uplink");
  EXPECT_EQ(call_json("GET", "/rest/interface/ether3")["disabled"], "true");
  EXPECT_NE(execute("/ip frobnicate").find("bad command name frobnicate"),
            std::string::npos);
}

TEST_F(scripts, quoted_strings_take_routeros_escapes_and_no_variables) {
  EXPECT_EQ(execute(R"(:put "a\"b\\c\$d\3F\5B\_\7F|\n")"),
            "a\"b\\c$d?[ \x7f|\n\r\n");
  execute(
    R"(/ip firewall address-list add list=mcp-q address=192.0.2.9 comment="x\"]; y")");
  EXPECT_EQ(
    execute(
      R"(/ip firewall address-list set [find where comment="x\"]; y"] list=mcp-r)"),
    "");
  EXPECT_EQ(
    call_json("GET", "/rest/ip/firewall/address-list?list=mcp-r").size(), 1u);
  EXPECT_NE(execute(R"(:put "$x")").find("variables are not supported"),
            std::string::npos);
}

TEST_F(scripts, export_to_a_file_then_read_it_in_chunks) {
  EXPECT_EQ(call("POST", "/rest/export", R"({"file":"backup"})").body, "[]");
  auto files = call_json("GET", "/rest/file?name=backup.rsc");
  ASSERT_EQ(files.size(), 1u);
  auto size = std::stoi(files[0]["size"].get<std::string>());
  auto chunk =
    call_json("POST", "/rest/file/read",
              R"({"file":"backup.rsc","chunk-size":"32768","offset":"0"})");
  auto text = chunk[0]["data"].get<std::string>();
  EXPECT_EQ(static_cast<int>(text.size()), size);
  EXPECT_NE(text.find("/ip address\r\nadd address="), std::string::npos);
  EXPECT_NE(text.find("/system identity\r\nset name="), std::string::npos);
  auto end = call_json("POST", "/rest/file/read",
                       R"({"file":"backup.rsc","offset":")"
                         + std::to_string(size) + "\"}");
  EXPECT_EQ(end[0]["data"], "");
  auto past = call("POST", "/rest/file/read",
                   R"({"file":"backup.rsc","offset":")"
                     + std::to_string(size + 1) + "\"}");
  EXPECT_EQ(parse(past.body)["detail"], "failure: chunk out of file bounds");
  EXPECT_EQ(execute("/export").substr(0, 2), "# ");
}

TEST_F(scripts, dead_man_revert_runs_when_not_disarmed) {
  call("POST", "/rest/ip/dns/set", R"({"servers":"1.1.1.1"})");
  json job{{"name", "rmcp-deadman"},
           {"interval", "5m"},
           {"on-event", "/ip dns set servers=1.1.1.1; /system scheduler remove "
                        "[find name=rmcp-deadman]"}};
  ASSERT_EQ(call("PUT", "/rest/system/scheduler", job.dump()).status, 201u);
  call("POST", "/rest/ip/dns/set", R"({"servers":"192.0.2.53"})");
  fleet_->advance_clock(4min);
  EXPECT_EQ(call_json("GET", "/rest/ip/dns")["servers"], "192.0.2.53");
  fleet_->advance_clock(2min);
  EXPECT_EQ(call_json("GET", "/rest/ip/dns")["servers"], "1.1.1.1");
  EXPECT_EQ(call_json("GET", "/rest/system/scheduler?name=rmcp-deadman"),
            json::array());
}

TEST_F(scripts, dead_man_removed_in_time_changes_nothing) {
  json job{{"name", "rmcp-deadman"},
           {"interval", "5m"},
           {"on-event", "/ip dns set servers=1.1.1.1"}};
  auto id = call_json("PUT", "/rest/system/scheduler", job.dump())[".id"]
              .get<std::string>();
  call("POST", "/rest/ip/dns/set", R"({"servers":"192.0.2.53"})");
  fleet_->advance_clock(1min);
  EXPECT_EQ(call("DELETE", "/rest/system/scheduler/" + id).status, 204u);
  fleet_->advance_clock(10min);
  EXPECT_EQ(call_json("GET", "/rest/ip/dns")["servers"], "192.0.2.53");
}

TEST_F(scripts, scheduler_counts_runs_and_shows_next_run) {
  auto id =
    call_json(
      "PUT", "/rest/system/scheduler",
      R"({"name":"tick","interval":"1m","on-event":":log info tick"})")[".id"]
      .get<std::string>();
  auto item = call_json("GET", "/rest/system/scheduler/" + id);
  EXPECT_EQ(item["run-count"], "0");
  EXPECT_TRUE(item.contains("next-run"));
  fleet_->advance_clock(61s);
  fleet_->advance_clock(61s);
  EXPECT_EQ(call_json("GET", "/rest/system/scheduler/" + id)["run-count"], "2");
  auto log = call_json("GET", "/rest/log?message=tick");
  EXPECT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["topics"], "script,info");
}

TEST_F(scripts, serialize_prints_as_value_rows_as_typed_json) {
  auto text =
    execute(":put [:serialize to=json value=[/ip/address/print as-value]]");
  auto rows = parse(text);
  ASSERT_TRUE(rows.is_array()) << text;
  auto rest = call_json("GET", "/rest/ip/address");
  ASSERT_EQ(rows.size(), rest.size());
  EXPECT_EQ(rows[0][".id"], rest[0][".id"]);
  EXPECT_EQ(rows[0]["disabled"], false) << text;
  auto one = parse(execute(":put [:serialize to=json value=[/interface/print "
                           "as-value where name=\"ether1\" and "
                           "disabled=no]]"));
  ASSERT_EQ(one.size(), 1u) << one;
  EXPECT_EQ(one[0]["name"], "ether1");
  EXPECT_TRUE(one[0]["mtu"].is_number()) << one;
  auto single =
    parse(execute(":put [:serialize to=json [/system/resource/print "
                  "as-value]]"));
  EXPECT_TRUE(single.is_object()) << single;
}

TEST_F(scripts, put_of_an_add_prints_the_new_id) {
  auto id = execute(":put [/ip/address/add address=10.7.7.1/24 "
                    "interface=ether2]");
  ASSERT_EQ(id.substr(0, 1), "*") << id;
  id = id.substr(0, id.find('\r'));
  EXPECT_EQ(call("GET", "/rest/ip/address/" + id).status, 200u);
}

TEST_F(scripts, serialize_of_an_unknown_menu_is_the_console_error) {
  EXPECT_NE(execute(":put [:serialize to=json value=[/ip/nothing/print "
                    "as-value]]")
              .find("bad command name nothing"),
            std::string::npos);
  EXPECT_NE(execute(":put [:serialize to=json value=[/ip/address/print]]")
              .find("expected as-value"),
            std::string::npos);
}

} // namespace
} // namespace rmcp::sim::test
