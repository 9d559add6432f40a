#include "src/tools/device_report.hpp"

#include <cmath>
#include <ctime>
#include <utility>

#include "actors/device_health.hpp"
#include "protocol/error.hpp"

namespace rmcp::tools {

json or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json flags_json(const device_flags& f) {
  json out = json::object();
  for (auto& def : device_flag_table)
    out[def.name] = f.*def.member;
  return out;
}

double percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0
                    : std::round(1000.0 * static_cast<double>(part)
                                 / static_cast<double>(whole))
                        / 10.0;
}

json iso_time(int64_t unix_ms) {
  if (unix_ms <= 0)
    return nullptr;
  std::time_t secs = unix_ms / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf,
                static_cast<int>(unix_ms % 1000));
  return std::string{out};
}

json record_json(const device_record& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"environment", r.environment},
          {"host", r.host},
          {"port", r.port},
          {"scheme", r.scheme},
          {"tls",
           {{"mode", r.tls.mode},
            {"ca_file", or_null(r.tls.ca_file)},
            {"fingerprint_sha256", or_null(r.tls.fingerprint_sha256)},
            {"server_name", or_null(r.tls.server_name)}}},
          {"ssh",
           {{"transport", r.ssh.transport},
            {"port", r.ssh.port},
            {"host_key_sha256", or_null(r.ssh.host_key_sha256)}}},
          {"username", r.username},
          {"tags", r.tags},
          {"flags", flags_json(r.flags)},
          {"management_path", r.management_path},
          {"created_at", iso_time(r.created_at)},
          {"updated_at", iso_time(r.updated_at)}};
}

json health_json(const health_sample& s) {
  bool measured =
    s.status == device_status::healthy || s.status == device_status::degraded;
  auto metric = [&](json value) { return measured ? value : json(nullptr); };
  return {{"device_id", s.device_id},
          {"status", to_string(s.status)},
          {"checked_at", iso_time(s.timestamp)},
          {"cpu_percent", metric(s.cpu_percent)},
          {"memory_total_bytes", metric(s.memory_total_bytes)},
          {"memory_used_bytes", metric(s.memory_used_bytes)},
          {"memory_percent",
           metric(percent(s.memory_used_bytes, s.memory_total_bytes))},
          {"uptime_seconds", metric(s.uptime_seconds)},
          {"latency_ms", metric(s.latency_ms)},
          {"routeros_version", or_null(s.routeros_version)},
          {"board", or_null(s.board_name)},
          {"identity", or_null(s.identity)},
          {"issues", s.issues},
          {"error_kind", or_null(s.error_kind)},
          {"thresholds",
           {{"warning_percent", health::warning_percent},
            {"critical_percent", health::critical_percent}}}};
}

failure_class classify_failure(const std::string& error_kind,
                               const device_record& r) {
  ec code = ec::internal_error;
  from_string(error_kind, code);
  auto where = r.scheme + "://" + r.host + ":" + std::to_string(r.port);
  auto fix = "routeros-mcp device update " + r.id;
  switch (code) {
    case ec::router_timeout:
      return {"timeout",
              {"The router did not answer in time: check that it is up and "
               "not overloaded (CPU), and that nothing drops packets to "
                 + where + ".",
               "Check that the RouterOS service www-ssl (or www for http) "
               "listens on port "
                 + std::to_string(r.port) + ": /ip service print."}};
    case ec::router_unreachable:
      return {"network_error",
              {"No connection to " + where
                 + ": check the host and port of the device record (" + fix
                 + " --host … --port …).",
               "Enable the REST service on the router: /ip service enable "
               "www-ssl (RouterOS 7.1 or later).",
               "Check the router's firewall input chain and the service's "
               "'available from' addresses (/ip service print detail)."}};
    case ec::router_tls_failed:
      return {"tls_failed",
              {"A self-signed router certificate needs pinning: " + fix
                 + " --tls-mode pin --fingerprint <SHA-256 of the "
                   "certificate>.",
               "For --tls-mode verify, give the CA that signed the router "
               "certificate (--ca-file) and make sure the certificate names "
               "the host (or set --server-name).",
               "If the router certificate was renewed, pin the new "
               "fingerprint."}};
    case ec::router_host_key_mismatch:
      return {"host_key_mismatch",
              {"The router's SSH host key is not the pinned one: if the "
               "router was replaced or reinstalled, pin its new key ("
                 + fix
                 + " --ssh-host-key <SHA-256>); otherwise something "
                   "between this service and the router answers in "
                   "its place.",
               "Read the key on the router's console: /ip ssh "
               "export-host-key, then ssh-keygen -l -E sha256 -f <file>."}};
    case ec::router_auth_failed:
      return {"auth_failed",
              {"The router rejected the credentials: check user '" + r.username
                 + "' and its password (" + fix + " --password-env VAR).",
               "Check that the user exists, is enabled and may log in from "
               "this host: /user print detail (address restriction)."}};
    case ec::router_permission_denied:
      return {"authz_failed",
              {"The RouterOS user lacks a policy: its group needs at least "
               "read, api and rest-api (/user group print).",
               "Write tools additionally need the write policy."}};
    case ec::router_not_found:
      return {"not_found",
              {"The router has no /rest/system/resource: the REST API needs "
               "RouterOS v7.1 or later.",
               "Check that port " + std::to_string(r.port)
                 + " belongs to the RouterOS web service, not another HTTP "
                   "server."}};
    case ec::router_bad_request:
      return {"client_error",
              {"The router refused the request: check that it runs RouterOS "
               "v7 with the REST API enabled."}};
    case ec::router_server_error:
    case ec::router_bad_response:
    case ec::router_bad_answer:
      return {"server_error",
              {"The router answered with an error or unparsable data: check "
               "its log (/log print) and retry.",
               "Make sure no proxy between this service and the router "
               "rewrites answers."}};
    default:
      return {"unknown",
              {"Retry the check; if it keeps failing, look at the service "
               "log for device "
               + r.id + "."}};
  }
}

json connectivity_json(const device_record& r, const health_sample& s) {
  bool reachable = s.status != device_status::unreachable;
  json out{{"device_id", r.id},
           {"reachable", reachable},
           {"status", to_string(s.status)},
           {"endpoint",
            {{"host", r.host},
             {"port", r.port},
             {"scheme", r.scheme},
             {"tls_mode", r.tls.mode}}},
           {"checked_at", iso_time(s.timestamp)},
           {"response_time_ms", reachable ? json(s.latency_ms) : json(nullptr)},
           {"routeros_version", or_null(s.routeros_version)},
           {"board", or_null(s.board_name)},
           {"identity", or_null(s.identity)},
           {"failure_class", nullptr},
           {"error_kind", nullptr},
           {"error", nullptr},
           {"suggestions", json::array()}};
  if (!reachable) {
    auto info = classify_failure(s.error_kind, r);
    out["failure_class"] = info.name;
    out["error_kind"] = s.error_kind;
    out["error"] = s.issues.empty() ? "" : s.issues.front();
    out["suggestions"] = info.suggestions;
  }
  return out;
}

std::string connectivity_text(const json& report) {
  auto id = report["device_id"].get<std::string>();
  if (report["reachable"].get<bool>()) {
    auto ms = report["response_time_ms"].get<double>();
    auto& version = report["routeros_version"];
    return "Device " + id + " is reachable ("
           + report["status"].get<std::string>() + ", RouterOS "
           + (version.is_string() ? version.get<std::string>() : "?") + ", "
           + std::to_string(std::lround(ms)) + " ms).";
  }
  auto text = "Device " + id + " is NOT reachable ("
              + report["failure_class"].get<std::string>()
              + "): " + report["error"].get<std::string>() + "\nSuggestions:";
  for (auto& line : report["suggestions"])
    text += "\n- " + line.get<std::string>();
  return text;
}

} // namespace rmcp::tools
