#pragma once

// Requests to an actor on another node that fail fast when the connection
// to that node is lost.
//
// CAF 0.17.6 kills the proxies of a node whose middleman connection is lost
// (`exit_reason::remote_link_unreachable`) and drops whatever was on its way
// over that connection without answering: a request in flight would wait out
// its whole timeout, and one sent to the dead proxy afterwards too.
// `request_watched` sends the request as `self->request` does and, when the
// receiver is a proxy, attaches a watch to it for as long as the request is
// pending: when the proxy dies, `self` at once receives the request's
// response, a retryable `device_moving` error with `lost` as its message.
// The watch lives inside the error handler (CAF destroys both handlers of a
// request together once its answer or its timeout arrived, or when `self`
// quits) and detaches from the proxy when destroyed, so nothing stays on a
// long-lived proxy. A local receiver costs one node comparison.
//
//   request_watched(self, dev, "the owner of the device was lost",
//                   timeout, atom::exec_v, req)
//     .then([](rest_response& r) { ... }, [](caf::error& err) { ... });

#include <memory>
#include <string_view>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/actor_control_block.hpp>
#include <caf/error.hpp>
#include <caf/local_actor.hpp>
#include <caf/message_id.hpp>

#include "actors/request_timeout.hpp"

namespace rmcp {

/// One request's watch on a proxy; detaches when destroyed.
class remote_watch {
public:
  remote_watch(caf::strong_actor_ptr target, const void* token);
  ~remote_watch();
  remote_watch(const remote_watch&) = delete;
  remote_watch& operator=(const remote_watch&) = delete;

  void failed(const caf::error&) {
    // The watch ends with the request, whatever its answer.
  }

private:
  caf::strong_actor_ptr target_;
  const void* token_;
};

/// Attaches to `target`, when it is on another node, the watch of the
/// request of `self` whose answer `response` awaits (a response handle's
/// `id()`); null (nothing attached) when it is local or null.
std::shared_ptr<remote_watch> watch_remote(caf::local_actor* self,
                                           const caf::strong_actor_ptr& target,
                                           caf::message_id response,
                                           std::string_view lost);

/// `self->request(dest, timeout, xs...)`, failed at once with `lost` when
/// `dest` is a proxy whose node's connection is lost.
template <class Self, class Dest, class Timeout, class... Ts>
auto request_watched(Self* self, const Dest& dest, std::string_view lost,
                     Timeout timeout, Ts&&... xs) {
  auto h = self->request(dest, timeout, std::forward<Ts>(xs)...);
  auto w = watch_remote(self, caf::actor_cast<caf::strong_actor_ptr>(dest),
                        h.id(), lost);
  return guarded_response<decltype(h), remote_watch>{std::move(h),
                                                     std::move(w)};
}

} // namespace rmcp
