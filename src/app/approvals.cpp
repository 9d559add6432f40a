#include "src/app/approvals.hpp"

#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp::app {

namespace {

std::string person(const std::string& subject) {
  constexpr std::string_view cli = "cli:";
  if (subject.compare(0, cli.size(), cli) == 0)
    return subject.substr(cli.size());
  return subject;
}

void record(storage::audit_log& audit, const identity& who,
            const std::string& id, const std::string& outcome,
            const std::string& error) {
  audit_record rec;
  rec.kind = audit_kind::approval;
  rec.actor = who.subject;
  rec.role = who.role;
  rec.transport = who.transport;
  rec.tool = "plan_approval";
  rec.plan_id = id;
  rec.outcome = outcome;
  rec.error = error;
  if (auto seq = audit.append(std::move(rec)); !seq)
    log::core()->error("audit-append-failed plan={} error={}", id,
                       error_message(seq.error()));
}

caf::error check(storage::plan_store& plans, const identity& who,
                 const std::string& id, bool approving) {
  if (!may_decide_plans(who))
    return make_error(ec::forbidden,
                      "identity '" + who.subject + "' (role " + who.role
                        + ") may not decide on plans: that needs role "
                          "approver or admin");
  if (!approving || plans.options().allow_self_approval)
    return caf::none;
  auto plan = plans.get(id);
  if (!plan)
    return plan.error();
  if (person(plan->created_by) == person(who.subject))
    return make_error(ec::forbidden,
                      "'" + who.subject + "' created plan " + id
                        + " and may not approve it; another person must "
                          "(plans.allow_self_approval is off)");
  return caf::none;
}

} // namespace

bool may_decide_plans(const identity& who) {
  return who.role == "approver" || who.role == "admin";
}

caf::expected<std::string> approve_plan(storage::plan_store& plans,
                                        storage::audit_log& audit,
                                        const identity& who,
                                        const std::string& id) {
  if (auto err = check(plans, who, id, true)) {
    record(audit, who, id, "denied", error_message(err));
    return err;
  }
  auto token = plans.approve(id, who.subject);
  if (!token) {
    record(audit, who, id, "denied", error_message(token.error()));
    return token.error();
  }
  record(audit, who, id, "approved", {});
  return token;
}

caf::expected<plan_record> reject_plan(storage::plan_store& plans,
                                       storage::audit_log& audit,
                                       const identity& who,
                                       const std::string& id,
                                       const std::string& reason) {
  if (auto err = check(plans, who, id, false)) {
    record(audit, who, id, "denied", error_message(err));
    return err;
  }
  auto p = plans.reject(id, who.subject, reason);
  if (!p) {
    record(audit, who, id, "denied", error_message(p.error()));
    return p.error();
  }
  record(audit, who, id, "rejected", reason);
  return p;
}

} // namespace rmcp::app
