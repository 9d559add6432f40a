// Plans in the store: the plan state machine enforced in one
// place, the journal, and approval tokens (HMAC-bound to plan, parameters,
// approver and expiry; single use; approver ≠ creator). Both engines.

#include <set>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/plan_store.hpp"
#include "tests/storage/engines.hpp"

namespace rmcp {

namespace {

plan_record sample_plan(std::string creator = "alice") {
  plan_record p;
  p.kind = "dns_ntp";
  p.tool = "plan_dns_ntp_rollout";
  p.apply_tool = "apply_dns_ntp_rollout";
  p.created_by = std::move(creator);
  p.risk = "medium";
  p.environment = "lab";
  p.params = {{"dns_servers", {"1.1.1.1"}}};
  p.batches = {{"r1"}, {"r2", "r3"}};
  for (auto id : {"r1", "r2", "r3"}) {
    plan_device d;
    d.id = id;
    p.devices.push_back(std::move(d));
  }
  return p;
}

plan_step make_step(const std::string& plan_id, std::string event,
                    std::string device_id = {}) {
  plan_step st;
  st.plan_id = plan_id;
  st.event = std::move(event);
  st.device_id = std::move(device_id);
  return st;
}

ec code_of(const caf::error& err) {
  return static_cast<ec>(err.code());
}

} // namespace

template <class Engine>
class plan_store_test : public ::testing::Test {
protected:
  storage::plan_store& open(bool self_approval = false) {
    storage::plan_store_options opts;
    opts.allow_self_approval = self_approval;
    opts.approval_ttl_ms = 60'000;
    opts.clock = [this] { return now; };
    db = std::make_unique<storage::plan_store>(engine.open(),
                                               test::test_key('b'), opts);
    return *db;
  }

  plan_record created(storage::plan_store& db, std::string creator = "alice") {
    auto p = db.create(sample_plan(std::move(creator)));
    EXPECT_TRUE(p) << error_message(p.error());
    return p ? *p : plan_record{};
  }

  int64_t now = 1'700'000'000'000;
  Engine engine;
  std::unique_ptr<storage::plan_store> db;
};

TYPED_TEST_SUITE(plan_store_test, test::engines, test::engine_names);

TEST(plan_state_machine, only_the_transitions_of_the_spec_are_legal) {
  using s = plan_state;
  std::set<std::pair<s, s>> legal = {
    {s::pending, s::approved},         {s::pending, s::cancelled},
    {s::approved, s::executing},       {s::approved, s::cancelled},
    {s::executing, s::completed},      {s::executing, s::failed},
    {s::executing, s::cancelled},      {s::executing, s::rolling_back},
    {s::rolling_back, s::rolled_back}, {s::rolling_back, s::failed},
  };
  const s all[] = {s::pending, s::approved,  s::executing,    s::completed,
                   s::failed,  s::cancelled, s::rolling_back, s::rolled_back};
  for (auto from : all)
    for (auto to : all) {
      auto err = check_transition("plan-x", from, to);
      EXPECT_EQ(!err, legal.count({from, to}) == 1)
        << to_string(from) << " -> " << to_string(to);
      if (err) {
        EXPECT_EQ(code_of(err), ec::plan_state_invalid);
        auto msg = error_message(err);
        EXPECT_NE(msg.find("from " + to_string(from) + " to " + to_string(to)),
                  std::string::npos)
          << msg;
      }
    }
}

TYPED_TEST(plan_store_test, a_created_plan_is_pending_and_journaled) {
  auto& db = this->open();
  auto p = this->created(db);
  EXPECT_EQ(p.state, plan_state::pending);
  EXPECT_EQ(p.id.rfind("plan-20231114", 0), 0u) << p.id;
  auto back = db.get(p.id);
  ASSERT_TRUE(back) << error_message(back.error());
  EXPECT_EQ(back->devices.size(), 3u);
  EXPECT_EQ(back->batches[1][1], "r3");
  auto log = db.journal(p.id);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].event, "plan-created");
  EXPECT_EQ(code_of(db.get("plan-nope").error()), ec::plan_not_found);
  auto again = db.create(*back);
  ASSERT_FALSE(again);
  EXPECT_EQ(code_of(again.error()), ec::conflict);
}

TYPED_TEST(plan_store_test, an_approved_token_starts_the_plan_once) {
  auto& db = this->open();
  auto p = this->created(db);
  auto token = db.approve(p.id, "bob");
  ASSERT_TRUE(token) << error_message(token.error());
  EXPECT_EQ(db.get(p.id)->state, plan_state::approved);
  EXPECT_EQ(db.get(p.id)->approved_by, "bob");
  auto started = db.start(p.id, *token);
  ASSERT_TRUE(started) << error_message(started.error());
  EXPECT_EQ(started->state, plan_state::executing);
  auto replay = db.start(p.id, *token);
  ASSERT_FALSE(replay);
  EXPECT_EQ(code_of(replay.error()), ec::approval_used)
    << error_message(replay.error());
  auto log = db.journal(p.id);
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ((*log)[1].event, "plan-approved");
  EXPECT_EQ((*log)[2].event, "plan-executing");
}

TYPED_TEST(plan_store_test, the_creator_cannot_approve_unless_configured) {
  auto& db = this->open();
  auto p = this->created(db);
  auto self = db.approve(p.id, "alice");
  ASSERT_FALSE(self);
  EXPECT_EQ(code_of(self.error()), ec::forbidden);
  EXPECT_EQ(db.get(p.id)->state, plan_state::pending);
  auto& lab = this->open(true);
  EXPECT_TRUE(lab.approve(p.id, "alice"));
}

TYPED_TEST(plan_store_test,
           expired_mismatched_and_tampered_tokens_are_refused) {
  auto& db = this->open();
  auto a = this->created(db);
  auto b = this->created(db);
  auto token_a = *db.approve(a.id, "bob");
  auto token_b = *db.approve(b.id, "bob");
  // Another plan's token.
  auto wrong = db.start(a.id, token_b);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(code_of(wrong.error()), ec::approval_invalid);
  EXPECT_NE(error_message(wrong.error()).find("signature"), std::string::npos);
  // Tampered: a later expiry with the old signature.
  auto tampered = token_a;
  auto dot = tampered.find('.', std::string{"rmcp-approval.v1."}.size());
  tampered.replace(17, dot - 17, std::to_string(this->now + 10'000'000));
  EXPECT_EQ(code_of(db.start(a.id, tampered).error()), ec::approval_invalid);
  EXPECT_EQ(code_of(db.start(a.id, "approve-123").error()),
            ec::approval_invalid);
  // Expired.
  this->now += 60'001;
  auto late = db.start(a.id, token_a);
  ASSERT_FALSE(late);
  EXPECT_EQ(code_of(late.error()), ec::approval_expired)
    << error_message(late.error());
  // Refusals changed nothing.
  EXPECT_EQ(db.get(a.id)->state, plan_state::approved);
  EXPECT_FALSE(db.get(a.id)->token_used);
}

TYPED_TEST(plan_store_test, changed_parameters_invalidate_the_token) {
  auto& db = this->open();
  auto p = this->created(db);
  auto token = *db.approve(p.id, "bob");
  // Somebody edits the stored parameters behind the store's back.
  auto kv = this->engine.open();
  auto rec = *db.get(p.id);
  rec.params["dns_servers"] = {"6.6.6.6"};
  ASSERT_FALSE(storage::write_atomically(*kv, [&](storage::write_txn& txn) {
    return txn.put("plans", rec.id, dump_json(to_json(rec)));
  }));
  EXPECT_EQ(code_of(db.start(p.id, token).error()), ec::approval_invalid);
}

TYPED_TEST(plan_store_test, illegal_steps_are_refused_and_leave_no_trace) {
  auto& db = this->open();
  auto p = this->created(db);
  auto done = make_step(p.id, "plan-completed");
  done.to_state = "completed";
  auto res = db.step(done);
  ASSERT_FALSE(res);
  EXPECT_EQ(code_of(res.error()), ec::plan_state_invalid);
  EXPECT_NE(error_message(res.error()).find("from pending to completed"),
            std::string::npos);
  EXPECT_EQ(db.journal(p.id)->size(), 1u);
  auto rejected = db.reject(p.id, "bob", "wrong servers");
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->state, plan_state::cancelled);
  EXPECT_EQ(code_of(db.approve(p.id, "bob").error()), ec::plan_state_invalid);
  // A closed plan is not rejected again (who closed it stays recorded).
  auto again = db.reject(p.id, "carol", "twice");
  ASSERT_FALSE(again);
  EXPECT_EQ(code_of(again.error()), ec::plan_state_invalid);
  EXPECT_EQ(db.get(p.id)->closed_by, "bob");
}

TYPED_TEST(plan_store_test, steps_record_device_states_with_the_journal) {
  auto& db = this->open();
  auto p = this->created(db);
  ASSERT_TRUE(db.start(p.id, *db.approve(p.id, "bob")));
  auto snap = make_step(p.id, "device-snapshot", "r1");
  snap.device_state = "snapshotted";
  snap.detail = {{"before", {{"dns_servers", "8.8.8.8"}}}};
  auto receipt = db.step(snap);
  ASSERT_TRUE(receipt) << error_message(receipt.error());
  EXPECT_EQ(receipt->step.seq, 3u);
  EXPECT_EQ(receipt->state, plan_state::executing);
  EXPECT_FALSE(receipt->cancel_requested);
  auto after = db.get(p.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(find_device(*after, "r1")->state, "snapshotted");
  EXPECT_EQ(find_device(*after, "r1")->before["dns_servers"], "8.8.8.8");
  EXPECT_EQ(find_device(*after, "r2")->state, "pending");
  EXPECT_EQ(after->journal_seq, 4u);
  // The caller's copy, stepped with the receipt, equals the stored plan.
  auto mine = *db.get(p.id);
  auto next = make_step(p.id, "device-applied", "r2");
  next.device_state = "applied";
  auto r2 = db.step(next);
  ASSERT_TRUE(r2);
  ASSERT_FALSE(apply_step(mine, r2->step));
  apply_receipt(mine, *r2);
  EXPECT_EQ(to_json(mine), to_json(*db.get(p.id)));
  auto unknown = make_step(p.id, "device-applied", "r9");
  unknown.device_state = "applied";
  EXPECT_EQ(code_of(db.step(unknown).error()), ec::invalid_arguments);
  auto log = db.journal(p.id);
  ASSERT_EQ(log->size(), 5u);
  EXPECT_EQ(log->back().event, "device-applied");
  EXPECT_EQ(log->back().seq, 4u);
}

TYPED_TEST(plan_store_test,
           a_cancel_by_another_writer_shows_in_the_next_receipt) {
  auto& db = this->open();
  auto p = this->created(db);
  ASSERT_TRUE(db.start(p.id, *db.approve(p.id, "bob")));
  ASSERT_TRUE(db.cancel(p.id, "carol", "wrong servers"));
  auto st = make_step(p.id, "device-snapshot", "r1");
  st.device_state = "snapshotted";
  auto r = db.step(st);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->cancel_requested);
  EXPECT_EQ(r->closed_by, "carol");
  EXPECT_EQ(r->reason, "wrong servers");
}

TYPED_TEST(plan_store_test,
           a_plan_stored_whole_by_an_earlier_version_reads_and_steps) {
  auto& db = this->open();
  auto p = this->created(db);
  ASSERT_TRUE(db.start(p.id, *db.approve(p.id, "bob")));
  // The earlier layout: one record with devices and preview inline, no
  // device rows and no preview row.
  auto whole = *db.get(p.id);
  whole.preview = json::array({{{"device_id", "r1"}, {"current", "x"}}});
  find_device(whole, "r3")->state = "applied";
  auto kv = this->engine.open();
  ASSERT_FALSE(storage::write_atomically(*kv, [&](storage::write_txn& txn) {
    for (auto id : {"r1", "r2", "r3"})
      if (auto e = txn.erase("plan_devices", p.id + '\0' + id); !e)
        return e.error();
    if (auto e = txn.erase("plan_previews", p.id); !e)
      return e.error();
    if (auto e = txn.erase("plan_status", p.id); !e)
      return e.error();
    return txn.put("plans", whole.id, dump_json(to_json(whole)));
  }));
  EXPECT_EQ(to_json(*db.get(p.id)), to_json(whole));
  auto st = make_step(p.id, "device-applied", "r1");
  st.device_state = "applied";
  ASSERT_TRUE(db.step(st));
  auto now = db.get(p.id);
  ASSERT_TRUE(now);
  EXPECT_EQ(find_device(*now, "r1")->state, "applied");
  EXPECT_EQ(find_device(*now, "r3")->state, "applied");
  EXPECT_EQ(find_device(*now, "r2")->state, "pending");
  EXPECT_EQ(now->preview, whole.preview);
  // That step wrote the status row: the next goes by the rows.
  auto next = make_step(p.id, "device-applied", "r2");
  next.device_state = "applied";
  ASSERT_TRUE(db.step(next));
  EXPECT_EQ(find_device(*db.get(p.id), "r2")->state, "applied");
  EXPECT_EQ(db.journal(p.id)->size(), 5u);
}

TYPED_TEST(plan_store_test, the_creator_scope_is_kept_and_old_plans_have_none) {
  auto& db = this->open();
  auto scoped = sample_plan();
  scoped.creator_scope.tags = {"site=fra"};
  scoped.creator_scope_known = true;
  auto p = db.create(scoped);
  ASSERT_TRUE(p) << error_message(p.error());
  ASSERT_TRUE(db.approve(p->id, "bob"));
  auto got = *db.get(p->id);
  EXPECT_TRUE(got.creator_scope_known);
  EXPECT_EQ(got.creator_scope.tags, std::vector<std::string>{"site=fra"});
  EXPECT_TRUE(db.list()->front().creator_scope_known);
  // A head written before creators' scopes were recorded: no field.
  auto old = to_json(got);
  ASSERT_TRUE(old["creator_scope"].is_object());
  old.erase("creator_scope");
  plan_record legacy;
  ASSERT_TRUE(from_json(old, legacy));
  EXPECT_FALSE(legacy.creator_scope_known);
  EXPECT_TRUE(legacy.creator_scope.everything());
  EXPECT_TRUE(to_json(legacy)["creator_scope"].is_null());
  // An unscoped creator is recorded as such, not as unknown.
  auto open_plan = db.create(sample_plan());
  ASSERT_TRUE(open_plan);
  EXPECT_FALSE(db.get(open_plan->id)->creator_scope_known);
  auto everything = sample_plan();
  everything.creator_scope_known = true;
  auto q = db.create(everything);
  ASSERT_TRUE(q);
  EXPECT_TRUE(db.get(q->id)->creator_scope_known);
  EXPECT_TRUE(db.get(q->id)->creator_scope.everything());
}

TYPED_TEST(plan_store_test,
           a_step_writes_the_status_and_device_rows_not_the_head) {
  auto& db = this->open();
  auto p = this->created(db);
  ASSERT_TRUE(db.start(p.id, *db.approve(p.id, "bob")));
  auto kv = this->engine.open();
  auto raw = [&](std::string_view table, const std::string& key) {
    auto txn = kv->begin_read();
    auto value = (*txn)->get(table, key);
    return value && *value ? std::string{**value} : std::string{};
  };
  auto head = raw("plans", p.id);
  auto status = raw("plan_status", p.id);
  ASSERT_FALSE(head.empty());
  ASSERT_FALSE(status.empty());
  this->now += 1000;
  for (auto id : {"r1", "r2", "r3"}) {
    auto st = make_step(p.id, "device-applied", id);
    st.device_state = "applied";
    ASSERT_TRUE(db.step(st));
  }
  auto done = make_step(p.id, "plan-completed");
  done.to_state = "completed";
  auto r = db.step(done);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->state, plan_state::completed);
  EXPECT_EQ(raw("plans", p.id), head);
  EXPECT_NE(raw("plan_status", p.id), status);
  EXPECT_NE(raw("plan_devices", p.id + '\0' + "r3").find("applied"),
            std::string::npos);
  // Every reader sees the status row over the head's stale copy.
  auto got = *db.get(p.id);
  EXPECT_EQ(got.state, plan_state::completed);
  EXPECT_EQ(got.journal_seq, 7u);
  EXPECT_EQ(got.updated_at, this->now);
  EXPECT_EQ(find_device(got, "r3")->state, "applied");
  auto all = *db.list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(to_json(all.front()), to_json(got));
  // A later change of the head (here a refused one) keeps both in step.
  EXPECT_EQ(code_of(db.cancel(p.id, "carol", "late").error()),
            ec::plan_state_invalid);
  EXPECT_EQ(db.get(p.id)->state, plan_state::completed);
}

} // namespace rmcp
