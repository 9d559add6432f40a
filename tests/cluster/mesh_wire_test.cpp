// Every type that crosses nodes, sent to another actor system over its
// middleman and reflected back: it must arrive equal (an actor handle as
// the same actor, a JSON body with its structure, an rmcp error with its
// code and message).

#include <gtest/gtest.h>

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "protocol/error.hpp"
#include "protocol/fleet_actors.hpp"
#include "tests/cluster/mesh_node.hpp"

namespace rmcp::test {

namespace {

class mesh_wire_test : public ::testing::Test {
protected:
  mesh_wire_test() {
    // The mirror answers every request with the request itself.
    auto mirror = b.sys->spawn([](caf::event_based_actor* self) {
      self->set_default_handler(caf::reflect);
      return caf::behavior{[] {}};
    });
    auto port = b.sys->middleman().publish(mirror, 0, "127.0.0.1");
    EXPECT_TRUE(port) << b.sys->render(port.error());
    auto remote = a.sys->middleman().remote_actor("127.0.0.1", *port);
    EXPECT_TRUE(remote) << a.sys->render(remote.error());
    far = *remote;
    EXPECT_NE(far.node(), a.sys->node());
    keep = mirror;
  }

  ~mesh_wire_test() override {
    caf::anon_send_exit(keep, caf::exit_reason::user_shutdown);
  }

  /// Sends `x` to the other node and returns what came back.
  template <class T>
  T round_trip(const T& x) {
    caf::scoped_actor self{*a.sys};
    T back{};
    self->request(far, mesh_timeout, x)
      .receive([&](T& y) { back = std::move(y); },
               [&](caf::error& err) { ADD_FAILURE() << a.sys->render(err); });
    return back;
  }

  mesh_node a;
  mesh_node b;
  caf::actor far;
  caf::actor keep;
};

rest_request sample_request() {
  auto req = post_request("/ip/address/add",
                          json{{"address", "10.0.0.1/24"},
                               {"interface", "ether1"},
                               {"nested", {{"list", {1, 2.5, "x", nullptr}}}}});
  req.lease = 77;
  req.timeout_ms = 1500;
  return req;
}

health_sample sample_health() {
  health_sample s;
  s.device_id = "edge-01";
  s.timestamp = 1700000000123;
  s.status = device_status::degraded;
  s.cpu_percent = 93.5;
  s.memory_total_bytes = 1u << 30;
  s.memory_used_bytes = 1u << 29;
  s.uptime_seconds = 4242;
  s.latency_ms = 3.25;
  s.routeros_version = "7.16.2";
  s.board_name = "CCR2004-16G-2S+";
  s.identity = "edge";
  s.issues = {"cpu 93% > 90%"};
  return s;
}

device_record sample_record() {
  device_record r;
  r.id = "edge-01";
  r.name = "Edge";
  r.host = "127.0.0.1";
  r.port = 8443;
  r.tls.mode = "pin";
  r.tls.fingerprint_sha256 = std::string(95, 'A');
  r.username = "api";
  r.environment = "staging";
  r.tags = {{"site", "ams"}, {"role", "edge"}};
  r.flags.allow_firewall_writes = true;
  r.flags.critical = true;
  r.management_path = true;
  r.created_at = 1;
  r.updated_at = 2;
  return r;
}

} // namespace

TEST_F(mesh_wire_test, json_keeps_its_structure) {
  json x{{"a", {1, 2, 3}}, {"b", {{"c", nullptr}, {"d", true}}}, {"e", 0.5}};
  EXPECT_EQ(round_trip(x), x);
}

TEST_F(mesh_wire_test, rest_request_and_response_arrive_equal) {
  auto req = sample_request();
  auto back = round_trip(req);
  EXPECT_EQ(back.method, req.method);
  EXPECT_EQ(back.path, req.path);
  EXPECT_EQ(back.body, req.body);
  EXPECT_EQ(back.lease, 77u);
  EXPECT_EQ(back.timeout_ms, 1500);
  rest_response resp{201, json::array({{{".id", "*1"}}}), 1234};
  auto r = round_trip(resp);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, resp.body);
  EXPECT_EQ(r.latency_us, 1234);
}

TEST_F(mesh_wire_test, health_sample_arrives_equal) {
  auto s = sample_health();
  auto back = round_trip(s);
  EXPECT_EQ(back.device_id, s.device_id);
  EXPECT_EQ(back.timestamp, s.timestamp);
  EXPECT_EQ(back.status, device_status::degraded);
  EXPECT_DOUBLE_EQ(back.cpu_percent, 93.5);
  EXPECT_EQ(back.memory_used_bytes, s.memory_used_bytes);
  EXPECT_EQ(back.routeros_version, "7.16.2");
  EXPECT_EQ(back.issues, s.issues);
}

TEST_F(mesh_wire_test, device_view_keeps_record_flags_and_health) {
  device_view v{sample_record(), sample_health()};
  auto back = round_trip(v);
  EXPECT_EQ(back.record, v.record);
  EXPECT_TRUE(back.record.flags.allow_firewall_writes);
  EXPECT_FALSE(back.record.flags.allow_dhcp_writes);
  EXPECT_EQ(back.last.identity, "edge");
}

TEST_F(mesh_wire_test, device_handle_comes_back_as_the_same_actor) {
  // A device actor of node a: on node b it is a proxy, back here it must
  // resolve to the actor itself, usable at once.
  auto stub = a.sys->spawn([]() -> caf::behavior {
    return {[](atom::exec, rest_request& req) {
      return rest_response{200, json{{"path", req.path}}, 0};
    }};
  });
  device_handle h;
  h.view = device_view{sample_record(), sample_health()};
  h.actor = caf::actor_cast<device_actor>(stub);
  auto back = round_trip(h);
  ASSERT_TRUE(back.actor);
  EXPECT_EQ(back.actor, h.actor);
  EXPECT_EQ(back.view.record, h.view.record);
  EXPECT_FALSE(back.unavailable);
  caf::scoped_actor self{*a.sys};
  self->request(back.actor, mesh_timeout, atom::exec_v, get_request("/x"))
    .receive([](rest_response& r) { EXPECT_EQ(r.body["path"], "/x"); },
             [&](caf::error& err) { ADD_FAILURE() << a.sys->render(err); });
  caf::anon_send_exit(stub, caf::exit_reason::user_shutdown);
}

TEST_F(mesh_wire_test, handle_without_actor_keeps_its_reason) {
  device_handle h;
  h.view.record = sample_record();
  h.unavailable = make_error(ec::environment_mismatch, "other environment");
  auto back = round_trip(h);
  EXPECT_FALSE(back.actor);
  EXPECT_EQ(error_code_of(back.unavailable), ec::environment_mismatch);
  EXPECT_EQ(error_message(back.unavailable), "other environment");
}

TEST_F(mesh_wire_test, an_rmcp_error_keeps_code_and_message) {
  // Tagged, so the reflected message is a value and not the request's
  // failure (a response of one error is the error path).
  auto err = make_error(ec::device_moving, "node 'b' is not reachable");
  caf::error back;
  caf::scoped_actor self{*a.sys};
  self->request(far, mesh_timeout, atom::failed_v, err)
    .receive([&](atom::failed, caf::error& e) { back = std::move(e); },
             [&](caf::error& e) { ADD_FAILURE() << a.sys->render(e); });
  EXPECT_EQ(error_code_of(back), ec::device_moving);
  EXPECT_EQ(error_message(back), "node 'b' is not reachable");
  EXPECT_TRUE(is_retryable(error_code_of(back)));
}

TEST_F(mesh_wire_test, a_cluster_view_arrives_equal) {
  cluster_view v{42, {{"a", "127.0.0.1", 7401}, {"b", "::1", 7402}}};
  auto back = round_trip(v);
  EXPECT_EQ(back.revision, 42u);
  ASSERT_EQ(back.members.size(), 2u);
  EXPECT_EQ(back.members[1].node_id, "b");
  EXPECT_EQ(back.members[1].host, "::1");
  EXPECT_EQ(back.members[1].port, 7402);
}

} // namespace rmcp::test
