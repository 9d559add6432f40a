#pragma once

// Requests from test code under the testing scheduler: `ask` spawns a
// throw-away actor that sends the request and stores the answer, so the
// test can run() the scheduler and then inspect the result.

#include <chrono>
#include <memory>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>

#include "protocol/error.hpp"

namespace rmcp::test {

template <class T>
using answer = std::shared_ptr<std::optional<caf::expected<T>>>;

/// Sends `xs...` to `dest` as a request; the answer (value or error) shows
/// up in the returned slot once the scheduler has run.
template <class T, class Handle, class... Ts>
answer<T> ask(caf::actor_system& sys, const Handle& dest, Ts... xs) {
  auto out = std::make_shared<std::optional<caf::expected<T>>>();
  sys.spawn([out, dest, xs...](caf::event_based_actor* self) {
    self->request(dest, std::chrono::seconds{86400}, xs...)
      .then([out](T& x) { *out = std::move(x); },
            [out](caf::error& err) { *out = std::move(err); });
  });
  return out;
}

/// The rmcp::ec of an answer that is an error; internal_error for a value
/// or no answer yet (so comparisons with the expected code fail).
template <class T>
ec code_of(const answer<T>& a) {
  return a->has_value() && !**a ? error_code_of((*a)->error())
                                : ec::internal_error;
}

} // namespace rmcp::test
