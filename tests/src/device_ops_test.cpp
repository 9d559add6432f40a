// The device-access service (actors/device_ops.hpp): a tools/call to a
// router costs ONE fleet round trip, counted by a proxy in front of the real
// fleet, for callers with and without a device scope (bandwidth_test: its
// two routers looked up at once); read_all joins in
// order and fails on the first failure (absent menus as null on request);
// write_all runs in order under one lease and releases it on success and
// on failure; a typed actor (as the rollout coordinator is) uses the same
// calls for a change kind's state and its requests.

#include "actors/device_ops.hpp"

#include <map>
#include <memory>
#include <string>

#include <caf/typed_event_based_actor.hpp>

#include "tests/support/tool_harness.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;

/// Messages the proxy passed to the fleet, by kind.
struct fleet_counts {
  std::map<std::string, int> by_kind;

  int total() const {
    int n = 0;
    for (auto& [_, k] : by_kind)
      n += k;
    return n;
  }
};

/// A fleet that counts every message, then hands it to the real one (the
/// answer goes straight back to the requester).
fleet_actor::behavior_type counting_fleet(fleet_actor::pointer self,
                                          fleet_actor real,
                                          std::shared_ptr<fleet_counts> n) {
  self->link_to(real);
  return {
    [=](atom::get a, std::string& id,
        atom::handle h) -> caf::result<device_handle> {
      ++n->by_kind["handle"];
      return self->delegate(real, a, std::move(id), h);
    },
    [=](atom::get a, atom::devices d) -> caf::result<std::vector<device_view>> {
      ++n->by_kind["devices"];
      return self->delegate(real, a, d);
    },
    [=](atom::get a, std::string& id,
        atom::view v) -> caf::result<device_view> {
      ++n->by_kind["view"];
      return self->delegate(real, a, std::move(id), v);
    },
    [=](atom::subscribe a, health_listener_actor& l) {
      ++n->by_kind["subscribe"];
      self->send(real, a, std::move(l));
    },
    [=](atom::unsubscribe a, health_listener_actor& l) {
      ++n->by_kind["unsubscribe"];
      self->send(real, a, std::move(l));
    },
    [=](atom::health a, health_sample& s) {
      ++n->by_kind["health"];
      self->send(real, a, std::move(s));
    },
    [=](atom::reload a) -> caf::result<atom::ok> {
      ++n->by_kind["reload"];
      return self->delegate(real, a);
    },
    [=](atom::poll a) { self->send(real, a); },
    [=](atom::restart a, std::string& id) {
      self->send(real, a, std::move(id));
    },
    [=](atom::cluster a, cluster_view& v, std::vector<std::string>& owned) {
      self->send(real, a, std::move(v), std::move(owned));
    },
    [=](atom::cluster a, atom::get g,
        std::string& id) -> caf::result<device_handle> {
      return self->delegate(real, a, g, std::move(id));
    },
    [=](atom::cluster a,
        atom::devices d) -> caf::result<std::vector<device_view>> {
      return self->delegate(real, a, d);
    },
    [=](atom::cluster a, atom::join j,
        std::string& node) -> caf::result<atom::ok> {
      return self->delegate(real, a, j, std::move(node));
    },
    [=](atom::cluster a, std::string& node) {
      self->send(real, a, std::move(node));
    },
  };
}

class device_ops_test : public test::tool_harness {
protected:
  device_ops_test() {
    counts = std::make_shared<fleet_counts>();
    wrap_fleet = [this](fleet_actor real) {
      return sys.spawn(counting_fleet, std::move(real), counts);
    };
    router = std::make_shared<test::fake_router>();
    auto health = test::router_responder(router);
    factory->answer = [health](const rest_request& req)
      -> std::optional<caf::expected<rest_response>> {
      if (req.path == "/system/clock")
        return test::ok_response({{"time", "12:00:00"},
                                  {"date", "2026-01-02"},
                                  {"time-zone-name", "Europe/Berlin"}});
      if (req.path == "/interface/wireless")
        return make_error(ec::router_bad_request,
                          "no such command or directory (wireless)");
      if (req.path == "/ip/dns")
        return test::ok_response({{"servers", "9.9.9.9"},
                                  {"allow-remote-requests", "false"},
                                  {"cache-size", "2048"}});
      if (req.method == "POST" && req.path == "/fail")
        return make_error(ec::router_bad_request, "failure: refused");
      if (req.method != "GET")
        return test::ok_response({{"ret", req.path}});
      return health(req);
    };
  }

  /// Fleet messages caused by one tools/call of get_system_clock.
  int fleet_messages_of_one_read(const std::string& device) {
    auto before = counts->total();
    auto res = call("get_system_clock", {{"device_id", device}});
    EXPECT_FALSE(res.value("isError", false)) << res.dump();
    return counts->total() - before;
  }

  /// Runs `body(self)` inside a fresh event-based actor.
  void in_actor(std::function<void(caf::event_based_actor*)> body) {
    sys.spawn([body](caf::event_based_actor* self) { body(self); });
    run();
  }

  device_actor actor_of(const std::string& id) {
    device_actor out;
    in_actor([&out, &id, this](caf::event_based_actor* self) {
      device_ops::with_device(
        self, fleet, id, [&out](device_handle h) { out = h.actor; },
        [](caf::error err) { ADD_FAILURE() << error_message(err); });
    });
    EXPECT_TRUE(out) << id;
    return out;
  }

  std::shared_ptr<fleet_counts> counts;
  std::shared_ptr<test::fake_router> router;
};

} // namespace

TEST_F(device_ops_test, a_router_tool_call_makes_one_fleet_round_trip) {
  add_device(test::test_device("r1"));
  start();
  EXPECT_EQ(fleet_messages_of_one_read("r1"), 1);
  EXPECT_EQ(fleet_messages_of_one_read("r1"), 1);
  EXPECT_EQ(counts->by_kind["handle"], 2);
  EXPECT_EQ(counts->by_kind.count("view"), 0u);
}

TEST_F(device_ops_test, a_bandwidth_test_looks_up_both_routers_at_once) {
  auto source = test::test_device("r1");
  source.flags.allow_professional_workflows = true;
  auto target = test::test_device("r2");
  target.flags.allow_bandwidth_test = true;
  add_device(source);
  add_device(target);
  start();
  auto res = call(
    "bandwidth_test",
    {{"device_id", "r1"}, {"target_device_id", "r2"}, {"duration_seconds", 5}});
  ASSERT_FALSE(res.value("isError", false)) << res.dump();
  EXPECT_EQ(res["structuredContent"]["target_address"], "127.0.0.1");
  // Two lookups sent together (one round trip of latency), no view.
  EXPECT_EQ(counts->total(), 2);
  EXPECT_EQ(counts->by_kind["handle"], 2);
  EXPECT_EQ(counts->by_kind.count("view"), 0u);
  EXPECT_EQ(factory->client("r1")->count("/tool/bandwidth-test"), 1u);
  EXPECT_EQ(factory->client("r2")->count("/tool/bandwidth-test"), 0u);
  // The other way round the flags do not allow it: refused before any
  // router is asked.
  auto refused = call(
    "bandwidth_test",
    {{"device_id", "r2"}, {"target_device_id", "r1"}, {"duration_seconds", 5}});
  EXPECT_EQ(refused["_meta"]["error_kind"], "capability_denied")
    << refused.dump();
  EXPECT_EQ(factory->client("r1")->count("/tool/bandwidth-test"), 1u);
  EXPECT_EQ(factory->client("r2")->count("/tool/bandwidth-test"), 0u);
}

TEST_F(device_ops_test, a_device_scoped_caller_also_makes_one_round_trip) {
  add_device(test::test_device("r1", "lab", {{"site", "berlin"}}));
  add_device(test::test_device("r2", "lab", {{"site", "paris"}}));
  who = identity{"alice", "read_only", "test", {}, {}, {}, {}, {}};
  who.scope.tags = {"site=berlin"};
  start();
  // The session's authorization lookup is the tool's device lookup.
  EXPECT_EQ(fleet_messages_of_one_read("r1"), 1);
  EXPECT_EQ(counts->by_kind["handle"], 1);
  EXPECT_EQ(counts->by_kind.count("devices"), 0u);
  // Out of scope: refused after that one lookup, the router never asked.
  auto before = counts->total();
  auto res = call("get_system_clock", {{"device_id", "r2"}});
  EXPECT_TRUE(res.value("isError", false)) << res.dump();
  EXPECT_EQ(res["_meta"]["error_kind"], "forbidden") << res.dump();
  EXPECT_EQ(counts->total() - before, 1);
  EXPECT_EQ(factory->client("r2")->count("/system/clock"), 0u);
}

TEST_F(device_ops_test, another_environment_is_refused_with_the_clear_message) {
  add_device(test::test_device("p1", "prod"));
  start();
  auto res = call("get_system_clock", {{"device_id", "p1"}});
  ASSERT_TRUE(res.value("isError", false)) << res.dump();
  EXPECT_EQ(res["_meta"]["error_kind"], "environment_mismatch");
  auto text = res["content"][0]["text"].get<std::string>();
  EXPECT_NE(text.find("belongs to environment 'prod' but this service "
                      "manages 'lab'"),
            std::string::npos)
    << text;
  EXPECT_EQ(counts->by_kind["handle"], 1);
  EXPECT_EQ(factory->made("p1"), 0u);
}

TEST_F(device_ops_test, an_unknown_device_fails_without_a_second_lookup) {
  who = identity{"alice", "read_only", "test", {}, {}, {}, {}, {}};
  who.scope.ids = {"ghost"};
  start();
  auto res = call("get_system_clock", {{"device_id", "ghost"}});
  ASSERT_TRUE(res.value("isError", false)) << res.dump();
  EXPECT_EQ(res["_meta"]["error_kind"], "device_not_found") << res.dump();
  EXPECT_EQ(counts->total(), 1);
}

TEST_F(device_ops_test, read_all_joins_in_order_and_fails_on_the_first_error) {
  add_device(test::test_device("r1"));
  start();
  auto dev = actor_of("r1");
  std::vector<json> bodies;
  in_actor([&](caf::event_based_actor* self) {
    device_ops::read_all(
      self, dev, {"/ip/dns", "/system/clock"},
      [&bodies](std::vector<json>& b) { bodies = b; },
      [](caf::error err) { ADD_FAILURE() << error_message(err); });
  });
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0]["servers"], "9.9.9.9");
  EXPECT_EQ(bodies[1]["time"], "12:00:00");
  // A missing package's menu: an error, or null when asked for.
  int oks = 0;
  std::vector<caf::error> errors;
  in_actor([&](caf::event_based_actor* self) {
    device_ops::read_all(
      self, dev, {"/ip/dns", "/interface/wireless", "/interface/wireless"},
      [&oks](std::vector<json>&) { ++oks; },
      [&errors](caf::error err) { errors.push_back(std::move(err)); });
  });
  EXPECT_EQ(oks, 0);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(error_code_of(errors[0]), ec::router_bad_request);
  bodies.clear();
  in_actor([&](caf::event_based_actor* self) {
    device_ops::read_all(
      self, dev, {"/interface/wireless", "/ip/dns"},
      [&bodies](std::vector<json>& b) { bodies = b; },
      [](caf::error err) { ADD_FAILURE() << error_message(err); },
      device_ops::read_options{true, 0, {}, {}});
  });
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_TRUE(bodies[0].is_null());
  EXPECT_EQ(bodies[1]["servers"], "9.9.9.9");
}

TEST_F(device_ops_test, write_all_runs_in_order_under_one_released_lease) {
  add_device(test::test_device("r1"));
  start();
  auto dev = actor_of("r1");
  std::vector<rest_response> replies;
  in_actor([&](caf::event_based_actor* self) {
    device_ops::write_all(
      self, dev, {post_request("/a", json::object()), put_request("/b", {})},
      [&replies](std::vector<rest_response>& r) { replies = r; },
      [](caf::error err) { ADD_FAILURE() << error_message(err); });
  });
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].body["ret"], "/a");
  EXPECT_EQ(replies[1].body["ret"], "/b");
  auto& calls = factory->client("r1")->calls();
  ASSERT_GE(calls.size(), 2u);
  auto first = calls[calls.size() - 2].req;
  auto second = calls.back().req;
  EXPECT_EQ(first.path, "/a");
  EXPECT_EQ(second.path, "/b");
  EXPECT_NE(first.lease, 0u);
  EXPECT_EQ(first.lease, second.lease);
  // Released: a lease taken now is granted at once.
  auto lease_now = [&] {
    uint64_t got = 0;
    in_actor([&](caf::event_based_actor* self) {
      device_ops::acquire(
        self, dev, 1000, [&got](uint64_t l) { got = l; },
        [](caf::error err) { ADD_FAILURE() << error_message(err); });
    });
    EXPECT_NE(got, 0u) << "the write lock was not released";
    in_actor([&](caf::event_based_actor* self) {
      device_ops::release(self, dev, got);
    });
  };
  lease_now();
  // The first failure stops the chain and releases the lease too.
  std::vector<caf::error> errors;
  auto before = calls.size();
  in_actor([&](caf::event_based_actor* self) {
    device_ops::write_all(
      self, dev, {post_request("/fail", {}), post_request("/never", {})},
      [](std::vector<rest_response>&) { ADD_FAILURE() << "no failure"; },
      [&errors](caf::error err) { errors.push_back(std::move(err)); });
  });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(error_code_of(errors[0]), ec::router_bad_request);
  EXPECT_EQ(factory->client("r1")->calls().size(), before + 1);
  lease_now();
  // Nothing to write: no lease, no request.
  int done = 0;
  in_actor([&](caf::event_based_actor* self) {
    device_ops::write_all(
      self, dev, {}, [&done](std::vector<rest_response>&) { ++done; },
      [](caf::error err) { ADD_FAILURE() << error_message(err); });
  });
  EXPECT_EQ(done, 1);
}

namespace {

/// A typed actor like the rollout coordinator: one device step per (run).
using step_actor = caf::typed_actor<caf::reacts_to<atom::run>>;

struct step_result {
  json state;
  std::vector<rest_response> replies;
  std::vector<caf::error> errors;
};

/// Reads a change kind's state, then writes under a lease, through
/// device_ops only (the calls the coordinator makes).
step_actor::behavior_type step_probe(step_actor::pointer self,
                                     fleet_actor fleet, const change_kind* kind,
                                     std::shared_ptr<step_result> out) {
  auto fail = [out](caf::error err) { out->errors.push_back(std::move(err)); };
  auto write = [self, out, fail](const device_actor& dev) {
    device_ops::write_all(
      self, dev, {post_request("/ip/dns/set", {{"servers", "1.1.1.1"}})},
      [out](std::vector<rest_response>& r) { out->replies = r; }, fail,
      device_ops::write_options{0, 60'000, {}});
  };
  auto step = [self, kind, out, fail, write](device_handle dev) {
    device_ops::read_state(
      self, dev.actor, *kind, json{{"servers", {"1.1.1.1"}}},
      [out, write, dev](json state) {
        out->state = std::move(state);
        write(dev.actor);
      },
      fail);
  };
  return {
    [self, fleet, step, fail](atom::run) {
      device_ops::with_device(self, fleet, "r1", step, fail);
    },
  };
}

} // namespace

TEST_F(device_ops_test,
       a_typed_actor_reads_a_kinds_state_and_writes_its_requests) {
  add_device(test::test_device("r1"));
  start();
  // A kind reading a menu the router lacks (absent as null) and one it has.
  change_kind kind{};
  kind.name = "probe";
  kind.absent_menus_null = true;
  kind.reads = [](const json&) {
    return std::vector<std::string>{"/interface/wireless", "/ip/dns"};
  };
  kind.state = [](const json& params, const std::vector<json>& bodies) {
    return json{{"wireless", bodies[0]},
                {"servers", bodies[1]["servers"]},
                {"asked", params["servers"]}};
  };
  auto out = std::make_shared<step_result>();
  auto probe = sys.spawn(step_probe, fleet, &kind, out);
  caf::anon_send(probe, atom::run_v);
  run();
  ASSERT_TRUE(out->errors.empty()) << error_message(out->errors.front());
  EXPECT_TRUE(out->state["wireless"].is_null()) << out->state.dump();
  EXPECT_EQ(out->state["servers"], "9.9.9.9");
  EXPECT_EQ(out->state["asked"], json({"1.1.1.1"}));
  ASSERT_EQ(out->replies.size(), 1u);
  EXPECT_EQ(out->replies[0].body["ret"], "/ip/dns/set");
  auto& last = factory->client("r1")->calls().back().req;
  EXPECT_EQ(last.path, "/ip/dns/set");
  EXPECT_NE(last.lease, 0u);
  caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
  run();
}

} // namespace rmcp
