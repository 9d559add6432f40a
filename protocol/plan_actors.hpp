#pragma once

// Typed actor protocols of plans: the plan store actor and the rollout
// coordinator (one per executing plan).

#include <string>
#include <vector>

#include <caf/typed_actor.hpp>

#include "protocol/identity.hpp"
#include "protocol/json.hpp"
#include "protocol/mcp_actors.hpp"
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
/// |                              | plan_state_invalid; an empty token       |
/// |                              | starts a hand_to_apply plan with the     |
/// |                              | approval handed inside the daemon        |
/// | (start, id, wait_ms)         | plan_record, now executing: a            |
/// |                              | hand_to_apply plan started with its      |
/// |                              | handed approval, waiting up to wait_ms   |
/// |                              | for an approver while it is pending      |
/// |                              | (released at once by an approve or       |
/// |                              | reject through this actor, otherwise     |
/// |                              | seen by a re-read every second:          |
/// |                              | decisions of the CLI or another node);   |
/// |                              | tool_timeout when none came, and         |
/// |                              | plan_state_invalid naming who rejected   |
/// |                              | it and why                               |
/// | (put, plan_step)             | step_receipt: journaled with its state   |
/// |                              | changes in one transaction (the caller   |
/// |                              | applies them to its copy, apply_step);   |
/// |                              | plan_state_invalid for an illegal        |
/// |                              | transition (nothing written)             |
/// | (get, journal, id)           | vector<plan_step> in order               |
/// | (cancel, id, who, reason)    | plan_record: pending/approved →          |
/// |                              | cancelled; executing/rolling_back →      |
/// |                              | cancel_requested set; final →            |
/// |                              | plan_state_invalid                       |
/// | (approve, who, id)           | (plan_record, approval token): approved  |
/// |                              | by `who` under the rules of              |
/// |                              | storage/plan_approvals.hpp (role, scope, |
/// |                              | not the creator); forbidden,             |
/// |                              | plan_not_found, plan_state_invalid (a    |
/// |                              | hand_to_apply plan: the token is empty,  |
/// |                              | and the plan is executing when a waiting |
/// |                              | apply took the approval)                 |
/// | (reject, who, id, reason)    | plan_record, now cancelled; the same     |
/// |                              | rules and errors (the creator may        |
/// |                              | reject)                                  |
///
/// Every approve and reject, also a refused one, is audited: the actor
/// hands the record to the store actor (the only writer of the audit
/// trail) and answers once it is written; without a store actor it
/// refuses both with `unsupported`.
using plan_store_actor = caf::typed_actor<
  caf::replies_to<atom::put, plan_record>::with<plan_record>,
  caf::replies_to<atom::get, atom::plan, std::string>::with<plan_record>,
  caf::replies_to<atom::get, atom::plans>::with<std::vector<plan_record>>,
  caf::replies_to<atom::start, std::string, std::string>::with<plan_record>,
  caf::replies_to<atom::start, std::string, int64_t>::with<plan_record>,
  caf::replies_to<atom::put, plan_step>::with<step_receipt>,
  caf::replies_to<atom::get, atom::journal,
                  std::string>::with<std::vector<plan_step>>,
  caf::replies_to<atom::cancel, std::string, std::string,
                  std::string>::with<plan_record>,
  caf::replies_to<atom::approve, identity, std::string>::with<plan_record,
                                                              std::string>,
  caf::replies_to<atom::reject, identity, std::string,
                  std::string>::with<plan_record>>;

/// The rollout coordinator of one executing plan (actors/rollout.hpp):
/// spawned and held by the rollout manager, one per plan it drives.
///
/// | message                        | reply                                 |
/// |--------------------------------|---------------------------------------|
/// | (run, session, key, token)     | json report once the plan reached a   |
/// |                                | final state (completed, rolled_back   |
/// |                                | or failed); progress notifications go |
/// |                                | to `session` for request `key` when   |
/// |                                | `token` (a progressToken) is not null |
/// | (cancel)                       | a cancel of the plan was stored (the  |
/// |                                | manager, for config_rollback_plan):   |
/// |                                | the coordinator re-reads the plan and |
/// |                                | ends a gate delay or pause at once    |
/// | internal:                      |                                       |
/// | (tick, seq)                    | a pause, gate delay or dead-man wait  |
/// |                                | elapsed (`seq` = the wait it ends)    |
/// | (poll, seq)                    | time to re-read the plan during wait  |
/// |                                | `seq` (cancels from other processes)  |
using rollout_actor = caf::typed_actor<
  caf::replies_to<atom::run, mcp_session_actor, std::string, json>::with<json>,
  caf::reacts_to<atom::cancel>, caf::reacts_to<atom::tick, uint64_t>,
  caf::reacts_to<atom::poll, uint64_t>>;

/// The rollout manager (one per process): spawns and holds the
/// coordinators, and takes over interrupted rollouts at start.
///
/// | message                                | reply                         |
/// |----------------------------------------|-------------------------------|
/// | (run, plan_id, session, key, token)    | json report; the plan must be |
/// |                                        | executing (the apply tool     |
/// |                                        | consumed its token); conflict |
/// |                                        | when it already runs          |
/// | (rollback, plan_id)                    | json: {"running": true} when  |
/// |                                        | its coordinator runs (it is   |
/// |                                        | sent `(cancel)` and rolls     |
/// |                                        | back);                        |
/// |                                        | else the report of a rollback |
/// |                                        | of an executing/rolling_back  |
/// |                                        | plan                          |
/// | (recover)                              | plan ids taken over: every    |
/// |                                        | executing plan is resumed or  |
/// |                                        | rolled back (rollout.         |
/// |                                        | on_restart), every            |
/// |                                        | rolling_back one rolled back  |
using rollout_manager_actor = caf::typed_actor<
  caf::replies_to<atom::run, std::string, mcp_session_actor, std::string,
                  json>::with<json>,
  caf::replies_to<atom::rollback, std::string>::with<json>,
  caf::replies_to<atom::recover>::with<std::vector<std::string>>>;

} // namespace rmcp
