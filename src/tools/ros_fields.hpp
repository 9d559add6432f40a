#pragma once

// RouterOS field tables shared by a read tool and a write tool of the same
// menu (the write tools report before/after in the read tool's shape).

#include "protocol/routeros_value.hpp"

namespace rmcp::tools {

/// /ip/address rows.
inline constexpr ros::field address_fields[] = {
  {".id", "id", ros::kind::text},
  {"address", "address", ros::kind::text},
  {"network", "network", ros::kind::text},
  {"interface", "interface", ros::kind::text},
  {"actual-interface", "actual_interface", ros::kind::text},
  {"dynamic", "dynamic", ros::kind::boolean},
  {"disabled", "disabled", ros::kind::boolean},
  {"invalid", "invalid", ros::kind::boolean},
  {"vrf", "vrf", ros::kind::text},
  {"comment", "comment", ros::kind::text},
};

/// /ip/firewall/address-list rows.
inline constexpr ros::field address_list_fields[] = {
  {".id", "id", ros::kind::text},
  {"list", "list", ros::kind::text},
  {"address", "address", ros::kind::text},
  {"timeout", "timeout_seconds", ros::kind::seconds},
  {"creation-time", "created", ros::kind::time},
  {"dynamic", "dynamic", ros::kind::boolean},
  {"disabled", "disabled", ros::kind::boolean},
  {"comment", "comment", ros::kind::text},
};

/// /ip/dns (singleton). cache-size and cache-used are KiB on the wire.
inline constexpr ros::field dns_fields[] = {
  {"servers", "servers", ros::kind::list},
  {"dynamic-servers", "dynamic_servers", ros::kind::list},
  {"allow-remote-requests", "allow_remote_requests", ros::kind::boolean},
  {"cache-size", "cache_size_kib", ros::kind::uint},
  {"cache-used", "cache_used_kib", ros::kind::uint},
  {"cache-max-ttl", "cache_max_ttl_seconds", ros::kind::seconds},
  {"max-concurrent-queries", "max_concurrent_queries", ros::kind::uint},
  {"query-server-timeout", "query_server_timeout_seconds", ros::kind::seconds},
  {"query-total-timeout", "query_total_timeout_seconds", ros::kind::seconds},
  {"use-doh-server", "doh_server", ros::kind::text},
  {"verify-doh-cert", "verify_doh_cert", ros::kind::boolean},
  {"vrf", "vrf", ros::kind::text},
};

/// /system/ntp/client (singleton; v7 reports the sync state inline).
inline constexpr ros::field ntp_fields[] = {
  {"enabled", "enabled", ros::kind::boolean},
  {"mode", "mode", ros::kind::text},
  {"servers", "servers", ros::kind::list},
  {"vrf", "vrf", ros::kind::text},
  {"status", "status", ros::kind::text},
  {"synced-server", "synced_server", ros::kind::text},
  {"synced-stratum", "synced_stratum", ros::kind::uint},
  {"system-offset", "system_offset_seconds", ros::kind::seconds},
  {"freq-drift", "freq_drift", ros::kind::text},
};

/// /system/identity (singleton).
inline constexpr ros::field identity_fields[] = {
  {"name", "identity", ros::kind::text},
};

} // namespace rmcp::tools
