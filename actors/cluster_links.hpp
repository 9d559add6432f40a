#pragma once

// The state of this node's connections to the other members' fleets, for
// `/health` (`checks.cluster.peers`). The fleet (actors/fleet_cluster.hpp)
// is its only writer; the health probe reads a copy. A board shared under a
// mutex rather than a fleet message: the probe must answer while the fleet
// is busy, and the fleet's typed protocol stays the same on every node of a
// cluster (a peer of another version is refused, docs/cluster.md).

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace rmcp {

struct cluster_link {
  std::string endpoint;
  /// This node makes the connection (its id sorts lower than the
  /// member's); otherwise the member connects here.
  bool outgoing = false;
  bool connected = false;
  /// Failed attempts since the last connection.
  uint32_t failures = 0;
  /// Why the last attempt failed (empty once connected).
  std::string error;
};

class cluster_links {
public:
  /// True when the middleman connections are TLS (cluster.tls.*).
  explicit cluster_links(bool tls = false) : tls_(tls) {
    // nop
  }

  bool tls() const noexcept {
    return tls_;
  }

  void set(const std::string& node, cluster_link link) {
    std::lock_guard<std::mutex> guard{mtx_};
    links_[node] = std::move(link);
  }

  void erase(const std::string& node) {
    std::lock_guard<std::mutex> guard{mtx_};
    links_.erase(node);
  }

  std::map<std::string, cluster_link> snapshot() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return links_;
  }

private:
  const bool tls_;
  mutable std::mutex mtx_;
  std::map<std::string, cluster_link> links_;
};

} // namespace rmcp
