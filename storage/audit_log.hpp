#pragma once

// The audit trail over a kv_store: an append-only table of audit_record,
// keyed by a zero-padded sequence number so that keys sort in append order.
// Nothing here updates or deletes a record. (Hash chaining comes later.)
//
// Owned by the store actor, next to the device_store over the same kv.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/audit.hpp"
#include "storage/kv.hpp"

namespace rmcp::storage {

class audit_log {
public:
  /// `clock` gives Unix milliseconds for records without a timestamp (the
  /// system clock when empty).
  explicit audit_log(std::shared_ptr<kv_store> kv,
                     std::function<int64_t()> clock = {});

  /// Appends a record in one transaction; returns its sequence number.
  caf::expected<uint64_t> append(audit_record rec);

  /// Up to `limit` records (0 = all), newest first; only those of
  /// `device_id` when it is not empty.
  caf::expected<std::vector<audit_record>> recent(const std::string& device_id,
                                                  uint32_t limit);

private:
  std::shared_ptr<kv_store> kv_;
  std::function<int64_t()> clock_;
};

} // namespace rmcp::storage
