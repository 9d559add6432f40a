#pragma once

// A rest_client that hands requests to routers of an in-process simulator
// (`rmcp::sim::fleet`) through `sim::router::handle`: Basic authentication,
// fault injection (drop → router_unreachable, hang → router_timeout, 5xx,
// 401) and the simulator's RouterOS REST engine, without sockets or TLS.
// It answers inline. Integration tests use it to run device actors and
// tools against realistic RouterOS answers under the testing scheduler; the
// transport itself (Beast, TLS, deadlines) is tested with the real client.

#include <memory>

#include "actors/rest_client.hpp"

namespace rmcp::sim {
class fleet;
} // namespace rmcp::sim

namespace rmcp::test {

class sim_rest_factory : public rest_client_factory {
public:
  /// Routes an endpoint to the simulated router listening on its port.
  explicit sim_rest_factory(sim::fleet& routers);

  std::shared_ptr<rest_client> make(const rest_endpoint& endpoint) override;

private:
  sim::fleet& routers_;
};

} // namespace rmcp::test
