#include "storage/plan_approvals.hpp"

#include <map>

#include "protocol/authz.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "storage/record_table.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

namespace {

std::string person(const std::string& subject) {
  constexpr std::string_view cli = "cli:";
  if (subject.compare(0, cli.size(), cli) == 0)
    return subject.substr(cli.size());
  return subject;
}

void record(const plan_desk& desk, const identity& who, const std::string& id,
            const std::string& outcome, const std::string& error) {
  audit_record rec;
  rec.kind = audit_kind::approval;
  rec.actor = who.subject;
  rec.role = who.role;
  rec.transport = who.transport;
  rec.tool = "plan_approval";
  rec.plan_id = id;
  rec.outcome = outcome;
  rec.error = error;
  if (!who.claimed_as.empty())
    rec.arguments = {{"as", who.claimed_as}};
  log::info(log::audit(), "plan-decision",
            {{"plan_id", id},
             {"outcome", outcome},
             {"subject", who.subject},
             {"role", who.role},
             {"transport", who.transport},
             {"error", error}});
  desk.audit(std::move(rec));
}

/// The scope check of a plan (and of an unknown id) for `who`.
caf::error check_scope(const plan_desk& desk, const identity& who,
                       const std::string& id,
                       const caf::expected<plan_record>& plan) {
  auto refuse = [&who](const authz::plan_facts& facts) -> caf::error {
    if (auto d = authz::authorize_plan(who, facts); !d)
      return make_error(ec::forbidden, d.reason);
    return caf::none;
  };
  if (!plan) {
    if (error_code_of(plan.error()) == ec::plan_not_found)
      if (auto e = refuse({id, false, false, {}}))
        return e;
    return plan.error();
  }
  if (who.scope.everything())
    return caf::none;
  auto txn = desk.registry.begin_read();
  if (!txn)
    return txn.error();
  constexpr record_table<device_record> devices{tables::devices};
  auto registered = devices.collect(**txn, {});
  if (!registered)
    return registered.error();
  std::map<std::string, const device_record*> by_id;
  for (auto& r : *registered)
    by_id[r.id] = &r;
  auto find = [&by_id](const std::string& dev) {
    auto i = by_id.find(dev);
    return i == by_id.end() ? nullptr : i->second;
  };
  return refuse({id, true, plan->creator_scope_known,
                 authz::facts_of(device_ids(*plan), find)});
}

caf::error check(const plan_desk& desk, const identity& who,
                 const std::string& id, bool approving) {
  if (!may_decide_plans(who))
    return make_error(ec::forbidden,
                      "identity '" + who.subject + "' (role " + who.role
                        + ") may not decide on plans: that needs role "
                          "approver or admin");
  auto plan = desk.plans.get(id);
  if (auto e = check_scope(desk, who, id, plan))
    return e;
  if (!approving || desk.plans.options().allow_self_approval)
    return caf::none;
  // The person behind the subject and the one the caller claims to be:
  // either being the creator is self-approval.
  auto creator = person(plan->created_by);
  if (creator == person(who.subject)
      || (!who.claimed_as.empty() && creator == who.claimed_as))
    return make_error(ec::forbidden,
                      "'" + decider_name(who) + "' created plan " + id
                        + " and may not approve it; another person must "
                          "(plans.allow_self_approval is off)");
  return caf::none;
}

} // namespace

audit_sink append_to(audit_log& trail) {
  return [&trail](audit_record rec) {
    auto plan = rec.plan_id;
    if (auto seq = trail.append(std::move(rec)); !seq)
      log::error(log::store(), "audit-append-failed",
                 {{"plan_id", plan}, {"error", error_message(seq.error())}});
  };
}

bool may_decide_plans(const identity& who) {
  return who.role == "approver" || who.role == "admin";
}

std::string decider_name(const identity& who) {
  return who.claimed_as.empty() ? who.subject
                                : who.subject + " as " + who.claimed_as;
}

caf::expected<plan_approval> approve_plan(const plan_desk& desk,
                                          const identity& who,
                                          const std::string& id) {
  if (auto err = check(desk, who, id, true)) {
    record(desk, who, id, "denied", error_message(err));
    return err;
  }
  auto token = desk.plans.approve(id, decider_name(who));
  if (!token) {
    record(desk, who, id, "denied", error_message(token.error()));
    return token.error();
  }
  record(desk, who, id, "approved", {});
  auto plan = desk.plans.get(id);
  if (!plan)
    return plan.error();
  return plan_approval{std::move(*plan), std::move(*token)};
}

caf::expected<plan_record> reject_plan(const plan_desk& desk,
                                       const identity& who,
                                       const std::string& id,
                                       const std::string& reason) {
  if (auto err = check(desk, who, id, false)) {
    record(desk, who, id, "denied", error_message(err));
    return err;
  }
  auto p = desk.plans.reject(id, decider_name(who), reason);
  if (!p) {
    record(desk, who, id, "denied", error_message(p.error()));
    return p.error();
  }
  record(desk, who, id, "rejected", reason);
  return p;
}

} // namespace rmcp::storage
