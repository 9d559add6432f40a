#pragma once

// What routeros-soak counts: answers by tool and by error class, rollout
// ends, chaos events, and the problems that fail the soak. Included by
// soak_bench.cpp only.

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "protocol/json.hpp"

namespace rmcp::bench {

// -- tallies ------------------------------------------------------------------

struct tally {
  std::mutex mu;
  std::map<std::string, int> ok;            // by tool
  std::map<std::string, int> failed;        // by error class
  std::map<std::string, int> fleet_devices; // per-device errors in fleet_read
  std::map<std::string, int> rollouts;      // end states
  std::map<std::string, int> plan_refusals; // plan calls that failed
  std::map<std::string, int> chaos;
  std::vector<std::string> problems;
  int answered = 0;

  void problem(std::string p) {
    std::lock_guard<std::mutex> g{mu};
    if (problems.size() < 20)
      problems.push_back(std::move(p));
    else if (problems.size() == 20)
      problems.push_back("...");
  }
};

/// Error classes a failed call may carry: each names what went wrong with
/// the device (or the call's arguments), never an internal fault.
inline bool known_class(const std::string& c) {
  static const std::set<std::string> classes{"device_not_found",
                                             "router_unreachable",
                                             "router_timeout",
                                             "router_auth_failed",
                                             "router_not_found",
                                             "router_bad_request",
                                             "router_server_error",
                                             "router_bad_response",
                                             "router_tls_failed",
                                             "circuit_open",
                                             "queue_full",
                                             "tool_timeout",
                                             "router_permission_denied"};
  return classes.count(c) > 0;
}

/// Counts one answer (a JSON-RPC response) of `tool`.
inline void count(tally& t, const std::string& tool, const json& msg) {
  std::string cls;
  auto result = msg.value("result", json::object());
  if (!msg.contains("error") && !msg.contains("result"))
    cls = "no result";
  else if (msg.contains("error")) {
    auto e = msg["error"];
    cls = e.value("data", json::object()).value("kind", "");
    if (cls.empty())
      cls = "JSON-RPC " + std::to_string(e.value("code", 0));
  } else if (result.value("isError", false)) {
    cls = result.value("_meta", json::object()).value("error_kind", "");
    if (cls.empty())
      cls = "unclassified";
  }
  std::lock_guard<std::mutex> g{t.mu};
  ++t.answered;
  if (cls.empty()) {
    ++t.ok[tool];
    auto sc = result.value("structuredContent", json::object());
    if (tool == "fleet_read")
      for (auto& r : sc.value("results", json::array()))
        if (r.contains("error_kind"))
          ++t.fleet_devices[r.value("error_kind", "")];
    return;
  }
  ++t.failed[cls];
  if (!known_class(cls) && t.problems.size() < 20)
    t.problems.push_back("failed call without a per-device error class: " + tool
                         + " → " + msg.dump().substr(0, 300));
}

} // namespace rmcp::bench
