#pragma once

// One entry of the audit trail: a change a tool made (or tried to make) on a
// router, with the state before and after. Appended by the write tools
// through the store actor; never changed or removed.

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

#include "protocol/json.hpp"

namespace rmcp {

struct audit_record {
  /// Position in the trail (1, 2, ...); assigned by the store.
  uint64_t seq = 0;
  /// Unix milliseconds; the store's clock when 0.
  int64_t timestamp = 0;
  /// Who: the caller's subject (identity::subject).
  std::string actor;
  /// Tool name, e.g. "set_system_identity".
  std::string tool;
  std::string device_id;
  /// "applied", or "failed" (the write was attempted and errored; `after`
  /// is what could be read afterwards, `error` says what happened).
  std::string outcome;
  /// The tool arguments (never secrets: write tools take none).
  json arguments;
  /// Typed state before and after, in the tool's output shape.
  json before;
  json after;
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_record& x) {
  return f(caf::meta::type_name("audit_record"), x.seq, x.timestamp, x.actor,
           x.tool, x.device_id, x.outcome, x.arguments, x.before, x.after,
           x.error);
}

} // namespace rmcp
