#pragma once

// Request ids: one per MCP request that reaches a tool, so that its log
// lines (the session's `tool-call` line, every REST call's debug line),
// its audit records and its answer's `_meta.requestId` can be joined.
//
// The client may bring its own: `_meta.requestId` (1..128 characters of
// A-Z a-z 0-9 . _ : -; anything else is refused, naming the rule), or a
// W3C Trace Context `_meta.traceparent`, whose trace id is used (a
// malformed traceparent is ignored, as the Trace Context rules say).
// Otherwise the session makes one: 16 random hex digits.

#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "protocol/json.hpp"

namespace rmcp::request_ids {

/// A fresh id: 16 lower-case hex digits.
std::string make();

/// The id a request's `_meta` carries; none when it carries none (or only
/// a malformed traceparent); an invalid_params error for a bad requestId.
caf::expected<std::optional<std::string>> from_meta(const json& meta);

} // namespace rmcp::request_ids
