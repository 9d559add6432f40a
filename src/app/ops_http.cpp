#include "src/app/ops_http.hpp"

#include <chrono>

#include <caf/event_based_actor.hpp>

#include "actors/metrics.hpp"
#include "protocol/error.hpp"
#include "protocol/version.hpp"
#include "src/app/cluster_setup.hpp"

namespace rmcp::app {

namespace {

constexpr auto probe_timeout = std::chrono::seconds{2};

/// The readiness report under construction; each step adds one check.
struct readiness {
  services_ptr svc;
  std::function<void(bool, json)> done;
  json checks = json::object();
  bool ready = true;

  void fail(const char* check, const caf::error& err) {
    checks[check] = {{"status", "failed"}, {"error", error_message(err)}};
    ready = false;
  }

  void finish() {
    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now() - svc->started_steady)
                    .count();
    json report{{"status", ready ? "ok" : "unavailable"},
                {"ready", ready},
                {"version", rmcp::version},
                {"environment", svc->environment},
                {"uptime_seconds", uptime},
                {"checks", std::move(checks)}};
    done(ready, std::move(report));
  }
};

using readiness_ptr = std::shared_ptr<readiness>;

void check_sessions(caf::event_based_actor* self, readiness_ptr r) {
  self->request(r->svc->notifier, probe_timeout, atom::count_v)
    .then(
      [self, r](uint64_t open) {
        r->checks["sessions"] = {{"status", "ok"}, {"open", open}};
        r->finish();
        self->quit();
      },
      [self, r](caf::error& err) {
        r->fail("sessions", err);
        r->finish();
        self->quit();
      });
}

void check_fleet(caf::event_based_actor* self, readiness_ptr r) {
  self->request(r->svc->fleet, probe_timeout, atom::get_v, atom::devices_v)
    .then(
      [self, r](std::vector<device_view>& views) {
        json by_status = json::object();
        for (auto& v : views)
          by_status[to_string(v.last.status)] =
            by_status.value(to_string(v.last.status), 0) + 1;
        r->checks["fleet"] = {{"status", "ok"},
                              {"devices", views.size()},
                              {"health", std::move(by_status)}};
        check_sessions(self, r);
      },
      [self, r](caf::error& err) {
        r->fail("fleet", err);
        check_sessions(self, r);
      });
}

void check_store(caf::event_based_actor* self, readiness_ptr r) {
  if (!r->svc->store) {
    r->fail("store", make_error(ec::internal_error, "no store is running"));
    check_fleet(self, r);
    return;
  }
  self->request(r->svc->store, probe_timeout, atom::get_v, atom::status_v)
    .then(
      [self, r](store_status& st) {
        r->checks["store"] = {{"status", "ok"},
                              {"backend", st.backend},
                              {"schema_version", st.schema_version},
                              {"devices", st.devices},
                              {"probe_ms", st.probe_ms}};
        check_fleet(self, r);
      },
      [self, r](caf::error& err) {
        r->fail("store", err);
        check_fleet(self, r);
      });
}

/// The connections to the other members: a member this node cannot reach
/// (its certificate refused, its endpoint down) is listed with the reason;
/// the calls for its devices fail with device_moving meanwhile.
void add_links(json& c, const cluster_links& links) {
  json peers = json::object();
  for (auto& [node, link] : links.snapshot()) {
    json p{{"endpoint", link.endpoint},
           {"direction", link.outgoing ? "outgoing" : "incoming"},
           {"connected", link.connected}};
    if (!link.connected) {
      p["failures"] = link.failures;
      if (!link.error.empty())
        p["error"] = link.error;
    }
    peers[node] = std::move(p);
  }
  c["transport"] = links.tls() ? "tls" : "tcp";
  c["peers"] = std::move(peers);
}

/// A cluster node reports its membership; out of the cluster (etcd lost,
/// lease expired) it is not ready: it owns no device and takes no writes.
/// Nor is it while joining: in the cluster (its lease and member key are
/// put) but not yet in its own view, which its first rounds build once it
/// has seen the members for `cluster.settle`; until then it routes no call.
void check_cluster(caf::event_based_actor* self, readiness_ptr r,
                   membership_actor m) {
  self->request(m, probe_timeout, atom::get_v, atom::status_v)
    .then(
      [self, r](cluster_status& st) {
        json members = json::array();
        bool in_view = false;
        for (auto& mb : st.view.members) {
          members.push_back(mb.node_id);
          in_view = in_view || mb.node_id == st.node_id;
        }
        bool ok = st.member && in_view;
        json c{{"status", ok          ? "ok"
                          : st.member ? "joining"
                                      : "out"},
               {"node_id", st.node_id},
               {"member", st.member},
               {"members", std::move(members)},
               {"owned_devices", st.owned.size()}};
        if (r->svc->links)
          add_links(c, *r->svc->links);
        if (!ok) {
          c["reason"] = st.member
                          ? "joined the cluster, not yet in its own view: it "
                            "takes its share and routes calls once it has seen "
                            "the members for cluster.settle"
                          : st.reason;
          r->ready = false;
        }
        r->checks["cluster"] = std::move(c);
        check_store(self, r);
      },
      [self, r](caf::error& err) {
        r->fail("cluster", err);
        check_store(self, r);
      });
}

} // namespace

void probe_readiness(services_ptr svc,
                     std::function<void(bool ready, json report)> done) {
  auto r = std::make_shared<readiness>();
  r->svc = svc;
  r->done = std::move(done);
  // The probe actor running at all shows the scheduler works.
  r->checks["actor_system"] = {
    {"status", "ok"}, {"running_actors", svc->system->registry().running()}};
  auto cluster = cluster_of(*svc->system);
  svc->system->spawn([r, cluster](caf::event_based_actor* self) {
    if (cluster)
      check_cluster(self, r, cluster);
    else
      check_store(self, r);
  });
}

bool handle_ops(services_ptr svc, transport::http_request& req,
                const transport::channel_ptr& ch) {
  const auto& path = req.path;
  bool health = path == "/health" || path == "/health/ready";
  bool live = path == "/health/live";
  bool metrics = path == "/metrics";
  if (!health && !live && !metrics)
    return false;
  if (req.method != "GET" && req.method != "HEAD") {
    ch->add_header("Allow", "GET");
    ch->respond_json(405, transport::error_body(ec::invalid_request,
                                                path + " only answers GET"));
    return true;
  }
  if (live) {
    ch->respond_json(200, R"({"status":"ok","live":true})");
  } else if (metrics) {
    ch->respond(200, std::string{rmcp::metrics::content_type},
                svc->metrics ? svc->metrics->render() : std::string{});
  } else {
    probe_readiness(svc, [ch](bool ready, json report) {
      ch->respond_json(ready ? 200 : 503, dump_json(report));
    });
  }
  return true;
}

} // namespace rmcp::app
