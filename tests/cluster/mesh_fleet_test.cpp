// Three fleets in three actor systems, connected by their middlemen on
// loopback, over one simulated fleet of routers: a call through any node
// reaches the owner's device actor and the right router exactly once;
// ownership moves with a new view; an owner that cannot be reached, or a
// device nobody has claimed, fails fast with device_moving, and so does a
// request in flight when the owner's connection is lost; each pair of nodes
// has one connection, made by the node whose id sorts lower.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/device_ops.hpp"
#include "actors/fleet.hpp"
#include "actors/static_membership.hpp"
#include "protocol/error.hpp"
#include "sim/fleet.hpp"
#include "tests/cluster/mesh_node.hpp"
#include "tests/support/fake_rest_client.hpp"
#include "tests/support/fake_store.hpp"
#include "tests/support/sim_rest_client.hpp"
#include "tests/support/tcp_relay.hpp"

namespace rmcp::test {

namespace {

constexpr size_t routers = 6;

std::string dev(size_t i) {
  return "sim-" + std::to_string(i);
}

/// A port on 127.0.0.1 that refuses connections: bound, never listening,
/// held until the end of the test so nobody else takes it.
class refusing_port {
public:
  refusing_port() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~refusing_port() {
    ::close(fd_);
  }
  uint16_t port = 0;

private:
  int fd_ = -1;
};

class mesh_fleet_test : public ::testing::Test {
protected:
  struct node {
    explicit node(std::chrono::milliseconds peer_timeout) : mesh(peer_timeout) {
      // nop
    }
    std::string id;
    mesh_node mesh;
    std::shared_ptr<fake_store_data> data;
    store_actor store;
    fleet_actor fleet;
    uint16_t port = 0;
    /// Its connections to the other members, as /health shows them.
    std::shared_ptr<cluster_links> links = std::make_shared<cluster_links>();
  };

  /// `peer_timeout`: the nodes' `cluster.peer_timeout` (zero: CAF's default,
  /// no heartbeats).
  explicit mesh_fleet_test(std::chrono::milliseconds peer_timeout = {})
    : peer_timeout_(peer_timeout) {
    sim::fleet_options opts;
    opts.routers = routers;
    opts.seed = 42;
    sims = std::make_unique<sim::fleet>(opts);
    factory = std::make_shared<sim_rest_factory>(*sims);
    for (auto id : {"node-a", "node-b", "node-c"})
      add_node(id);
  }

  ~mesh_fleet_test() override {
    for (auto& n : nodes) {
      caf::anon_send_exit(n->fleet, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(n->store, caf::exit_reason::user_shutdown);
    }
    nodes.clear(); // the actor systems end before the simulator
  }

  void add_node(const std::string& id) {
    auto n = std::make_unique<node>(peer_timeout_);
    n->id = id;
    n->data = std::make_shared<fake_store_data>();
    for (auto& info : sims->routers()) {
      auto r = test_device(dev(info.index));
      r.port = info.port;
      r.username = sims->username();
      n->data->devices[r.id] = r;
      n->data->creds[r.id] = credential{r.username, "routeros-sim"};
    }
    n->data->generation = 1;
    auto& sys = *n->mesh.sys;
    n->store = spawn_fake_store(sys, n->data);
    fleet_settings cfg;
    cfg.seed = 1;
    cfg.device.seed = 1;
    cfg.device.health_checks = false;
    cfg.poll_interval = std::chrono::minutes{10};
    cfg.cluster.node_id = id;
    cfg.cluster.connect_timeout = std::chrono::seconds{2};
    cfg.cluster.retry_base = std::chrono::minutes{1};
    cfg.cluster.links = n->links;
    n->fleet = spawn_fleet(sys, n->store, factory, cfg);
    auto port = sys.middleman().publish(n->fleet, 0, "127.0.0.1");
    EXPECT_TRUE(port) << sys.render(port.error());
    n->port = *port;
    nodes.push_back(std::move(n));
  }

  node& at(const std::string& id) {
    for (auto& n : nodes)
      if (n->id == id)
        return *n;
    throw std::logic_error("no node " + id);
  }

  cluster_view view_of(const std::vector<std::string>& ids, uint64_t revision) {
    cluster_view v;
    v.revision = revision;
    for (auto& id : ids)
      v.members.push_back({id, "127.0.0.1", at(id).port});
    return v;
  }

  std::vector<device_record> records() const {
    std::vector<device_record> out;
    for (auto& [_, r] : nodes.front()->data->devices)
      out.push_back(r);
    return out;
  }

  /// Sends every node `view` with the claims rendezvous hashing gives it
  /// (none for nodes outside the view), then waits until each fleet has
  /// taken it (a request behind it from the same sender).
  void install(const cluster_view& v) {
    caf::scoped_actor self{*nodes.front()->mesh.sys};
    for (auto& n : nodes) {
      self->send(n->fleet, atom::cluster_v, v,
                 assigned_to(v, n->id, records()));
      owned_here(*n);
    }
    settle(v);
  }

  /// Waits until every node has connected to every member of `v` (a lookup
  /// through each node of a device of each member). An actor system cannot
  /// shut down while its middleman is in a handshake, so no test may end
  /// with a connection under way.
  void settle(const cluster_view& v) {
    for (auto& m : v.members)
      for (auto& r : records())
        if (owner_of(v, r.id)->node_id == m.node_id) {
          for (auto& n : nodes)
            lookup(*n, r.id);
          break;
        }
  }

  /// The devices whose actors run on `n` (its answer to another node).
  std::vector<std::string> owned_here(node& n) {
    caf::scoped_actor self{*nodes.front()->mesh.sys};
    std::vector<std::string> ids;
    self->request(n.fleet, mesh_timeout, atom::cluster_v, atom::devices_v)
      .receive(
        [&](std::vector<device_view>& vs) {
          for (auto& v : vs)
            ids.push_back(v.record.id);
        },
        [&](caf::error& err) { ADD_FAILURE() << error_message(err); });
    return ids;
  }

  caf::expected<device_handle> lookup(node& n, const std::string& id) {
    caf::scoped_actor self{*n.mesh.sys};
    caf::expected<device_handle> out{
      make_error(ec::internal_error, "no answer")};
    self->request(n.fleet, mesh_timeout, atom::get_v, id, atom::handle_v)
      .receive([&](device_handle& h) { out = std::move(h); },
               [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  json exec(node& n, const device_actor& d, rest_request req) {
    caf::scoped_actor self{*n.mesh.sys};
    json body;
    self->request(d, mesh_timeout, atom::exec_v, std::move(req))
      .receive([&](rest_response& r) { body = std::move(r.body); },
               [&](caf::error& err) { ADD_FAILURE() << error_message(err); });
    return body;
  }

  std::vector<uint64_t> request_counts() {
    std::vector<uint64_t> out;
    for (size_t i = 0; i < routers; ++i)
      out.push_back(sims->router(i).stats().requests);
    return out;
  }

  std::string owner(const cluster_view& v, size_t i) {
    return owner_of(v, dev(i))->node_id;
  }

  /// A device acquire sent through node-a to a device of node-c, which
  /// holds its lock, is in flight on the one connection between them when
  /// `lose` ends that connection (from a relay between the two): it fails
  /// with device_moving at once, not after device_ops::device_timeout (two
  /// minutes), and so does one sent afterwards.
  void expect_in_flight_fails_fast(const std::function<void(tcp_relay&)>& lose);

  std::chrono::milliseconds peer_timeout_;
  std::unique_ptr<sim::fleet> sims;
  std::shared_ptr<sim_rest_factory> factory;
  std::vector<std::unique_ptr<node>> nodes;
};

/// The nodes run with a `cluster.peer_timeout` of 2 s (heartbeats every
/// 400 ms).
class mesh_heartbeat_test : public mesh_fleet_test {
protected:
  mesh_heartbeat_test() : mesh_fleet_test(std::chrono::seconds{2}) {
    // nop
  }
};

} // namespace

TEST_F(mesh_fleet_test, each_node_runs_only_the_devices_it_claims) {
  auto v = view_of({"node-a", "node-b", "node-c"}, 1);
  install(v);
  size_t total = 0;
  for (auto& n : nodes) {
    auto mine = owned_here(*n);
    total += mine.size();
    for (auto& id : mine)
      EXPECT_EQ(owner_of(v, id)->node_id, n->id) << id;
  }
  EXPECT_EQ(total, routers);
}

TEST_F(mesh_fleet_test, a_read_through_any_node_reaches_its_router_once) {
  auto v = view_of({"node-a", "node-b", "node-c"}, 1);
  install(v);
  for (size_t i = 0; i < routers; ++i) {
    for (auto& n : nodes) {
      auto before = request_counts();
      auto h = lookup(*n, dev(i));
      ASSERT_TRUE(h) << error_message(h.error());
      ASSERT_TRUE(h->actor) << error_message(h->unavailable);
      // The owner's device actor: a remote proxy unless asked there.
      EXPECT_EQ(h->actor.node(), at(owner(v, i)).mesh.sys->node());
      EXPECT_EQ(h->view.record.id, dev(i));
      auto body = exec(*n, h->actor, get_request("/system/identity"));
      EXPECT_EQ(body.value("name", ""), sims->routers()[i].identity);
      auto after = request_counts();
      for (size_t k = 0; k < routers; ++k)
        EXPECT_EQ(after[k] - before[k], k == i ? 1u : 0u)
          << "router " << k << " via " << n->id;
    }
  }
}

TEST_F(mesh_fleet_test, a_leased_write_through_a_non_owner_lands_once) {
  auto v = view_of({"node-a", "node-b", "node-c"}, 1);
  install(v);
  const size_t i = 0;
  auto& via = owner(v, i) == "node-a" ? at("node-b") : at("node-a");
  auto before = request_counts();
  // The production path of tools and rollouts: one fleet lookup, then a
  // write under a lease (acquire, POST, release) through the handle.
  auto done = std::make_shared<std::promise<std::string>>();
  auto result = done->get_future();
  auto fleet = via.fleet;
  via.mesh.sys->spawn([fleet, done](caf::event_based_actor* self) {
    device_ops::with_device(
      self, fleet, dev(i),
      [self, done](device_handle h) {
        device_ops::write_all(
          self, h.actor,
          {post_request("/system/identity/set", json{{"name", "moved-0"}})},
          [self, done](std::vector<rest_response>&) {
            done->set_value("ok");
            self->quit();
          },
          [self, done](caf::error err) {
            done->set_value(error_message(err));
            self->quit();
          });
      },
      [self, done](caf::error err) {
        done->set_value(error_message(err));
        self->quit();
      });
    return caf::behavior{[] {}};
  });
  ASSERT_EQ(result.wait_for(mesh_timeout), std::future_status::ready);
  EXPECT_EQ(result.get(), "ok");
  auto after = request_counts();
  EXPECT_EQ(after[i] - before[i], 1u);
  for (size_t k = 1; k < routers; ++k)
    EXPECT_EQ(after[k], before[k]) << k;
  auto out = sims->router(i).request("GET", "/rest/system/identity");
  EXPECT_NE(out.body.find("moved-0"), std::string::npos) << out.body;
}

TEST_F(mesh_fleet_test, ownership_moves_when_a_new_view_arrives) {
  auto v1 = view_of({"node-a", "node-b", "node-c"}, 1);
  install(v1);
  auto was_c = owned_here(at("node-c"));
  ASSERT_FALSE(was_c.empty()) << "seed 42 gives node-c no device";
  // node-c leaves: its devices move to a and b, its actors stop.
  auto v2 = view_of({"node-a", "node-b"}, 2);
  install(v2);
  EXPECT_TRUE(owned_here(at("node-c")).empty());
  for (auto& id : was_c) {
    auto new_owner = owner_of(v2, id)->node_id;
    EXPECT_NE(new_owner, "node-c");
    auto mine = owned_here(at(new_owner));
    EXPECT_NE(std::find(mine.begin(), mine.end(), id), mine.end()) << id;
    // Asked through the node that gave it up: routed to the new owner.
    auto h = lookup(at("node-c"), id);
    ASSERT_TRUE(h) << error_message(h.error());
    ASSERT_TRUE(h->actor);
    EXPECT_EQ(h->actor.node(), at(new_owner).mesh.sys->node());
    auto body = exec(at("node-c"), h->actor, get_request("/system/identity"));
    EXPECT_TRUE(body.contains("name")) << body.dump();
  }
}

TEST_F(mesh_fleet_test, an_unreachable_owner_fails_fast_with_device_moving) {
  refusing_port dead;
  auto v = view_of({"node-a", "node-b"}, 3);
  v.members.push_back({"node-z", "127.0.0.1", dead.port});
  std::vector<std::string> ghost_devices;
  for (size_t i = 0; i < routers; ++i)
    if (owner(v, i) == "node-z")
      ghost_devices.push_back(dev(i));
  ASSERT_FALSE(ghost_devices.empty()) << "seed 42 gives node-z no device";
  install(v);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto started = std::chrono::steady_clock::now();
    auto h = lookup(at("node-a"), ghost_devices.front());
    auto took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(h);
    EXPECT_EQ(error_code_of(h.error()), ec::device_moving)
      << error_message(h.error());
    EXPECT_TRUE(is_retryable(error_code_of(h.error())));
    EXPECT_NE(error_message(h.error()).find("node-z"), std::string::npos);
    // Refused at once; the second is answered from the backoff.
    EXPECT_LT(took, std::chrono::seconds{2});
  }
}

void mesh_fleet_test::expect_in_flight_fails_fast(
  const std::function<void(tcp_relay&)>& lose) {
  // node-a reaches node-c through a relay, so that the connection can be
  // cut while node-c keeps running.
  tcp_relay relay{at("node-c").port};
  auto v = view_of({"node-a", "node-b", "node-c"}, 1);
  for (auto& m : v.members)
    if (m.node_id == "node-c")
      m.port = relay.port();
  install(v);
  size_t i = 0;
  while (i < routers && owner(v, i) != "node-c")
    ++i;
  ASSERT_LT(i, routers) << "seed 42 gives node-c no device";
  // On node-c, the device's write lock is held for a minute: an acquire
  // from node-a waits in the device actor's queue, on node-c.
  auto local = lookup(at("node-c"), dev(i));
  ASSERT_TRUE(local && local->actor);
  caf::scoped_actor holder{*at("node-c").mesh.sys};
  uint64_t held = 0;
  holder->request(local->actor, mesh_timeout, atom::acquire_v, int64_t{60000})
    .receive([&](uint64_t lease) { held = lease; },
             [&](caf::error& err) { FAIL() << error_message(err); });
  auto remote = lookup(at("node-a"), dev(i));
  ASSERT_TRUE(remote && remote->actor);
  ASSERT_EQ(remote->actor.node(), at("node-c").mesh.sys->node());
  // The production path (device_ops::acquire), whose own deadline is
  // device_ops::device_timeout (two minutes).
  auto acquire_via_a = [&] {
    auto done = std::make_shared<std::promise<caf::error>>();
    auto answer = done->get_future();
    auto sent = std::make_shared<std::promise<void>>();
    auto dev_actor = remote->actor;
    at("node-a").mesh.sys->spawn([=](caf::event_based_actor* self) {
      device_ops::acquire(
        self, dev_actor, 60000,
        [self, done](uint64_t) {
          done->set_value(make_error(ec::internal_error, "got the lock"));
          self->quit();
        },
        [self, done](caf::error err) {
          done->set_value(std::move(err));
          self->quit();
        });
      sent->set_value();
      return caf::behavior{[] {}};
    });
    sent->get_future().wait();
    return answer;
  };
  auto in_flight = acquire_via_a();
  // A lookup through node-a is forwarded to node-c over the same
  // connection, after the acquire: once it is answered, the acquire has
  // reached node-c.
  ASSERT_TRUE(lookup(at("node-a"), dev(i)));
  ASSERT_NE(in_flight.wait_for(std::chrono::milliseconds{0}),
            std::future_status::ready);
  lose(relay);
  // Answered when CAF drops the connection, not after two minutes.
  ASSERT_EQ(in_flight.wait_for(mesh_timeout), std::future_status::ready);
  auto err = in_flight.get();
  EXPECT_EQ(error_code_of(err), ec::device_moving) << error_message(err);
  EXPECT_TRUE(is_retryable(error_code_of(err)));
  EXPECT_NE(error_message(err).find("owns the device was lost"),
            std::string::npos)
    << error_message(err);
  // Sent to the dead proxy afterwards: answered at once, the same way.
  auto after = acquire_via_a();
  ASSERT_EQ(after.wait_for(mesh_timeout), std::future_status::ready);
  EXPECT_EQ(error_code_of(after.get()), ec::device_moving);
  holder->send(local->actor, atom::release_v, held);
}

TEST_F(mesh_fleet_test, a_request_in_flight_fails_fast_when_the_owner_is_lost) {
  expect_in_flight_fails_fast([](tcp_relay& relay) { relay.cut(); });
}

TEST_F(mesh_heartbeat_test,
       a_request_in_flight_fails_fast_when_the_owner_goes_silent) {
  // The connection stays open and carries nothing: CAF closes it once no
  // heartbeat arrived for the peer timeout.
  expect_in_flight_fails_fast([](tcp_relay& relay) { relay.silence(); });
}

TEST_F(mesh_fleet_test, each_pair_has_one_connection_made_by_the_lower_id) {
  auto v = view_of({"node-a", "node-b", "node-c"}, 1);
  install(v);
  // Every lookup above went through; each connection has one maker.
  for (auto& n : nodes)
    for (auto& [peer, link] : n->links->snapshot()) {
      EXPECT_TRUE(link.connected) << n->id << " → " << peer;
      EXPECT_EQ(link.outgoing, n->id < peer) << n->id << " → " << peer;
    }
  // A join the other way round (or from a node with this node's id) would
  // make a second connection for the pair: refused, naming both.
  caf::scoped_actor self{*at("node-a").mesh.sys};
  for (auto joiner : {"node-c", "node-a"})
    self
      ->request(at("node-a").fleet, mesh_timeout, atom::cluster_v, atom::join_v,
                std::string{joiner})
      .receive(
        [&](atom::ok) { ADD_FAILURE() << joiner << " was taken"; },
        [&](caf::error& err) {
          EXPECT_EQ(error_code_of(err), ec::invalid_arguments);
          EXPECT_NE(error_message(err).find(joiner), std::string::npos)
            << error_message(err);
          EXPECT_NE(error_message(err).find("sorts lower"), std::string::npos)
            << error_message(err);
        });
}

TEST_F(mesh_fleet_test, a_member_that_does_not_connect_here_is_reported) {
  // A member whose id sorts lower than every node here: it is the one to
  // connect, and never does.
  refusing_port dead;
  auto v = view_of({"node-a", "node-b", "node-c"}, 4);
  std::string silent, device;
  for (char c = '0'; c <= '9' && device.empty(); ++c) {
    auto with = v;
    with.members.push_back({std::string{"node-"} + c, "127.0.0.1", dead.port});
    for (size_t i = 0; i < routers && device.empty(); ++i)
      if (owner_of(with, dev(i))->node_id == with.members.back().node_id) {
        silent = with.members.back().node_id;
        device = dev(i);
        v = with;
      }
  }
  ASSERT_FALSE(device.empty()) << "no candidate id owns a device";
  install(v);
  // The wait for its join ended (install's lookups waited it out): the
  // lookup fails at once with device_moving, and the member is shown as
  // not connected, with why.
  auto started = std::chrono::steady_clock::now();
  auto h = lookup(at("node-a"), device);
  EXPECT_LT(std::chrono::steady_clock::now() - started,
            std::chrono::seconds{1});
  ASSERT_FALSE(h);
  EXPECT_EQ(error_code_of(h.error()), ec::device_moving)
    << error_message(h.error());
  EXPECT_NE(error_message(h.error()).find(silent), std::string::npos);
  auto links = at("node-a").links->snapshot();
  ASSERT_EQ(links.count(silent), 1u);
  EXPECT_FALSE(links[silent].connected);
  EXPECT_FALSE(links[silent].outgoing);
  EXPECT_NE(links[silent].error.find("has not connected"), std::string::npos)
    << links[silent].error;
  EXPECT_TRUE(links["node-b"].connected);
}

TEST_F(mesh_fleet_test, a_device_nobody_claimed_yet_fails_fast) {
  auto v = view_of({"node-a", "node-b", "node-c"}, 1);
  caf::scoped_actor self{*at("node-a").mesh.sys};
  // The membership has not confirmed any claim yet.
  for (auto& n : nodes)
    self->send(n->fleet, atom::cluster_v, v, std::vector<std::string>{});
  for (size_t i = 0; i < routers; ++i) {
    auto h = lookup(at("node-a"), dev(i));
    ASSERT_FALSE(h) << dev(i);
    EXPECT_EQ(error_code_of(h.error()), ec::device_moving)
      << error_message(h.error());
  }
  settle(v);
}

TEST_F(mesh_fleet_test, the_fleet_list_has_the_owners_health) {
  auto v = view_of({"node-a", "node-b", "node-c"}, 1);
  install(v);
  const size_t i = 1;
  auto& via = owner(v, i) == "node-a" ? at("node-b") : at("node-a");
  auto h = lookup(via, dev(i));
  ASSERT_TRUE(h && h->actor);
  // A check on the owner: the sample stays with the owner's fleet.
  caf::scoped_actor self{*via.mesh.sys};
  device_status checked = device_status::unknown;
  self->request(h->actor, mesh_timeout, atom::check_v)
    .receive([&](health_sample& s) { checked = s.status; },
             [&](caf::error& err) { ADD_FAILURE() << error_message(err); });
  ASSERT_NE(checked, device_status::unknown);
  // The device actor hands the sample to its (the owner's) fleet before it
  // answers the check, so the listing asked after the answer sees it.
  device_status seen = device_status::unknown;
  self->request(via.fleet, mesh_timeout, atom::get_v, atom::devices_v)
    .receive(
      [&](std::vector<device_view>& all) {
        EXPECT_EQ(all.size(), routers);
        for (auto& d : all)
          if (d.record.id == dev(i))
            seen = d.last.status;
      },
      [&](caf::error& err) { ADD_FAILURE() << error_message(err); });
  EXPECT_EQ(seen, checked);
}

} // namespace rmcp::test
