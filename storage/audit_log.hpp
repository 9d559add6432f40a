#pragma once

// The audit trail over a kv_store: an append-only, hash-chained table of
// audit_record, keyed by a zero-padded sequence number so that keys sort in
// append order. Nothing here updates or deletes a record.
//
// Chain: each record stores `prev_hash` (the previous record's `hash`, ""
// for the first) and `hash` = hex SHA-256 of its own JSON encoding without
// the `hash` field (compact, keys sorted). The head (last seq and hash) is
// kept in the meta table, so removing the newest records is detected too.
// `verify` walks the chain and names the first record that does not fit.
//
// Owned by the store actor, next to the device_store over the same kv; the
// admin CLI opens its own over the same environment (audit verify/export).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/audit.hpp"
#include "protocol/json.hpp"
#include "storage/kv.hpp"

namespace rmcp::storage {

/// The hash of a stored audit record (its JSON encoding; `hash` ignored).
std::string audit_hash(const json& encoded);

/// An audit record as it is stored: its hash (audit_hash of its encoding)
/// and its text (`dump_json` of its encoding with that hash).
struct sealed_audit_record {
  std::string hash;
  std::string text;
};

/// Seals `x` (its `hash` ignored): the text of its encoding written
/// directly, hashed, and the hash spliced in, instead of building the
/// JSON tree, copying it and dumping it twice.
sealed_audit_record seal_audit_record(const audit_record& x);

/// Re-chains every record of the audit table in key order and writes the
/// head (schema migration 1 → 2: records written before chaining).
caf::error rechain_audit(write_txn& txn);

/// The result of audit_log::verify.
struct audit_verdict {
  bool ok = true;
  /// Records checked.
  uint64_t records = 0;
  /// Sequence number of the first record that breaks the chain (0 when the
  /// break is after the last record, e.g. the newest ones were removed).
  uint64_t first_broken = 0;
  /// What is wrong there.
  std::string problem;
  /// The head's sequence number and hash (publish it to anchor the chain).
  uint64_t head_seq = 0;
  std::string head_hash;
};

class audit_log {
public:
  /// `clock` gives Unix milliseconds for records without a timestamp (the
  /// system clock when empty).
  explicit audit_log(std::shared_ptr<kv_store> kv,
                     std::function<int64_t()> clock = {});

  /// Appends a record in one transaction (sets seq, prev_hash, hash);
  /// returns its sequence number.
  caf::expected<uint64_t> append(audit_record rec);

  /// Appends records in order in one transaction (group commit: one disk
  /// wait for all); returns their sequence numbers. All or nothing.
  caf::expected<std::vector<uint64_t>>
  append_all(std::vector<audit_record> recs);

  /// Up to `limit` records (0 = all), newest first; only those of
  /// `device_id` (also as one of `devices`) when it is not empty. With a
  /// limit only the newest 100,000 records are looked at.
  caf::expected<std::vector<audit_record>> recent(const std::string& device_id,
                                                  uint32_t limit);

  /// Every record with timestamp >= `since_ms`, oldest first, as stored
  /// (JSON objects, hashes included).
  caf::expected<std::vector<json>> since(int64_t since_ms);

  /// Walks the whole chain.
  caf::expected<audit_verdict> verify();

private:
  std::shared_ptr<kv_store> kv_;
  std::function<int64_t()> clock_;
};

} // namespace rmcp::storage
