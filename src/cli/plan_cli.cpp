#include "src/cli/plan_cli.hpp"

#include <ctime>
#include <iostream>

#include "protocol/error.hpp"
#include "src/app/identities.hpp"
#include "src/app/store_setup.hpp"
#include "src/cli/cli_io.hpp"
#include "src/cli/device_cli.hpp"
#include "src/cli/plan_trace.hpp"
#include "storage/encoding.hpp"
#include "storage/plan_approvals.hpp"

namespace rmcp::cli {

namespace {

constexpr int refused = 6;

std::string time_text(int64_t ms) {
  return ms <= 0 ? "-" : storage::iso_utc(ms);
}

int exit_for(const caf::error& err) {
  switch (static_cast<ec>(err.code())) {
    case ec::plan_not_found:
      return exit_code::not_found;
    case ec::plan_state_invalid:
    case ec::forbidden:
      return refused;
    case ec::invalid_arguments:
      return exit_code::usage;
    default:
      return exit_code::failure;
  }
}

/// The plan without anything secret (there is nothing secret in a plan:
/// the token is never stored), plus its journal.
json report(const plan_record& p) {
  auto out = to_json(p);
  out.erase("approval_nonce");
  return out;
}

} // namespace

struct plan_cli::state {
  CLI::App* root = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* approve = nullptr;
  CLI::App* reject = nullptr;
  CLI::App* cancel = nullptr;
  CLI::App* trace = nullptr;
  std::string id;
  std::string as;
  std::string reason;
  bool as_json = false;
  std::shared_ptr<storage::plan_store> db;
  std::shared_ptr<storage::kv_store> kv;
  const config::server_options* opts = nullptr;

  int fail(const caf::error& err) {
    std::cerr << "routeros-mcp: " << error_message(err) << "\n";
    return exit_for(err);
  }

  int do_list() {
    auto plans = db->list();
    if (!plans)
      return fail(plans.error());
    if (as_json) {
      json out = json::array();
      for (auto& p : *plans)
        out.push_back(report(p));
      std::cout << out.dump(2) << "\n";
      return exit_code::ok;
    }
    if (plans->empty()) {
      std::cout << "no plans\n";
      return exit_code::ok;
    }
    std::vector<std::vector<std::string>> rows{
      {"ID", "STATE", "KIND", "RISK", "DEVICES", "CREATED BY", "CREATED"}};
    for (auto& p : *plans)
      rows.push_back({p.id, to_string(p.state), p.kind, p.risk,
                      std::to_string(p.devices.size()), p.created_by,
                      time_text(p.created_at)});
    std::cout << render_table(rows);
    return exit_code::ok;
  }

  int do_show() {
    auto p = db->get(id);
    if (!p)
      return fail(p.error());
    auto log = db->journal(id);
    if (!log)
      return fail(log.error());
    if (as_json) {
      auto out = report(*p);
      json steps = json::array();
      for (auto& s : *log)
        steps.push_back(to_json(s));
      out["journal"] = std::move(steps);
      std::cout << out.dump(2) << "\n";
      return exit_code::ok;
    }
    std::cout << "plan         " << p->id << "\n"
              << "state        " << to_string(p->state) << "\n"
              << "kind         " << p->kind << " (apply with " << p->apply_tool
              << ")\n"
              << "risk         " << p->risk << "\n"
              << "environment  " << p->environment << "\n"
              << "created by   " << p->created_by << " at "
              << time_text(p->created_at) << "\n";
    if (!p->description.empty())
      std::cout << "description  " << p->description << "\n";
    if (!p->approved_by.empty())
      std::cout << "approved by  " << p->approved_by << " at "
                << time_text(p->approved_at) << ", token valid until "
                << time_text(p->approval_expires_at)
                << (p->token_used ? " (used)" : "") << "\n";
    if (!p->closed_by.empty())
      std::cout << "closed by    " << p->closed_by << ": " << p->reason << "\n";
    std::cout << "parameters   " << p->params.dump() << "\n";
    for (auto& w : p->warnings)
      std::cout << "warning      " << w << "\n";
    std::cout << "\n";
    std::vector<std::vector<std::string>> rows{
      {"BATCH", "DEVICE", "STATE", "CURRENT", "INTENDED"}};
    for (size_t b = 0; b < p->batches.size(); ++b)
      for (auto& dev : p->batches[b]) {
        std::string current = "-", intended = "-";
        for (auto& pv : p->preview)
          if (pv.value("device_id", "") == dev) {
            current = pv.value("current", json::object()).dump();
            intended = pv.value("intended", json::object()).dump();
          }
        auto* d = find_device(*p, dev);
        rows.push_back({b == 0 ? "canary" : std::to_string(b), dev,
                        d ? d->state : "-", current, intended});
      }
    std::cout << render_table(rows) << "\n";
    std::vector<std::vector<std::string>> steps{
      {"#", "TIME", "EVENT", "BATCH", "DEVICE", "DETAIL"}};
    for (auto& s : *log)
      steps.push_back({std::to_string(s.seq), time_text(s.timestamp), s.event,
                       s.batch < 0 ? "-" : std::to_string(s.batch),
                       s.device_id.empty() ? "-" : s.device_id,
                       s.detail.empty() ? "" : s.detail.dump()});
    std::cout << render_table(steps);
    return exit_code::ok;
  }

  int do_trace() {
    auto p = db->get(id);
    if (!p)
      return fail(p.error());
    auto log = db->journal(id);
    if (!log)
      return fail(log.error());
    // The plan's records are all written after it was created.
    storage::audit_log audit{kv};
    auto records = audit.since(p->created_at);
    if (!records)
      return fail(records.error());
    auto t = plan_trace(*p, *log, *records);
    if (as_json)
      std::cout << t.dump(2) << "\n";
    else
      std::cout << render_plan_trace(t);
    return exit_code::ok;
  }

  int do_approve() {
    storage::audit_log audit{kv};
    auto approval = storage::approve_plan({*db, *kv, storage::append_to(audit)},
                                          app::cli_identity(*opts, as), id);
    if (!approval)
      return fail(approval.error());
    const auto* p = &approval->plan;
    const auto* token = &approval->token;
    if (p->hand_to_apply) {
      // No token exists: the daemon's apply call of the creator takes the
      // approval from the plan store (at once when one waits).
      if (as_json)
        std::cout << json{{"plan_id", id},
                          {"approved_by", p->approved_by},
                          {"expires_at", time_text(p->approval_expires_at)},
                          {"handed_to_apply", true}}
                       .dump(2)
                  << "\n";
      else
        std::cout << "approved " << id << " as " << p->approved_by
                  << "; the plan was made with hand_to_apply: the approval "
                     "goes to its creator's apply call (a waiting one takes "
                     "it within a second), no token; valid until "
                  << time_text(p->approval_expires_at) << "\n";
      return exit_code::ok;
    }
    if (as_json) {
      std::cout << json{{"plan_id", id},
                        {"approved_by", p->approved_by},
                        {"expires_at", time_text(p->approval_expires_at)},
                        {"approval_token", *token}}
                     .dump(2)
                << "\n";
      return exit_code::ok;
    }
    std::cout << "approved " << id << " as " << p->approved_by
              << "; the token is valid until "
              << time_text(p->approval_expires_at) << " and works once:\n"
              << *token << "\n";
    return exit_code::ok;
  }

  int do_cancel() {
    auto p = db->cancel(id, storage::decider_name(app::cli_identity(*opts, as)),
                        reason);
    if (!p)
      return fail(p.error());
    if (as_json) {
      std::cout << report(*p).dump(2) << "\n";
      return exit_code::ok;
    }
    if (p->state == plan_state::cancelled)
      std::cout << "cancelled " << id << " (" << reason
                << "); nothing had been changed\n";
    else
      std::cout << "cancel requested for " << id << " (" << reason
                << "): the rollout rolls back what it applied at its next "
                   "step; follow it with `routeros-mcp plan show "
                << id << "`\n";
    return exit_code::ok;
  }

  int do_reject() {
    storage::audit_log audit{kv};
    auto p = storage::reject_plan({*db, *kv, storage::append_to(audit)},
                                  app::cli_identity(*opts, as), id, reason);
    if (!p)
      return fail(p.error());
    if (as_json)
      std::cout << report(*p).dump(2) << "\n";
    else
      std::cout << "rejected " << id << " (" << reason << ")\n";
    return exit_code::ok;
  }
};

plan_cli::plan_cli(CLI::App& app) : state_(std::make_unique<state>()) {
  auto& s = *state_;
  s.root = app.add_subcommand("plan", "Inspect, approve and reject plans");
  s.root->require_subcommand(1);
  auto with_id = [&s](CLI::App* cmd) {
    cmd->add_option("id", s.id, "Plan id, e.g. plan-20250115093000-1a2b3c4d")
      ->required();
    cmd->add_flag("--json", s.as_json, "Print JSON instead of text");
    return cmd;
  };
  s.list = s.root->add_subcommand("list", "List plans, newest first");
  s.list->add_flag("--json", s.as_json, "Print JSON instead of a table");
  s.show = with_id(s.root->add_subcommand(
    "show", "Show a plan: parameters, per-device preview and journal"));
  s.trace = with_id(s.root->add_subcommand(
    "trace", "A rollout's timeline from its journal and the audit trail: "
             "who planned, approved and applied it, each device's steps "
             "with times, gates, rollback"));
  s.approve = with_id(s.root->add_subcommand(
    "approve", "Approve a pending plan and print its approval token"));
  s.approve->add_option("--as", s.as,
                        "Approver name, recorded beside the login name "
                        "(the creator may not approve under another name)");
  s.reject =
    with_id(s.root->add_subcommand("reject", "Reject (cancel) a plan"));
  s.reject->add_option("--as", s.as,
                       "Who rejects, recorded beside the login name");
  s.reject->add_option("--reason", s.reason, "Why")->required();
  s.cancel = with_id(s.root->add_subcommand(
    "cancel", "Cancel a plan; an executing one is rolled back"));
  s.cancel->add_option("--as", s.as,
                       "Who cancels, recorded beside the login name");
  s.cancel->add_option("--reason", s.reason, "Why")->required();
}

plan_cli::~plan_cli() = default;

bool plan_cli::parsed() const {
  return state_->root->parsed();
}

int plan_cli::run(const config::server_options& opts) {
  auto& s = *state_;
  auto store = app::open_store(opts);
  if (!store) {
    std::cerr << "routeros-mcp: cannot open the store: "
              << error_message(store.error()) << "\n";
    return exit_code::failure;
  }
  auto db = app::open_plan_store(opts, (*store)->kv());
  if (!db) {
    std::cerr << "routeros-mcp: cannot open the plans: "
              << error_message(db.error()) << "\n";
    return exit_code::failure;
  }
  s.db = std::move(*db);
  s.kv = (*store)->kv();
  s.opts = &opts;
  if (s.list->parsed())
    return s.do_list();
  if (s.show->parsed())
    return s.do_show();
  if (s.trace->parsed())
    return s.do_trace();
  if (s.approve->parsed())
    return s.do_approve();
  if (s.reject->parsed())
    return s.do_reject();
  if (s.cancel->parsed())
    return s.do_cancel();
  return exit_code::usage;
}

} // namespace rmcp::cli
