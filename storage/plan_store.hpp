#pragma once

// Plans and their journal over a kv_store (tables `plans` and
// `plan_journal`), and the approval tokens that bind a person's approval to
// one plan. Every state change goes through `check_transition`
// (protocol/plan.hpp) inside the write transaction that makes it, together
// with the journal entry that records it: a plan never changes state without
// a journal line, and a journal line never describes a change that was not
// made.
//
// Approval tokens (never stored, never returned by a tool):
//   rmcp-approval.v1.<expires_ms>.<nonce>.<hmac hex>
//   hmac = HMAC-SHA256(approval key, "rmcp-approval.v1\n" plan id "\n"
//          sha256(params) "\n" approver "\n" expires_ms "\n" nonce)
// The approval key is its own key (storage/key_source.hpp, approval_key_
// request), never the credential key. A token is single use: `start`
// consumes it with the approved → executing transition in one transaction.
//
// Owned by the plan store actor in the daemon (actors/plan_actor.hpp); the
// admin CLI opens its own instance over the same LMDB environment.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/plan.hpp"
#include "storage/credential_cipher.hpp"
#include "storage/kv.hpp"

namespace rmcp::storage {

struct plan_store_options {
  /// Approver may be the creator (single-operator lab only).
  bool allow_self_approval = false;
  /// How long an approval token is valid.
  int64_t approval_ttl_ms = 15 * 60 * 1000;
  /// Unix milliseconds; the system clock when empty.
  std::function<int64_t()> clock;
};

/// A fresh plan id: plan-<yyyymmddhhmmss>-<8 hex> (UTC of `now_ms`).
std::string make_plan_id(int64_t now_ms);

/// Hex SHA-256 of the plan's parameters (what a token is bound to).
std::string params_hash(const plan_record& plan);

/// The cluster claim of the node coordinating plan `plan_id`, relative to
/// the cluster's prefix ("rollouts/<plan_id>"; actors/rollout_claims.hpp
/// holds it): every step of the plan is committed only under it.
std::string rollout_claim_name(const std::string& plan_id);

class plan_store {
public:
  plan_store(std::shared_ptr<kv_store> kv, credential_key approval_key,
             plan_store_options opts = {});

  /// Stores a new pending plan (timestamps, state and journal filled in;
  /// journal `plan-created`). conflict when the id exists.
  caf::expected<plan_record> create(plan_record plan);

  /// plan_not_found when there is none.
  caf::expected<plan_record> get(const std::string& id);

  /// Every plan, newest first.
  caf::expected<std::vector<plan_record>> list();

  /// pending → approved by `approver`; returns the token (shown once), or
  /// "" for a plan made with hand_to_apply (its approval has no token).
  /// forbidden when the approver created the plan and self-approval is
  /// off; invalid_arguments for an empty approver.
  caf::expected<std::string> approve(const std::string& id,
                                     const std::string& approver);

  /// pending|approved → cancelled, recording who and why.
  caf::expected<plan_record> reject(const std::string& id,
                                    const std::string& who,
                                    const std::string& reason);

  /// `who` cancels plan `id`: pending|approved → cancelled (journal
  /// plan-cancelled); executing|rolling_back → cancel_requested is set
  /// (journal cancel-requested; the rollout coordinator rolls back what it
  /// applied at its next step); a final plan → plan_state_invalid.
  caf::expected<plan_record> cancel(const std::string& id,
                                    const std::string& who,
                                    const std::string& reason);

  /// Checks `token` against the plan and consumes it: approved →
  /// executing (journal `plan-executing`). approval_invalid (malformed,
  /// another plan, changed parameters, tampered), approval_expired,
  /// approval_used (replay), plan_state_invalid (not approved).
  /// An empty token starts a plan made with hand_to_apply, whose approval
  /// has no token: approved → executing once (approval_used afterwards),
  /// while the approval is valid; approval_invalid for any other plan.
  caf::expected<plan_record> start(const std::string& id,
                                   const std::string& token);

  /// Journals one step and applies its plan and device state changes
  /// (apply_step) in the same transaction, writing only the plan's head and
  /// that device's row; returns the receipt, not the whole plan.
  caf::expected<step_receipt> step(plan_step st);

  /// `step` for each of `steps`, in order, in one transaction (one disk
  /// sync for all: the rollout coordinator journals the devices of a batch
  /// concurrently). A refused step writes nothing and does not stop the
  /// others; a store failure fails them all.
  std::vector<caf::expected<step_receipt>>
  step_all(std::vector<plan_step> steps);

  /// The journal of a plan in order.
  caf::expected<std::vector<plan_step>> journal(const std::string& id);

  const plan_store_options& options() const noexcept {
    return opts_;
  }

  /// The table layer the plans live in (the device records beside them
  /// are read by the approvals' scope check).
  kv_store& kv() const noexcept {
    return *kv_;
  }

private:
  int64_t now() const;

  /// The checks and change of `start` without a token.
  caf::error start_handed(plan_record& plan, plan_step& st) const;

  std::string sign(const plan_record& plan, const std::string& approver,
                   int64_t expires, const std::string& nonce) const;

  /// In `txn`: loads the head of plan `id` (with the row of the step's
  /// device), lets `fn` change it and fill in the step, applies the step
  /// (apply_step), journals it and writes back the head and that row.
  caf::error
  change(write_txn& txn, const std::string& id, plan_step& st,
         const std::function<caf::error(plan_record&, plan_step&)>& fn,
         plan_record& head);

  /// `change` in its own transaction; returns the whole plan afterwards.
  caf::expected<plan_record>
  change(const std::string& id, plan_step st,
         const std::function<caf::error(plan_record&, plan_step&)>& fn);

  std::shared_ptr<kv_store> kv_;
  credential_key key_;
  plan_store_options opts_;
};

} // namespace rmcp::storage
