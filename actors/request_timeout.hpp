#pragma once

// Requests of long-lived actors whose timeout is cancelled when the answer
// arrives.
//
// CAF 0.17.6 registers the timeout of `self->request(dest, timeout, ...)`
// with its timer thread and never cancels it when the answer arrives: the
// entry (a strong reference to the requester, about 200 bytes) stays in the
// timer's schedule until it fires, and then the requester gets a
// `request_timeout` message for a request it already handled, which it
// drops. An actor that ends cancels all of its timeouts at once
// (`local_actor::cleanup`), so a short-lived actor (a tool call) loses
// nothing; a long-lived one (the MCP session, 30 s per tool call) pays a
// timer event and a stale message per request, and holds the memory of
// every request of the last timeout period.
//
// `request_cancelling` sends the request as `self->request` does and puts a
// guard into the error handler: CAF destroys both handlers of a request
// together once its answer (or its timeout) arrived, or when `self` quits,
// and the guard's destructor cancels the timeout (one event for the timer
// thread). A timeout that fired is not cancelled again, nor are the
// timeouts of an actor that ends (its end cancels them all).
//
//   request_cancelling(self, call, timeout, atom::run_v)
//     .then([](json& r) { ... }, [](caf::error& err) { ... });

#include <memory>
#include <utility>

#include <caf/abstract_actor.hpp>
#include <caf/actor_clock.hpp>
#include <caf/actor_control_block.hpp>
#include <caf/error.hpp>
#include <caf/local_actor.hpp>
#include <caf/message_id.hpp>
#include <caf/sec.hpp>

namespace rmcp {

/// Cancels the timeout of the request of `self` whose answer `response`
/// awaits (a response handle's `id()`) when destroyed, unless it fired.
class timeout_cancel {
public:
  timeout_cancel(caf::local_actor* self, caf::message_id response)
    : self_(self), response_(response) {
    // nop
  }

  ~timeout_cancel() {
    // An actor that ends (it quit, or it is destroyed with requests
    // pending: no strong reference left) drops its handlers and cancels
    // all of its timeouts in one event (`local_actor::cleanup`); nothing
    // to add then, and the clock may have stopped already.
    constexpr int ending = caf::abstract_actor::is_shutting_down_flag
                           | caf::abstract_actor::is_terminated_flag
                           | caf::abstract_actor::is_cleaned_up_flag;
    if (self_ == nullptr || self_->getf(ending)
        || self_->ctrl()->strong_refs == 0)
      return;
    self_->clock().cancel_request_timeout(self_, response_);
  }

  timeout_cancel(const timeout_cancel&) = delete;
  timeout_cancel& operator=(const timeout_cancel&) = delete;

  /// A timeout that fired leaves nothing to cancel.
  void failed(const caf::error& err) {
    if (err == caf::sec::request_timeout)
      self_ = nullptr;
  }

private:
  caf::local_actor* self_;
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

/// `self->request(dest, timeout, xs...)` whose timeout is cancelled when the
/// answer arrives.
template <class Self, class Dest, class Timeout, class... Ts>
auto request_cancelling(Self* self, const Dest& dest, Timeout timeout,
                        Ts&&... xs) {
  auto h = self->request(dest, timeout, std::forward<Ts>(xs)...);
  auto c = std::make_shared<timeout_cancel>(self, h.id());
  return guarded_response<decltype(h), timeout_cancel>{std::move(h),
                                                       std::move(c)};
}

} // namespace rmcp
