#pragma once

// The one CAF type-ID block of routeros-mcp. `main` and every test fixture
// register it with `cfg.add_message_types<caf::id_block::rmcp>()`.
//
// Atoms are at most 10 characters (CAF 0.17.6). Grouped per actor protocol.

#include <string>
#include <vector>

#include <caf/type_id.hpp>

#include "protocol/identity.hpp"
#include "protocol/json.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(rmcp, caf::first_custom_type_id)

  // -- vocabulary types -------------------------------------------------------

  CAF_ADD_TYPE_ID(rmcp, (nlohmann::json))
  CAF_ADD_TYPE_ID(rmcp, (std::vector<std::string>))
  CAF_ADD_TYPE_ID(rmcp, (rmcp::identity))

CAF_END_TYPE_ID_BLOCK(rmcp)

// -- MCP session / transport protocol ----------------------------------------

CAF_ADD_ATOM(rmcp, rmcp::atom, rpc_in, "rpcIn")
CAF_ADD_ATOM(rmcp, rmcp::atom, rpc_out, "rpcOut")
CAF_ADD_ATOM(rmcp, rmcp::atom, eof, "eof")
CAF_ADD_ATOM(rmcp, rmcp::atom, shutdown, "shutdown")
CAF_ADD_ATOM(rmcp, rmcp::atom, drained, "drained")
CAF_ADD_ATOM(rmcp, rmcp::atom, deadline, "deadline")

// -- tool calls -----------------------------------------------------------------

CAF_ADD_ATOM(rmcp, rmcp::atom, run, "run")
CAF_ADD_ATOM(rmcp, rmcp::atom, progress, "progress")

// -- notifier (session registry, log forwarding) ------------------------------

CAF_ADD_ATOM(rmcp, rmcp::atom, join, "join")
CAF_ADD_ATOM(rmcp, rmcp::atom, leave, "leave")
CAF_ADD_ATOM(rmcp, rmcp::atom, log, "log")
CAF_ADD_ATOM(rmcp, rmcp::atom, level, "level")
CAF_ADD_ATOM(rmcp, rmcp::atom, count, "count")
