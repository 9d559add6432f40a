#include "src/console/console_api.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include <caf/event_based_actor.hpp>

#include "protocol/audit.hpp"
#include "protocol/authz.hpp"
#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/log.hpp"
#include "src/tools/device_report.hpp"
#include "storage/encoding.hpp"

namespace rmcp::console {

namespace {

/// How long a view waits for each service actor.
constexpr auto view_timeout = std::chrono::seconds{10};

/// Health samples of the device view's chart.
constexpr uint32_t history_samples = 60;

/// Lines of a snapshot counted, not shown: the view names the snapshot
/// and shows the drift record's changed lines.
size_t count_lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

void respond_ok(const transport::channel_ptr& ch, const json& body) {
  ch->respond_json(200, dump_json(body));
}

void respond_failure(const transport::channel_ptr& ch, const caf::error& err) {
  auto code = error_code_of(err);
  unsigned status = code == ec::device_not_found || code == ec::plan_not_found
                        || code == ec::resource_not_found
                      ? 404
                    : code == ec::forbidden ? 403
                                            : 503;
  respond_error(ch, status, code, error_message(err));
}

json device_json(const device_view& v) {
  return {{"id", v.record.id},
          {"name", v.record.name},
          {"environment", v.record.environment},
          {"tags", v.record.tags},
          {"management_path", v.record.management_path},
          {"address", v.record.host + ":" + std::to_string(v.record.port)},
          {"health", tools::health_json(v.last)}};
}

std::vector<std::string> plan_device_ids(const plan_record& p) {
  std::vector<std::string> out;
  for (auto& d : p.devices)
    out.push_back(d.id);
  return out;
}

/// Whether `who` may see `plan` (the same rule as the plan tools); `views`
/// are the registered devices (needed only for a scoped identity).
bool plan_visible(const identity& who, const plan_record& plan,
                  const std::vector<device_view>& views) {
  if (who.scope.everything())
    return true;
  std::map<std::string, const device_record*> by_id;
  for (auto& v : views)
    by_id[v.record.id] = &v.record;
  auto find = [&by_id](const std::string& id) -> const device_record* {
    auto i = by_id.find(id);
    return i == by_id.end() ? nullptr : i->second;
  };
  return static_cast<bool>(
    authz::authorize_plan(who, {plan.id, true, plan.creator_scope_known,
                                authz::facts_of(plan_device_ids(plan), find)}));
}

json plan_summary(const plan_record& p) {
  return {{"id", p.id},
          {"kind", p.kind},
          {"tool", p.tool},
          {"state", to_string(p.state)},
          {"created_by", p.created_by},
          {"created_at", storage::iso_utc(p.created_at)},
          {"updated_at", storage::iso_utc(p.updated_at)},
          {"description", p.description},
          {"risk", p.risk},
          {"environment", p.environment},
          {"devices", plan_device_ids(p)},
          {"batches", p.batches.size()},
          {"approved_by", p.approved_by}};
}

bool may_decide(const identity& who, const plan_record& p) {
  return (who.role == "approver" || who.role == "admin")
         && p.state == plan_state::pending && p.created_by != who.subject;
}

/// The parts of the device view, gathered from parallel requests and
/// answered once the last one is in.
struct device_page {
  transport::channel_ptr ch;
  json out = json::object();
  int left = 3;

  void done() {
    if (--left == 0)
      respond_ok(ch, out);
  }
};

/// The store's parts of the device view (history, snapshot, drift).
void gather_device(caf::event_based_actor* self, const services_ptr& svc,
                   const std::string& id, std::shared_ptr<device_page> page) {
  self
    ->request(svc->store, view_timeout, atom::get_v, atom::health_v, id,
              history_samples)
    .then(
      [page](std::vector<health_sample>& samples) {
        json history = json::array();
        for (auto& s : samples)
          history.push_back(tools::health_json(s));
        page->out["history"] = std::move(history);
        page->done();
      },
      [page](caf::error&) {
        page->out["history"] = json::array();
        page->done();
      });
  self
    ->request(svc->store, view_timeout, atom::get_v, atom::snapshot_v, id,
              std::string{"config"})
    .then(
      [page](snapshot_record& s) {
        page->out["snapshot"] = {{"id", s.id},
                                 {"taken_at", storage::iso_utc(s.timestamp)},
                                 {"sha256", s.sha256},
                                 {"lines", count_lines(s.content)}};
        page->done();
      },
      [page](caf::error&) {
        page->out["snapshot"] = nullptr;
        page->done();
      });
  self
    ->request(svc->store, view_timeout, atom::get_v, atom::snapshot_v, id,
              std::string{"config-drift"})
    .then(
      [page](snapshot_record& s) {
        auto drift = parse_json_bounded(s.content);
        page->out["drift"] = drift ? *drift : json(nullptr);
        if (drift && page->out["drift"].is_object())
          page->out["drift"]["recorded_at"] = storage::iso_utc(s.timestamp);
        page->done();
      },
      [page](caf::error&) {
        page->out["drift"] = nullptr;
        page->done();
      });
}

} // namespace

void respond_error(const transport::channel_ptr& ch, unsigned status, ec code,
                   const std::string& message) {
  ch->respond_json(status, transport::error_body(code, message));
}

json plan_json(const plan_record& plan) {
  auto out = to_json(plan);
  out.erase("approval_nonce");
  return out;
}

void audit_action(const services_ptr& svc, const identity& who,
                  const std::string& action, json arguments) {
  if (!svc->store)
    return;
  audit_record rec;
  rec.actor = who.subject;
  rec.tool = action;
  rec.outcome = "ok";
  rec.kind = audit_kind::call;
  rec.role = who.role;
  rec.transport = who.transport;
  rec.arguments = std::move(arguments);
  svc->system->spawn([store{svc->store}, rec](caf::event_based_actor* self) {
    self->request(store, view_timeout, atom::put_v, rec)
      .then([](uint64_t) {},
            [](caf::error& err) {
              log::error(log::http(), "console-audit-failed",
                         {{"error", error_message(err)}});
            });
  });
}

void list_devices(services_ptr svc, identity who, transport::channel_ptr ch) {
  svc->system->spawn([svc, who{std::move(who)},
                      ch{std::move(ch)}](caf::event_based_actor* self) {
    self->request(svc->fleet, view_timeout, atom::get_v, atom::devices_v)
      .then(
        [ch, who](std::vector<device_view>& views) {
          json out = json::array();
          for (auto& v : views)
            if (authz::in_scope(who.scope, authz::facts_of(v.record)))
              out.push_back(device_json(v));
          respond_ok(ch, {{"devices", std::move(out)}});
        },
        [ch](caf::error& err) { respond_failure(ch, err); });
  });
}

void show_device(services_ptr svc, identity who, std::string id,
                 transport::channel_ptr ch) {
  svc->system->spawn([svc, who{std::move(who)}, id{std::move(id)},
                      ch{std::move(ch)}](caf::event_based_actor* self) {
    self->request(svc->fleet, view_timeout, atom::get_v, id, atom::view_v)
      .then(
        [self, svc, who, id, ch](device_view& v) {
          if (!authz::in_scope(who.scope, authz::facts_of(v.record))) {
            respond_error(ch, 404, ec::device_not_found,
                          "no device '" + id + "'");
            return;
          }
          auto page = std::make_shared<device_page>();
          page->ch = ch;
          page->out["device"] = device_json(v);
          if (!svc->store) {
            page->out["history"] = json::array();
            page->out["snapshot"] = page->out["drift"] = nullptr;
            respond_ok(ch, page->out);
            return;
          }
          gather_device(self, svc, id, std::move(page));
        },
        [ch, id](caf::error& err) {
          if (error_code_of(err) == ec::device_not_found)
            respond_error(ch, 404, ec::device_not_found,
                          "no device '" + id + "'");
          else
            respond_failure(ch, err);
        });
  });
}

void list_plans(services_ptr svc, identity who, transport::channel_ptr ch) {
  svc->system->spawn([svc, who{std::move(who)},
                      ch{std::move(ch)}](caf::event_based_actor* self) {
    self->request(svc->fleet, view_timeout, atom::get_v, atom::devices_v)
      .then(
        [self, svc, who, ch](std::vector<device_view>& views) {
          self->request(svc->plans, view_timeout, atom::get_v, atom::plans_v)
            .then(
              [who, ch, views](std::vector<plan_record>& plans) {
                json out = json::array();
                for (auto& p : plans)
                  if (plan_visible(who, p, views))
                    out.push_back(plan_summary(p));
                respond_ok(ch, {{"plans", std::move(out)}});
              },
              [ch](caf::error& err) { respond_failure(ch, err); });
        },
        [ch](caf::error& err) { respond_failure(ch, err); });
  });
}

void show_plan(services_ptr svc, identity who, std::string id,
               transport::channel_ptr ch) {
  svc->system->spawn([svc, who{std::move(who)}, id{std::move(id)},
                      ch{std::move(ch)}](caf::event_based_actor* self) {
    auto views = std::make_shared<std::vector<device_view>>();
    auto plan = std::make_shared<plan_record>();
    auto journal = [self, svc, who, id, ch, views, plan] {
      if (!plan_visible(who, *plan, *views)) {
        respond_error(ch, 404, ec::plan_not_found, "no plan '" + id + "'");
        return;
      }
      self->request(svc->plans, view_timeout, atom::get_v, atom::journal_v, id)
        .then(
          [who, ch, plan](std::vector<plan_step>& steps) {
            json out = json::array();
            for (auto& s : steps)
              out.push_back(to_json(s));
            respond_ok(ch, {{"plan", plan_json(*plan)},
                            {"journal", std::move(out)},
                            {"may_decide", may_decide(who, *plan)}});
          },
          [ch](caf::error& err) { respond_failure(ch, err); });
    };
    self->request(svc->plans, view_timeout, atom::get_v, atom::plan_v, id)
      .then(
        [self, svc, who, ch, views, plan, journal](plan_record& p) {
          *plan = std::move(p);
          if (who.scope.everything())
            return journal();
          self->request(svc->fleet, view_timeout, atom::get_v, atom::devices_v)
            .then(
              [views, journal](std::vector<device_view>& vs) {
                *views = std::move(vs);
                journal();
              },
              [ch](caf::error& err) { respond_failure(ch, err); });
        },
        [ch, who, id](caf::error& err) {
          // A scoped caller learns nothing about plans outside its scope.
          if (!who.scope.everything())
            respond_error(ch, 404, ec::plan_not_found, "no plan '" + id + "'");
          else
            respond_failure(ch, err);
        });
  });
}

} // namespace rmcp::console
