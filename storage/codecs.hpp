#pragma once

// JSON encodings of the stored records. Field names are part of the on-disk
// format: renaming one needs a schema migration. Decoders accept missing
// fields (they keep their defaults), so adding a field needs none.
//
// `decode` returns false on a malformed record and may throw
// nlohmann::json::exception on a wrong field type; only record_table calls
// it, and turns both into a store_failure naming the record.

#include "protocol/audit.hpp"
#include "protocol/device.hpp"
#include "protocol/json.hpp"
#include "protocol/plan.hpp"

namespace rmcp::storage {

json encode(const device_record& x);
bool decode(const json& j, device_record& x);

json encode(const health_sample& x);
bool decode(const json& j, health_sample& x);

json encode(const snapshot_record& x);
bool decode(const json& j, snapshot_record& x);

/// storage::seal_audit_record (audit_log.hpp) writes the text of this
/// encoding itself: a member added here goes there too (its test compares
/// the two).
json encode(const audit_record& x);
bool decode(const json& j, audit_record& x);

json encode(const credential& x);
bool decode(const json& j, credential& x);

json encode(const plan_record& x);
bool decode(const json& j, plan_record& x);

json encode(const plan_device& x);
bool decode(const json& j, plan_device& x);

json encode(const plan_step& x);
bool decode(const json& j, plan_step& x);

} // namespace rmcp::storage
