// The SSH transport against the in-process simulator's SSH endpoint over
// real loopback sockets: reads through `:serialize`, the host key pin and
// trust on first use, authentication, faults (drop mid-answer, no answer),
// deadlines, writes refused, and the REST-then-SSH fallback client.

#include "src/routeros/ssh_client.hpp"

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "protocol/config_export.hpp"
#include "protocol/error.hpp"
#include "sim/fleet.hpp"
#include "src/routeros/beast_client.hpp"

namespace rmcp::routeros {
namespace {

using namespace std::chrono_literals;

class ssh_client_test : public ::testing::Test {
protected:
  ssh_client_test() {
    pool = std::make_shared<ssh_workers>(2);
    sim::fleet_options o;
    o.routers = 1;
    o.ssh = true;
    o.time_scale = 0.001;
    fleet = std::make_unique<sim::fleet>(o);
  }

  ~ssh_client_test() override {
    fleet->stop();
  }

  rest_endpoint endpoint() {
    rest_endpoint ep;
    ep.device_id = "r1";
    ep.host = "127.0.0.1";
    ep.port = fleet->port(0);
    ep.scheme = "http";
    ep.ssh.transport = "ssh";
    ep.ssh.port = fleet->ssh_port(0);
    ep.ssh.host_key_sha256 = fleet->ssh_host_key_sha256();
    ep.environment = "prod";
    ep.creds = {"admin", "routeros-sim", {}};
    ep.connect_timeout = 2000ms;
    return ep;
  }

  static caf::expected<rest_response>
  call(rest_client& client, rest_request req,
       std::chrono::milliseconds timeout = 5000ms) {
    std::promise<caf::expected<rest_response>> p;
    auto f = p.get_future();
    client.async_request(req, timeout, [&p](caf::expected<rest_response> x) {
      p.set_value(std::move(x));
    });
    if (f.wait_for(30s) != std::future_status::ready) {
      ADD_FAILURE() << "no callback within 30 s";
      return make_error(ec::internal_error, "test: no callback");
    }
    return f.get();
  }

  static caf::expected<rest_response> get(rest_client& client,
                                          std::string path) {
    return call(client, get_request(std::move(path)));
  }

  static ec code(const caf::expected<rest_response>& res) {
    return res ? ec{} : error_code_of(res.error());
  }

  static std::string message(const caf::expected<rest_response>& res) {
    return res ? std::string{"ok"} : error_message(res.error());
  }

  size_t ssh_requests() {
    size_t n = 0;
    for (auto& r : fleet->router(0).request_log())
      n += r.method == "SSH";
    return n;
  }

  std::shared_ptr<ssh_workers> pool;
  std::unique_ptr<sim::fleet> fleet;
};

TEST_F(ssh_client_test, reads_answer_the_rest_body_with_rest_typing) {
  auto client = make_ssh_client(pool, endpoint());
  auto over_ssh = get(*client, "/ip/address");
  ASSERT_TRUE(over_ssh) << message(over_ssh);
  EXPECT_EQ(over_ssh->transport, "ssh");
  EXPECT_FALSE(over_ssh->fallback_used);
  auto over_rest = fleet->router(0).request("GET", "/rest/ip/address");
  ASSERT_EQ(over_rest.status, 200u);
  // The same rows as REST gives them: booleans and numbers as strings.
  EXPECT_EQ(over_ssh->body, json::parse(over_rest.body));
  auto resource = get(*client, "/system/resource");
  ASSERT_TRUE(resource) << message(resource);
  EXPECT_TRUE(resource->body.is_object());
  EXPECT_TRUE(resource->body["cpu-count"].is_string()) << resource->body;
  // Every request above went over the one connection.
  EXPECT_EQ(fleet->router(0).stats().connections, 1u);
  EXPECT_EQ(ssh_requests(), 2u);
  client->close();
}

TEST_F(ssh_client_test, an_item_path_answers_one_object_or_not_found) {
  auto client = make_ssh_client(pool, endpoint());
  auto item = get(*client, "/interface/*1");
  ASSERT_TRUE(item) << message(item);
  EXPECT_TRUE(item->body.is_object()) << item->body;
  EXPECT_EQ(item->body[".id"], "*1");
  auto missing = get(*client, "/interface/*FFFF");
  EXPECT_EQ(code(missing), ec::router_not_found) << message(missing);
  auto filtered = get(*client, "/interface?name=ether1");
  ASSERT_TRUE(filtered) << message(filtered);
  ASSERT_EQ(filtered->body.size(), 1u) << filtered->body;
  EXPECT_EQ(filtered->body[0]["name"], "ether1");
  client->close();
}

TEST_F(ssh_client_test, a_missing_package_menu_reads_as_an_absent_menu) {
  // The seeded router 0 has legacy wireless, so no wifi menu.
  auto client = make_ssh_client(pool, endpoint());
  auto res = get(*client, "/interface/wifi");
  ASSERT_FALSE(res);
  EXPECT_TRUE(is_absent_menu(res.error())) << message(res);
  client->close();
}

TEST_F(ssh_client_test, a_read_command_carries_values_only_as_literals) {
  auto client = make_ssh_client(pool, endpoint());
  auto hostile =
    get(*client, "/interface?name=x%22%5D%3B%2Fsystem%2Freboot%5C%24x%5B");
  ASSERT_TRUE(hostile) << message(hostile);
  EXPECT_TRUE(hostile->body.empty()) << hostile->body;
  auto log = fleet->router(0).request_log();
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.back().target.find(R"(name="x\"\5D;/system/reboot\\\$x\5B")"),
            std::string::npos)
    << log.back().target;
  EXPECT_EQ(fleet->router(0).stats().reboots, 0u);
  auto bad_name = get(*client, "/interface?na%20me=x");
  EXPECT_EQ(code(bad_name), ec::invalid_arguments) << message(bad_name);
  client->close();
}

TEST_F(ssh_client_test, writes_go_over_ssh_only_for_ssh_devices) {
  auto ep = endpoint();
  ep.ssh.transport = "auto";
  auto reads_only = make_ssh_client(pool, ep);
  auto refused =
    call(*reads_only, put_request("/ip/address", {{"address", "10.9.9.1/24"},
                                                  {"interface", "ether2"}}));
  EXPECT_EQ(code(refused), ec::unsupported) << message(refused);
  EXPECT_EQ(ssh_requests(), 0u);
  reads_only->close();
  auto client = make_ssh_client(pool, endpoint());
  const std::string hostile_comment = R"(via "ssh" \ $x [/system/reboot])";
  // PUT answers the new item, as REST does.
  auto added =
    call(*client, put_request("/ip/address", {{"address", "10.9.9.1/24"},
                                              {"interface", "ether2"},
                                              {"comment", hostile_comment}}));
  ASSERT_TRUE(added) << message(added);
  ASSERT_TRUE(added->body.is_object()) << added->body;
  // Quote, backslash, $ and brackets reach the router as data.
  EXPECT_EQ(added->body["comment"], hostile_comment);
  EXPECT_EQ(fleet->router(0).stats().reboots, 0u);
  auto id = added->body[".id"].get<std::string>();
  auto patched =
    call(*client, patch_request("/ip/address/" + id, {{"disabled", true}}));
  ASSERT_TRUE(patched) << message(patched);
  EXPECT_EQ(patched->body["disabled"], "true");
  auto row = fleet->router(0).request("GET", "/rest/ip/address/" + id);
  EXPECT_NE(row.body.find("\"disabled\":\"true\""), std::string::npos)
    << row.body;
  auto removed = call(*client, delete_request("/ip/address/" + id));
  ASSERT_TRUE(removed) << message(removed);
  EXPECT_TRUE(removed->body.is_null());
  EXPECT_EQ(fleet->router(0).request("GET", "/rest/ip/address/" + id).status,
            404u);
  auto again = call(*client, delete_request("/ip/address/" + id));
  EXPECT_EQ(code(again), ec::router_not_found) << message(again);
  client->close();
}

TEST_F(ssh_client_test, the_configuration_export_runs_on_an_ssh_device) {
  auto client = make_ssh_client(pool, endpoint());
  auto exported = call(*client, export_request());
  ASSERT_TRUE(exported) << message(exported);
  auto snapshot = export_snapshot("r1", *exported, 0);
  ASSERT_TRUE(snapshot) << error_message(snapshot.error());
  EXPECT_NE(snapshot->content.find("/ip address"), std::string::npos)
    << snapshot->content.substr(0, 400);
  client->close();
}

TEST_F(ssh_client_test, another_host_key_is_refused_before_anything_is_sent) {
  fleet->router(0).update_faults([](auto& f) { f.ssh_wrong_host_key = true; });
  auto client = make_ssh_client(pool, endpoint());
  auto res = get(*client, "/system/resource");
  ASSERT_EQ(code(res), ec::router_host_key_mismatch) << message(res);
  EXPECT_NE(message(res).find(fleet->ssh_host_key_sha256()), std::string::npos)
    << message(res);
  EXPECT_EQ(ssh_requests(), 0u);
  client->close();
}

TEST_F(ssh_client_test, an_unpinned_key_is_trusted_first_in_lab_only) {
  auto ep = endpoint();
  ep.ssh.host_key_sha256.clear();
  auto prod = make_ssh_client(pool, ep);
  auto refused = get(*prod, "/system/identity");
  EXPECT_EQ(code(refused), ec::router_host_key_mismatch) << message(refused);
  prod->close();
  ep.environment = "lab";
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> learned;
  auto lab = make_ssh_client(
    pool, ep, [&](const std::string& id, const std::string& key) {
      std::lock_guard<std::mutex> guard{mu};
      learned.emplace_back(id, key);
    });
  auto first = get(*lab, "/system/identity");
  ASSERT_TRUE(first) << message(first);
  ASSERT_TRUE(get(*lab, "/system/identity"));
  {
    // Told once (to pin it in the store), before the first answer.
    std::lock_guard<std::mutex> guard{mu};
    ASSERT_EQ(learned.size(), 1u);
    EXPECT_EQ(learned[0].first, "r1");
    EXPECT_EQ(learned[0].second, fleet->ssh_host_key_sha256());
  }
  // The key learnt first stays the trusted one: a new key is refused.
  fleet->router(0).update_faults([](auto& f) {
    f.ssh_wrong_host_key = true;
    f.drop_rate = 1.0; // also drops the connection, forcing a new one
  });
  auto dropped = get(*lab, "/system/identity");
  EXPECT_FALSE(dropped);
  auto changed = get(*lab, "/system/identity");
  EXPECT_EQ(code(changed), ec::router_host_key_mismatch) << message(changed);
  lab->close();
}

TEST_F(ssh_client_test, a_refused_login_is_auth_failed) {
  auto ep = endpoint();
  ep.creds.password = "wrong";
  auto client = make_ssh_client(pool, ep);
  auto res = get(*client, "/system/resource");
  EXPECT_EQ(code(res), ec::router_auth_failed) << message(res);
  client->close();
  fleet->router(0).update_faults([](auto& f) { f.reject_auth = true; });
  auto rejected = make_ssh_client(pool, endpoint());
  EXPECT_EQ(code(get(*rejected, "/system/resource")), ec::router_auth_failed);
  rejected->close();
}

TEST_F(ssh_client_test, an_answer_cut_halfway_is_unreachable_not_data) {
  fleet->router(0).update_faults([](auto& f) { f.drop_rate = 1.0; });
  auto client = make_ssh_client(pool, endpoint());
  auto res = get(*client, "/interface");
  ASSERT_FALSE(res);
  auto c = code(res);
  EXPECT_TRUE(c == ec::router_unreachable || c == ec::router_bad_response)
    << message(res);
  // The next request gets a fresh connection and a whole answer.
  fleet->router(0).update_faults([](auto& f) { f.drop_rate = 0; });
  auto again = get(*client, "/interface");
  ASSERT_TRUE(again) << message(again);
  EXPECT_TRUE(again->body.is_array());
  client->close();
}

TEST_F(ssh_client_test, an_unanswered_command_times_out_at_its_deadline) {
  fleet->router(0).update_faults([](auto& f) { f.timeout_rate = 1.0; });
  auto client = make_ssh_client(pool, endpoint());
  auto start = std::chrono::steady_clock::now();
  auto res = call(*client, get_request("/system/resource"), 400ms);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(code(res), ec::router_timeout) << message(res);
  EXPECT_LT(took, 3s);
  client->close();
}

TEST_F(ssh_client_test, a_refused_port_is_unreachable) {
  auto ep = endpoint();
  ep.ssh.port = fleet->port(0); // speaks HTTP, not SSH
  fleet->router(0).update_faults([](auto& f) { f.rest_disabled = true; });
  auto client = make_ssh_client(pool, ep);
  auto res = get(*client, "/system/resource");
  EXPECT_EQ(code(res), ec::router_unreachable) << message(res);
  client->close();
}

TEST_F(ssh_client_test, close_cancels_what_waits_and_nothing_runs_after) {
  fleet->router(0).update_faults([](auto& f) { f.latency_ms = 300; });
  auto client = make_ssh_client(pool, endpoint());
  std::atomic<int> cancelled{0};
  std::atomic<int> after_close{0};
  std::atomic<bool> closed{false};
  for (int i = 0; i < 3; ++i)
    client->async_request(get_request("/system/resource"), 5000ms,
                          [&](caf::expected<rest_response> res) {
                            if (closed)
                              ++after_close;
                            if (!res
                                && error_code_of(res.error()) == ec::cancelled)
                              ++cancelled;
                          });
  std::this_thread::sleep_for(50ms);
  client->close();
  closed = true;
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(cancelled, 3);
  EXPECT_EQ(after_close, 0);
}

TEST_F(ssh_client_test, auto_falls_back_to_ssh_for_reads_when_rest_is_off) {
  auto io = std::make_shared<io_runtime>(1);
  // 0: every read tries REST first (what this test shows).
  auto factory =
    make_transport_factory(make_rest_client_factory(io, "test"), pool, 0ms);
  auto ep = endpoint();
  ep.ssh.transport = "auto";
  auto client = factory->make(ep);
  auto direct = get(*client, "/system/identity");
  ASSERT_TRUE(direct) << message(direct);
  EXPECT_EQ(direct->transport, "rest");
  EXPECT_FALSE(direct->fallback_used);
  fleet->router(0).update_faults([](auto& f) { f.rest_disabled = true; });
  std::this_thread::sleep_for(100ms); // the listener closes on its strand
  auto fallback = get(*client, "/system/identity");
  ASSERT_TRUE(fallback) << message(fallback);
  EXPECT_EQ(fallback->transport, "ssh");
  EXPECT_TRUE(fallback->fallback_used);
  EXPECT_EQ(fallback->body, direct->body);
  // A write never falls back.
  auto write =
    call(*client, post_request("/system/identity/set", {{"name", "x"}}));
  EXPECT_EQ(code(write), ec::router_unreachable) << message(write);
  EXPECT_EQ(ssh_requests(), 1u);
  client->close();
}

TEST_F(ssh_client_test, auto_remembers_for_a_while_that_rest_was_unreachable) {
  auto io = std::make_shared<io_runtime>(1);
  auto factory =
    make_transport_factory(make_rest_client_factory(io, "test"), pool, 1h);
  auto ep = endpoint();
  ep.ssh.transport = "auto";
  auto client = factory->make(ep);
  auto plain = make_rest_client_factory(io, "test")->make(ep);
  // Waits (bounded) until the simulator's REST listener is as asked.
  auto rest_is = [&](bool up) {
    for (int i = 0; i < 100; ++i) {
      auto res = call(*plain, get_request("/system/identity"), 500ms);
      if (static_cast<bool>(res) == up)
        return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  };
  fleet->router(0).update_faults([](auto& f) { f.rest_disabled = true; });
  ASSERT_TRUE(rest_is(false));
  auto first = get(*client, "/system/identity");
  ASSERT_TRUE(first) << message(first);
  EXPECT_TRUE(first->fallback_used);
  fleet->router(0).update_faults([](auto& f) { f.rest_disabled = false; });
  ASSERT_TRUE(rest_is(true));
  // REST is back, but the client does not try it for reads yet.
  auto second = get(*client, "/system/identity");
  ASSERT_TRUE(second) << message(second);
  EXPECT_EQ(second->transport, "ssh");
  EXPECT_TRUE(second->fallback_used);
  EXPECT_EQ(ssh_requests(), 2u);
  // A write still goes over REST; its answer ends the period at once.
  auto write =
    call(*client, post_request("/system/identity/set", {{"name", "back"}}));
  ASSERT_TRUE(write) << message(write);
  EXPECT_EQ(write->transport, "rest");
  auto third = get(*client, "/system/identity");
  ASSERT_TRUE(third) << message(third);
  EXPECT_EQ(third->transport, "rest");
  EXPECT_FALSE(third->fallback_used);
  EXPECT_EQ(ssh_requests(), 2u);
  plain->close();
  client->close();
}

} // namespace
} // namespace rmcp::routeros
