#pragma once

// The etcd v3 client over the JSON gateway with Boost.Beast: the production
// implementation of `rmcp::etcd_client` (actors/etcd_client.hpp).
//
// Plain HTTP/1.1, one short connection per call (etcd listens on loopback
// or a private network; a membership actor makes a few calls a second), all
// on one strand of the client's own I/O thread. Every call has a deadline:
// `timeout`, or for a watch round its wait plus `timeout`. A call that
// cannot reach its endpoint moves the client to the next endpoint for the
// calls after it. Failures and answers of the wrong shape are
// ec::store_failure with a message naming the call and the cause.

#include <chrono>
#include <string>
#include <vector>

#include "actors/etcd_client.hpp"

namespace rmcp::cluster {

struct etcd_settings {
  /// "host:port" or "http://host:port", tried in turn.
  std::vector<std::string> endpoints;
  /// Deadline of each call (connect, write, answer).
  std::chrono::milliseconds timeout{2000};
};

/// Parses an endpoint ("http://127.0.0.1:2379", "[::1]:2379",
/// "localhost:2379") into host and port; false with `why` when it is not
/// one (https is refused: the gateway client speaks plain HTTP).
bool parse_endpoint(const std::string& text, std::string& host, uint16_t& port,
                    std::string& why);

/// A client with its own I/O thread. Fails when no endpoint parses.
caf::expected<etcd_client_ptr> make_etcd_client(etcd_settings settings);

} // namespace rmcp::cluster
