#pragma once

// A minimal in-memory store actor for fleet and device tests. The test owns
// the data and may change it behind the actor's back (as the admin CLI in
// another process would), bumping `generation` itself.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "protocol/fleet_actors.hpp"

namespace rmcp::test {

struct fake_store_data {
  std::map<std::string, device_record> devices;
  std::map<std::string, credential> creds;
  /// Every health sample put, oldest first.
  std::vector<health_sample> health;
  uint64_t generation = 0;
  /// Every snapshot put, oldest first (ids snap-1, snap-2, ...).
  std::vector<snapshot_record> snapshots;
  /// Every audit record put, oldest first (seq assigned 1, 2, ...).
  std::vector<audit_record> audit;
  /// The seq of each record sent as a read's, `(put, audit, record)`
  /// (batched by the real store), oldest first.
  std::vector<uint64_t> read_audits;
  /// The size of each batch of reads a session held back, `(put, audit,
  /// records)`, oldest first.
  std::vector<size_t> read_batches;

  /// The records of router and registry changes (kind "change"), without
  /// the per-call and refusal records and without the "started" records a
  /// write leaves before it reaches the router (`intents`).
  std::vector<audit_record> changes() const {
    std::vector<audit_record> out;
    for (auto& r : audit)
      if (r.kind == audit_kind::change && r.outcome != "started")
        out.push_back(r);
    return out;
  }
  /// The "started" change records, oldest first.
  std::vector<audit_record> intents() const {
    std::vector<audit_record> out;
    for (auto& r : audit)
      if (r.kind == audit_kind::change && r.outcome == "started")
        out.push_back(r);
    return out;
  }
  /// Called with each durable audit record as it is stored, `(put,
  /// audit_record)`: a test looks at the world at that moment.
  std::function<void(const audit_record&)> on_durable_audit;
  /// Durable audit records fail with store_failure (everything else works).
  bool fail_audit = false;
  /// Every request fails with store_failure.
  bool fail = false;
  /// How many times each was read: the device list `(get, devices)`, the
  /// fleet's load `(get, devices, credential, environment)`, one
  /// credential `(get, credential, id)` and the generation.
  std::atomic<size_t> device_reads{0};
  std::atomic<size_t> registry_reads{0};
  std::atomic<size_t> credential_reads{0};
  std::atomic<size_t> generation_reads{0};
};

store_actor spawn_fake_store(caf::actor_system& sys,
                             std::shared_ptr<fake_store_data> data);

} // namespace rmcp::test
