#pragma once

// The one CAF type-ID block of routeros-mcp. `main` and every test fixture
// register it with `cfg.add_message_types<caf::id_block::rmcp>()`.
//
// Atoms are at most 10 characters (CAF 0.17.6). Grouped per actor protocol.

#include <string>
#include <vector>

#include <caf/type_id.hpp>

#include "protocol/audit.hpp"
#include "protocol/cluster.hpp"
#include "protocol/device.hpp"
#include "protocol/identity.hpp"
#include "protocol/json.hpp"
#include "protocol/plan.hpp"
#include "protocol/routeros.hpp"

namespace rmcp {
// Defined in protocol/fleet_actors.hpp (it holds a device actor handle).
struct device_handle;
} // namespace rmcp

CAF_BEGIN_TYPE_ID_BLOCK(rmcp, caf::first_custom_type_id)

  // -- vocabulary types -------------------------------------------------------

  CAF_ADD_TYPE_ID(rmcp, (nlohmann::json))
  CAF_ADD_TYPE_ID(rmcp, (std::vector<std::string>))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::identity))

  // -- fleet ------------------------------------------------------------------

  CAF_ADD_TYPE_ID(rmcp, (rmcp::device_flags))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::tls_settings))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::device_record))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::device_status))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::health_sample))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::credential))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::snapshot_record))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::device_view))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::device_handle))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::store_status))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::rest_request))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::rest_response))
  CAF_ADD_TYPE_ID(rmcp, (std::vector<rmcp::device_record>))
  CAF_ADD_TYPE_ID(rmcp, (std::vector<rmcp::device_view>))
  CAF_ADD_TYPE_ID(rmcp, (std::vector<rmcp::health_sample>))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::audit_record))
  CAF_ADD_TYPE_ID(rmcp, (std::vector<rmcp::audit_record>))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::fleet_registry))

  // -- plans ------------------------------------------------------------------

  CAF_ADD_TYPE_ID(rmcp, (rmcp::plan_record))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::plan_step))
  CAF_ADD_TYPE_ID(rmcp, (std::vector<rmcp::plan_record>))
  CAF_ADD_TYPE_ID(rmcp, (std::vector<rmcp::plan_step>))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::step_receipt))

  // -- cluster ----------------------------------------------------------------
  CAF_ADD_TYPE_ID(rmcp, (rmcp::cluster_member))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::cluster_view))

CAF_END_TYPE_ID_BLOCK(rmcp)

// -- generic verbs (same atoms as CAF's get_atom, put_atom, ...) ---------------

CAF_ADD_ATOM(rmcp, rmcp::atom, get, "get")
CAF_ADD_ATOM(rmcp, rmcp::atom, put, "put")
CAF_ADD_ATOM(rmcp, rmcp::atom, remove, "remove")
CAF_ADD_ATOM(rmcp, rmcp::atom, update, "update")
CAF_ADD_ATOM(rmcp, rmcp::atom, ok, "ok")

// -- MCP session / transport protocol ----------------------------------------

CAF_ADD_ATOM(rmcp, rmcp::atom, rpc_in, "rpcIn")
CAF_ADD_ATOM(rmcp, rmcp::atom, rpc_out, "rpcOut")
CAF_ADD_ATOM(rmcp, rmcp::atom, eof, "eof")
CAF_ADD_ATOM(rmcp, rmcp::atom, shutdown, "shutdown")
CAF_ADD_ATOM(rmcp, rmcp::atom, drained, "drained")
CAF_ADD_ATOM(rmcp, rmcp::atom, deadline, "deadline")

// -- HTTP transport (src/transport/http_session.hpp) ---------------------------

CAF_ADD_ATOM(rmcp, rmcp::atom, post, "post")
CAF_ADD_ATOM(rmcp, rmcp::atom, listen, "listen")
CAF_ADD_ATOM(rmcp, rmcp::atom, closed, "closed")

// -- tool calls -----------------------------------------------------------------

CAF_ADD_ATOM(rmcp, rmcp::atom, run, "run")
CAF_ADD_ATOM(rmcp, rmcp::atom, progress, "progress")

// -- notifier (session registry, log forwarding) ------------------------------

CAF_ADD_ATOM(rmcp, rmcp::atom, join, "join")
CAF_ADD_ATOM(rmcp, rmcp::atom, leave, "leave")
CAF_ADD_ATOM(rmcp, rmcp::atom, log, "log")
CAF_ADD_ATOM(rmcp, rmcp::atom, level, "level")
CAF_ADD_ATOM(rmcp, rmcp::atom, count, "count")

// -- fleet: store, fleet supervisor, device actors -----------------------------

CAF_ADD_ATOM(rmcp, rmcp::atom, devices, "devices")
CAF_ADD_ATOM(rmcp, rmcp::atom, generation, "generation")
CAF_ADD_ATOM(rmcp, rmcp::atom, credential, "credential")
CAF_ADD_ATOM(rmcp, rmcp::atom, health, "health")
CAF_ADD_ATOM(rmcp, rmcp::atom, snapshot, "snapshot")
CAF_ADD_ATOM(rmcp, rmcp::atom, status, "status")
CAF_ADD_ATOM(rmcp, rmcp::atom, exec, "exec")
CAF_ADD_ATOM(rmcp, rmcp::atom, acquire, "acquire")
CAF_ADD_ATOM(rmcp, rmcp::atom, release, "release")
CAF_ADD_ATOM(rmcp, rmcp::atom, check, "check")
CAF_ADD_ATOM(rmcp, rmcp::atom, view, "view")
CAF_ADD_ATOM(rmcp, rmcp::atom, handle, "handle")
CAF_ADD_ATOM(rmcp, rmcp::atom, subscribe, "subscribe")
CAF_ADD_ATOM(rmcp, rmcp::atom, unsubscribe, "unsubscr")
CAF_ADD_ATOM(rmcp, rmcp::atom, reload, "reload")
CAF_ADD_ATOM(rmcp, rmcp::atom, stop, "stop")
CAF_ADD_ATOM(rmcp, rmcp::atom, audit, "audit")

// -- fleet internals: device actor and fleet supervisor timers/callbacks -------

CAF_ADD_ATOM(rmcp, rmcp::atom, done, "done")
CAF_ADD_ATOM(rmcp, rmcp::atom, failed, "failed")
CAF_ADD_ATOM(rmcp, rmcp::atom, retry, "retry")
CAF_ADD_ATOM(rmcp, rmcp::atom, late, "late")
CAF_ADD_ATOM(rmcp, rmcp::atom, expire, "expire")
CAF_ADD_ATOM(rmcp, rmcp::atom, tick, "tick")
CAF_ADD_ATOM(rmcp, rmcp::atom, poll, "poll")
CAF_ADD_ATOM(rmcp, rmcp::atom, restart, "restart")

// -- plans: plan store actor, rollout coordinator ------------------------------

CAF_ADD_ATOM(rmcp, rmcp::atom, plan, "plan")
CAF_ADD_ATOM(rmcp, rmcp::atom, plans, "plans")
CAF_ADD_ATOM(rmcp, rmcp::atom, start, "start")
CAF_ADD_ATOM(rmcp, rmcp::atom, journal, "journal")
CAF_ADD_ATOM(rmcp, rmcp::atom, cancel, "cancel")
CAF_ADD_ATOM(rmcp, rmcp::atom, rollback, "rollback")
CAF_ADD_ATOM(rmcp, rmcp::atom, recover, "recover")
CAF_ADD_ATOM(rmcp, rmcp::atom, approve, "approve")
CAF_ADD_ATOM(rmcp, rmcp::atom, reject, "reject")

// -- store internals: group commit of health samples ----------------------------

CAF_ADD_ATOM(rmcp, rmcp::atom, flush, "flush")

// -- cluster: membership to the fleet (and its suspension), fleet to fleet ----

CAF_ADD_ATOM(rmcp, rmcp::atom, cluster, "cluster")
CAF_ADD_ATOM(rmcp, rmcp::atom, suspend, "suspend")
