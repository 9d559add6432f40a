#pragma once

// REST dispatch: one HTTP request (already authenticated) against one
// router's state -> status, JSON body and the simulated run time. No I/O and
// no Beast here; `router` adds auth, faults and timing, `server` the wire.

#include <cstdint>
#include <string>

#include "sim/schema.hpp"
#include "sim/state.hpp"

namespace rmcp::sim {

struct rest_request {
  std::string method; ///< GET, PUT, PATCH, DELETE, POST, HEAD, OPTIONS
  std::string target; ///< "/rest/ip/address?.proplist=address"
  std::string body;
  /// A Content-Type of application/json was sent.
  bool json_content = true;
  /// "http://127.0.0.1:1234" for the Location header.
  std::string base_url;
};

struct rest_reply {
  unsigned status = 200;
  std::string body; ///< empty for 204
  std::string location;
  /// Simulated run time of the command (microseconds).
  std::int64_t duration_us = 0;
  /// The command never ends by itself.
  bool unbounded = false;
  /// Reboot after answering.
  bool reboot = false;
  /// The request tried to change state.
  bool write = false;
};

/// Handles a request under `/rest`. `st` must be locked by the caller.
rest_reply handle_rest(router_state& st, const rest_request& req,
                       const origin& who);

/// Error reply in RouterOS's shape (no `detail` for 401/404).
rest_reply error_reply(unsigned status, const std::string& detail);

} // namespace rmcp::sim
