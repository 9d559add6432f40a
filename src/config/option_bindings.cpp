#include "src/config/option_bindings.hpp"

namespace rmcp::config::detail {

namespace {

/// rollout.management_devices: the list as comma-separated text.
custom management_devices() {
  return {[](const server_options& o) -> value {
            std::string text;
            for (auto& id : o.rollout.management_devices)
              text += (text.empty() ? "" : ",") + id;
            return text;
          },
          [](server_options& o, const value& v) {
            auto& ids = o.rollout.management_devices;
            ids.clear();
            std::string id;
            for (char c : std::get<std::string>(v) + ",") {
              if (c == ',' || c == ' ') {
                if (!id.empty())
                  ids.push_back(id);
                id.clear();
              } else {
                id += c;
              }
            }
          }};
}

/// rollout.on_restart: "resume" or "rollback" for resume_on_restart.
custom on_restart() {
  return {[](const server_options& o) -> value {
            return std::string{o.rollout.resume_on_restart ? "resume"
                                                           : "rollback"};
          },
          [](server_options& o, const value& v) {
            o.rollout.resume_on_restart = std::get<std::string>(v) == "resume";
          }};
}

} // namespace

const std::vector<binding>& bindings() {
  using o = server_options;
  using t = option_type;
  using f = fleet_settings;
  using c = cluster_settings;
  using d = device_settings;
  using h = health::schedule_settings;
  using r = rollout_settings;
  using ss = session_settings;
  // clang-format off
  static const std::vector<binding> table{
    {{"environment", t::choice, {"lab", "staging", "prod"}, 0, 0,
      "Service environment; only devices of this environment are managed."},
     &o::environment},
    {{"data_dir", t::string, {}, 0, 0,
      "Directory of the LMDB store and generated key files."},
     &o::data_dir},
    {{"log.level", t::choice,
      {"trace", "debug", "info", "warn", "error", "critical", "off"}, 0, 0,
      "Minimum level written to stderr."},
     &o::log_level},
    {{"log.format", t::choice, {"text", "json"}, 0, 0,
      "text (one line per event) or json (one object per line)."},
     &o::log_format},
    {{"server.transport", t::choice, {"stdio", "http"}, 0, 0,
      "Transport of `serve` when neither --stdio nor --http is given."},
     &o::transport},
    {{"server.tool_timeout", t::duration, {}, 100, 3600000,
      "Deadline of one tool call (e.g. 30s)."},
     &o::session, &ss::tool_timeout},
    {{"server.drain_timeout", t::duration, {}, 0, 600000,
      "How long shutdown waits for in-flight requests (e.g. 10s)."},
     &o::session, &ss::drain_timeout},
    {{"server.listen_lifetime", t::duration, {}, 1000, 86400000,
      "How long one subscriptions/listen stream stays open (e.g. 30m)."},
     &o::session, &ss::listen_lifetime},
    {{"server.toolsets", t::string, {}, 0, 0,
      "Toolsets offered: names, default or all (docs/tools.md)."},
     &o::toolsets},
    {{"server.tools_page_size", t::integer, {}, 1, 1000,
      "Tools per tools/list page."},
     &o::session, &ss::page_size},
    {{"server.max_message_bytes", t::integer, {}, 1024, 64 * 1024 * 1024,
      "Largest accepted JSON-RPC message in bytes."},
     &o::session, &ss::max_message_bytes},
    {{"server.worker_threads", t::integer, {}, 0, 256,
      "Actor scheduler threads; 0 = one per core but one (at least 1)."},
     &o::worker_threads},
    {{"device.io_threads", t::integer, {}, 1, 64,
      "Most threads running the network I/O of all REST clients: one, "
      "and one more per 32 devices."},
     &o::device_io_threads},
    {{"device.rest_retry_after", t::duration, {}, 0, 3600000,
      "Transport auto: after REST was unreachable, reads go straight to "
      "SSH for this long before REST is tried again (0: REST first on "
      "every read)."},
     &o::device_rest_retry_after},
    {{"device.max_connections", t::integer, {}, 1, 16,
      "Concurrent REST requests per router."},
     &o::fleet, &f::device, &d::max_connections},
    {{"device.queue_size", t::integer, {}, 1, 100000,
      "Calls served per router at once (a call's parallel requests count "
      "once); calls wait for a connection up to their deadline, and a call "
      "past this many fails at once with queue_full."},
     &o::fleet, &f::device, &d::queue_size},
    {{"device.request_timeout", t::duration, {}, 100, 600000,
      "Deadline of one REST request to a router (e.g. 10s)."},
     &o::fleet, &f::device, &d::request_timeout},
    {{"device.connect_timeout", t::duration, {}, 100, 60000,
      "TCP connect plus TLS handshake deadline."},
     &o::fleet, &f::device, &d::connect_timeout},
    {{"device.read_attempts", t::integer, {}, 1, 10,
      "Attempts of an idempotent read on unreachable/timeout/5xx (1 = no "
      "retries); writes are never retried."},
     &o::fleet, &f::device, &d::read_attempts},
    {{"device.retry_backoff", t::duration, {}, 10, 60000,
      "Base of the jittered exponential backoff between read attempts."},
     &o::fleet, &f::device, &d::retry_base},
    {{"device.breaker_threshold", t::integer, {}, 1, 1000,
      "Consecutive transport failures that open a router's circuit breaker."},
     &o::fleet, &f::device, &d::breaker_threshold},
    {{"device.breaker_cooldown", t::duration, {}, 1000, 3600000,
      "How long an open circuit breaker fails fast before it probes again."},
     &o::fleet, &f::device, &d::breaker_cooldown},
    {{"device.health_checks", t::boolean, {}, 0, 0,
      "Run periodic health checks of every managed router."},
     &o::fleet, &f::device, &d::health_checks},
    {{"device.health_interval", t::duration, {}, 5000, 3600000,
      "Base health-check interval, adaptive (healthy devices stretch it, "
      "unreachable ones back off); half for critical devices."},
     &o::fleet, &f::device, &d::health, &h::base},
    {{"fleet.poll_interval", t::duration, {}, 100, 600000,
      "How often the fleet reads the store's change counter, so devices "
      "changed with the CLI appear without a restart."},
     &o::fleet, &f::poll_interval},
    {{"cluster.node_id", t::string, {}, 0, 0,
      "This node's id in the cluster ([a-z0-9][a-z0-9_.-]*, unique, stable "
      "across restarts); empty = a single node without etcd."},
     &o::cluster_node_id},
    {{"cluster.etcd", t::string, {}, 0, 0,
      "Comma-separated etcd endpoints (host:port or http://host:port) of "
      "the cluster."},
     &o::cluster_etcd},
    {{"cluster.prefix", t::string, {}, 0, 0,
      "Root of the cluster's keys in etcd."},
     &o::cluster_prefix},
    {{"cluster.lease_ttl", t::duration, {}, 2000, 60000,
      "TTL of the node's etcd lease (whole seconds); a node silent this "
      "long is out."},
     &o::cluster_lease_ttl},
    {{"cluster.settle", t::duration, {}, 0, 60000,
      "How long a (re)joined node is in the view before it takes its "
      "share of the devices."},
     &o::cluster_settle},
    {{"cluster.listen", t::string, {}, 0, 0,
      "host:port of this node's middleman, where the other members "
      "connect (port 0 = ephemeral)."},
     &o::cluster_listen},
    {{"cluster.members", t::string, {}, 0, 0,
      "Static members id@host:port, comma-separated, this node included "
      "(a fixed cluster without etcd: each node claims its rendezvous "
      "share)."},
     &o::cluster_members},
    {{"cluster.tls.ca", t::string, {}, 0, 0,
      "PEM file of the cluster CA: a node accepts only members whose "
      "certificate it signed (TLS between nodes; with cluster.tls.cert and "
      "cluster.tls.key)."},
     &o::cluster_tls_ca},
    {{"cluster.tls.cert", t::string, {}, 0, 0,
      "PEM file of this node's certificate, signed by cluster.tls.ca."},
     &o::cluster_tls_cert},
    {{"cluster.tls.key", t::string, {}, 0, 0,
      "PEM file of this node's private key (unencrypted)."},
     &o::cluster_tls_key},
    {{"cluster.connect_timeout", t::duration, {}, 100, 60000,
      "Deadline of one connection to another member."},
     &o::fleet, &f::cluster, &c::connect_timeout},
    {{"cluster.request_timeout", t::duration, {}, 100, 60000,
      "Deadline of a lookup forwarded to a device's owning node."},
     &o::fleet, &f::cluster, &c::request_timeout},
    {{"cluster.peer_timeout", t::duration, {}, 500, 600000,
      "A member connection silent for this long is closed as lost and the "
      "calls in flight over it fail with device_moving (heartbeats every "
      "fifth of it)."},
     &o::fleet, &f::cluster, &c::peer_timeout},
    {{"http.listen", t::string, {}, 0, 0,
      "Address and port of `serve --http` (127.0.0.1:8080, [::1]:8080, "
      "0.0.0.0:8080; port 0 = ephemeral)."},
     &o::http_listen},
    {{"http.allowed_hosts", t::string, {}, 0, 0,
      "Comma-separated Host names (any port) or name:port accepted besides "
      "localhost, 127.0.0.1 and [::1]; * = no Host check."},
     &o::http_allowed_hosts},
    {{"http.allowed_origins", t::string, {}, 0, 0,
      "Comma-separated Origins (https://app.example.com) accepted besides "
      "loopback origins; * = no Origin check."},
     &o::http_allowed_origins},
    {{"http.role", t::choice, {"read_only", "ops_rw", "admin", "approver"},
      0, 0, "RBAC role of HTTP callers when no authentication is "
      "configured (loopback only)."},
     &o::http_role},
    {{"http.public_url", t::string, {}, 0, 0,
      "Public base URL of the server for the OAuth protected resource "
      "metadata; empty = from the request's Host."},
     &o::http_public_url},
    {{"http.idle_timeout", t::duration, {}, 1000, 3600000,
      "How long an HTTP connection may idle before or while sending a "
      "request."},
     &o::http_idle_timeout},
    {{"http.session_idle_timeout", t::duration, {}, 1000, 86400000,
      "An MCP session with no request and no open stream for this long "
      "ends."},
     &o::http_session_idle_timeout},
    {{"http.rate_limit", t::integer, {}, 1, 100000,
      "Requests per second per MCP session."},
     &o::http_rate_limit},
    {{"http.rate_burst", t::integer, {}, 1, 100000,
      "Requests a session may send at once above the rate."},
     &o::http_rate_burst},
    {{"http.max_sessions", t::integer, {}, 1, 100000,
      "Open MCP sessions over HTTP at most; more get 503."},
     &o::http_max_sessions},
    {{"http.sse_keepalive", t::duration, {}, 1000, 600000,
      "Interval of keepalive comments on idle SSE streams."},
     &o::http_sse_keepalive},
    {{"http.tls_cert_file", t::string, {}, 0, 0,
      "PEM certificate chain; with http.tls_key_file the listener serves "
      "HTTPS only."},
     &o::http_tls_cert_file},
    {{"http.tls_key_file", t::string, {}, 0, 0,
      "PEM private key of http.tls_cert_file."},
     &o::http_tls_key_file},
    {{"http.io_threads", t::integer, {}, 1, 64,
      "I/O threads of the HTTP listener."},
     &o::http_io_threads},
    {{"http.ports_file", t::string, {}, 0, 0,
      "File the bound HTTP port is written to once listening (for "
      "http.listen with port 0)."},
     &o::http_ports_file},
    {{"metrics.listen", t::string, {}, 0, 0,
      "Address and port of a listener serving /metrics, /health and the "
      "web console (/ui/), beside stdio or HTTP (127.0.0.1:9464; port 0 = "
      "ephemeral, logged as metrics-listening); empty = none."},
     &o::metrics_listen},
    {{"stdio.role", t::choice, {"read_only", "ops_rw", "admin", "approver"},
      0, 0, "RBAC role of the local operator on stdio."},
     &o::stdio_role},
    {{"cli.role", t::choice, {"read_only", "ops_rw", "admin", "approver"},
      0, 0, "RBAC role of the admin CLI (plan approve needs approver or "
      "admin)."},
     &o::cli_role},
    {{"auth.api_tokens", t::boolean, {}, 0, 0,
      "HTTP callers must send an API token (routeros-mcp token create) as "
      "Authorization: Bearer."},
     &o::auth_api_tokens},
    {{"auth.oauth_issuer", t::string, {}, 0, 0,
      "OAuth resource-server mode: the `iss` JWT access tokens must carry "
      "(setting it enables JWT bearer tokens)."},
     &o::auth_oauth_issuer},
    {{"auth.oauth_audience", t::string, {}, 0, 0,
      "The `aud` JWT access tokens must carry: this server's canonical MCP "
      "URL."},
     &o::auth_oauth_audience},
    {{"auth.oauth_jwks", t::string, {}, 0, 0,
      "The authorization server's JWKS: a file, an https:// URL (or "
      "http:// on loopback); empty: the jwks_uri found by OIDC or RFC 8414 "
      "discovery from auth.oauth_issuer."},
     &o::auth_oauth_jwks},
    {{"auth.oauth_ca_file", t::string, {}, 0, 0,
      "PEM CAs trusted for the issuer's HTTPS (discovery and JWKS); empty: "
      "the system's CAs."},
     &o::auth_oauth_ca_file},
    {{"store.path", t::string, {}, 0, 0,
      "LMDB store directory; empty = <data_dir>/store."},
     &o::store_path},
    {{"store.map_size_mib", t::integer, {}, 1, 1048576,
      "Upper bound of the store file in MiB (LMDB map size)."},
     &o::store_map_size_mib},
    {{"store.key_file", t::string, {}, 0, 0,
      "File with the credential encryption key (64 hex characters or "
      "base64 of 32 bytes); ROUTEROS_MCP_ENCRYPTION_KEY wins over it."},
     &o::store_key_file},
    {{"store.health_history", t::integer, {}, 1, 100000,
      "Health samples kept per device."},
     &o::store_health_history},
    {{"store.snapshot_retention", t::integer, {}, 1, 1000,
      "Snapshots kept per device and kind."},
     &o::store_snapshot_retention},
    {{"snapshots.interval", t::duration, {}, 0, 604800000,
      "Between two periodic configuration snapshots of each healthy "
      "device (jittered ±10 %); 0 turns them off."},
     &o::snapshots_interval},
    {{"audit.read_flush_interval", t::duration, {}, 0, 10000,
      "Longest wait before the audit records of reads are committed (0: "
      "at once); a crash loses at most these."},
     &o::audit_read_flush_interval},
    {{"audit.read_batch", t::integer, {}, 1, 1000,
      "Audit records of reads that make the store commit at once."},
     &o::audit_read_batch},
    {{"plans.allow_self_approval", t::boolean, {}, 0, 0,
      "Whether the creator of a plan may approve it (a single-operator "
      "lab); otherwise another person must."},
     &o::plans_allow_self_approval},
    {{"plans.approval_ttl", t::duration, {}, 10000, 86400000,
      "How long an approval token is valid after `plan approve`."},
     &o::plans_approval_ttl},
    {{"plans.approval_key_file", t::string, {}, 0, 0,
      "File with the plan approval HMAC key (64 hex characters or base64 "
      "of 32 bytes); ROUTEROS_MCP_APPROVAL_KEY wins over it. Lab generates "
      "<data_dir>/approval.key. Never the credential key."},
     &o::plans_approval_key_file},
    {{"rollout.batch_size", t::integer, {}, 1, 50,
      "Devices per rollout batch after the canary (a plan's default)."},
     &o::rollout, &r::batch_size},
    {{"rollout.max_devices", t::integer, {}, 2, 1000,
      "Most devices one plan may change (2 to 1,000)."},
     &o::rollout, &r::max_devices},
    {{"rollout.parallel", t::integer, {}, 1, 50,
      "Devices of one rollout batch changed, and checked at its gate, at "
      "the same time."},
     &o::rollout, &r::parallel},
    {{"rollout.pause", t::duration, {}, 0, 3600000,
      "Pause between rollout batches (a plan's default)."},
     &o::rollout, &r::pause},
    {{"rollout.management_devices", t::string, {}, 0, 0,
      "Comma-separated device ids through which the others are reached; "
      "each goes last in a plan, alone."},
     management_devices()},
    {{"rollout.gate_delay", t::duration, {}, 0, 600000,
      "Wait after a batch's writes before its health gate."},
     &o::rollout, &r::gate_delay},
    {{"rollout.deadman_delay", t::duration, {}, 30000, 3600000,
      "Risky changes (routes): the router restores its snapshot this long "
      "after the change unless the health gate passed and the job was "
      "removed."},
     &o::rollout, &r::deadman_delay},
    {{"rollout.gate_untouched", t::boolean, {}, 0, 0,
      "Also require devices not yet changed to be healthy at every gate."},
     &o::rollout, &r::gate_untouched},
    {{"rollout.on_restart", t::choice, {"rollback", "resume"}, 0, 0,
      "Plans left executing by a crash or kill: roll back what was applied "
      "or resume the rollout."},
     on_restart()},
  };
  // clang-format on
  return table;
}

} // namespace rmcp::config::detail
