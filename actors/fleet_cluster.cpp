#include "actors/fleet_cluster.hpp"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/remote_watch.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

namespace {

std::string endpoint_text(const cluster_member& m) {
  return m.host + ":" + std::to_string(m.port);
}

caf::error moving(std::string text) {
  return make_error(ec::device_moving, std::move(text));
}

} // namespace

void fleet_cluster::init(fleet_actor::pointer self, cluster_settings cfg,
                         uint64_t seed) {
  self_ = self;
  cfg_ = std::move(cfg);
  rng_.seed(seed != 0 ? seed : std::random_device{}());
}

bool fleet_cluster::dials(const std::string& node) const {
  return cfg_.node_id < node;
}

caf::error fleet_cluster::not_claimed(const std::string& device_id) const {
  return moving("device '" + device_id + "' is not claimed by node '"
                + cfg_.node_id
                + "' (its claim is moving); retry in a few seconds");
}

bool fleet_cluster::set_view(cluster_view view,
                             std::vector<std::string> owned) {
  if (!enabled()) {
    log::warn(log::fleet(), "cluster-view-ignored",
              {{"reason", "no cluster.node_id is configured"}});
    return false;
  }
  owned_ = std::set<std::string>(owned.begin(), owned.end());
  std::set<std::string> live;
  for (auto& m : view.members) {
    if (m.node_id == cfg_.node_id)
      continue;
    live.insert(m.node_id);
    auto i = peers_.find(m.node_id);
    bool known = i != peers_.end();
    auto& p = peers_[m.node_id];
    if (!known)
      p.outgoing = dials(m.node_id);
    if (!p.outgoing) {
      // The member connects here: its endpoint is only shown.
      p.member = m;
      if (!p.in_view && !p.fleet)
        await_join(m.node_id, p);
      p.in_view = true;
      show(m.node_id, p);
      continue;
    }
    p.in_view = true;
    if (known && p.member.host == m.host && p.member.port == m.port)
      continue;
    if (p.fleet)
      self_->demonitor(p.fleet.address());
    resolve(p, nullptr);
    p.member = m;
    p.fleet = nullptr;
    p.connecting = false;
    p.retry_pending = false;
    p.failures = 0;
    ++p.epoch;
    show(m.node_id, p);
    connect(m.node_id);
  }
  for (auto i = peers_.begin(); i != peers_.end();) {
    auto& [node, p] = *i;
    if (live.count(node) > 0) {
      ++i;
      continue;
    }
    resolve(p, nullptr);
    if (p.in_view) {
      log::info(log::fleet(), "cluster-member-gone", {{"node", node}});
      if (cfg_.links)
        cfg_.links->erase(node);
    }
    p.in_view = false;
    if (!p.outgoing && p.fleet) {
      // Kept: the member does not join again over a connection it holds.
      ++i;
      continue;
    }
    if (p.fleet)
      self_->demonitor(p.fleet.address());
    i = peers_.erase(i);
  }
  log::info(log::fleet(), "cluster-view",
            {{"revision", view.revision},
             {"members", view.members.size()},
             {"owned", owned_.size()}});
  view_ = std::move(view);
  return true;
}

void fleet_cluster::connect(const std::string& node) {
  auto i = peers_.find(node);
  if (i == peers_.end() || i->second.fleet || i->second.connecting)
    return;
  auto& p = i->second;
  auto& sys = self_->home_system();
  if (!sys.has_middleman()) {
    connect_failed(node, p.epoch, "the middleman is not loaded");
    return;
  }
  p.connecting = true;
  auto epoch = p.epoch;
  auto connector =
    cfg_.connector ? cfg_.connector : sys.middleman().actor_handle();
  self_
    ->request(connector, cfg_.connect_timeout, caf::connect_atom::value,
              p.member.host, p.member.port)
    .then(
      [this, node, epoch](caf::node_id&, caf::strong_actor_ptr& ptr,
                          std::set<std::string>& ifs) {
        connected(node, epoch, std::move(ptr), ifs);
      },
      [this, node, epoch](caf::error& err) {
        connect_failed(node, epoch, self_->home_system().render(err));
      });
}

void fleet_cluster::connected(const std::string& node, uint64_t epoch,
                              caf::strong_actor_ptr ptr,
                              const std::set<std::string>& ifs) {
  auto i = peers_.find(node);
  if (i == peers_.end() || i->second.epoch != epoch)
    return;
  if (!ptr) {
    connect_failed(node, epoch, "no actor is published at the endpoint");
    return;
  }
  if (ifs != self_->home_system().message_types<fleet_actor>()) {
    connect_failed(node, epoch,
                   "the actor published at the endpoint is not a fleet of "
                   "this version");
    return;
  }
  auto f = caf::actor_cast<fleet_actor>(std::move(ptr));
  // Join: the member then talks back over this connection instead of
  // making its own.
  self_
    ->request(f, cfg_.connect_timeout, atom::cluster_v, atom::join_v,
              cfg_.node_id)
    .then([this, node, epoch, f](atom::ok) { joined(node, epoch, f); },
          [this, node, epoch](caf::error& err) {
            connect_failed(node, epoch,
                           "the member did not take this node's join: "
                             + error_message(err));
          });
}

void fleet_cluster::joined(const std::string& node, uint64_t epoch,
                           fleet_actor f) {
  auto i = peers_.find(node);
  if (i == peers_.end() || i->second.epoch != epoch)
    return;
  auto& p = i->second;
  p.connecting = false;
  p.failures = 0;
  p.fleet = std::move(f);
  self_->monitor(p.fleet);
  show(node, p);
  log::info(log::fleet(), "cluster-member-connected",
            {{"node", node},
             {"endpoint", endpoint_text(p.member)},
             {"direction", "outgoing"}});
  resolve(p, &p.fleet);
}

caf::result<atom::ok> fleet_cluster::on_join(const std::string& node,
                                             caf::strong_actor_ptr sender) {
  if (!enabled())
    return make_error(ec::invalid_arguments,
                      "node '" + node
                        + "' joined a fleet that is not in cluster mode");
  if (node.empty() || node == cfg_.node_id || dials(node))
    return make_error(ec::invalid_arguments,
                      "node '" + node + "' cannot join node '" + cfg_.node_id
                        + "': of two members only the one whose id sorts "
                          "lower connects to the other (two nodes with the "
                          "same id?)");
  if (!sender)
    return make_error(ec::invalid_arguments,
                      "a join from node '" + node + "' without its fleet");
  auto f = caf::actor_cast<fleet_actor>(std::move(sender));
  auto& p = peers_[node];
  if (p.fleet == f)
    return atom::ok_v;
  if (p.fleet)
    self_->demonitor(p.fleet.address());
  p.outgoing = false;
  p.fleet = std::move(f);
  p.failures = 0;
  p.overdue = false;
  self_->monitor(p.fleet);
  if (p.in_view)
    show(node, p);
  log::info(log::fleet(), "cluster-member-connected",
            {{"node", node}, {"direction", "incoming"}});
  resolve(p, &p.fleet);
  return atom::ok_v;
}

void fleet_cluster::await_join(const std::string& node, peer& p) {
  p.awaited_since = self_->clock().now();
  p.overdue = false;
  if (p.wait_timer)
    return;
  p.wait_timer = true;
  self_->delayed_send(self_, cfg_.connect_timeout, atom::cluster_v, node);
}

void fleet_cluster::join_overdue(const std::string& node, peer& p) {
  resolve(p, nullptr);
  if (p.overdue || !p.in_view)
    return;
  p.overdue = true;
  ++p.failures;
  auto reason = "node '" + node + "' has not connected to this node within "
                + std::to_string(cfg_.connect_timeout.count())
                + " ms (of two members the one whose id sorts lower "
                  "connects; its log and /health say why)";
  if (cfg_.links && cfg_.links->tls())
    reason += "; with cluster TLS most likely the TLS handshake failed: the "
              "member's certificate is not signed by this cluster's CA "
              "(cluster.tls.ca), or the member refused this node's";
  log::warn(
    log::fleet(), "cluster-member-not-connected",
    {{"node", node}, {"endpoint", endpoint_text(p.member)}, {"error", reason}});
  show(node, p, reason);
}

void fleet_cluster::connect_failed(const std::string& node, uint64_t epoch,
                                   const std::string& why) {
  auto i = peers_.find(node);
  if (i == peers_.end() || i->second.epoch != epoch)
    return;
  auto& p = i->second;
  p.connecting = false;
  auto reason = why;
  // CAF reports a refused TLS handshake (either side rejected the other's
  // certificate) as a lost or impossible connection, without the reason;
  // name the likely one, since nothing else on this node will.
  const char* tls_refused =
    "the TLS handshake failed: the member's certificate is not signed by "
    "this cluster's CA (cluster.tls.ca), or the member refused this node's";
  if (cfg_.links && cfg_.links->tls()) {
    if (why.find("disconnect_during_handshake") != std::string::npos)
      reason += std::string{" ("} + tls_refused + ")";
    else if (why.find("cannot_connect_to_node") != std::string::npos)
      reason += std::string{" (nothing listens there, or "} + tls_refused + ")";
  }
  auto cap = std::min<std::chrono::milliseconds>(
    cfg_.retry_max,
    cfg_.retry_base * (int64_t{1} << std::min<uint32_t>(p.failures, 20)));
  std::uniform_int_distribution<int64_t> dist{cap.count() / 2, cap.count()};
  auto delay = std::chrono::milliseconds{dist(rng_)};
  // The first failure and each change of its cause reach the log, once:
  // a first attempt that timed out must not hide the refused handshake of
  // every retry after it.
  if (p.failures == 0 || reason != p.logged_failure) {
    log::warn(log::fleet(), "cluster-connect-failed",
              {{"node", node},
               {"endpoint", endpoint_text(p.member)},
               {"error", reason},
               {"retry_in_ms", delay.count()}});
    p.logged_failure = reason;
  }
  ++p.failures;
  show(node, p, reason);
  p.retry_pending = true;
  self_->delayed_send(self_, delay, atom::cluster_v, node);
  resolve(p, nullptr);
}

void fleet_cluster::show(const std::string& node, const peer& p,
                         std::string error) {
  if (!cfg_.links)
    return;
  cluster_link link;
  link.endpoint = endpoint_text(p.member);
  link.outgoing = p.outgoing;
  link.connected = static_cast<bool>(p.fleet);
  link.failures = p.failures;
  link.error = std::move(error);
  cfg_.links->set(node, std::move(link));
}

void fleet_cluster::resolve(peer& p, const fleet_actor* f) {
  auto waiting = std::move(p.waiting);
  p.waiting.clear();
  for (auto& w : waiting)
    w(f);
}

void fleet_cluster::on_retry(const std::string& node) {
  auto i = peers_.find(node);
  if (i == peers_.end())
    return;
  auto& p = i->second;
  if (!p.outgoing) {
    p.wait_timer = false;
    if (p.fleet)
      return;
    auto due = p.awaited_since + cfg_.connect_timeout;
    auto now = self_->clock().now();
    if (now < due) {
      // The wait began again after this timer was set.
      p.wait_timer = true;
      self_->delayed_send(self_, due - now, atom::cluster_v, node);
      return;
    }
    join_overdue(node, p);
    return;
  }
  if (!p.retry_pending)
    return;
  p.retry_pending = false;
  connect(node);
}

bool fleet_cluster::on_down(const caf::actor_addr& source) {
  for (auto& [node, p] : peers_) {
    if (!p.fleet || p.fleet.address() != source)
      continue;
    log::warn(log::fleet(), "cluster-member-lost",
              {{"node", node},
               {"endpoint", endpoint_text(p.member)},
               {"direction", p.outgoing ? "outgoing" : "incoming"}});
    p.fleet = nullptr;
    if (!p.outgoing) {
      // Only the member connects again; until it joins, lookups wait for
      // it (bounded) as at the start.
      if (!p.in_view) {
        peers_.erase(node);
        return true;
      }
      show(node, p,
           "connection lost; waiting for the member to connect "
           "again");
      await_join(node, p);
      return true;
    }
    show(node, p, "connection lost; reconnecting");
    // After a short jittered delay: the middleman actor drops its cached
    // entry for the endpoint when it sees the same proxy go down, and a
    // connect before that would be answered with the dead proxy.
    std::uniform_int_distribution<int64_t> dist{cfg_.retry_base.count() / 4,
                                                cfg_.retry_base.count()};
    p.retry_pending = true;
    self_->delayed_send(self_, std::chrono::milliseconds{dist(rng_)},
                        atom::cluster_v, node);
    return true;
  }
  return false;
}

void fleet_cluster::with_peer(const std::string& node,
                              std::function<void(const fleet_actor*)> f) {
  auto i = peers_.find(node);
  if (i == peers_.end() || !i->second.in_view) {
    f(nullptr);
    return;
  }
  auto& p = i->second;
  if (p.fleet) {
    f(&p.fleet);
    return;
  }
  if (p.outgoing ? p.retry_pending : p.overdue) {
    f(nullptr);
    return;
  }
  p.waiting.push_back(std::move(f));
  if (p.outgoing)
    connect(node);
}

void fleet_cluster::forward_handle(const std::string& device_id,
                                   handle_fn done) {
  forward(device_id, std::move(done), false);
}

void fleet_cluster::forward(const std::string& device_id, handle_fn done,
                            bool retried) {
  auto owner = owner_of(view_, device_id);
  if (owner == nullptr) {
    done(moving("no cluster member is live to serve device '" + device_id
                + "'; retry in a few seconds"));
    return;
  }
  if (owner->node_id == cfg_.node_id) {
    done(not_claimed(device_id));
    return;
  }
  auto node = owner->node_id;
  auto where = endpoint_text(*owner);
  with_peer(
    node, [this, device_id, node, where, done, retried](const fleet_actor* f) {
      if (f == nullptr) {
        done(moving("device '" + device_id + "' is owned by node '" + node
                    + "' (" + where
                    + "), which is not reachable; retry in a few seconds"));
        return;
      }
      request_watched(self_, *f,
                      "the connection to node '" + node + "', the owner of "
                        + "device '" + device_id
                        + "', was lost during the lookup; retry in a few "
                          "seconds",
                      cfg_.request_timeout, atom::cluster_v, atom::get_v,
                      device_id)
        .then([done](device_handle& h) { done(std::move(h)); },
              [this, device_id, node, done, retried](caf::error& err) {
                if (err.category() == caf::atom("rmcp")) {
                  done(std::move(err));
                  return;
                }
                if (!retried && err == caf::sec::request_receiver_down) {
                  forward(device_id, done, true);
                  return;
                }
                done(moving("node '" + node + "', the owner of device '"
                            + device_id + "', did not answer: "
                            + error_message(err) + "; retry in a few seconds"));
              });
    });
}

void fleet_cluster::owners_health(std::vector<device_view> local,
                                  views_fn done) {
  struct pending {
    std::vector<device_view> views;
    std::unordered_map<std::string, size_t> index;
    size_t remaining = 0;
    views_fn done;
  };
  auto p = std::make_shared<pending>();
  p->views = std::move(local);
  p->done = std::move(done);
  for (size_t i = 0; i < p->views.size(); ++i)
    p->index[p->views[i].record.id] = i;
  std::vector<fleet_actor> asked;
  for (auto& [_, peer] : peers_)
    if (peer.fleet && peer.in_view)
      asked.push_back(peer.fleet);
  p->remaining = asked.size();
  if (asked.empty()) {
    p->done(std::move(p->views));
    return;
  }
  auto finish = [p] {
    if (--p->remaining == 0)
      p->done(std::move(p->views));
  };
  for (auto& f : asked)
    self_->request(f, cfg_.list_timeout, atom::cluster_v, atom::devices_v)
      .then(
        [p, finish](std::vector<device_view>& theirs) {
          for (auto& v : theirs) {
            auto i = p->index.find(v.record.id);
            if (i != p->index.end())
              p->views[i->second].last = std::move(v.last);
          }
          finish();
        },
        [finish](caf::error&) { finish(); });
}

} // namespace rmcp
