#include "src/prompts/prompts.hpp"

#include <chrono>
#include <map>

#include "protocol/error.hpp"
#include "src/tools/device_report.hpp"

namespace rmcp::prompts {

namespace {

constexpr auto ask_timeout = std::chrono::seconds{5};

struct prompt_def {
  prompt_spec spec;
  std::map<std::string, std::string> defaults;
  /// Body; {name} is replaced by the argument (or default) `name`, {device}
  /// by live data about the named device, {service_environment} by ours.
  const char* text;
};

const std::vector<std::string> envs{"lab", "staging", "prod"};
const std::vector<std::string> envs_all{"lab", "staging", "prod", "all"};

prompt_argument device_arg(bool required) {
  return {"device_id", "Id of the device (see list_devices)", required, {}};
}

const std::vector<prompt_def>& table() {
  static const std::vector<prompt_def> defs{
    {{"address-list-sync",
      "Address list sync",
      "Sync an mcp- address list from a source device to target devices: "
      "list, export, back up, sync, verify, roll back.",
      {{"environment", "Environment of the devices", false, envs},
       {"list_name", "Address list to sync (mcp- prefix)", false, {}}}},
     {{"environment", "lab"}, {"list_name", "mcp-blocklist"}},
     "Sync the address list {list_name} across the {environment} devices.\n"
     "1. list_devices with environment={environment}; pick the source.\n"
     "2. Read the list on the source and on every target; show the "
     "differences.\n3. Back up each target's current entries before any "
     "change.\n4. Apply additions and removals with dry_run=true first; in "
     "prod this needs a plan and human approval.\n5. Re-read every target "
     "and confirm it matches the source.\n6. If anything differs, restore "
     "the backup and report which device failed."},
    {{"comprehensive-device-review",
      "Comprehensive device review",
      "Six-section review of one device: connectivity and health, "
      "interfaces/IP/routing, DNS/NTP, security, performance, configuration.",
      {device_arg(true)}},
     {},
     "Review this device:\n{device}\n\n1. Connectivity and health: "
     "check_connectivity and device_health.\n2. Interfaces, IP addresses "
     "and routes: look for down links and unexpected routes.\n3. DNS and "
     "NTP: servers configured, clock in sync.\n4. Security: firewall input "
     "chain, exposed services, user accounts.\n5. Performance: CPU, memory, "
     "uptime trends (device://{device_id}/health).\n6. Configuration and "
     "compliance: compare with the fleet's conventions.\nEnd with a table "
     "of findings by severity and concrete next steps."},
    {{"device-onboarding",
      "Device onboarding",
      "Prepare a RouterOS router, register it with the CLI, verify it and "
      "set its capability flags.",
      {{"environment", "Environment the device joins", false, envs}}},
     {{"environment", "lab"}},
     "Onboard a RouterOS v7 router into {environment}.\n1. On the router: "
     "enable the REST API (www-ssl with a certificate), create a dedicated "
     "user with only the policies needed.\n2. Register it: `routeros-mcp "
     "--environment {environment} device add ID --host … --username … "
     "--fingerprint …` (the password comes from a file, variable or "
     "prompt, never the command line).\n3. `routeros-mcp device check ID`, "
     "then check_connectivity and get_system_overview here.\n4. Decide the "
     "capability flags (allow_advanced_writes, …) with "
     "`routeros-mcp device update`.\n5. Security checklist: "
     "management access restricted, default admin disabled.\nIf a step "
     "fails, the error names the failure class and what to try."},
    {{"dhcp-lease-review",
      "DHCP lease review",
      "Review DHCP servers, leases, conflicts and pool use.",
      {device_arg(false)}},
     {},
     "Review DHCP.\n{device}\n\n1. List the DHCP servers and their pools.\n"
     "2. Active leases: count per server, static vs dynamic.\n3. "
     "Cross-check with the ARP table for conflicts or unknown hosts.\n4. "
     "Pool utilisation: warn above 80 %.\n5. Common issues: short lease "
     "times, overlapping pools, missing gateway/DNS options.\nReport "
     "findings and recommended changes (with dry_run first)."},
    {{"dns-ntp-rollout",
      "DNS/NTP rollout",
      "Roll DNS and NTP settings out to an environment: targets, current "
      "state, dry run, apply, verify, roll back.",
      {{"environment", "Environment to roll out to", false, envs},
       {"dry_run", "Preview only", false, {"true", "false"}}}},
     {{"environment", "lab"}, {"dry_run", "true"}},
     "Roll DNS and NTP settings out to {environment} (dry_run={dry_run}).\n"
     "1. list_devices with environment={environment}.\n2. Read each "
     "device's current DNS servers and NTP client settings.\n3. Preview "
     "the change per device (dry run).\n4. Unless dry_run is true: create "
     "a plan, get it approved, apply DNS then NTP in batches.\n5. Verify "
     "resolution and clock sync on every device.\n6. On failure, roll the "
     "device back to the settings read in step 2."},
    {{"fleet-health-review",
      "Fleet health review",
      "Summarise fleet health, find problem devices and report.",
      {{"environment", "Environment to review", false, envs_all}}},
     {{"environment", "all"}},
     "Review the health of the fleet ({environment}; this service manages "
     "{service_environment}).\n1. Read fleet://health-summary.\n2. "
     "list_devices (environment={environment}) and note unknown, degraded "
     "and unreachable devices.\n3. device_health for each problem device; "
     "check_connectivity for unreachable ones.\n4. Look for common causes "
     "(same site, same version, same upstream).\n5. Report: counts by "
     "state, problem devices with cause and next step."},
    {{"security-audit",
      "Security audit",
      "Audit service exposure, firewall chains, address lists, accounts, "
      "versions and segmentation.",
      {device_arg(false),
       {"audit_scope", "One device or the fleet", false, {"device", "fleet"}}}},
     {{"audit_scope", "device"}},
     "Security audit (scope: {audit_scope}).\n{device}\n\n1. Exposed "
     "services (/ip/service): only what is needed, restricted addresses.\n"
     "2. Firewall input and forward chains: default drop, established/"
     "related first.\n3. Address lists used by the rules.\n4. User "
     "accounts and groups: no default admin, least privilege.\n5. "
     "RouterOS version and patch level (get_system_overview).\n6. "
     "Segmentation between management and user networks.\nRate each "
     "finding (critical/high/medium/low) with a fix."},
    {{"troubleshoot-device",
      "Troubleshoot a device",
      "Step through connectivity, overview, interfaces, logs and health, "
      "then issue-specific checks.",
      {device_arg(false),
       {"issue_type",
        "Kind of problem",
        false,
        {"connectivity", "performance", "health", "config"}},
       {"interface", "Interface to look at first (e.g. ether1)", false, {}}}},
     {{"issue_type", "connectivity"}, {"interface", "every interface"}},
     "Troubleshoot a {issue_type} problem.\n{device}\n\n1. "
     "check_connectivity: reachability, TLS, credentials.\n2. "
     "get_system_overview: version, uptime, resources.\n3. Interfaces "
     "({interface}): link state and errors.\n4. Recent logs around the "
     "problem.\n5. "
     "device_health and device://{device_id}/health for trends.\n6. "
     "{issue_type}-specific checks, then a diagnosis and the smallest "
     "safe fix (dry_run first)."},
    {{"troubleshoot-dns-ntp",
      "Troubleshoot DNS/NTP",
      "Check DNS configuration, reachability, resolution and cache; NTP "
      "configuration, sync and clock.",
      {device_arg(false),
       {"issue_type", "What fails", false, {"dns", "ntp", "both"}}}},
     {{"issue_type", "both"}},
     "Troubleshoot {issue_type}.\n{device}\n\nDNS: configured servers, "
     "allow-remote-requests, reachability of the servers, a test "
     "resolution, cache size and hits, firewall rules for port 53.\nNTP: "
     "client enabled, servers reachable, sync status and offset, current "
     "clock and time zone.\nReport the cause and the fix."},
    {{"troubleshoot-wireless",
      "Troubleshoot wireless",
      "Check wireless interfaces, clients and connectivity, then "
      "issue-specific steps.",
      {device_arg(false),
       {"issue_type",
        "Kind of problem",
        false,
        {"connectivity", "performance", "clients", "configuration"}}}},
     {{"issue_type", "connectivity"}},
     "Troubleshoot wireless ({issue_type}).\n{device}\n\n1. Wireless "
     "interfaces: enabled, band, channel, SSID, security.\n2. Registered "
     "clients: count, signal, rates.\n3. Connectivity from a client's "
     "view: DHCP lease, gateway, DNS.\n4. {issue_type}-specific checks "
     "(interference and channel width, client limits, profile "
     "mismatches).\nReport findings and a safe change plan."},
  };
  return defs;
}

std::string substitute(std::string text,
                       const std::map<std::string, std::string>& vars) {
  for (auto& [name, value] : vars) {
    auto key = "{" + name + "}";
    for (auto pos = text.find(key); pos != std::string::npos;
         pos = text.find(key, pos + value.size()))
      text.replace(pos, key.size(), value);
  }
  return text;
}

/// Live data about a device, in a few lines.
std::string device_summary(const device_view& v,
                           const std::string& service_env) {
  const auto& s = v.last;
  std::string out = "Device " + v.record.id + " (" + v.record.name + "), "
                    + v.record.environment + " environment";
  if (v.record.environment != service_env)
    out += " (not managed by this " + service_env + " service)";
  out += ".\nHealth: " + to_string(s.status);
  if (s.timestamp != 0)
    out += ", last checked " + tools::iso_time(s.timestamp).get<std::string>();
  else
    out += ", not checked yet";
  if (!s.routeros_version.empty())
    out += "; RouterOS " + s.routeros_version;
  if (!s.board_name.empty())
    out += " on " + s.board_name;
  out += ".";
  if (!s.issues.empty()) {
    out += "\nIssues:";
    for (auto& i : s.issues)
      out += " " + i + ";";
  }
  return out;
}

void render(resource_read& r, const prompt_def& def) {
  auto vars = def.defaults;
  for (auto& a : def.spec.arguments)
    if (auto v = r.param(a.name); !v.empty())
      vars[a.name] = v;
  vars["service_environment"] = r.svc().environment;
  auto finish = [&r, &def](std::map<std::string, std::string> vars) {
    r.finish({{"description", def.spec.description},
              {"text", substitute(def.text, vars)}});
  };
  auto device = vars.count("device_id") ? vars["device_id"] : std::string{};
  if (device.empty()) {
    vars["device_id"] = "{device_id}";
    vars["device"] = "No device named: start with list_devices (or "
                     "fleet://health-summary) and pick one.";
    finish(std::move(vars));
    return;
  }
  r.self()
    ->request(r.svc().fleet, ask_timeout, atom::get_v, device, atom::view_v)
    .then(
      [&r, vars, finish](device_view& v) mutable {
        vars["device"] = device_summary(v, r.svc().environment);
        finish(std::move(vars));
      },
      [&r, device](caf::error& err) {
        if (error_code_of(err) == ec::device_not_found)
          err = make_error(ec::invalid_params,
                           "argument 'device_id': no device '" + device
                             + "' is registered; call list_devices for the "
                               "ids");
        r.fail(std::move(err));
      });
}

} // namespace

caf::error register_all(prompt_registry& reg) {
  for (auto& def : table()) {
    const auto* d = &def;
    if (auto err = reg.add(def.spec, [d](resource_read& r) { render(r, *d); }))
      return err;
  }
  return caf::none;
}

} // namespace rmcp::prompts
