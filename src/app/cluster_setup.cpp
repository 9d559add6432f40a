#include "src/app/cluster_setup.hpp"

#include <chrono>

#include <caf/actor_registry.hpp>
#include <caf/send.hpp>

#include "actors/membership.hpp"
#include "actors/rollout_claims.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "src/cluster/etcd_http_client.hpp"

namespace rmcp::app {

namespace {

const auto registry_key = caf::atom("cluster");

caf::error config_error(std::string text) {
  return make_error(ec::invalid_params, std::move(text));
}

} // namespace

std::vector<std::string> etcd_endpoints_of(const config::server_options& opts) {
  std::vector<std::string> out;
  std::string item;
  for (char c : opts.cluster_etcd + ",") {
    if (c == ',' || c == ' ') {
      if (!item.empty())
        out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

std::string cluster_prefix_of(const config::server_options& opts) {
  auto prefix = opts.cluster_prefix;
  while (!prefix.empty() && prefix.back() == '/')
    prefix.pop_back();
  return prefix;
}

bool shared_store_mode(const config::server_options& opts) {
  return !opts.cluster_node_id.empty() && !opts.cluster_etcd.empty();
}

caf::expected<caf::actor> spawn_claims(caf::actor_system& sys,
                                       const config::server_options& opts,
                                       lease_cell lease) {
  if (!shared_store_mode(opts))
    return caf::actor{};
  cluster::etcd_settings es;
  es.endpoints = etcd_endpoints_of(opts);
  auto client = cluster::make_etcd_client(es);
  if (!client)
    return client.error();
  rollout_claims_config cfg;
  cfg.node_id = opts.cluster_node_id;
  cfg.prefix = cluster_prefix_of(opts);
  return spawn_rollout_claimer(sys, std::move(cfg), std::move(*client),
                               std::move(lease));
}

caf::error start_cluster(caf::actor_system& sys,
                         const config::server_options& opts, store_actor store,
                         cluster_listener_actor listener, lease_cell lease) {
  if (opts.cluster_node_id.empty())
    return caf::none;
  membership_config mc;
  mc.node_id = opts.cluster_node_id;
  mc.prefix = cluster_prefix_of(opts);
  std::string why;
  if (opts.cluster_listen.empty())
    return config_error("cluster.listen: a cluster node needs the host:port "
                        "of its middleman (cluster.node_id is set)");
  if (!cluster::parse_endpoint(opts.cluster_listen, mc.host, mc.port, why))
    return config_error("cluster.listen: " + why);
  cluster::etcd_settings es;
  es.endpoints = etcd_endpoints_of(opts);
  if (es.endpoints.empty())
    return config_error("cluster.etcd: a cluster node needs at least one "
                        "etcd endpoint (cluster.node_id is set)");
  auto client = cluster::make_etcd_client(es);
  if (!client)
    return client.error();
  mc.lease_ttl =
    std::chrono::duration_cast<std::chrono::seconds>(opts.cluster_lease_ttl);
  mc.settle = opts.cluster_settle;
  mc.environment = opts.environment;
  mc.live_lease = std::move(lease);
  auto m = spawn_membership(sys, std::move(mc), std::move(*client),
                            std::move(store), std::move(listener));
  sys.registry().put(registry_key, caf::actor_cast<caf::strong_actor_ptr>(m));
  log::info(log::core(), "cluster-node",
            {{"node", opts.cluster_node_id},
             {"etcd", opts.cluster_etcd},
             {"listen", opts.cluster_listen}});
  return caf::none;
}

membership_actor cluster_of(caf::actor_system& sys) {
  return caf::actor_cast<membership_actor>(sys.registry().get(registry_key));
}

void stop_cluster(caf::actor_system& sys) {
  auto m = cluster_of(sys);
  if (!m)
    return;
  sys.registry().erase(registry_key);
  caf::anon_send(m, atom::stop_v);
}

} // namespace rmcp::app
