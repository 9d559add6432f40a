#include "protocol/routeros.hpp"

namespace rmcp {

namespace {

std::string last_segment(const std::string& path) {
  auto end = path.find('?');
  auto p = path.substr(0, end);
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

} // namespace

bool is_idempotent_read(const rest_request& req) {
  if (req.method == "GET")
    return true;
  if (req.method != "POST")
    return false;
  auto cmd = last_segment(req.path);
  if (cmd == "print")
    return true;
  if (cmd == "monitor" || cmd == "monitor-traffic")
    return req.body.is_object() && req.body.contains("once");
  return false;
}

bool is_write(const rest_request& req) {
  if (req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE")
    return true;
  if (req.method != "POST")
    return false;
  // Diagnostics change nothing on the router; they are reads that take time.
  auto cmd = last_segment(req.path);
  return !(is_idempotent_read(req) || cmd == "ping" || cmd == "traceroute"
           || cmd == "bandwidth-test" || cmd == "monitor-traffic"
           || cmd == "monitor");
}

} // namespace rmcp
