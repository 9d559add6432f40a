#include "src/app/cluster_mesh.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <caf/io/middleman.hpp>

#include "protocol/error.hpp"
#include "src/app/cluster_tls.hpp"
#include "src/app/cluster_tls_transport.hpp"
#include "src/app/runtime.hpp"

namespace rmcp::app {

namespace {

bool valid_node_id(const std::string& id) {
  if (id.empty() || id.size() > 64)
    return false;
  auto ok = [](char c) {
    return std::islower(static_cast<unsigned char>(c))
           || std::isdigit(static_cast<unsigned char>(c));
  };
  if (!ok(id.front()))
    return false;
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return ok(c) || c == '_' || c == '.' || c == '-';
  });
}

/// parse_listen with the error naming `key` instead of http.listen.
caf::error parse_endpoint(const std::string& key, const std::string& text,
                          std::string& host, uint16_t& port) {
  auto err = parse_listen(text, host, port);
  if (!err)
    return err;
  auto msg = error_message(err);
  const std::string http_key = "http.listen";
  if (msg.compare(0, http_key.size(), http_key) == 0)
    msg = key + msg.substr(http_key.size());
  return make_error(ec::invalid_params, msg);
}

caf::error bad_key(const std::string& key, const std::string& why) {
  return make_error(ec::invalid_params, key + ": " + why);
}

} // namespace

bool cluster_mode(const config::server_options& opts) {
  return !opts.cluster_node_id.empty();
}

void configure_middleman(caf::actor_system_config& cfg,
                         std::chrono::milliseconds peer_timeout) {
  cfg.load<caf::io::middleman>();
  // CAF sends no heartbeats by default and keeps a silent connection (a
  // member gone without closing it) until TCP gives up, while the calls in
  // flight over it wait for their deadlines.
  auto timeout = caf::timespan{peer_timeout};
  cfg.set("middleman.heartbeat-interval", timeout / 5);
  cfg.set("middleman.connection-timeout", timeout);
}

void configure_cluster(caf::actor_system_config& cfg,
                       const config::server_options& opts) {
  if (!cluster_mode(opts))
    return;
  configure_middleman(cfg, opts.fleet.cluster.peer_timeout);
  if (cluster_tls(opts))
    configure_cluster_tls(cfg, opts);
}

caf::expected<cluster_view> parse_members(const std::string& text) {
  cluster_view view;
  std::set<std::string> ids;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto entry = text.substr(
      start, comma == std::string::npos ? std::string::npos : comma - start);
    entry.erase(0, entry.find_first_not_of(' '));
    entry.erase(entry.find_last_not_of(' ') + 1);
    if (!entry.empty()) {
      auto at = entry.find('@');
      if (at == std::string::npos)
        return bad_key("cluster.members", "'" + entry
                                            + "' is not id@host:port (e.g. "
                                              "node1@127.0.0.1:7401)");
      cluster_member m;
      m.node_id = entry.substr(0, at);
      if (!valid_node_id(m.node_id))
        return bad_key("cluster.members",
                       "'" + m.node_id
                         + "' is not a node id ([a-z0-9][a-z0-9_.-]*)");
      if (!ids.insert(m.node_id).second)
        return bad_key("cluster.members",
                       "node '" + m.node_id + "' is listed twice");
      if (auto err = parse_endpoint("cluster.members", entry.substr(at + 1),
                                    m.host, m.port))
        return err;
      if (m.port == 0)
        return bad_key("cluster.members", "'" + entry + "' needs a port");
      view.members.push_back(std::move(m));
    }
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  std::sort(view.members.begin(), view.members.end(),
            [](const cluster_member& a, const cluster_member& b) {
              return a.node_id < b.node_id;
            });
  return view;
}

caf::error check_cluster_options(const config::server_options& opts) {
  if (!cluster_mode(opts))
    return caf::none;
  if (auto err = check_cluster_tls(opts))
    return err;
  const auto& id = opts.cluster_node_id;
  if (!valid_node_id(id))
    return bad_key("cluster.node_id",
                   "'" + id + "' is not a node id ([a-z0-9][a-z0-9_.-]*)");
  std::string host;
  uint16_t port = 0;
  if (auto err =
        parse_endpoint("cluster.listen", opts.cluster_listen, host, port))
    return err;
  if (opts.cluster_members.empty() == opts.cluster_etcd.empty())
    return bad_key(opts.cluster_members.empty() ? "cluster.etcd"
                                                : "cluster.members",
                   "a cluster node (cluster.node_id '" + id
                     + "') has its members from etcd (cluster.etcd) or from "
                       "a static list (cluster.members): exactly one");
  if (opts.cluster_members.empty())
    return caf::none;
  auto view = parse_members(opts.cluster_members);
  if (!view)
    return view.error();
  if (owner_of(*view, id) == nullptr
      || std::none_of(view->members.begin(), view->members.end(),
                      [&](const cluster_member& m) { return m.node_id == id; }))
    return bad_key("cluster.members",
                   "this node ('" + id + "', cluster.node_id) is not listed");
  return caf::none;
}

caf::expected<uint16_t> publish_fleet(caf::actor_system& sys,
                                      const fleet_actor& fleet,
                                      const config::server_options& opts,
                                      const caf::io::middleman_actor& tls) {
  std::string host;
  uint16_t port = 0;
  if (auto err =
        parse_endpoint("cluster.listen", opts.cluster_listen, host, port))
    return err;
  // SO_REUSEADDR: a node that stopped (or was killed) leaves its accepted
  // connections in TIME_WAIT on this port for a minute; without it the node
  // could not listen again when it comes back at once.
  auto bound =
    tls ? publish_tls(tls, caf::actor_cast<caf::strong_actor_ptr>(fleet),
                      sys.message_types(fleet), port, host)
        : sys.middleman().publish(fleet, port, host.c_str(), true);
  if (!bound)
    return make_error(ec::internal_error, "cluster.listen: cannot listen on "
                                            + opts.cluster_listen + ": "
                                            + sys.render(bound.error()));
  return *bound;
}

} // namespace rmcp::app
