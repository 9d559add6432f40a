// Plan approval bound to identities (storage/plan_approvals.hpp): roles,
// self-approval also across the CLI prefix, and every decision audited.

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/codecs.hpp"
#include "storage/device_store.hpp"
#include "storage/plan_approvals.hpp"
#include "tests/support/approval_world.hpp"

namespace rmcp {

namespace {

class approvals_test : public ::testing::Test, protected test::approval_world {
protected:
  approvals_test() : audit(kv) {}

  storage::plan_desk desk() {
    return {*plan_db, *kv, storage::append_to(audit)};
  }

  storage::audit_log audit;
};

} // namespace

TEST_F(approvals_test, an_approver_gets_the_token_once_and_it_is_audited) {
  auto id = create("alice");
  auto approval = storage::approve_plan(desk(), as("cli:bob", "approver"), id);
  ASSERT_TRUE(approval) << error_message(approval.error());
  const auto* token = &approval->token;
  EXPECT_EQ(token->rfind("rmcp-approval.v1.", 0), 0u);
  EXPECT_EQ(approval->plan.state, plan_state::approved);
  EXPECT_EQ(approval->plan.approved_by, "cli:bob");
  auto recent = audit.recent("", 0);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].kind, "approval");
  EXPECT_EQ((*recent)[0].outcome, "approved");
  EXPECT_EQ((*recent)[0].actor, "cli:bob");
  EXPECT_EQ((*recent)[0].plan_id, id);
  // The token itself is never audited.
  EXPECT_EQ(dump_json(storage::encode(recent->front())).find(*token),
            std::string::npos);
}

TEST_F(approvals_test, other_roles_and_the_creator_are_refused) {
  auto id = create("alice");
  for (auto* role : {"read_only", "ops_rw"}) {
    auto r = storage::approve_plan(desk(), as("cli:bob", role), id);
    ASSERT_FALSE(r) << role;
    EXPECT_EQ(error_code_of(r.error()), ec::forbidden);
    EXPECT_NE(error_message(r.error()).find("approver or admin"),
              std::string::npos);
  }
  // alice over MCP created it; alice on the CLI may not approve it.
  auto self = storage::approve_plan(desk(), as("cli:alice", "admin"), id);
  ASSERT_FALSE(self);
  EXPECT_EQ(error_code_of(self.error()), ec::forbidden);
  auto over_http =
    storage::approve_plan(desk(), as("alice", "approver", "http"), id);
  EXPECT_FALSE(over_http);
  auto recent = audit.recent("", 0);
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->size(), 4u);
  for (auto& rec : *recent)
    EXPECT_EQ(rec.outcome, "denied");
  EXPECT_TRUE(audit.verify()->ok);
}

TEST_F(approvals_test, reject_needs_a_deciding_role_too) {
  auto id = create("alice");
  EXPECT_FALSE(storage::reject_plan(desk(), as("cli:bob", "ops_rw"), id, "no"));
  auto ok =
    storage::reject_plan(desk(), as("cli:carol", "approver"), id, "not now");
  ASSERT_TRUE(ok) << error_message(ok.error());
  EXPECT_EQ(to_string(ok->state), "cancelled");
}

TEST_F(approvals_test, a_claim_does_not_hide_the_creator) {
  auto id = create("alice");
  // alice at the CLI claiming to be bob, and ops claiming to be alice.
  auto alice = as("cli:alice", "admin");
  alice.claimed_as = "bob";
  auto claims_alice = as("cli:ops", "admin");
  claims_alice.claimed_as = "alice";
  for (auto& who : {alice, claims_alice}) {
    auto r = storage::approve_plan(desk(), who, id);
    ASSERT_FALSE(r) << who.subject;
    EXPECT_EQ(error_code_of(r.error()), ec::forbidden);
    EXPECT_NE(error_message(r.error()).find("may not approve it"),
              std::string::npos);
  }
  // ops claiming to be bob: neither is alice.
  auto ops = as("cli:ops", "approver");
  ops.claimed_as = "bob";
  auto token = storage::approve_plan(desk(), ops, id);
  ASSERT_TRUE(token) << error_message(token.error());
  EXPECT_EQ(plan_db->get(id)->approved_by, "cli:ops as bob");
  auto recent = audit.recent("", 0);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 3u);
  EXPECT_EQ((*recent)[0].outcome, "approved");
  EXPECT_EQ((*recent)[0].actor, "cli:ops");
  EXPECT_EQ((*recent)[0].arguments, (json{{"as", "bob"}}));
  EXPECT_EQ((*recent)[1].arguments, (json{{"as", "alice"}}));
}

TEST_F(approvals_test, a_scoped_approver_decides_only_plans_inside_its_scope) {
  auto fra = create("alice", "r1");
  auto ams = create("alice", "r2");
  auto bob = as("bob", "approver", "http");
  bob.scope.tags = {"site=fra"};
  auto out = storage::approve_plan(desk(), bob, ams);
  ASSERT_FALSE(out);
  EXPECT_EQ(error_code_of(out.error()), ec::forbidden);
  // An unknown plan looks the same, apart from its id.
  auto unknown_id = "plan-20990101000000-0badc0de";
  auto unknown = storage::approve_plan(desk(), bob, unknown_id);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(error_code_of(unknown.error()), ec::forbidden);
  auto text = [](const caf::error& e, const std::string& id) {
    auto t = error_message(e);
    return t.replace(t.find(id), id.size(), "ID");
  };
  EXPECT_EQ(text(out.error(), ams), text(unknown.error(), unknown_id));
  EXPECT_EQ(error_message(out.error()).find("r2"), std::string::npos);
  EXPECT_FALSE(storage::reject_plan(desk(), bob, ams, "no"));
  EXPECT_EQ(plan_db->get(ams)->state, plan_state::pending);
  auto ok = storage::approve_plan(desk(), bob, fra);
  EXPECT_TRUE(ok) << error_message(ok.error());
  // Without a scope the unknown plan is just not found.
  auto carol = as("carol", "approver", "http");
  auto missing = storage::approve_plan(desk(), carol, unknown_id);
  ASSERT_FALSE(missing);
  EXPECT_EQ(error_code_of(missing.error()), ec::plan_not_found);
}

TEST_F(approvals_test,
       plans_from_before_scopes_are_for_unscoped_deciders_only) {
  auto old = create("alice", "r1", false);
  auto bob = as("bob", "approver", "http");
  bob.scope.tags = {"site=fra"};
  auto r = storage::approve_plan(desk(), bob, old);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_code_of(r.error()), ec::forbidden);
  EXPECT_TRUE(
    storage::approve_plan(desk(), as("carol", "approver", "http"), old));
}

} // namespace rmcp
