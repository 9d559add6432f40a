#pragma once

// Device vocabulary: the registry record of a router, its capability flags,
// its health as the device actor last saw it, credentials and snapshots.
// Plain data with `inspect`, so every type can travel in messages.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>

namespace rmcp {

/// Capability flags: what the AI may do on a device, set only out of band
/// (`routeros-mcp device add|update`). All default to false. Every flag has
/// one line in device_flag_table below, which the store codec, the CLI
/// options, the reports and the tools' capability errors read.
struct device_flags {
  bool allow_advanced_writes = false;
  bool allow_professional_workflows = false;
  bool allow_firewall_writes = false;
  bool allow_routing_writes = false;
  bool allow_wireless_writes = false;
  bool allow_dhcp_writes = false;
  bool allow_bridge_writes = false;
  bool allow_bandwidth_test = false;
  bool critical = false;
};

/// One capability flag.
struct device_flag_def {
  /// Key in stored records and reports, and the flag's name in errors
  /// ("allow_firewall_writes"); the CLI option is this with '-' for '_'
  /// (device_flag_option).
  const char* name;
  bool device_flags::*member;
  /// Help of the CLI option.
  const char* cli_help;
  /// What the flag allows, for capability errors and docs.
  const char* description;
};

/// Every flag, in report order. Adding a flag: its member above and one
/// line here.
inline constexpr device_flag_def device_flag_table[] = {
  {"allow_advanced_writes", &device_flags::allow_advanced_writes,
   "Tier advanced: single-device write tools",
   "single-device write tools (tier advanced) may change this router"},
  {"allow_professional_workflows", &device_flags::allow_professional_workflows,
   "Tier professional: plans and multi-device workflows",
   "plans and multi-device workflows (tier professional) may include this "
   "router"},
  {"allow_firewall_writes", &device_flags::allow_firewall_writes,
   "Firewall changes through plans",
   "plans may change this router's firewall rules and address lists"},
  {"allow_routing_writes", &device_flags::allow_routing_writes,
   "Routing changes through plans", "plans may change this router's routes"},
  {"allow_wireless_writes", &device_flags::allow_wireless_writes,
   "Wireless changes through plans",
   "plans may change this router's wireless SSIDs and radio settings"},
  {"allow_dhcp_writes", &device_flags::allow_dhcp_writes,
   "DHCP changes through plans",
   "plans may change this router's DHCP servers and leases"},
  {"allow_bridge_writes", &device_flags::allow_bridge_writes,
   "Bridge changes through plans",
   "plans may change this router's bridges, ports and VLANs"},
  {"allow_bandwidth_test", &device_flags::allow_bandwidth_test,
   "May be the target of bandwidth_test",
   "this router may be the target of bandwidth_test"},
  {"critical", &device_flags::critical,
   "Health-checked twice as often when degraded",
   "this router is health-checked more often (half the interval)"},
};

// A member without a line in the table would be neither stored nor shown.
static_assert(sizeof(device_flags)
                == sizeof(device_flag_table) / sizeof(device_flag_table[0])
                     * sizeof(bool),
              "every member of device_flags needs a line in device_flag_table");

/// The entry of `member`, or of the flag called `name`; nullptr when none.
const device_flag_def* find_device_flag(bool device_flags::*member);
const device_flag_def* find_device_flag(std::string_view name);

/// The CLI option of a flag without dashes: "allow-firewall-writes".
std::string device_flag_option(const device_flag_def& def);

/// The names of the flags that are set, in table order.
std::vector<std::string> device_flags_set(const device_flags& x);

/// Sets the flags named in `names` (and clears the others); false when a
/// name is unknown (the known ones are still set).
bool set_device_flags(device_flags& x, const std::vector<std::string>& names);

/// capability_denied: `who` ("device 'r1'", "device(s) r1, r2") lacks
/// `member`, which tool `tool` needs. Names the flag, what it allows and the
/// CLI command that sets it on `target` (a device id or "<id>").
caf::error capability_denied(const std::string& who, const std::string& tool,
                             bool device_flags::*member,
                             const std::string& target);

/// Travels as the names of the flags that are set, so the table stays the
/// only list of flags.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_flags& x) {
  auto names = device_flags_set(x);
  auto load = [&]() -> caf::error {
    set_device_flags(x, names);
    return caf::none;
  };
  return f(caf::meta::type_name("device_flags"), names,
           caf::meta::load_callback(load));
}

/// How the REST client trusts the router's certificate. Plain HTTP and
/// "insecure" exist only when a record says so explicitly.
struct tls_settings {
  /// "verify" (system or `ca_file` trust store, host name checked), "pin"
  /// (SHA-256 fingerprint of the leaf certificate must equal
  /// `fingerprint_sha256`), or "insecure" (no verification; refused in prod).
  std::string mode = "verify";
  /// PEM file with the CA(s) to trust for mode "verify"; empty = system.
  std::string ca_file;
  /// Upper-case hex with colons, as `openssl x509 -fingerprint -sha256`.
  std::string fingerprint_sha256;
  /// SNI / verified host name; empty = the device's host.
  std::string server_name;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tls_settings& x) {
  return f(caf::meta::type_name("tls_settings"), x.mode, x.ca_file,
           x.fingerprint_sha256, x.server_name);
}

/// How the device actor reaches the router, and how SSH is trusted.
/// "rest" (the default) talks REST only; "ssh" sends everything over SSH
/// (RouterOS console commands); "auto" talks REST and sends a read over SSH
/// when REST is unreachable (service disabled, port refused or filtered).
struct ssh_settings {
  std::string transport = "rest";
  uint16_t port = 22;
  /// SHA-256 of the router's SSH host key (the public key blob), upper-case
  /// hex with colons like the TLS fingerprint. Empty: the key seen first is
  /// trusted until the daemon stops (trust on first use), lab devices only.
  std::string host_key_sha256;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ssh_settings& x) {
  return f(caf::meta::type_name("ssh_settings"), x.transport, x.port,
           x.host_key_sha256);
}

/// The legal values of ssh_settings::transport.
bool is_transport(const std::string& text);

/// One registered router.
struct device_record {
  /// Stable id used by every tool (e.g. "edge-01"): [a-z0-9][a-z0-9_.-]{0,63}.
  std::string id;
  /// Human name.
  std::string name;
  /// Management address (IP or host name) and port of the REST service.
  std::string host;
  uint16_t port = 443;
  /// "https" (default) or "http" (explicit opt-in, RouterOS >= 7.9).
  std::string scheme = "https";
  tls_settings tls;
  ssh_settings ssh;
  /// REST user; the password lives in the credential table, encrypted.
  std::string username;
  /// lab, staging or prod.
  std::string environment = "lab";
  std::map<std::string, std::string> tags;
  device_flags flags;
  /// Other devices are reached through this one: rollouts change it last.
  bool management_path = false;
  /// Unix milliseconds.
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_record& x) {
  return f(caf::meta::type_name("device_record"), x.id, x.name, x.host, x.port,
           x.scheme, x.tls, x.ssh, x.username, x.environment, x.tags, x.flags,
           x.management_path, x.created_at, x.updated_at);
}

bool operator==(const device_flags& a, const device_flags& b);
bool operator==(const tls_settings& a, const tls_settings& b);
bool operator==(const ssh_settings& a, const ssh_settings& b);
bool operator==(const device_record& a, const device_record& b);

inline bool operator!=(const device_record& a, const device_record& b) {
  return !(a == b);
}

/// Checks a record before it is stored: id pattern, name, host (IP or RFC
/// 1123 name), port, scheme, TLS settings (a pinned fingerprint must be 32
/// colon-separated hex bytes), SSH settings, username, environment, tags.
/// Plain HTTP and TLS mode "insecure" are refused for prod devices, and SSH
/// without a pinned host key for every device outside lab. Fails with
/// ec::invalid_arguments naming the field and what is legal.
caf::error validate(const device_record& x);

/// Normalises a SHA-256 fingerprint to upper-case hex with colons
/// ("ab12…" or "AB:12:…" → "AB:12:…"); empty when `text` is not 32 bytes of
/// hex.
std::string normalize_fingerprint(const std::string& text);

/// Health states: degraded = reachable but over a
/// threshold; unknown = never checked.
enum class device_status : uint8_t { unknown, healthy, degraded, unreachable };

std::string to_string(device_status x);
bool from_string(const std::string& text, device_status& out);

/// One health observation of a device.
struct health_sample {
  std::string device_id;
  /// Unix milliseconds.
  int64_t timestamp = 0;
  device_status status = device_status::unknown;
  double cpu_percent = 0;
  uint64_t memory_total_bytes = 0;
  uint64_t memory_used_bytes = 0;
  uint64_t uptime_seconds = 0;
  /// REST round trip of the check.
  double latency_ms = 0;
  /// From /system/resource and /system/identity.
  std::string routeros_version;
  std::string board_name;
  std::string identity;
  /// Threshold breaches ("cpu 93% > 90%") or the failure text.
  std::vector<std::string> issues;
  /// `rmcp::ec` name of the failure when unreachable, else empty.
  std::string error_kind;
  /// How the check's answer came: "rest" or "ssh"; empty when none came.
  std::string transport;
  /// Over SSH because REST was unreachable (device transport "auto").
  bool fallback_used = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, health_sample& x) {
  return f(caf::meta::type_name("health_sample"), x.device_id, x.timestamp,
           x.status, x.cpu_percent, x.memory_total_bytes, x.memory_used_bytes,
           x.uptime_seconds, x.latency_ms, x.routeros_version, x.board_name,
           x.identity, x.issues, x.error_kind, x.transport, x.fallback_used);
}

/// A device's credentials in clear text (REST and SSH use the same user). Only the store actor and the
/// device actor ever hold one; it is never logged, audited or returned by a
/// tool.
struct credential {
  std::string username;
  std::string password;
  /// An SSH private key (OpenSSH or PEM text) for SSH public key
  /// authentication; empty: SSH logs in with the password.
  std::string ssh_private_key;
};

bool operator==(const credential& a, const credential& b);

inline bool operator!=(const credential& a, const credential& b) {
  return !(a == b);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credential& x) {
  return f(caf::meta::type_name("credential"), x.username, x.password,
           x.ssh_private_key);
}

/// A stored piece of device state (configuration export, table dump taken
/// before a change, ...).
struct snapshot_record {
  std::string id;
  std::string device_id;
  /// "config" (/export text), or "<topic>" for a table dump before a change.
  std::string kind;
  int64_t timestamp = 0;
  std::string content;
  /// Hex SHA-256 of `content`.
  std::string sha256;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, snapshot_record& x) {
  return f(caf::meta::type_name("snapshot_record"), x.id, x.device_id, x.kind,
           x.timestamp, x.content, x.sha256);
}

/// A registry record plus what the fleet knows about it now.
struct device_view {
  device_record record;
  health_sample last;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_view& x) {
  return f(caf::meta::type_name("device_view"), x.record, x.last);
}

/// The registry as a fleet loads it, read in ONE store transaction (one
/// snapshot; on the shared store one etcd revision, with paged range scans
/// instead of a round trip per device): the generation, every device, and
/// the decrypted credentials of the devices of one environment.
struct fleet_registry {
  /// The generation the snapshot was read at.
  uint64_t generation = 0;
  /// Every device, sorted by id.
  std::vector<device_record> devices;
  /// Credential by device id, for the devices of the environment asked
  /// for; a device without a stored credential has no entry.
  std::map<std::string, credential> credentials;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fleet_registry& x) {
  return f(caf::meta::type_name("fleet_registry"), x.generation, x.devices,
           x.credentials);
}

/// Store health for service_health and /health.
struct store_status {
  std::string backend; // "lmdb" or "memory"
  std::string path;
  uint32_t schema_version = 0;
  uint64_t devices = 0;
  uint64_t used_bytes = 0;
  uint64_t map_bytes = 0;
  double probe_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_status& x) {
  return f(caf::meta::type_name("store_status"), x.backend, x.path,
           x.schema_version, x.devices, x.used_bytes, x.map_bytes, x.probe_ms);
}

} // namespace rmcp
