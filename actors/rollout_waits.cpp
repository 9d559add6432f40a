// The rollout coordinator's progress notifications, waits and cancels
// (actors/detail/rollout_coordinator.hpp): one wait at a time (gate delay,
// pause, dead-man wait); a cancel ends a gate delay or pause at once,
// whether it arrives as `(cancel)` from the manager (config_rollback_plan,
// this process) or is found by re-reading the plan every
// settings.cancel_poll (`routeros-mcp plan cancel`, another process).
// And a cluster takeover's wait for its devices to have owners again.

#include <algorithm>

#include "actors/detail/rollout_coordinator.hpp"
#include "actors/device_ops.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp::detail {

void coordinator::progress(const std::string& message) {
  if (progress_token.is_null() || !session)
    return;
  progress_sent += 1;
  progress_total = std::max(progress_total, progress_sent);
  self->send(session, atom::progress_v, request_key, progress_token,
             progress_sent, json(progress_total), message);
}

void coordinator::expect_steps(size_t more) {
  progress_total = progress_sent + static_cast<double>(more);
}

void coordinator::wait(std::chrono::milliseconds d, std::function<void()> next,
                       bool forward) {
  on_tick = std::move(next);
  forward_wait = forward;
  self->delayed_send(self, d, atom::tick_v, ++wait_seq);
  if (forward && d > deps.settings.cancel_poll)
    self->delayed_send(self, deps.settings.cancel_poll, atom::poll_v, wait_seq);
}

void coordinator::on_wait_over(uint64_t seq) {
  if (seq != wait_seq || !on_tick)
    return;
  auto next = std::move(on_tick);
  on_tick = nullptr;
  next();
}

void coordinator::await_owners(int left, std::function<void()> next) {
  auto ids = std::make_shared<std::vector<std::string>>();
  for (auto& d : plan.devices)
    ids->push_back(d.id);
  auto moving = std::make_shared<std::vector<std::string>>();
  fan_out(
    ids->size(), parallel(),
    [this, ids, moving](size_t i, std::function<void()> done) {
      const auto& id = (*ids)[i];
      device_ops::with_device(
        self, deps.fleet, id, [done](device_handle) { done(); },
        [id, moving, done](caf::error err) {
          if (error_code_of(err) == ec::device_moving)
            moving->push_back(id);
          done();
        });
    },
    nullptr,
    [this, left, moving, next{std::move(next)}]() mutable {
      if (moving->empty()) {
        next();
        return;
      }
      if (left <= 0) {
        log::warn(log::rollout(), "rollout-takeover-devices-moving",
                  {{"plan_id", plan_id},
                   {"devices", moving->size()},
                   {"first", moving->front()}});
        next();
        return;
      }
      wait(
        owner_poll,
        [this, left, next{std::move(next)}]() mutable {
          await_owners(left - 1, std::move(next));
        },
        false);
    });
}

void coordinator::on_poll(uint64_t seq) {
  if (seq != wait_seq || !on_tick)
    return;
  self->request(deps.plans, store_timeout, atom::get_v, atom::plan_v, plan_id)
    .then(
      [this, seq](plan_record& rec) {
        take_cancel(rec);
        if (seq == wait_seq && on_tick)
          self->delayed_send(self, deps.settings.cancel_poll, atom::poll_v,
                             seq);
      },
      [this, seq](caf::error& err) {
        // The wait goes on; the next poll (or the step after it) looks again.
        log::warn(log::rollout(), "rollout-poll-failed",
                  {{"plan_id", plan_id}, {"error", error_message(err)}});
        if (seq == wait_seq && on_tick)
          self->delayed_send(self, deps.settings.cancel_poll, atom::poll_v,
                             seq);
      });
}

void coordinator::on_cancel() {
  self->request(deps.plans, store_timeout, atom::get_v, atom::plan_v, plan_id)
    .then([this](plan_record& rec) { take_cancel(rec); },
          [this](caf::error& err) {
            log::warn(log::rollout(), "rollout-cancel-read-failed",
                      {{"plan_id", plan_id}, {"error", error_message(err)}});
          });
}

void coordinator::take_cancel(const plan_record& fresh) {
  // Only the cancel fields: the rest of `plan` is the coordinator's own
  // view, kept by its journal writes.
  if (fresh.cancel_requested && !plan.cancel_requested) {
    plan.cancel_requested = true;
    plan.closed_by = fresh.closed_by;
    plan.reason = fresh.reason;
  }
  interrupt_wait();
}

void coordinator::interrupt_wait() {
  if (!on_tick || !forward_wait || !cancel_wanted())
    return;
  log::info(log::rollout(), "rollout-wait-interrupted",
            {{"plan_id", plan_id}, {"reason", cancel_reason()}});
  ++wait_seq; // the pending tick and poll are stale now
  auto next = std::move(on_tick);
  on_tick = nullptr;
  next();
}

} // namespace rmcp::detail
