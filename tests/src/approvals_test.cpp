// Plan approval bound to identities (src/app/approvals.hpp): roles,
// self-approval also across the CLI prefix, and every decision audited.

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "src/app/approvals.hpp"
#include "storage/memory_store.hpp"
#include "storage/codecs.hpp"

namespace rmcp {

namespace {

class approvals_test : public ::testing::Test {
protected:
  approvals_test() : kv(storage::make_memory_store()), audit(kv) {
    storage::plan_store_options opts;
    opts.approval_ttl_ms = 60'000;
    auto key = storage::credential_key::parse(std::string(64, '7'));
    plans = std::make_unique<storage::plan_store>(kv, *key, opts);
  }

  std::string create(const std::string& creator) {
    plan_record p;
    p.kind = "dns_ntp";
    p.tool = "plan_dns_ntp_rollout";
    p.apply_tool = "apply_dns_ntp_rollout";
    p.created_by = creator;
    p.environment = "lab";
    p.params = {{"dns_servers", {"1.1.1.1"}}};
    p.batches = {{"r1"}};
    plan_device d;
    d.id = "r1";
    p.devices.push_back(d);
    auto made = plans->create(p);
    EXPECT_TRUE(made) << error_message(made.error());
    return made ? made->id : std::string{};
  }

  static identity as(std::string subject, std::string role,
                     std::string transport = "cli") {
    identity who;
    who.subject = std::move(subject);
    who.role = std::move(role);
    who.transport = std::move(transport);
    return who;
  }

  std::shared_ptr<storage::kv_store> kv;
  storage::audit_log audit;
  std::unique_ptr<storage::plan_store> plans;
};

} // namespace

TEST_F(approvals_test, an_approver_gets_the_token_once_and_it_is_audited) {
  auto id = create("alice");
  auto token = app::approve_plan(*plans, audit, as("cli:bob", "approver"), id);
  ASSERT_TRUE(token) << error_message(token.error());
  EXPECT_EQ(token->rfind("rmcp-approval.v1.", 0), 0u);
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
    auto r = app::approve_plan(*plans, audit, as("cli:bob", role), id);
    ASSERT_FALSE(r) << role;
    EXPECT_EQ(error_code_of(r.error()), ec::forbidden);
    EXPECT_NE(error_message(r.error()).find("approver or admin"),
              std::string::npos);
  }
  // alice over MCP created it; alice on the CLI may not approve it.
  auto self = app::approve_plan(*plans, audit, as("cli:alice", "admin"), id);
  ASSERT_FALSE(self);
  EXPECT_EQ(error_code_of(self.error()), ec::forbidden);
  auto over_http = app::approve_plan(*plans, audit,
                                     as("alice", "approver", "http"), id);
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
  EXPECT_FALSE(app::reject_plan(*plans, audit, as("cli:bob", "ops_rw"), id,
                                "no"));
  auto ok = app::reject_plan(*plans, audit, as("cli:carol", "approver"), id,
                             "not now");
  ASSERT_TRUE(ok) << error_message(ok.error());
  EXPECT_EQ(to_string(ok->state), "cancelled");
}

} // namespace rmcp
