// TLS with a pinned fingerprint, keep-alive, 401, session limit of
// unbounded commands, streaming commands with count/once/duration, reboot.

#include <chrono>
#include <regex>
#include <thread>

#include "sim_fixture.hpp"

namespace rmcp::sim::test {
namespace {

using namespace std::chrono_literals;

TEST(transport, tls_serves_with_the_printed_fingerprint) {
  auto o = fast_options(2);
  o.tls = true;
  fleet f{o};
  EXPECT_TRUE(std::regex_match(f.fingerprint_sha256(),
                               std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}")));
  EXPECT_NE(f.certificate_pem().find("BEGIN CERTIFICATE"), std::string::npos);
  client_options ok;
  ok.tls = true;
  ok.pin = f.fingerprint_sha256();
  http_client c{f.port(1), ok};
  auto r = c.get("/rest/system/resource");
  EXPECT_EQ(r.status, 200u) << r.error;
  EXPECT_EQ(c.seen_fingerprint(), f.fingerprint_sha256());
  client_options bad = ok;
  bad.pin = std::string(95, '0');
  http_client wrong{f.port(1), bad};
  EXPECT_NE(
    wrong.get("/rest/system/resource").error.find("fingerprint mismatch"),
    std::string::npos);
  auto json_line = parse(f.startup_json());
  EXPECT_EQ(json_line["fingerprint_sha256"], f.fingerprint_sha256());
  EXPECT_EQ(json_line["tls"], true);
}

TEST(transport, keep_alive_reuses_one_connection) {
  fleet f{fast_options()};
  http_client c{f.port(0)};
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(c.get("/rest/system/resource").status, 200u);
  EXPECT_EQ(c.connects(), 1);
  EXPECT_EQ(f.router(0).stats().connections, 1u);
  EXPECT_EQ(f.router(0).stats().requests, 5u);
}

TEST(transport, bad_or_missing_credentials_answer_401) {
  fleet f{fast_options()};
  client_options none;
  none.username.clear();
  none.password.clear();
  http_client anonymous{f.port(0), none};
  auto r = anonymous.get("/rest/system/identity");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(parse(r.body),
            json::parse(R"({"error":401,"message":"Unauthorized"})"));
  EXPECT_EQ(r.headers["WWW-Authenticate"], "Basic realm=\"RouterOS\"");
  // WebFig answers without authentication.
  EXPECT_EQ(anonymous.get("/").status, 200u);
  auto log = parse(
    http_client{f.port(0)}.get("/rest/log?topics=system,error,critical").body);
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log[0]["message"].get<std::string>().find("login failure"),
            std::string::npos);
}

TEST(transport, basic_credentials_decode_strictly) {
  auto opts = fast_options();
  // 19 and 20 bytes of "user:password": one and two padding characters.
  opts.password = "routeros-sim1";
  fleet f{opts};
  auto status_with = [&](std::string header) {
    client_options o;
    o.authorization = std::move(header);
    return http_client{f.port(0), o}.get("/rest/system/identity").status;
  };
  EXPECT_EQ(status_with("Basic YWRtaW46cm91dGVyb3Mtc2ltMQ=="), 200u);
  f.router(0).set_credentials("admin", "routeros-sim12");
  EXPECT_EQ(status_with("Basic YWRtaW46cm91dGVyb3Mtc2ltMTI="), 200u);
  for (const char* bad : {
         "Basic YWRtaW46cm91dGVyb3Mtc2ltMTI",   // padding missing
         "Basic YWRtaW46cm91dGVyb3Mtc2ltMTI==", // one '=' too many
         "Basic YWRtaW46cm91dGVy!3Mtc2ltMTI=",  // not in the alphabet
         "Basic ////////////////////////////",  // bytes 0xFF: no colon
         "Basic ",                              // nothing
       })
    EXPECT_EQ(status_with(bad), 401u) << bad;
  EXPECT_EQ(status_with("Basic " + std::string(5000, 'A')), 401u);
}

TEST(transport, unbounded_commands_end_with_session_closed) {
  fleet f{fast_options()};
  http_client c{f.port(0)};
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.request("POST", "/rest/tool/ping", R"({"address":"192.0.2.1"})");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(
    parse(r.body),
    json::parse(
      R"({"detail":"Session closed","error":400,"message":"Bad Request"})"));
  for (auto* body : {R"({"interface":"ether1"})",
                     R"({"interface":"ether1","once":"false"})"})
    EXPECT_EQ(parse(c.request("POST", "/rest/interface/monitor-traffic", body)
                      .body)["detail"],
              "Session closed");
  EXPECT_EQ(parse(c.request("POST", "/rest/tool/bandwidth-test",
                            R"({"address":"192.0.2.1"})")
                    .body)["detail"],
            "Session closed");
  EXPECT_EQ(parse(c.request("POST", "/rest/tool/traceroute",
                            R"({"address":"192.0.2.1"})")
                    .body)["detail"],
            "Session closed");
}

TEST(transport, bounded_streaming_commands_answer_all_records) {
  fleet f{fast_options()};
  http_client c{f.port(0)};
  auto once = parse(c.request("POST", "/rest/interface/monitor-traffic",
                              R"({"interface":"ether1,ether2","once":""})")
                      .body);
  ASSERT_EQ(once.size(), 2u);
  EXPECT_FALSE(once[0].contains(".section"));
  auto dur = parse(c.request("POST", "/rest/interface/monitor-traffic",
                             R"({"interface":"ether1","duration":"3s"})")
                     .body);
  ASSERT_EQ(dur.size(), 3u);
  EXPECT_EQ(dur[2][".section"], "2");
  auto ping = parse(
    c.request("POST", "/rest/tool/ping", R"({"address":"8.8.8.8","count":4})")
      .body);
  ASSERT_EQ(ping.size(), 4u);
  EXPECT_EQ(ping[3]["sent"], "4");
  EXPECT_TRUE(std::regex_match(ping[0]["time"].get<std::string>(),
                               std::regex("([0-9]+ms)?([0-9]+us)?")));
  auto lost = parse(c.request("POST", "/rest/tool/ping",
                              R"({"address":"203.0.113.9","count":"2"})")
                      .body);
  EXPECT_EQ(lost[1]["status"], "timeout");
  EXPECT_EQ(lost[1]["packet-loss"], "100");
  auto trace = parse(c.request("POST", "/rest/tool/traceroute",
                               R"({"address":"8.8.8.8","count":"1"})")
                       .body);
  ASSERT_GE(trace.size(), 3u);
  EXPECT_EQ(trace[trace.size() - 1]["address"], "8.8.8.8");
  auto bw = parse(
    c.request("POST", "/rest/tool/bandwidth-test",
              R"({"address":"192.0.2.1","duration":"4s","direction":"both"})")
      .body);
  ASSERT_EQ(bw.size(), 5u);
  EXPECT_EQ(bw[4]["status"], "done testing");
  EXPECT_TRUE(bw[4].contains("tx-current"));
}

TEST(transport, system_reboot_answers_then_goes_away_and_comes_back) {
  fleet f{fast_options()};
  http_client c{f.port(0)};
  auto r = c.request("POST", "/rest/system/reboot", "{}");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "[]");
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (f.router(0).stats().reboots == 0
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  while (!f.router(0).is_up() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(f.router(0).is_up());
  auto res = parse(http_client{f.port(0)}.get("/rest/system/resource").body);
  EXPECT_TRUE(res.contains("uptime"));
}

} // namespace
} // namespace rmcp::sim::test
