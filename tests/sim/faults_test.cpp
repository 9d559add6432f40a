// Each fault kind, set through the in-process API and the control endpoint.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "sim_fixture.hpp"

namespace rmcp::sim::test {
namespace {

using namespace std::chrono_literals;

class faults : public sim_test {
protected:
  void SetUp() override {
    start();
  }
  void set(const std::function<void(fault_config&)>& fn) {
    fleet_->router(0).update_faults(fn);
  }
};

TEST_F(faults, latency_delays_every_answer) {
  set([](fault_config& f) { f.latency_ms = 150; });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(call("GET", "/rest/system/identity").status, 200u);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
}

TEST_F(faults, error_rate_answers_500_with_a_routeros_body) {
  set([](fault_config& f) { f.error_rate = 1; });
  auto r = call("GET", "/rest/system/resource");
  EXPECT_EQ(r.status, 500u);
  auto body = parse(r.body);
  EXPECT_EQ(body["error"], 500);
  EXPECT_EQ(body["message"], "Internal Server Error");
  EXPECT_TRUE(body["detail"].is_string());
}

TEST_F(faults, drop_closes_without_answer) {
  set([](fault_config& f) { f.drop_rate = 1; });
  auto r = call("GET", "/rest/system/resource");
  EXPECT_EQ(r.status, 0u);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(faults, timeout_never_answers) {
  set([](fault_config& f) { f.timeout_rate = 1; });
  client_options o;
  o.timeout = 300ms;
  http_client c{fleet_->port(0), o};
  auto r = c.get("/rest/system/resource");
  EXPECT_EQ(r.status, 0u);
  EXPECT_EQ(r.error, "timeout");
}

TEST_F(faults, reject_auth_answers_401_for_good_credentials) {
  set([](fault_config& f) { f.reject_auth = true; });
  auto r = call("GET", "/rest/system/resource");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.headers["WWW-Authenticate"], "Basic realm=\"RouterOS\"");
}

TEST_F(faults, high_cpu_and_memory_show_in_resource) {
  set([](fault_config& f) {
    f.high_cpu = true;
    f.high_memory = true;
  });
  auto res = call_json("GET", "/rest/system/resource");
  EXPECT_GE(std::stoi(res["cpu-load"].get<std::string>()), 95);
  auto free = std::stod(res["free-memory"].get<std::string>());
  auto total = std::stod(res["total-memory"].get<std::string>());
  EXPECT_LT(free / total, 0.03);
}

TEST_F(faults, write_fail_applied_answers_400_but_applies) {
  set([](fault_config& f) { f.write_fail_applied = 1; });
  auto r =
    call("POST", "/rest/system/identity/set", R"({"name":"applied-anyway"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(call_json("GET", "/rest/system/identity")["name"],
            "applied-anyway");
  EXPECT_EQ(
    call("POST", "/rest/system/identity/set", R"({"name":"second"})").status,
    200u);
  EXPECT_EQ(fleet_->router(0).faults().write_fail_applied, 0u);
}

TEST_F(faults, control_bytes_put_a_raw_escape_into_a_lease) {
  set([](fault_config& f) { f.control_bytes = true; });
  auto r = call("GET", "/rest/ip/dhcp-server/lease");
  EXPECT_NE(r.body.find('\x1b'), std::string::npos);
  EXPECT_TRUE(parse(r.body).is_discarded());
}

TEST_F(faults,
       wrong_body_answers_the_next_gets_of_other_menus_with_the_resource_body) {
  set([](fault_config& f) { f.wrong_body_count = 2; });
  // /system/resource itself is answered truly and does not use up the fault.
  EXPECT_TRUE(call_json("GET", "/rest/system/resource").contains("uptime"));
  auto routes = call("GET", "/rest/ip/route");
  EXPECT_EQ(routes.status, 200u);
  EXPECT_TRUE(parse(routes.body).is_object());
  EXPECT_TRUE(parse(routes.body).contains("uptime"));
  EXPECT_TRUE(call_json("GET", "/rest/system/clock").contains("uptime"));
  EXPECT_EQ(fleet_->router(0).faults().wrong_body_count, 0u);
  EXPECT_TRUE(call_json("GET", "/rest/ip/route").is_array());
  EXPECT_TRUE(call_json("GET", "/rest/system/clock").contains("time"));
}

TEST_F(faults, wrong_body_leaves_writes_alone) {
  set([](fault_config& f) { f.wrong_body_count = 1; });
  EXPECT_EQ(
    call("POST", "/rest/system/identity/set", R"({"name":"written"})").status,
    200u);
  EXPECT_EQ(fleet_->router(0).faults().wrong_body_count, 1u);
}

TEST_F(faults, raw_answer_sends_the_bytes_and_changes_nothing) {
  const std::string garbage = "[{\".id\":\"1\",\"name\":\"e\xff\x1b";
  set([&](fault_config& f) {
    f.raw_answer_path = "/rest/interface/ether1";
    f.raw_answer_body = garbage;
    f.raw_answer_count = 2;
  });
  // Only that path, the query ignored, any method, and only twice.
  EXPECT_EQ(call("GET", "/rest/interface").status, 200u);
  EXPECT_EQ(call("GET", "/rest/interface/ether1?.proplist=name").body, garbage);
  auto r = call("PATCH", "/rest/interface/ether1", R"({"comment":"x"})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, garbage);
  EXPECT_EQ(fleet_->router(0).faults().raw_answer_count, 0u);
  EXPECT_FALSE(
    parse(call("GET", "/rest/interface/ether1").body).contains("comment"));
}

TEST_F(faults, the_request_log_records_every_request_and_its_kind) {
  auto before = fleet_->router(0).request_log().size();
  set([](fault_config& f) { f.drop_rate = 1; });
  call("GET", "/rest/system/identity");
  set([](fault_config& f) { f.drop_rate = 0; });
  call("POST", "/rest/ip/address/print", "{}");
  call("PATCH", "/rest/system/identity", R"({"name":"x"})");
  auto log = fleet_->router(0).request_log();
  ASSERT_GE(log.size(), before + 3);
  auto& dropped = log[log.size() - 3];
  EXPECT_EQ(dropped.target, "/rest/system/identity");
  EXPECT_EQ(dropped.status, 0u);
  EXPECT_FALSE(dropped.write);
  EXPECT_EQ(log[log.size() - 2].status, 200u);
  EXPECT_FALSE(log[log.size() - 2].write);
  EXPECT_EQ(log.back().method, "PATCH");
  EXPECT_TRUE(log.back().write);
}

TEST_F(faults, reboot_refuses_connections_then_comes_back_with_state) {
  call("POST", "/rest/system/identity/set", R"({"name":"kept"})");
  auto before = fleet_->router(0).stats().reboots;
  fleet_->router(0).reboot(300s); // 300 simulated seconds = 300 ms here
  http_client fresh{fleet_->port(0)};
  EXPECT_EQ(fresh.get("/rest/system/identity").status, 0u);
  // The simulator brings the router back asynchronously: poll with a deadline.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!fleet_->router(0).is_up()
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(fleet_->router(0).is_up());
  http_client again{fleet_->port(0)};
  auto id = again.get("/rest/system/identity");
  ASSERT_EQ(id.status, 200u) << id.error;
  EXPECT_EQ(parse(id.body)["name"], "kept");
  EXPECT_EQ(fleet_->router(0).stats().reboots, before + 1);
  auto log = parse(again.get("/rest/log").body);
  EXPECT_EQ(log[0]["message"],
            "router rebooted without proper shutdown, probably power outage");
}

// While a router is down its port is free, and the kernel may hand it to
// another socket (an outgoing connection's source port). The router must
// come back once the port is free again, not keep a half-open acceptor
// that fails every later attempt (found by bench/soak: rebooted routers of
// a large fleet never came back).
TEST_F(faults, reboot_comes_back_after_its_port_was_taken_meanwhile) {
  auto port = fleet_->port(0);
  fleet_->router(0).reboot(300s); // 300 ms here
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The listener closes asynchronously: take the port as soon as it is free.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  bool taken = false;
  while (!taken && std::chrono::steady_clock::now() < deadline) {
    taken = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (!taken)
      std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(taken);
  ASSERT_EQ(::listen(fd, 1), 0);
  // Hold it past the downtime: the router's first attempts to reopen fail.
  std::this_thread::sleep_for(600ms);
  EXPECT_FALSE(fleet_->router(0).is_up());
  ::close(fd);
  deadline = std::chrono::steady_clock::now() + 10s;
  while (!fleet_->router(0).is_up()
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(fleet_->router(0).is_up());
  http_client again{port};
  EXPECT_EQ(again.get("/rest/system/identity").status, 200u);
}

TEST_F(faults, control_endpoint_sets_and_clears_faults) {
  client_options o;
  o.username.clear();
  o.password.clear();
  http_client ctl{fleet_->control_port(), o};
  auto r =
    ctl.request("PUT", "/routers/0/faults",
                R"({"high_cpu":true,"latency_ms":5,"wrong_body_count":3})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(fleet_->router(0).faults().high_cpu);
  EXPECT_GE(
    std::stoi(
      call_json("GET", "/rest/system/resource")["cpu-load"].get<std::string>()),
    95);
  EXPECT_EQ(parse(ctl.get("/routers/0/faults").body)["latency_ms"], 5);
  EXPECT_EQ(fleet_->router(0).faults().wrong_body_count, 3u);
  EXPECT_EQ(ctl.request("PUT", "/routers/0/faults", R"({"bogus":1})").status,
            400u);
  EXPECT_EQ(
    ctl
      .request("PUT", "/routers/0/faults", R"({"wrong_body_count":4294967296})")
      .status,
    400u);
  ASSERT_EQ(ctl
              .request("PUT", "/routers/0/faults",
                       R"({"raw_answer_path":"/rest/ip/route",)"
                       R"("raw_answer_body_hex":"5bff","raw_answer_count":1})")
              .status,
            200u);
  EXPECT_EQ(fleet_->router(0).faults().raw_answer_body, "[\xff");
  EXPECT_EQ(call("GET", "/rest/ip/route").body, "[\xff");
  EXPECT_EQ(
    ctl.request("PUT", "/routers/0/faults", R"({"raw_answer_body_hex":"5"})")
      .status,
    400u);
  EXPECT_EQ(ctl.request("DELETE", "/routers/all/faults").status, 200u);
  EXPECT_FALSE(fleet_->router(0).faults().high_cpu);
  auto all = parse(ctl.get("/routers").body);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["port"], fleet_->port(0));
  EXPECT_EQ(ctl.get("/routers/7").status, 404u);
  EXPECT_EQ(ctl
              .request("POST", "/routers/0/credentials",
                       R"({"username":"ops","password":"pw"})")
              .status,
            200u);
  http_client ops{fleet_->port(0), client_options{false, "", "ops", "pw"}};
  EXPECT_EQ(ops.get("/rest/system/identity").status, 200u);
  auto before = parse(ctl.get("/clock").body)["epoch_ms"].get<std::int64_t>();
  EXPECT_EQ(ctl.request("POST", "/clock/advance", R"({"seconds":3600})").status,
            200u);
  EXPECT_GE(parse(ctl.get("/clock").body)["epoch_ms"].get<std::int64_t>()
              - before,
            3600000);
}

} // namespace
} // namespace rmcp::sim::test
