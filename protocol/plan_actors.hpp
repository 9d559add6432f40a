#pragma once

// Typed actor protocols of plans: the plan store actor and the rollout
// coordinator (one per executing plan).

#include <string>
#include <vector>

#include <caf/typed_actor.hpp>

#include "protocol/json.hpp"
#include "protocol/plan.hpp"
#include "protocol/type_ids.hpp"

namespace rmcp {

/// The only owner of the plan tables in the daemon (storage/plan_store.hpp).
///
/// | message                      | reply                                    |
/// |------------------------------|------------------------------------------|
/// | (put, plan_record)           | plan_record: created pending (journal    |
/// |                              | plan-created); conflict for an existing  |
/// |                              | id                                       |
/// | (get, plan, id)              | plan_record; plan_not_found              |
/// | (get, plans)                 | vector<plan_record>, newest first        |
/// | (start, id, token)           | plan_record, now executing: the approval |
/// |                              | token checked and consumed;              |
/// |                              | approval_invalid / _expired / _used,     |
/// |                              | plan_state_invalid                       |
/// | (put, plan_step)             | plan_record after the step: journaled    |
/// |                              | with its state changes in one            |
/// |                              | transaction; plan_state_invalid for an   |
/// |                              | illegal transition (nothing written)     |
/// | (get, journal, id)           | vector<plan_step> in order               |
using plan_store_actor = caf::typed_actor<
  caf::replies_to<atom::put, plan_record>::with<plan_record>,
  caf::replies_to<atom::get, atom::plan, std::string>::with<plan_record>,
  caf::replies_to<atom::get, atom::plans>::with<std::vector<plan_record>>,
  caf::replies_to<atom::start, std::string, std::string>::with<plan_record>,
  caf::replies_to<atom::put, plan_step>::with<plan_record>,
  caf::replies_to<atom::get, atom::journal,
                  std::string>::with<std::vector<plan_step>>>;

/// The rollout coordinator of one executing plan (actors/rollout.hpp).
///
/// | message       | reply                                                 |
/// |---------------|-------------------------------------------------------|
/// | (run)         | json report once the plan reached a final state       |
/// |               | (completed, rolled_back or failed); one run per actor |
/// | internal:     |                                                       |
/// | (tick, batch) | the pause before `batch` elapsed                      |
using rollout_actor = caf::typed_actor<
  caf::replies_to<atom::run>::with<json>,
  caf::reacts_to<atom::tick, uint64_t>>;

} // namespace rmcp
