#include "actors/plan_actor.hpp"

#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/detail/group_commit.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "storage/plan_approvals.hpp"

namespace rmcp {

namespace {

/// The implementation's interface: the public protocol plus the internal
/// `(flush)` it sends itself to group-commit journal steps.
using plan_impl_actor =
  plan_store_actor::extend<caf::reacts_to<atom::flush>,
                           caf::reacts_to<atom::poll, uint64_t>>;

/// Deadline of writing a decision's audit record through the store actor.
constexpr auto audit_timeout = std::chrono::seconds{10};

/// How often plans with a waiting apply are read again: decisions made
/// elsewhere (the CLI's own store handle, another node of a cluster) are
/// seen within this time.
constexpr auto handoff_poll = std::chrono::seconds{1};

/// An apply call waiting for the approval of a hand_to_apply plan.
struct handoff_waiter {
  caf::typed_response_promise<plan_record> promise;
  caf::actor_clock::time_point deadline;
  int64_t wait_ms = 0;
};

struct plan_actor_state {
  static inline const char* name = "rmcp.plans";

  explicit plan_actor_state(plan_impl_actor::pointer self) : self(self) {
    // nop
  }

  plan_impl_actor::pointer self;

  std::shared_ptr<storage::plan_store> db;

  /// Writes the audit records of approvals and rejections.
  store_actor audit;

  /// Runs one plan store call after writing the buffered steps (every
  /// request observes the steps before it); logs failures and turns an
  /// escaping exception into store_failure.
  template <class T, class F>
  caf::result<T> call(const char* op, const std::string& subject, F&& fn) {
    flush();
    auto res = guarded(op, subject, std::forward<F>(fn));
    if (!res)
      return res.error();
    return std::move(*res);
  }

  template <class F>
  auto guarded(const char* op, const std::string& subject, F&& fn)
    -> decltype(fn()) {
    try {
      auto res = fn();
      if (!res)
        log::debug(log::rollout(), "plan-store-refused",
                   {{"op", op},
                    {"plan_id", subject},
                    {"error", error_message(res.error())}});
      return res;
    } catch (const std::exception& e) {
      log::error(log::rollout(), "plan-store-exception",
                 {{"op", op}, {"plan_id", subject}, {"what", e.what()}});
      return make_error(ec::store_failure,
                        std::string{"plan store: "} + e.what());
    }
  }

  // -- approvals and rejections -----------------------------------------------

  /// Runs one decision with the rules of storage/plan_approvals.hpp (the
  /// buffered steps written first, an escaping exception turned into
  /// store_failure), then writes its audit record through the store actor
  /// and calls `answer` with the outcome once the record is written. A
  /// failed audit write is logged; the decision stands.
  template <class T, class Decide>
  void decide(const char* op, const std::string& id, Decide&& fn,
              std::function<void(caf::expected<T>&)> answer) {
    flush();
    // A decision yields one record (rules in storage/plan_approvals.hpp).
    std::optional<audit_record> record;
    storage::plan_desk desk{
      *db, db->kv(), [&record](audit_record rec) { record = std::move(rec); }};
    auto outcome = std::make_shared<caf::expected<T>>(
      guarded(op, id, [&] { return fn(desk); }));
    if (!record) {
      answer(*outcome);
      return;
    }
    auto done = [outcome, answer] { answer(*outcome); };
    self->request(audit, audit_timeout, atom::put_v, std::move(*record))
      .then([done](uint64_t) { done(); },
            [done, id](caf::error& err) {
              log::error(log::rollout(), "plan-decision-audit-failed",
                         {{"plan_id", id}, {"error", error_message(err)}});
              done();
            });
  }

  // -- handing approvals to waiting applies ----------------------------------

  /// Waiting applies by plan id (several may wait for one plan: the first
  /// takes the approval, the others learn it was used).
  std::multimap<std::string, handoff_waiter> waiters;

  bool poll_queued = false;

  /// `(start, id, wait_ms)`: starts the plan when it is approved, waits
  /// while it is pending, refuses otherwise.
  caf::result<plan_record> start_or_wait(const std::string& id,
                                         int64_t wait_ms) {
    flush();
    auto plan = guarded("get", id, [&] { return db->get(id); });
    if (!plan)
      return plan.error();
    if (!plan->hand_to_apply || plan->state != plan_state::pending) {
      auto started = settle(*plan);
      if (!started)
        return started.error();
      return std::move(*started);
    }
    if (wait_ms <= 0)
      return make_error(ec::plan_state_invalid,
                        "plan " + id
                          + " is pending: no approver has approved "
                            "it yet");
    handoff_waiter w;
    w.promise = self->make_response_promise<plan_record>();
    w.deadline = self->clock().now() + std::chrono::milliseconds{wait_ms};
    w.wait_ms = wait_ms;
    auto promise = w.promise;
    waiters.emplace(id, std::move(w));
    log::info(log::rollout(), "plan-apply-waiting",
              {{"plan_id", id}, {"wait_ms", wait_ms}});
    schedule_poll();
    return promise;
  }

  /// The answer to a waiting apply for a plan no longer pending: started
  /// with its handed approval, or why not (rejected: by whom and why).
  caf::expected<plan_record> settle(const plan_record& plan) {
    if (plan.state == plan_state::cancelled && plan.hand_to_apply)
      return make_error(
        ec::plan_state_invalid,
        "plan " + plan.id + " was rejected by "
          + (plan.closed_by.empty() ? std::string{"?"} : plan.closed_by)
          + (plan.reason.empty() ? std::string{} : ": " + plan.reason)
          + "; nothing was changed");
    return guarded("start", plan.id,
                   [&] { return db->start(plan.id, std::string{}); });
  }

  /// Answers the applies waiting for `id` when it is no longer pending
  /// (after a decision here, or when a poll finds one made elsewhere),
  /// and those whose wait ran out.
  void release(const std::string& id) {
    auto [first, last] = waiters.equal_range(id);
    if (first == last)
      return;
    auto plan = guarded("get", id, [&] { return db->get(id); });
    auto now = self->clock().now();
    for (auto i = first; i != last;) {
      if (!plan) {
        i->second.promise.deliver(plan.error());
      } else if (plan->state != plan_state::pending) {
        auto res = settle(*plan);
        if (res) {
          i->second.promise.deliver(*res);
          plan = std::move(*res);
        } else {
          i->second.promise.deliver(res.error());
        }
      } else if (now >= i->second.deadline) {
        log::info(log::rollout(), "plan-apply-wait-ended", {{"plan_id", id}});
        i->second.promise.deliver(make_error(
          ec::tool_timeout,
          "no approver approved plan " + id + " within "
            + std::to_string(i->second.wait_ms / 1000)
            + " s; it is still pending: call the apply tool again to keep "
              "waiting"));
      } else {
        ++i;
        continue;
      }
      i = waiters.erase(i);
    }
  }

  void schedule_poll() {
    if (poll_queued || waiters.empty())
      return;
    poll_queued = true;
    self->delayed_send(self, handoff_poll, atom::poll_v, uint64_t{0});
  }

  void poll() {
    poll_queued = false;
    flush();
    std::vector<std::string> ids;
    for (auto& [id, w] : waiters)
      if (ids.empty() || ids.back() != id)
        ids.push_back(id);
    for (auto& id : ids)
      release(id);
    schedule_poll();
  }

  caf::error no_audit() const {
    return make_error(ec::unsupported,
                      "plan decisions are refused: no audit trail is open in "
                      "this process");
  }

  // -- group commit of journal steps (see actors/detail/group_commit.hpp) ----
  //
  // The coordinator journals the devices of a batch concurrently and every
  // commit waits for the disk. Each step is still answered only once it is
  // durable: "journaled before it is taken" holds.

  detail::group_commit<plan_step, step_receipt> steps;

  bool flush_queued = false;

  caf::result<step_receipt> buffer(plan_step step) {
    auto promise = self->make_response_promise<step_receipt>();
    if (steps.add(std::move(step), promise)) {
      flush();
    } else if (!flush_queued) {
      flush_queued = true;
      self->send(self, atom::flush_v);
    }
    return promise;
  }

  void flush() {
    steps.flush([this](std::vector<plan_step> batch) {
      auto first = batch.front().plan_id;
      return guarded("step", first, [&] {
        return caf::expected<std::vector<caf::expected<step_receipt>>>{
          db->step_all(std::move(batch))};
      });
    });
  }
};

plan_impl_actor::behavior_type
plan_impl(plan_impl_actor::stateful_pointer<plan_actor_state> self,
          std::shared_ptr<storage::plan_store> db, store_actor audit) {
  self->state.db = std::move(db);
  self->state.audit = std::move(audit);
  auto& st = self->state;
  return {
    [&st](atom::put, plan_record& plan) -> caf::result<plan_record> {
      return st.call<plan_record>(
        "create", plan.id, [&] { return st.db->create(std::move(plan)); });
    },
    [&st](atom::get, atom::plan,
          const std::string& id) -> caf::result<plan_record> {
      return st.call<plan_record>("get", id, [&] { return st.db->get(id); });
    },
    [&st](atom::get, atom::plans) -> caf::result<std::vector<plan_record>> {
      return st.call<std::vector<plan_record>>("list", "",
                                               [&] { return st.db->list(); });
    },
    [&st](atom::start, const std::string& id,
          const std::string& token) -> caf::result<plan_record> {
      return st.call<plan_record>("start", id,
                                  [&] { return st.db->start(id, token); });
    },
    [&st](atom::start, const std::string& id, int64_t wait_ms)
      -> caf::result<plan_record> { return st.start_or_wait(id, wait_ms); },
    [&st](atom::poll, uint64_t) { st.poll(); },
    [&st](atom::put, plan_step& step) -> caf::result<step_receipt> {
      return st.buffer(std::move(step));
    },
    [&st](atom::get, atom::journal,
          const std::string& id) -> caf::result<std::vector<plan_step>> {
      return st.call<std::vector<plan_step>>(
        "journal", id, [&] { return st.db->journal(id); });
    },
    [&st](atom::cancel, const std::string& id, const std::string& who,
          const std::string& reason) -> caf::result<plan_record> {
      return st.call<plan_record>(
        "cancel", id, [&] { return st.db->cancel(id, who, reason); });
    },
    [&st](atom::approve, const identity& who,
          const std::string& id) -> caf::result<plan_record, std::string> {
      if (!st.audit)
        return st.no_audit();
      auto promise = st.self->make_response_promise<plan_record, std::string>();
      st.decide<storage::plan_approval>(
        "approve", id,
        [&](const storage::plan_desk& desk) {
          return storage::approve_plan(desk, who, id);
        },
        [&st, promise, id](caf::expected<storage::plan_approval>& res) mutable {
          if (!res) {
            promise.deliver(std::move(res.error()));
            return;
          }
          // A waiting apply takes the approval before the approver hears
          // back: the plan answered is then executing.
          if (res->plan.hand_to_apply && st.waiters.count(id) > 0) {
            st.release(id);
            if (auto now =
                  st.guarded("get", id, [&] { return st.db->get(id); }))
              res->plan = std::move(*now);
          }
          promise.deliver(std::move(res->plan), std::move(res->token));
        });
      return promise;
    },
    [&st](atom::reject, const identity& who, const std::string& id,
          const std::string& reason) -> caf::result<plan_record> {
      if (!st.audit)
        return st.no_audit();
      auto promise = st.self->make_response_promise<plan_record>();
      st.decide<plan_record>(
        "reject", id,
        [&](const storage::plan_desk& desk) {
          return storage::reject_plan(desk, who, id, reason);
        },
        [&st, promise, id](caf::expected<plan_record>& res) mutable {
          if (res)
            st.release(id);
          if (res)
            promise.deliver(std::move(*res));
          else
            promise.deliver(std::move(res.error()));
        });
      return promise;
    },
    [&st](atom::flush) {
      st.flush_queued = false;
      st.flush();
    },
  };
}

} // namespace

plan_store_actor spawn_plan_actor(caf::actor_system& sys,
                                  std::shared_ptr<storage::plan_store> db,
                                  bool detached, store_actor audit) {
  plan_impl_actor impl;
  if (detached)
    impl = sys.spawn<caf::detached>(plan_impl, std::move(db), std::move(audit));
  else
    impl = sys.spawn(plan_impl, std::move(db), std::move(audit));
  return impl;
}

} // namespace rmcp
