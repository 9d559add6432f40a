#pragma once

// One entry of the audit trail: a tool call (who, which tool, which devices,
// arguments with secrets redacted, outcome, duration), a refusal of the
// authorization check, or a change a write tool made on a router (state
// before and after). Appended through the store actor; never changed or
// removed. Each record carries the hash of the record before it and its own
// hash (storage/audit_log.hpp), so a change or a deletion is detectable.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "protocol/json.hpp"

namespace rmcp {

/// What an audit record is about.
namespace audit_kind {
/// A tools/call that ran (any outcome).
inline constexpr const char* call = "call";
/// A tools/call, resources/read or prompts/get the authorization refused.
inline constexpr const char* denied = "denied";
/// A change a write tool applied (or tried) on a router, with before/after.
inline constexpr const char* change = "change";
/// An approval decision on a plan (CLI or admin endpoint).
inline constexpr const char* approval = "approval";
} // namespace audit_kind

struct audit_record {
  /// Position in the trail (1, 2, ...); assigned by the store.
  uint64_t seq = 0;
  /// Unix milliseconds; the store's clock when 0.
  int64_t timestamp = 0;
  /// Who: the caller's subject (identity::subject).
  std::string actor;
  /// Tool name, e.g. "set_system_identity" (a resource URI or prompt name
  /// for refused reads).
  std::string tool;
  std::string device_id;
  /// "started" (before the write), "applied", "failed" (changes); "ok",
  /// "error", "timeout", "cancelled" (calls); "denied"; "approved", "rejected".
  std::string outcome;
  /// The tool arguments, secrets redacted.
  json arguments;
  /// Typed state before and after, in the tool's output shape (changes).
  json before;
  json after;
  /// What went wrong, or why the caller was refused.
  std::string error;
  /// One of audit_kind ("change" when empty: records of older versions).
  std::string kind;
  /// The caller's role and transport.
  std::string role;
  std::string transport;
  /// Every device the action named.
  std::vector<std::string> devices;
  /// Wall time of the call.
  int64_t duration_ms = 0;
  /// The plan the action belongs to, if any.
  std::string plan_id;
  /// The MCP request that made this record (empty: none, or a record of an
  /// older version).
  std::string request_id;
  /// Hex SHA-256 of the previous record ("" for the first); set by the store.
  std::string prev_hash;
  /// Hex SHA-256 of this record's encoding without `hash`; set by the store.
  std::string hash;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_record& x) {
  return f(caf::meta::type_name("audit_record"), x.seq, x.timestamp, x.actor,
           x.tool, x.device_id, x.outcome, x.arguments, x.before, x.after,
           x.error, x.kind, x.role, x.transport, x.devices, x.duration_ms,
           x.plan_id, x.request_id, x.prev_hash, x.hash);
}

} // namespace rmcp
