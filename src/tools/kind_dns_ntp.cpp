// Change kind "dns_ntp": the upstream DNS servers (/ip/dns servers) and/or
// the NTP client's servers (/system/ntp/client servers, enabled=yes) of
// 2 to rollout.max_devices (50 by default) routers. Not risky: neither cuts management.

#include "protocol/error.hpp"
#include "protocol/net_text.hpp"
#include "protocol/ros_script.hpp"
#include "src/tools/change_kinds.hpp"
#include "src/tools/ros_fields.hpp"

namespace rmcp::tools {

namespace {

bool has(const json& params, const char* key) {
  return params.contains(key);
}

std::string joined(const json& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ",") + x.get<std::string>();
  return out;
}

caf::expected<json> validate(const json& args) {
  json params = json::object();
  auto list = [&](const char* name, size_t max,
                  bool names_allowed) -> caf::error {
    auto i = args.find(name);
    if (i == args.end() || i->is_null())
      return caf::none;
    if (!i->is_array() || i->empty() || i->size() > max)
      return make_error(ec::invalid_arguments,
                        std::string{name} + ": give 1 to " + std::to_string(max)
                          + " servers");
    for (auto& s : *i) {
      auto text = s.is_string() ? s.get<std::string>() : s.dump();
      if (!net::is_ip(text) && !(names_allowed && net::is_hostname(text)))
        return make_error(ec::invalid_arguments,
                          std::string{name} + ": '" + text
                            + "' is not an IP address"
                            + (names_allowed ? " or a host name" : ""));
    }
    params[name] = *i;
    return caf::none;
  };
  if (auto err = list("dns_servers", 3, false))
    return err;
  if (auto err = list("ntp_servers", 4, true))
    return err;
  if (params.empty())
    return make_error(ec::invalid_arguments,
                      "give dns_servers, ntp_servers or both");
  return params;
}

std::string risk(const json&, const std::vector<device_record>& devices,
                 std::vector<std::string>&) {
  return devices.size() > 10 ? "high" : "medium";
}

std::vector<std::string> reads(const json& params) {
  std::vector<std::string> out;
  if (has(params, "dns_servers"))
    out.push_back("/ip/dns");
  if (has(params, "ntp_servers"))
    out.push_back("/system/ntp/client");
  return out;
}

json state(const json& params, const std::vector<json>& bodies) {
  json out = json::object();
  size_t i = 0;
  if (has(params, "dns_servers")) {
    auto dns = ros::convert(bodies[i++], dns_fields);
    out["dns_servers"] = dns.value("servers", json::array());
  }
  if (has(params, "ntp_servers")) {
    auto ntp = ros::convert(bodies[i++], ntp_fields);
    out["ntp_servers"] = ntp.value("servers", json::array());
    out["ntp_enabled"] = ntp.value("enabled", false);
  }
  return out;
}

/// Requests that make the device's state `want` (only what differs from
/// `have`).
std::vector<rest_request> set_requests(const json& want, const json& have) {
  std::vector<rest_request> out;
  auto post = [&](const char* path, json body) {
    rest_request req;
    req.method = "POST";
    req.path = path;
    req.body = std::move(body);
    out.push_back(std::move(req));
  };
  if (want.contains("dns_servers")
      && want["dns_servers"] != have.value("dns_servers", json()))
    post("/ip/dns/set", {{"servers", joined(want["dns_servers"])}});
  if (want.contains("ntp_servers")) {
    json body = json::object();
    if (want["ntp_servers"] != have.value("ntp_servers", json()))
      body["servers"] = joined(want["ntp_servers"]);
    if (want["ntp_enabled"] != have.value("ntp_enabled", json()))
      body["enabled"] = want["ntp_enabled"].get<bool>() ? "yes" : "no";
    if (!body.empty())
      post("/system/ntp/client/set", std::move(body));
  }
  return out;
}

caf::expected<change_step> plan(const json& params, const json& current,
                                const device_record&) {
  change_step step;
  if (has(params, "dns_servers"))
    step.intended["dns_servers"] = params["dns_servers"];
  if (has(params, "ntp_servers")) {
    step.intended["ntp_servers"] = params["ntp_servers"];
    step.intended["ntp_enabled"] = true;
  }
  step.requests = set_requests(step.intended, current);
  return step;
}

std::string compare(const json&, const json& expected, const json& actual) {
  std::string out;
  for (auto& [key, want] : expected.items()) {
    auto have = actual.value(key, json());
    if (have != want)
      out += (out.empty() ? "" : "; ") + key + " is " + have.dump()
             + ", expected " + want.dump();
  }
  return out;
}

std::vector<rest_request> restore(const json&, const json& snapshot,
                                  const json& now) {
  return set_requests(snapshot, now);
}

caf::expected<std::string> revert_script(const json&, const json& snapshot) {
  std::string out;
  if (snapshot.contains("dns_servers"))
    out += "/ip dns set servers="
           + ros_script::literal(joined(snapshot["dns_servers"]));
  if (snapshot.contains("ntp_servers"))
    out +=
      std::string{out.empty() ? "" : "; "} + "/system ntp client set servers="
      + ros_script::literal(joined(snapshot["ntp_servers"]))
      + " enabled=" + (snapshot.value("ntp_enabled", false) ? "yes" : "no");
  return out;
}

} // namespace

const change_kind dns_ntp_kind{
  "dns_ntp",
  "config_apply_dns_ntp_rollout",
  nullptr,
  false,
  2,
  validate,
  risk,
  reads,
  state,
  plan,
  compare,
  restore,
  revert_script,
};

} // namespace rmcp::tools
