#pragma once

// The one options struct of the daemon.
//
// Precedence (lowest to highest): built-in defaults (this struct) < the YAML
// file given with --config < environment variables ROUTEROS_MCP_<KEY> <
// command-line flags (--set key=value and the dedicated flags). Every key is
// declared once in the option table (options_table.cpp), which drives file,
// environment and command-line parsing, `config keys` and the docs check.
// An unknown key or an illegal value fails loading with a message naming the
// key and the legal values (exit code 2).

#include <chrono>
#include <cstdint>
#include <string>

#include "actors/fleet.hpp"
#include "actors/mcp_session.hpp"
#include "actors/rollout.hpp"

namespace rmcp::config {

/// The settings structs of the actors are nested whole (their defaults are
/// the defaults of their keys) and handed to the actors as they are; the
/// option table binds each key to its field.
struct server_options {
  // -- service ----------------------------------------------------------------
  /// lab, staging or prod; devices of other environments are refused.
  std::string environment = "lab";
  /// Directory of the LMDB store and generated keys.
  std::string data_dir = "./data";

  // -- logging ----------------------------------------------------------------
  std::string log_level = "info";
  std::string log_format = "text";

  // -- MCP server ---------------------------------------------------------------
  /// Transport of `serve` without --stdio/--http.
  std::string transport = "stdio";
  /// Keys server.tool_timeout, drain_timeout, tools_page_size and
  /// max_message_bytes (also the HTTP body limit and the stdio line limit);
  /// `instructions` is set by the runtime.
  session_settings session;
  /// Toolsets tools/list offers and tools/call runs: comma-separated
  /// names, `default` or `all` (src/tools/toolsets.cpp).
  std::string toolsets = "default";
  /// CAF scheduler threads; 0 = number of cores (at least 2).
  int64_t worker_threads = 0;

  // -- device actors and the fleet ----------------------------------------------
  /// Threads running the network I/O of all REST clients.
  int64_t device_io_threads = 2;
  /// Transport auto: after REST was unreachable, reads go straight to SSH
  /// for this long before REST is tried again (0: REST first every time).
  std::chrono::milliseconds device_rest_retry_after{30000};
  /// Keys fleet.* and device.* (fleet.device); `environment` above is
  /// copied into it by the runtime.
  fleet_settings fleet;

  // -- HTTP transport -----------------------------------------------------------
  /// Address and port of `serve --http` (port 0 = ephemeral).
  std::string http_listen = "127.0.0.1:8080";
  /// Extra Host names (or name:port) accepted besides loopback names.
  std::string http_allowed_hosts;
  /// Extra Origins accepted besides loopback origins.
  std::string http_allowed_origins;
  /// RBAC role of HTTP callers when no authentication is configured
  /// (loopback listeners only).
  std::string http_role = "read_only";
  /// Public base URL (https://mcp.example.com) for the protected resource
  /// metadata; empty = from the request's Host.
  std::string http_public_url;
  /// How long a connection may idle before (or while sending) a request.
  std::chrono::milliseconds http_idle_timeout{60000};
  /// A session with no request and no open stream for this long ends.
  std::chrono::milliseconds http_session_idle_timeout{30 * 60 * 1000};
  /// Requests per second per session, and the burst allowed above it.
  int64_t http_rate_limit = 20;
  int64_t http_rate_burst = 40;
  /// Open MCP sessions over HTTP at most.
  int64_t http_max_sessions = 256;
  /// Comment lines on idle SSE streams.
  std::chrono::milliseconds http_sse_keepalive{15000};
  /// PEM certificate chain and private key; both set = HTTPS only.
  std::string http_tls_cert_file;
  std::string http_tls_key_file;
  /// I/O threads of the HTTP listener.
  int64_t http_io_threads = 2;
  /// File the bound port is written to once listening (empty = none).
  std::string http_ports_file;

  // -- metrics listener ---------------------------------------------------------
  /// Address and port of the listener serving only /metrics and /health
  /// beside any transport (stdio too); empty = none.
  std::string metrics_listen;

  // -- stdio ------------------------------------------------------------------
  /// Role of the local operator on stdio.
  std::string stdio_role = "admin";

  // -- admin CLI and authentication ---------------------------------------------
  /// Role of the admin CLI (plan approve needs approver or admin).
  std::string cli_role = "admin";
  /// HTTP callers present API tokens (routeros-mcp token create).
  bool auth_api_tokens = false;
  /// OAuth resource-server mode: expected `iss`, `aud` and the JWKS (file,
  /// URL, or empty: discovered from the issuer) of JWT access tokens, and
  /// the CAs trusted for the issuer's HTTPS. Issuer set = enabled.
  std::string auth_oauth_issuer;
  std::string auth_oauth_audience;
  std::string auth_oauth_jwks;
  std::string auth_oauth_ca_file;

  // -- store ------------------------------------------------------------------
  /// LMDB environment directory; empty = <data_dir>/store.
  std::string store_path;
  /// Memory map size of the store (its upper bound), MiB.
  int64_t store_map_size_mib = 1024;
  /// File holding the credential encryption key; empty = none (see
  /// storage/key_source.hpp for the order of sources).
  std::string store_key_file;
  /// Health samples kept per device.
  int64_t store_health_history = 100;
  /// Snapshots kept per device and kind.
  int64_t store_snapshot_retention = 5;
  /// Between two periodic configuration snapshots of a device (jittered
  /// ±10 %); 0 = none (actors/config_snapshots.hpp).
  std::chrono::milliseconds snapshots_interval{std::chrono::hours{1}};
  /// The audit records of reads are committed in batches: at the latest
  /// this long after the first of a batch, or once this many wait (every
  /// other record is committed before its caller hears back).
  std::chrono::milliseconds audit_read_flush_interval{50};
  int64_t audit_read_batch = 256;

  // -- cluster ------------------------------------------------------------------
  /// This node's id in the cluster; empty = single node (no etcd).
  std::string cluster_node_id;
  /// Comma-separated etcd endpoints (host:port or http://host:port).
  std::string cluster_etcd;
  /// Root of the cluster's etcd keys.
  std::string cluster_prefix = "/routeros-mcp";
  /// TTL of the node's etcd lease (whole seconds).
  std::chrono::milliseconds cluster_lease_ttl{5000};
  /// How long a (re)joined node is in the view before it takes its share.
  std::chrono::milliseconds cluster_settle{2000};
  /// The middleman endpoint (host:port; port 0 = ephemeral) this node
  /// listens on and advertises to the others.
  std::string cluster_listen;
  /// Static members "id@host:port,..." (this node included), instead of
  /// etcd; empty = none. The connect and request timeouts are in
  /// `fleet.cluster`, and the runtime copies the node id there.
  std::string cluster_members;
  /// TLS between the nodes' middlemen (mutual: each node presents its
  /// certificate and accepts only peers whose certificate the cluster CA
  /// signed). PEM files; all three or none (none: plain TCP).
  std::string cluster_tls_ca;
  std::string cluster_tls_cert;
  std::string cluster_tls_key;

  // -- plans and rollouts -----------------------------------------------------
  /// The creator of a plan may approve it (single-operator lab only).
  bool plans_allow_self_approval = false;
  /// How long an approval token is valid.
  std::chrono::milliseconds plans_approval_ttl{15 * 60 * 1000};
  /// File holding the plan approval (HMAC) key; empty = none (lab:
  /// <data_dir>/approval.key is generated).
  std::string plans_approval_key_file;
  /// Keys rollout.*: plan defaults and rollout policy (rollout.on_restart
  /// is `resume_on_restart`, rollout.management_devices a comma-separated
  /// list).
  rollout_settings rollout;
};

} // namespace rmcp::config
