// The Boost.Beast REST client against the in-process simulator over real
// loopback sockets: TLS modes, keep-alive, the connection cap (requests
// past it wait in the client, in order), error mapping, deadlines,
// cancel/close and the stale keep-alive retry.

#include "src/routeros/beast_client.hpp"

#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include "actors/device_actor.hpp"
#include "protocol/caf_setup.hpp"
#include "protocol/error.hpp"
#include "sim/fleet.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::routeros {
namespace {

using namespace std::chrono_literals;

class beast_client_test : public ::testing::Test {
protected:
  beast_client_test() {
    io = std::make_shared<io_runtime>(2);
    factory = make_rest_client_factory(io, "routeros-mcp-test");
  }

  void start(bool tls = true, sim::fault_config faults = {}) {
    sim::fleet_options o;
    o.routers = 1;
    o.tls = tls;
    o.time_scale = 0.001;
    o.session_limit_ms = 300;
    o.faults = faults;
    fleet = std::make_unique<sim::fleet>(o);
  }

  /// A client of at most one connection to a router with `faults`.
  std::shared_ptr<rest_client> one_connection_client(sim::fault_config faults) {
    start(true, faults);
    auto ep = endpoint();
    ep.max_connections = 1;
    return factory->make(ep);
  }

  rest_endpoint endpoint() {
    rest_endpoint ep;
    ep.device_id = "r1";
    ep.host = "127.0.0.1";
    ep.port = fleet->port(0);
    ep.scheme = "https";
    ep.tls.mode = "pin";
    ep.tls.fingerprint_sha256 = fleet->fingerprint_sha256();
    ep.creds = {"admin", "routeros-sim"};
    ep.connect_timeout = 2000ms;
    return ep;
  }

  static caf::expected<rest_response>
  call(rest_client& client, std::string method, std::string path,
       json body = {}, std::chrono::milliseconds timeout = 5000ms) {
    std::promise<caf::expected<rest_response>> p;
    auto f = p.get_future();
    rest_request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.body = std::move(body);
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
    return call(client, "GET", std::move(path));
  }

  static ec code(const caf::expected<rest_response>& x) {
    return x ? ec{} : error_code_of(x.error());
  }

  /// The record of the simulated router, pinned.
  device_record test_record() {
    device_record r;
    r.id = "r1";
    r.name = "r1";
    r.host = "127.0.0.1";
    r.port = fleet->port(0);
    r.scheme = "https";
    r.tls.mode = "pin";
    r.tls.fingerprint_sha256 = fleet->fingerprint_sha256();
    r.username = "admin";
    return r;
  }

  static std::string message(const caf::expected<rest_response>& x) {
    return x ? std::string{} : error_message(x.error());
  }

  std::unique_ptr<sim::fleet> fleet;
  std::shared_ptr<io_runtime> io;
  rest_client_factory_ptr factory;
};

TEST(request_target, prefixes_rest_and_encodes_unsafe_bytes) {
  EXPECT_EQ(request_target("/system/resource"), "/rest/system/resource");
  EXPECT_EQ(
    request_target("/ip/address?interface=ether1&.proplist=.id,address"),
    "/rest/ip/address?interface=ether1&.proplist=.id,address");
  EXPECT_EQ(request_target("/ip/address/*3"), "/rest/ip/address/*3");
  EXPECT_EQ(request_target("/log?message=a b#\"\n"),
            "/rest/log?message=a%20b%23%22%0A");
}

TEST_F(beast_client_test, pinned_tls_get_returns_parsed_json_and_latency) {
  start();
  auto client = factory->make(endpoint());
  auto res = get(*client, "/system/resource");
  ASSERT_TRUE(res) << message(res);
  EXPECT_EQ(res->status, 200);
  ASSERT_TRUE(res->body.is_object());
  EXPECT_TRUE(res->body.contains("board-name"));
  EXPECT_TRUE(res->body["uptime"].is_string());
  EXPECT_GT(res->latency_us, 0);
  client->close();
}

TEST_F(beast_client_test, io_threads_grow_with_the_clients_up_to_the_limit) {
  start();
  auto small = std::make_shared<io_runtime>(3, 2);
  auto made = make_rest_client_factory(small, "routeros-mcp-test");
  EXPECT_EQ(small->threads(), 1u);
  std::vector<std::shared_ptr<rest_client>> clients;
  std::vector<size_t> threads;
  for (int i = 0; i < 7; ++i) {
    clients.push_back(made->make(endpoint()));
    threads.push_back(small->threads());
  }
  // One thread per two clients alive, at most three.
  EXPECT_EQ(threads, (std::vector<size_t>{1, 1, 2, 2, 3, 3, 3}));
  // Every client works, whichever thread runs its strand.
  for (auto& c : clients) {
    auto res = get(*c, "/system/resource");
    EXPECT_TRUE(res) << message(res);
  }
  for (auto& c : clients)
    c->close();
  clients.clear();
  // Threads are kept when clients go; new clients count from what is alive.
  EXPECT_EQ(small->threads(), 3u);
  auto again = made->make(endpoint());
  EXPECT_EQ(small->threads(), 3u);
  again->close();
}

TEST_F(beast_client_test, keeps_one_connection_alive_across_requests) {
  start();
  auto client = factory->make(endpoint());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(get(*client, "/system/identity"));
  EXPECT_EQ(fleet->router(0).stats().connections, 1u);
  EXPECT_EQ(fleet->router(0).stats().requests, 5u);
  client->close();
}

TEST_F(beast_client_test, concurrent_requests_never_exceed_max_connections) {
  // The device actor hands reads ahead; the router still sees at most
  // max_connections at once, on as many kept connections.
  sim::fault_config slow;
  slow.latency_ms = 20;
  start(true, slow);
  caf::actor_system_config cfg;
  add_rmcp_types(cfg);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  device_setup setup;
  setup.record = test_record();
  setup.creds = {"admin", "routeros-sim"};
  setup.factory = factory;
  setup.settings.max_connections = 2;
  setup.settings.health_checks = false;
  auto dev = spawn_device(sys, setup);
  constexpr int n = 12;
  caf::scoped_actor self{sys};
  rest_request req;
  req.path = "/system/identity";
  for (int i = 0; i < n; ++i)
    self->send(dev, atom::exec_v, req);
  int answered = 0;
  for (int i = 0; i < n; ++i)
    self->receive(
      [&](rest_response& resp) {
        EXPECT_EQ(resp.status, 200);
        ++answered;
      },
      [&](caf::error& err) { ADD_FAILURE() << error_message(err); },
      caf::after(30s) >> [&] { ADD_FAILURE() << "no answer within 30 s"; });
  EXPECT_EQ(answered, n);
  EXPECT_EQ(fleet->router(0).stats().connections, 2u);
  EXPECT_EQ(fleet->router(0).stats().requests, uint64_t{n});
  self->send_exit(dev, caf::exit_reason::user_shutdown);
}

TEST_F(beast_client_test,
       requests_past_max_connections_wait_and_go_out_in_order) {
  sim::fault_config slow;
  slow.latency_ms = 20;
  auto client = one_connection_client(slow);
  constexpr int n = 4;
  std::vector<std::promise<caf::expected<rest_response>>> answers(n);
  std::mutex mtx;
  std::vector<int> order;
  rest_request req;
  req.path = "/system/identity";
  for (int i = 0; i < n; ++i)
    client->async_request(req, 10s, [&, i](auto x) {
      {
        std::lock_guard<std::mutex> guard{mtx};
        order.push_back(i);
      }
      answers[i].set_value(std::move(x));
    });
  for (auto& a : answers) {
    auto f = a.get_future();
    ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
    auto x = f.get();
    EXPECT_TRUE(x) << message(x);
  }
  // Four at once ran one after another on one connection, in order ...
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(fleet->router(0).stats().connections, 1u);
  // ... which stays for the next requests.
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(get(*client, "/system/identity"));
  EXPECT_EQ(fleet->router(0).stats().connections, 1u);
  EXPECT_EQ(fleet->router(0).stats().requests, uint64_t{n + 3});
  client->close();
}

TEST_F(beast_client_test,
       a_waiting_request_is_cancelled_or_times_out_without_being_sent) {
  sim::fault_config hang;
  hang.timeout_rate = 1;
  auto client = one_connection_client(hang);
  std::promise<caf::expected<rest_response>> busy, cancelled, late;
  rest_request req;
  req.path = "/system/resource";
  client->async_request(req, 300ms,
                        [&](auto x) { busy.set_value(std::move(x)); });
  auto id = client->async_request(
    req, 20s, [&](auto x) { cancelled.set_value(std::move(x)); });
  client->async_request(req, 100ms,
                        [&](auto x) { late.set_value(std::move(x)); });
  client->cancel(id);
  auto f_cancelled = cancelled.get_future();
  ASSERT_EQ(f_cancelled.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(code(f_cancelled.get()), ec::cancelled);
  auto f_busy = busy.get_future();
  ASSERT_EQ(f_busy.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(code(f_busy.get()), ec::router_timeout);
  // The last one's 100 ms passed while the connection was busy.
  auto f_late = late.get_future();
  ASSERT_EQ(f_late.wait_for(30s), std::future_status::ready);
  auto x = f_late.get();
  EXPECT_EQ(code(x), ec::router_timeout);
  EXPECT_NE(message(x).find("no connection free within 100 ms"),
            std::string::npos)
    << message(x);
  EXPECT_EQ(fleet->router(0).stats().requests, 1u);
  client->close();
}

TEST_F(beast_client_test, wrong_pin_fails_tls_naming_both_fingerprints) {
  start();
  auto ep = endpoint();
  ep.tls.fingerprint_sha256.clear();
  for (int i = 0; i < 32; ++i)
    ep.tls.fingerprint_sha256 += i == 0 ? "AB" : ":AB";
  auto client = factory->make(ep);
  auto res = get(*client, "/system/resource");
  ASSERT_EQ(code(res), ec::router_tls_failed);
  EXPECT_NE(message(res).find("fingerprint mismatch"), std::string::npos);
  EXPECT_NE(message(res).find(fleet->fingerprint_sha256()), std::string::npos)
    << message(res);
  EXPECT_EQ(fleet->router(0).stats().requests, 0u);
}

TEST_F(beast_client_test, verify_mode_trusts_the_ca_file_and_checks_the_name) {
  start();
  test::temp_dir dir;
  auto ca = dir.path() + "/ca.pem";
  std::ofstream{ca} << fleet->certificate_pem();
  auto ep = endpoint();
  ep.tls.mode = "verify";
  ep.tls.fingerprint_sha256.clear();
  ep.tls.ca_file = ca;
  {
    // The certificate names IP:127.0.0.1 and DNS:localhost.
    auto client = factory->make(ep);
    auto res = get(*client, "/system/identity");
    EXPECT_TRUE(res) << message(res);
  }
  {
    ep.tls.server_name = "localhost";
    auto client = factory->make(ep);
    auto res = get(*client, "/system/identity");
    EXPECT_TRUE(res) << message(res);
  }
  {
    ep.tls.server_name = "router.example.net";
    auto client = factory->make(ep);
    auto res = get(*client, "/system/identity");
    EXPECT_EQ(code(res), ec::router_tls_failed) << message(res);
  }
}

TEST_F(beast_client_test, verify_mode_refuses_a_self_signed_router_by_default) {
  start();
  auto ep = endpoint();
  ep.tls.mode = "verify";
  ep.tls.fingerprint_sha256.clear();
  auto client = factory->make(ep);
  auto res = get(*client, "/system/identity");
  ASSERT_EQ(code(res), ec::router_tls_failed);
  EXPECT_NE(message(res).find("certificate not trusted"), std::string::npos)
    << message(res);
}

TEST_F(beast_client_test, insecure_mode_and_plain_http_work_when_chosen) {
  start();
  auto ep = endpoint();
  ep.tls.mode = "insecure";
  auto tls_client = factory->make(ep);
  EXPECT_TRUE(get(*tls_client, "/system/identity"));
  start(false);
  auto plain = endpoint();
  plain.scheme = "http";
  auto http_client = factory->make(plain);
  auto res = get(*http_client, "/system/identity");
  ASSERT_TRUE(res) << message(res);
  EXPECT_TRUE(res->body.contains("name"));
}

TEST_F(beast_client_test, maps_router_errors_to_the_error_enum) {
  start();
  auto ep = endpoint();
  ep.creds.password = "wrong";
  auto bad_auth = factory->make(ep);
  EXPECT_EQ(code(get(*bad_auth, "/system/identity")), ec::router_auth_failed);

  auto client = factory->make(endpoint());
  auto unknown = get(*client, "/nonexistent");
  ASSERT_EQ(code(unknown), ec::router_bad_request);
  EXPECT_NE(message(unknown).find("no such command or directory"),
            std::string::npos)
    << message(unknown);
  EXPECT_EQ(code(get(*client, "/ip/address/*FFFF")), ec::router_not_found);

  auto ro = endpoint();
  ro.creds.username = "readonly";
  auto reader = factory->make(ro);
  auto denied =
    call(*reader, "POST", "/system/identity/set", json{{"name", "x"}});
  EXPECT_EQ(code(denied), ec::router_permission_denied) << message(denied);
}

TEST_F(beast_client_test, writes_send_json_bodies_with_the_right_verbs) {
  start();
  auto client = factory->make(endpoint());
  auto set =
    call(*client, "POST", "/system/identity/set", json{{"name", "core-7"}});
  ASSERT_TRUE(set) << message(set);
  auto name = get(*client, "/system/identity");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->body["name"], "core-7");
  auto added = call(*client, "PUT", "/ip/firewall/address-list",
                    json{{"list", "mcp-test"}, {"address", "192.0.2.7"}});
  ASSERT_TRUE(added) << message(added);
  ASSERT_TRUE(added->body.contains(".id"));
  auto id = added->body[".id"].get<std::string>();
  auto removed = call(*client, "DELETE", "/ip/firewall/address-list/" + id);
  ASSERT_TRUE(removed) << message(removed);
  EXPECT_TRUE(removed->body.is_null());
  EXPECT_EQ(code(get(*client, "/ip/firewall/address-list/" + id)),
            ec::router_not_found);
}

TEST_F(beast_client_test, repairs_raw_control_bytes_in_router_json) {
  sim::fault_config quirk;
  quirk.control_bytes = true;
  start(true, quirk);
  auto client = factory->make(endpoint());
  auto leases = get(*client, "/ip/dhcp-server/lease");
  ASSERT_TRUE(leases) << message(leases);
  ASSERT_TRUE(leases->body.is_array());
  bool found = false;
  for (auto& row : leases->body)
    if (row.value("host-name", "").find('\x1b') != std::string::npos)
      found = true;
  EXPECT_TRUE(found) << leases->body.dump();
}

TEST_F(beast_client_test, a_silent_router_times_out_at_the_deadline) {
  sim::fault_config hang;
  hang.timeout_rate = 1;
  start(true, hang);
  auto client = factory->make(endpoint());
  auto res = call(*client, "GET", "/system/resource", {}, 300ms);
  ASSERT_EQ(code(res), ec::router_timeout) << message(res);
  EXPECT_NE(message(res).find("300 ms"), std::string::npos) << message(res);
  client->close();
}

TEST_F(beast_client_test, a_closed_port_is_unreachable) {
  uint16_t port = 0;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a{
      ioc, {boost::asio::ip::make_address("127.0.0.1"), 0}};
    port = a.local_endpoint().port();
  }
  start();
  auto ep = endpoint();
  ep.port = port;
  auto client = factory->make(ep);
  auto res = get(*client, "/system/resource");
  ASSERT_EQ(code(res), ec::router_unreachable);
  EXPECT_NE(message(res).find("connect to 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
    << message(res);
}

TEST_F(beast_client_test, cancel_and_close_finish_pending_requests_once) {
  sim::fault_config hang;
  hang.timeout_rate = 1;
  auto client = one_connection_client(hang);
  std::promise<caf::expected<rest_response>> first, second;
  std::atomic<int> calls{0};
  rest_request req;
  req.path = "/system/resource";
  auto id = client->async_request(req, 20s, [&](auto x) {
    ++calls;
    first.set_value(std::move(x));
  });
  client->async_request(req, 20s, [&](auto x) {
    ++calls;
    second.set_value(std::move(x));
  });
  client->cancel(id);
  auto f1 = first.get_future();
  ASSERT_EQ(f1.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(code(f1.get()), ec::cancelled);
  client->close();
  auto f2 = second.get_future();
  ASSERT_EQ(f2.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(code(f2.get()), ec::cancelled);
  EXPECT_EQ(calls.load(), 2);
  // After close: refused at once, and nothing else ever runs.
  auto late = get(*client, "/system/resource");
  EXPECT_EQ(code(late), ec::cancelled);
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(beast_client_test,
       a_dropped_keep_alive_read_is_retried_once_writes_never) {
  start();
  auto client = factory->make(endpoint());
  ASSERT_TRUE(get(*client, "/system/identity"));
  fleet->router(0).update_faults([](sim::fault_config& f) { f.drop_rate = 1; });
  auto read = get(*client, "/system/identity");
  EXPECT_EQ(code(read), ec::router_unreachable) << message(read);
  // 1 good + the read on the kept connection + its retry on a new one.
  EXPECT_EQ(fleet->router(0).stats().requests, 3u);
  EXPECT_EQ(fleet->router(0).stats().connections, 2u);

  auto fresh = factory->make(endpoint());
  fleet->router(0).update_faults([](sim::fault_config& f) { f.drop_rate = 0; });
  ASSERT_TRUE(get(*fresh, "/system/identity"));
  fleet->router(0).update_faults([](sim::fault_config& f) { f.drop_rate = 1; });
  auto write =
    call(*fresh, "POST", "/system/identity/set", json{{"name", "x"}});
  EXPECT_EQ(code(write), ec::router_unreachable);
  EXPECT_EQ(fleet->router(0).stats().requests, 5u);
}

} // namespace
} // namespace rmcp::routeros
