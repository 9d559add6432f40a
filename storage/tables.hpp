#pragma once

// The catalog of tables. Both engines create every table listed in `all` when
// they open, so a new table is one constant here plus its domain code (for
// example plans, plan journal, approval tokens, API tokens, audit chain);
// existing tables stay untouched. Renaming or re-encoding an existing table
// needs a schema migration (storage/schema.hpp).

#include <string_view>

namespace rmcp::storage::tables {

/// Schema version and the device generation counter.
inline constexpr std::string_view meta = "meta";
/// device id → device_record (JSON).
inline constexpr std::string_view devices = "devices";
/// device id → encrypted credential envelope (JSON).
inline constexpr std::string_view credentials = "credentials";
/// device id \0 inverted timestamp → health_sample (JSON), newest first.
inline constexpr std::string_view health = "health";
/// device id \0 kind \0 inverted timestamp → snapshot_record (JSON).
inline constexpr std::string_view snapshots = "snapshots";
/// 20-digit sequence number → audit_record (JSON); append-only.
inline constexpr std::string_view audit = "audit";
/// plan id → plan_record (JSON) without its per-device parts: `preview` is
/// empty and each `devices` entry holds only its id (plan order). Records
/// written before plan_devices existed hold them inline; a row below wins.
inline constexpr std::string_view plans = "plans";
/// plan id \0 20-digit sequence → plan_step (JSON), in journal order.
inline constexpr std::string_view plan_journal = "plan_journal";

/// plan id \0 device id → plan_device (JSON): a device's rollout state,
/// rewritten alone by each step of that device.
inline constexpr std::string_view plan_devices = "plan_devices";
/// plan id → {"preview": [...]} (JSON), written once at creation.
inline constexpr std::string_view plan_previews = "plan_previews";
/// plan id → the head fields a rollout step changes (JSON: state,
/// journal_seq, updated_at, cancel_requested, closed_by, reason), so a step
/// writes this small row and not the head. Written with every head; where
/// present it wins over the head's copy of those fields.
inline constexpr std::string_view plan_status = "plan_status";

/// token id → api_token (JSON; only the token's SHA-256, never the token).
inline constexpr std::string_view api_tokens = "api_tokens";

/// Every table, in creation order. Append only.
inline constexpr std::string_view all[] = {
  meta,  devices,      credentials, health,       snapshots,     audit,
  plans, plan_journal, api_tokens,  plan_devices, plan_previews, plan_status};

/// True when `name` is in `all`.
constexpr bool is_known(std::string_view name) {
  for (auto t : all)
    if (t == name)
      return true;
  return false;
}

} // namespace rmcp::storage::tables
