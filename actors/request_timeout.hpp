#pragma once

// Deadlines of a long-lived actor's requests, kept by the actor itself
// instead of CAF's timer thread.
//
// CAF 0.17.6 hands every `self->request(dest, timeout, ...)` to its timer
// thread (`thread_safe_actor_clock`): a lock, a push into a ring buffer and,
// when the thread sleeps, a wake-up of it; nothing cancels the timeout when
// the answer arrives (`cancel_request_timeout` exists, no caller does), so
// the entry (a strong reference to the requester) stays in the timer's
// schedule until it fires and the requester then gets a `request_timeout`
// for a request it already handled. An actor that ends cancels all of its
// timeouts at once (`local_actor::cleanup`, one more push).
//
// `request_within(self, deadlines, dest, timeout, xs...)` sends the request
// with no CAF timeout (`caf::infinite`) and notes its deadline in the
// actor's `request_deadlines`. One sweep per actor, armed with CAF's clock
// only while requests are pending (at the earliest deadline, then at most
// once per `granularity`), fails the requests whose deadline passed by
// enqueueing to the actor exactly what CAF's clock would: the error
// `sec::request_timeout` under the request's response id. The request's
// error handler runs, as for a CAF timeout; a real answer that comes later
// finds no handler and CAF drops it, as after a CAF timeout. A request's
// note is dropped when its handlers are destroyed (answer, failure, or the
// actor quitting): a guard in its error handler, no CAF call per answer.
// A request therefore costs the timer thread nothing, and a busy actor one
// event per `granularity`; a request fails between its deadline and its
// deadline plus `granularity`.
//
//   std::shared_ptr<request_deadlines> deadlines =
//     std::make_shared<request_deadlines>();           // in the state
//   request_within(self, deadlines, call, timeout, atom::run_v)
//     .then([](json& r) { ... }, [](caf::error& err) { ... });
//
// Short-lived actors whose lifetime the requester bounds (a tool call,
// which the session ends at its deadline) need no deadline of their own
// and send with `caf::infinite` (tool_call::wait).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/duration.hpp>
#include <caf/error.hpp>
#include <caf/message_id.hpp>
#include <caf/scheduled_actor.hpp>

namespace rmcp {

/// The pending requests of one actor with their deadlines, and its sweep.
/// Used by that actor only (no locking).
class request_deadlines
  : public std::enable_shared_from_this<request_deadlines> {
public:
  using time_point = caf::actor_clock::time_point;

  explicit request_deadlines(caf::timespan granularity = std::chrono::seconds{
                               1});

  request_deadlines(const request_deadlines&) = delete;
  request_deadlines& operator=(const request_deadlines&) = delete;

  /// Notes the request of `self` whose answer `response` awaits (a
  /// response handle's `id()`), due at `due`; arms a sweep when none is
  /// armed early enough for it.
  void add(caf::scheduled_actor* self, caf::message_id response,
           time_point due);

  /// Drops the note of a request (its handlers are gone).
  void remove(caf::message_id response) noexcept;

  /// Requests noted and not yet answered, failed or timed out.
  size_t pending() const noexcept {
    return due_.size();
  }

  /// Sweeps armed with CAF's clock (0 or 1 while the deadlines are alike).
  size_t armed() const noexcept {
    return sweeps_.size();
  }

  /// Sweeps that ran (tests and the benchmark's reading).
  uint64_t sweeps_run() const noexcept {
    return sweeps_run_;
  }

private:
  /// Arms a sweep unless one armed before `at + granularity` exists.
  void cover(caf::scheduled_actor* self, time_point at);
  /// A sweep armed for `at` fired: fail what is due, arm the next.
  void sweep(caf::scheduled_actor* self, time_point at);

  caf::timespan granularity_;
  /// Deadline by response id (`message_id::integer_value`).
  std::unordered_map<uint64_t, time_point> due_;
  /// When the armed sweeps fire.
  std::vector<time_point> sweeps_;
  uint64_t sweeps_run_ = 0;
};

/// One request's note in a `request_deadlines`; drops it when destroyed.
class deadline_note {
public:
  deadline_note(std::shared_ptr<request_deadlines> table,
                caf::message_id response)
    : table_(std::move(table)), response_(response) {
    // nop
  }

  ~deadline_note() {
    table_->remove(response_);
  }

  deadline_note(const deadline_note&) = delete;
  deadline_note& operator=(const deadline_note&) = delete;

  void failed(const caf::error&) {
    // The note ends with the request, whatever its answer.
  }

private:
  std::shared_ptr<request_deadlines> table_;
  caf::message_id response_;
};

/// A response handle with a guard kept in its error handler, so that the
/// guard lives exactly as long as the request is pending (CAF destroys both
/// handlers together once the answer or the timeout arrived, or when the
/// requester quits); the guard hears of every error first (`failed`).
/// `then` takes the same handlers as CAF's (the error handler gets a
/// `caf::error&`). Also used by `request_watched` (remote_watch.hpp).
template <class Handle, class Guard>
struct guarded_response {
  Handle handle;
  std::shared_ptr<Guard> guard;

  template <class OnValue, class OnError>
  void then(OnValue on_value, OnError on_error) const {
    handle.then(std::move(on_value),
                [g = guard, on_error = std::move(on_error)](caf::error& err) {
                  if (g)
                    g->failed(err);
                  on_error(err);
                });
  }
};

/// `self->request(dest, timeout, xs...)` whose deadline `deadlines` keeps
/// instead of CAF's timer thread: it fails with `sec::request_timeout`
/// between `timeout` and `timeout` plus the sweep's granularity.
template <class Self, class Dest, class Timeout, class... Ts>
auto request_within(Self* self,
                    const std::shared_ptr<request_deadlines>& deadlines,
                    const Dest& dest, Timeout timeout, Ts&&... xs) {
  auto h = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
  auto due =
    self->clock().now() + std::chrono::duration_cast<caf::timespan>(timeout);
  deadlines->add(self, h.id(), due);
  auto note = std::make_shared<deadline_note>(deadlines, h.id());
  return guarded_response<decltype(h), deadline_note>{std::move(h),
                                                      std::move(note)};
}

} // namespace rmcp
