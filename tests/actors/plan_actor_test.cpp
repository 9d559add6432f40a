// The plan store actor's decisions: (approve, who, id) and (reject, who, id,
// reason) run the rules of storage/plan_approvals.hpp and audit every
// decision through the store actor, on the deterministic scheduler with the
// memory twin; (start, id, wait_ms) holds an apply of a hand_to_apply plan
// until a decision (here or elsewhere) or its deadline.

#include "actors/plan_actor.hpp"

#include <optional>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/store_actor.hpp"
#include "protocol/error.hpp"
#include "storage/audit_log.hpp"
#include "storage/device_store.hpp"
#include "storage/plan_store.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/approval_world.hpp"

namespace rmcp {

namespace {

class plan_actor_test : public test::actor_fixture,
                        protected test::approval_world {
protected:
  plan_actor_test() {
    store = spawn_store_actor(sys, devices, false);
    plans = spawn_plan_actor(sys, plan_db, false, store);
    run();
  }

  /// An identity that came over HTTP (where approvers decide).
  static identity as(std::string subject, std::string role) {
    return approval_world::as(std::move(subject), std::move(role), "http");
  }

  ~plan_actor_test() override {
    caf::anon_send_exit(plans, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    run();
  }

  struct approval {
    plan_record plan;
    std::string token;
  };

  /// Sends (approve, who, id) from a short-lived actor, runs the system
  /// and returns the answer (internal_error "no answer" when none came).
  caf::expected<approval> approve(const plan_store_actor& to, identity who,
                                  std::string id) {
    auto slot = std::make_shared<std::optional<caf::expected<approval>>>();
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(to, std::chrono::seconds{5}, atom::approve_v, who, id)
        .then(
          [slot](plan_record& p, std::string& t) {
            *slot = approval{std::move(p), std::move(t)};
          },
          [slot](caf::error& err) { *slot = std::move(err); });
    });
    run();
    if (!slot->has_value())
      return make_error(ec::internal_error, "no answer");
    return std::move(**slot);
  }

  caf::expected<plan_record> reject(identity who, std::string id,
                                    std::string reason) {
    auto slot = std::make_shared<std::optional<caf::expected<plan_record>>>();
    sys.spawn([=, to{plans}](caf::event_based_actor* self) {
      self
        ->request(to, std::chrono::seconds{5}, atom::reject_v, who, id, reason)
        .then([slot](plan_record& p) { *slot = std::move(p); },
              [slot](caf::error& err) { *slot = std::move(err); });
    });
    run();
    if (!slot->has_value())
      return make_error(ec::internal_error, "no answer");
    return std::move(**slot);
  }

  /// Sends (start, id, wait_ms) from a short-lived actor; the slot is
  /// filled when the answer comes.
  std::shared_ptr<std::optional<caf::expected<plan_record>>>
  start_waiting(std::string id, int64_t wait_ms) {
    auto slot = std::make_shared<std::optional<caf::expected<plan_record>>>();
    sys.spawn([=, to{plans}](caf::event_based_actor* self) {
      self->request(to, std::chrono::seconds{120}, atom::start_v, id, wait_ms)
        .then([slot](plan_record& p) { *slot = std::move(p); },
              [slot](caf::error& err) { *slot = std::move(err); });
    });
    run();
    return slot;
  }

  /// The audit trail as written (oldest first).
  std::vector<audit_record> trail() {
    storage::audit_log log{kv};
    auto recent = log.recent("", 0);
    EXPECT_TRUE(recent);
    std::vector<audit_record> out{recent->rbegin(), recent->rend()};
    return out;
  }

  bool chain_ok() {
    storage::audit_log log{kv};
    auto verdict = log.verify();
    return verdict && verdict->ok;
  }

  store_actor store;
  plan_store_actor plans;
};

} // namespace

TEST_F(plan_actor_test, approve_answers_the_plan_and_its_token_once_audited) {
  auto id = create("alice");
  auto r = approve(plans, as("bob", "approver"), id);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->plan.state, plan_state::approved);
  EXPECT_EQ(r->plan.approved_by, "bob");
  EXPECT_GT(r->plan.approval_expires_at, 0);
  EXPECT_EQ(r->token.rfind("rmcp-approval.v1.", 0), 0u);
  // The store actor wrote the record before the answer came.
  auto records = trail();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].kind, "approval");
  EXPECT_EQ(records[0].tool, "plan_approval");
  EXPECT_EQ(records[0].outcome, "approved");
  EXPECT_EQ(records[0].actor, "bob");
  EXPECT_EQ(records[0].transport, "http");
  EXPECT_EQ(records[0].plan_id, id);
  EXPECT_TRUE(chain_ok());
  // The token works: the plan starts with it.
  EXPECT_TRUE(plan_db->start(id, r->token));
}

TEST_F(plan_actor_test,
       refused_decisions_carry_the_rule_error_and_are_audited) {
  auto id = create("alice");
  auto ops = approve(plans, as("carol", "ops_rw"), id);
  ASSERT_FALSE(ops);
  EXPECT_EQ(error_code_of(ops.error()), ec::forbidden);
  auto self = approve(plans, as("alice", "admin"), id);
  ASSERT_FALSE(self);
  EXPECT_EQ(error_code_of(self.error()), ec::forbidden);
  EXPECT_NE(error_message(self.error()).find("may not approve it"),
            std::string::npos);
  auto unknown =
    approve(plans, as("bob", "approver"), "plan-20990101000000-0badc0de");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(error_code_of(unknown.error()), ec::plan_not_found);
  auto scoped = as("bob", "approver");
  scoped.scope.tags = {"site=ams"};
  auto outside = approve(plans, scoped, id);
  ASSERT_FALSE(outside);
  EXPECT_EQ(error_code_of(outside.error()), ec::forbidden);
  ASSERT_TRUE(approve(plans, as("bob", "approver"), id));
  auto twice = approve(plans, as("dave", "approver"), id);
  ASSERT_FALSE(twice);
  EXPECT_EQ(error_code_of(twice.error()), ec::plan_state_invalid);
  auto records = trail();
  ASSERT_EQ(records.size(), 6u);
  std::vector<std::string> outcomes;
  for (auto& rec : records)
    outcomes.push_back(rec.outcome);
  EXPECT_EQ(outcomes,
            (std::vector<std::string>{"denied", "denied", "denied", "denied",
                                      "approved", "denied"}));
  EXPECT_EQ(records[0].actor, "carol");
  EXPECT_TRUE(chain_ok());
}

TEST_F(plan_actor_test, reject_cancels_the_plan_and_audits_the_reason) {
  auto id = create("alice");
  auto denied = reject(as("carol", "read_only"), id, "no");
  ASSERT_FALSE(denied);
  EXPECT_EQ(error_code_of(denied.error()), ec::forbidden);
  // The creator may reject their own plan.
  auto r = reject(as("alice", "approver"), id, "wrong servers");
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->state, plan_state::cancelled);
  EXPECT_EQ(plan_db->get(id)->state, plan_state::cancelled);
  auto again = reject(as("bob", "approver"), id, "twice");
  ASSERT_FALSE(again);
  EXPECT_EQ(error_code_of(again.error()), ec::plan_state_invalid);
  auto records = trail();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].outcome, "denied");
  EXPECT_EQ(records[1].outcome, "rejected");
  EXPECT_EQ(records[1].error, "wrong servers");
  EXPECT_EQ(records[1].actor, "alice");
  EXPECT_EQ(records[2].outcome, "denied");
  EXPECT_TRUE(chain_ok());
}

TEST_F(plan_actor_test, without_an_audit_trail_no_decision_is_taken) {
  auto id = create("alice");
  auto bare = spawn_plan_actor(sys, plan_db, false);
  run();
  auto r = approve(bare, as("bob", "approver"), id);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_code_of(r.error()), ec::unsupported);
  EXPECT_EQ(plan_db->get(id)->state, plan_state::pending);
  EXPECT_TRUE(trail().empty());
  caf::anon_send_exit(bare, caf::exit_reason::user_shutdown);
  run();
}

} // namespace rmcp

namespace rmcp {

TEST_F(plan_actor_test, an_approval_here_releases_the_waiting_start_at_once) {
  auto id = create("alice", "r1", true, true);
  auto waiting = start_waiting(id, 60'000);
  EXPECT_FALSE(waiting->has_value());
  auto r = approve(plans, as("bob", "approver"), id);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_TRUE(r->token.empty());
  EXPECT_EQ(r->plan.state, plan_state::executing);
  ASSERT_TRUE(waiting->has_value());
  ASSERT_TRUE(**waiting) << error_message((*waiting)->error());
  EXPECT_EQ((**waiting)->state, plan_state::executing);
  EXPECT_TRUE(plan_db->get(id)->token_used);
  // The approval was handed once.
  auto twice = start_waiting(id, 1000);
  ASSERT_TRUE(twice->has_value());
  EXPECT_FALSE(**twice);
}

TEST_F(plan_actor_test, a_rejection_ends_the_waiting_start_with_the_reason) {
  auto id = create("alice", "r1", true, true);
  auto waiting = start_waiting(id, 60'000);
  ASSERT_TRUE(reject(as("bob", "approver"), id, "change freeze"));
  ASSERT_TRUE(waiting->has_value());
  ASSERT_FALSE(**waiting);
  auto& err = (*waiting)->error();
  EXPECT_EQ(error_code_of(err), ec::plan_state_invalid);
  EXPECT_NE(error_message(err).find("rejected by bob"), std::string::npos);
  EXPECT_NE(error_message(err).find("change freeze"), std::string::npos);
}

TEST_F(plan_actor_test, a_decision_made_elsewhere_is_seen_by_the_poll) {
  auto id = create("alice", "r1", true, true);
  auto waiting = start_waiting(id, 60'000);
  // Another process (the CLI) approves through its own store handle.
  auto token = plan_db->approve(id, "cli:carol");
  ASSERT_TRUE(token);
  EXPECT_TRUE(token->empty());
  run();
  EXPECT_FALSE(waiting->has_value());
  advance_time(std::chrono::seconds{1});
  ASSERT_TRUE(waiting->has_value());
  ASSERT_TRUE(**waiting) << error_message((*waiting)->error());
  EXPECT_EQ((**waiting)->state, plan_state::executing);
}

TEST_F(plan_actor_test, a_waiting_start_times_out_retryably) {
  auto id = create("alice", "r1", true, true);
  auto waiting = start_waiting(id, 2'500);
  for (int i = 0; i < 2; ++i) {
    advance_time(std::chrono::seconds{1});
    EXPECT_FALSE(waiting->has_value());
  }
  advance_time(std::chrono::seconds{1});
  ASSERT_TRUE(waiting->has_value());
  ASSERT_FALSE(**waiting);
  EXPECT_EQ(error_code_of((*waiting)->error()), ec::tool_timeout);
  EXPECT_TRUE(is_retryable(ec::tool_timeout));
  EXPECT_EQ(plan_db->get(id)->state, plan_state::pending);
}

TEST_F(plan_actor_test, only_hand_to_apply_plans_start_without_a_token) {
  auto plain = create("alice");
  auto refused = start_waiting(plain, 1000);
  ASSERT_TRUE(refused->has_value());
  ASSERT_FALSE(**refused);
  EXPECT_EQ(error_code_of((*refused)->error()), ec::approval_invalid);
  // An approved hand_to_apply plan starts at once, without waiting.
  auto id = create("alice", "r1", true, true);
  ASSERT_TRUE(approve(plans, as("bob", "approver"), id));
  auto now = start_waiting(id, 1000);
  ASSERT_TRUE(now->has_value());
  ASSERT_TRUE(**now) << error_message((*now)->error());
  EXPECT_EQ((**now)->state, plan_state::executing);
}

} // namespace rmcp
