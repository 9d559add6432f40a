#include "actors/request_timeout.hpp"

#include <algorithm>

#include <caf/behavior.hpp>
#include <caf/message_priority.hpp>
#include <caf/sec.hpp>

namespace rmcp {

request_deadlines::request_deadlines(caf::timespan granularity)
  : granularity_(granularity) {
  // nop
}

void request_deadlines::add(caf::scheduled_actor* self,
                            caf::message_id response, time_point due) {
  due_[response.integer_value()] = due;
  cover(self, due);
}

void request_deadlines::remove(caf::message_id response) noexcept {
  due_.erase(response.integer_value());
}

void request_deadlines::cover(caf::scheduled_actor* self, time_point at) {
  // An armed sweep that fires before `at` arms the next one itself; one
  // that fires a little after it is close enough.
  if (!sweeps_.empty()
      && *std::min_element(sweeps_.begin(), sweeps_.end()) <= at + granularity_)
    return;
  // The sweep is a request nobody answers: CAF's clock delivers its
  // timeout to the handler registered under its response id, as for any
  // request (a typed actor needs no message for it in its interface).
  auto id = self->new_request_id(caf::message_priority::normal).response_id();
  sweeps_.push_back(at);
  self->add_multiplexed_response_handler(
    id, caf::behavior{[me = shared_from_this(), self, at](caf::error&) {
      me->sweep(self, at);
    }});
  self->clock().set_request_timeout(at, self, id);
}

void request_deadlines::sweep(caf::scheduled_actor* self, time_point at) {
  ++sweeps_run_;
  if (auto i = std::find(sweeps_.begin(), sweeps_.end(), at);
      i != sweeps_.end())
    sweeps_.erase(i);
  auto now = self->clock().now();
  std::vector<uint64_t> expired;
  auto next = time_point::max();
  for (auto& [id, due] : due_) {
    if (due <= now)
      expired.push_back(id);
    else
      next = std::min(next, due);
  }
  // What CAF's clock sends when a request times out
  // (simple_actor_clock::ship): the error under the response id.
  for (auto id : expired) {
    due_.erase(id);
    self->eq_impl(caf::message_id{id}, self->ctrl(), self->context(),
                  caf::sec::request_timeout);
  }
  if (!due_.empty())
    cover(self, std::max(next, now + granularity_));
}

} // namespace rmcp
