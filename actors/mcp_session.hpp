#pragma once

// The MCP session actor: one per client connection, whatever the transport.
//
// Receives raw JSON-RPC text from its transport, runs the lifecycle
// (initialize → ready → draining), answers protocol methods itself and runs
// each tools/call in its own call actor with a deadline. Everything it sends
// goes to the transport's sink as serialised JSON-RPC.
//
// Key state: negotiated revision, phase, the in-flight tool calls by request
// id (for cancellation, progress and draining).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/prompt_registry.hpp"
#include "actors/request_timeout.hpp"
#include "actors/resource_registry.hpp"
#include "actors/services.hpp"
#include "actors/tool_call.hpp"
#include "actors/tool_registry.hpp"
#include "protocol/audit.hpp"
#include "protocol/authz.hpp"
#include "protocol/identity.hpp"
#include "protocol/jsonrpc.hpp"
#include "protocol/mcp_actors.hpp"
#include "protocol/mcp_era.hpp"

namespace rmcp {

/// Per-session tunables (from the server options).
struct session_settings {
  /// Deadline of a tool call unless the tool declares its own.
  std::chrono::milliseconds tool_timeout{30000};
  /// How long draining waits for in-flight calls before answering them
  /// with a shutting-down error.
  std::chrono::milliseconds drain_timeout{10000};
  /// Tools per tools/list page.
  size_t page_size = 100;
  /// Larger messages are refused with -32600.
  size_t max_message_bytes = 4 * 1024 * 1024;
  /// The `instructions` text of the initialize result.
  std::string instructions;
  /// A subscriptions/listen stream ends (gracefully, with its response)
  /// after this long; the client listens again if it still wants events.
  std::chrono::milliseconds listen_lifetime{30 * 60 * 1000};
};

/// What a session needs from the runtime.
struct session_context {
  std::shared_ptr<const tool_registry> tools;
  services_ptr svc;
  session_settings settings;
  /// The caller behind this connection.
  identity who;
  /// Resource templates; null = no resources capability.
  std::shared_ptr<const resource_registry> resources;
  /// Guided workflows; null = no prompts capability.
  std::shared_ptr<const prompt_registry> prompts;
  /// The session serves one stateless (2026-07-28) HTTP request and ends:
  /// the log level of that request's `_meta` applies to the whole session.
  bool single_request = false;
};

struct mcp_session_state {
  static inline const char* name = "rmcp.mcp-session";

  enum class phase { fresh, ready, draining };

  struct inflight {
    caf::actor call;
    json id;
    bool cancelled = false;
    double last_progress = -1;
    /// Deprecated argument names the call used; the answer's
    /// `_meta.warnings`.
    std::vector<std::string> warnings;
    /// The call's request id (`_meta.requestId` of the answer).
    std::string request_id;
  };

  /// Interface names of a device for completion/complete, kept briefly.
  struct interface_names {
    std::chrono::steady_clock::time_point fetched;
    std::vector<std::string> names;
  };

  using method_fn = void (mcp_session_state::*)(const jsonrpc::message&);

  mcp_session_actor::pointer self = nullptr;
  mcp_sink_actor sink;
  session_context ctx;
  phase current = phase::fresh;
  /// Negotiated revision ("" before initialize).
  std::string version;
  json client_info;
  std::unordered_map<std::string, inflight> calls;
  /// Deadlines of this session's requests (tool calls, audit appends,
  /// lookups): one sweep instead of a CAF timer per request
  /// (actors/request_timeout.hpp).
  std::shared_ptr<request_deadlines> deadlines =
    std::make_shared<request_deadlines>();
  /// Answers held back until their audit record is durable (draining
  /// waits for them too).
  size_t answers_waiting = 0;
  /// Audit records of reads held back while other calls of this session
  /// run (audit_read), in order; `reads_due` is when the first must go.
  std::vector<audit_record> reads_held;
  caf::actor_clock::time_point reads_due;
  /// URIs of resources/subscribe; while non-empty the session listens to
  /// the fleet's health changes.
  std::set<std::string> subscriptions;
  bool listening = false;
  /// completion/complete: interface names by device id.
  std::map<std::string, interface_names> interfaces_seen;
  /// Revision of the request being dispatched: `version` for the
  /// handshake era, "2026-07-28" for a stateless request.
  std::string revision;
  /// Stateless (2026-07-28) requests not yet answered, id key → method:
  /// their answers carry resultType, serverInfo and cache hints, and their
  /// errors use that era's codes.
  std::unordered_map<std::string, std::string> modern;
  /// An open subscriptions/listen: its request id and the resource URIs
  /// it was acknowledged for.
  struct listen_entry {
    json id;
    std::set<std::string> uris;
    /// When its lifetime ends (then it is answered and closed).
    std::chrono::steady_clock::time_point expires;
  };
  /// Open subscriptions/listen requests by id key.
  std::map<std::string, listen_entry> listens;
  /// A stateless request of a single-request session asked for log
  /// messages (`_meta` logLevel).
  bool modern_logging = false;
  /// When draining gives up on in-flight calls. The one `(deadline)`
  /// message also wakes the session for listen lifetimes, so a deadline
  /// before this while draining is not the drain's.
  std::chrono::steady_clock::time_point drain_deadline;

  ~mcp_session_state();

  // -- message entry points ---------------------------------------------------

  /// Parses and dispatches one message; an exception thrown while handling
  /// it is logged and answered -32603, never ends the session.
  void on_text(const std::string& text);
  void on_message(const jsonrpc::message& msg);
  void on_request(const jsonrpc::message& msg);
  /// A request whose `_meta` names a protocol version: served on its own,
  /// whatever the session's phase (except draining).
  void on_modern_request(const jsonrpc::message& msg,
                         const mcp::request_era& era);
  void on_notification(const jsonrpc::message& msg);
  void on_progress(const std::string& key, const json& token, double progress,
                   const json& total, const std::string& message);
  void on_log(const std::string& level, const std::string& logger,
              const std::string& text);
  /// A device's health changed: resources/updated for the subscribed URIs
  /// that show it.
  void on_health(const health_sample& sample);
  /// Resources changed: resources/updated for those subscribed to or
  /// listened for (others are ignored).
  void on_updated(const std::vector<std::string>& uris);

  // -- lifecycle ----------------------------------------------------------------

  /// Stops accepting requests; quits once no call is in flight or the drain
  /// deadline passed.
  void begin_drain();
  /// `(deadline)`: the drain deadline when draining and due, else listens
  /// whose lifetime is over.
  void on_deadline();
  void on_drain_deadline();
  void quit_if_drained();

  // -- methods (mcp_methods.cpp) -------------------------------------------------

  void initialize(const jsonrpc::message& msg);
  /// server/discover (2026-07-28): versions, capabilities, identity.
  void server_discover(const jsonrpc::message& msg);
  /// The capabilities of initialize and server/discover.
  json capabilities() const;
  /// The `serverInfo` of initialize and of every stateless result, as
  /// revision `rev` has it.
  json server_info(std::string_view rev) const;
  void ping(const jsonrpc::message& msg);
  void tools_list(const jsonrpc::message& msg);
  void tools_call(const jsonrpc::message& msg);
  /// The call registered under `key` if it may still start; null when it
  /// was answered already, or (answered here) was cancelled or the session
  /// is draining.
  inflight* admissible(const std::string& key);
  /// Admits an authorized, validated call: one that changes state is
  /// refused (node_out_of_cluster) while this node's membership says it is
  /// out of the cluster; everything else starts.
  void admit_call(const std::string& key, tool_call_setup setup,
                  std::chrono::steady_clock::time_point started);
  /// Answers the call under `key` with `err` without running it (counted,
  /// audited like a failed call).
  void refuse_call(const std::string& key, const tool_call_setup& setup,
                   caf::error err,
                   std::chrono::steady_clock::time_point started);
  /// Runs an authorized call (registered in `calls` under `key`).
  void start_call(const std::string& key, tool_call_setup setup,
                  std::chrono::steady_clock::time_point started);
  void logging_set_level(const jsonrpc::message& msg);
  void cancelled(const jsonrpc::message& msg);

  // -- resources (mcp_resources.cpp) ---------------------------------------------

  void resources_list(const jsonrpc::message& msg);
  void resources_templates_list(const jsonrpc::message& msg);
  void resources_read(const jsonrpc::message& msg);
  /// Runs an authorized read in its own actor and answers `id`.
  void read_resource(const json& id, const std::string& uri,
                     const resource_entry& entry,
                     const std::map<std::string, std::string>& params);
  void resources_subscribe(const jsonrpc::message& msg);
  void resources_unsubscribe(const jsonrpc::message& msg);
  /// Starts or stops listening to the fleet as subscriptions come and go.
  void update_health_listening();
  /// subscriptions/listen (2026-07-28): acknowledges the resource URIs it
  /// will report and keeps the request open; resources/updated for them
  /// follow on the request's stream until the client cancels, the
  /// lifetime ends or the session drains.
  void subscriptions_listen(const jsonrpc::message& msg);
  /// Ends the listen under `key`: `graceful` answers it (lifetime over,
  /// draining); otherwise (cancelled, the client went away) nothing more is
  /// sent for it.
  void end_listen(const std::string& key, bool graceful);
  /// Ends the listens whose lifetime is over.
  void expire_listens();

  // -- prompts (mcp_prompts.cpp) ----------------------------------------------------

  void prompts_list(const jsonrpc::message& msg);
  void prompts_get(const jsonrpc::message& msg);
  /// Renders an authorized prompt in its own actor and answers `id`.
  void render_prompt(const json& id, const prompt_entry& prompt,
                     const std::map<std::string, std::string>& params);

  static const std::unordered_map<std::string, method_fn>& request_methods();
  /// The methods of the 2026-07-28 era (no initialize, ping,
  /// logging/setLevel or resources/subscribe; server/discover and
  /// subscriptions/listen instead).
  static const std::unordered_map<std::string, method_fn>& modern_methods();
  /// True when the 2026-07-28 era has `method` (HTTP answers 404 otherwise).
  static bool serves_modern(const std::string& method);

  // -- completion (mcp_completion.cpp) ----------------------------------------------

  /// completion/complete: values for a prompt argument or a resource
  /// template variable that names a device, plan, environment, tag,
  /// interface or toolset, as far as the caller may see them.
  void completion_complete(const jsonrpc::message& msg);
  /// Visible device ids (or their tags as key=value) from the fleet.
  void complete_from_fleet(bool tags,
                           std::function<void(std::vector<std::string>)> answer,
                           std::function<void(caf::error)> none);
  /// Plan ids the caller may act on.
  void complete_plans(std::function<void(std::vector<std::string>)> answer,
                      std::function<void(caf::error)> none);
  /// Interface names of `device` (a device id or null), read from the
  /// router and kept for a while in `interfaces_seen`.
  void complete_interfaces(const json& device,
                           std::function<void(std::vector<std::string>)> answer,
                           std::function<void(caf::error)> none);

  // -- authorization (mcp_authz.cpp) ------------------------------------------------

  /// Decides `what` for this session's identity on the named devices
  /// (looking up their tags and environments in the fleet when the
  /// identity has a device scope) and continues with the decision.
  void authorize(authz::action what, std::vector<std::string> device_ids,
                 std::function<void(const authz::decision&)> next);
  /// `authorize`, also handing on the fleet's answer when it looked up
  /// exactly one device (`(get, id, handle)`), else null: a tool call
  /// reuses it instead of asking the fleet again.
  void authorize(authz::action what, std::vector<std::string> device_ids,
                 std::function<void(const authz::decision&,
                                    const device_ops::device_lookup*)>
                   next);
  /// Logs and audits a refusal, then answers with the error once its
  /// record is durable.
  void refuse(const authz::action& what, const authz::decision& d,
              const std::vector<std::string>& devices,
              std::function<void(const caf::error&)> answer,
              const std::string& request_id = {});
  /// Appends `rec` (caller filled in) to the audit trail and runs `answer`
  /// once the store has committed it (or failed to: failures are logged as
  /// errors, and the caller is answered all the same).
  void audit(audit_record rec, std::function<void()> answer);
  /// Appends the record of a read: the store commits it in a batch, and
  /// nothing waits for it (a crash may lose it; see store_audit_settings).
  /// While other calls of this session run, the record waits here and goes
  /// with the others as one message: one message per call woke the
  /// store's thread once per call. They go when no call is left running,
  /// at `audit_read_batch` records, `audit_read_flush_interval` after the
  /// first, and before a durable record of this session, a read of the
  /// trail and the session's end (flush_reads).
  void audit_read(audit_record rec);
  /// Hands the held records of reads to the store.
  void flush_reads();
  /// Fills in the caller's subject, role and transport.
  void stamp(audit_record& rec) const;
  /// tools/list shows a tool only when the role and patterns allow it.
  bool may_list(const tool_descriptor& tool) const;

  // -- metrics ------------------------------------------------------------------

  /// Counts one finished call of a registered tool in the metrics and
  /// writes its `tool-call` info line (tool, subject, devices, plan,
  /// outcome, error kind, latency, request id) from its audit record.
  void count_call(const audit_record& rec, std::string_view outcome,
                  std::chrono::steady_clock::time_point started,
                  std::string_view error_kind = {});

  // -- output -------------------------------------------------------------------

  /// Answers `id`; a stateless request's result gets resultType,
  /// serverInfo and (lists, reads, discover) ttlMs and cacheScope.
  void reply(const json& id, json result);
  /// The 2026-07-28 fields of a result of `method`.
  void complete_modern_result(json& result, const std::string& method) const;
  void reply_error(const json& id, const caf::error& err);
  void notify(std::string method, json params, const std::string& related);
  void send(const json& msg, const std::string& related);
};

mcp_session_actor::behavior_type
mcp_session(mcp_session_actor::stateful_pointer<mcp_session_state> self,
            mcp_sink_actor sink, session_context ctx);

} // namespace rmcp
