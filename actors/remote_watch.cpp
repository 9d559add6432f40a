#include "actors/remote_watch.hpp"

#include <string>

#include <caf/abstract_actor.hpp>
#include <caf/attachable.hpp>
#include <caf/exit_reason.hpp>
#include <caf/make_message.hpp>

#include "protocol/error.hpp"

namespace rmcp {

namespace {

/// Marks our attachables for `detach` (CAF's own subtypes are 0 to 3).
constexpr size_t watch_token_type = 0x726d6370; // "rmcp"

std::string watch_reason_text(const caf::error& reason) {
  if (reason.category() == caf::atom("exit"))
    return caf::to_string(static_cast<caf::exit_reason>(reason.code()));
  return "code " + std::to_string(reason.code());
}

class lost_receiver final : public caf::attachable {
public:
  lost_receiver(caf::weak_actor_ptr requester, caf::message_id response,
                std::string_view lost)
    : requester_(std::move(requester)), response_(response), lost_(lost) {
    // nop
  }

  void actor_exited(const caf::error& reason,
                    caf::execution_unit* host) override {
    auto to = requester_.lock();
    if (!to)
      return;
    auto err = make_error(ec::device_moving,
                          lost_ + " (" + watch_reason_text(reason) + ")");
    to->enqueue(nullptr, response_, caf::make_message(std::move(err)), host);
  }

  bool matches(const token& what) override {
    return what.subtype == watch_token_type && what.ptr == this;
  }

private:
  caf::weak_actor_ptr requester_;
  caf::message_id response_;
  std::string lost_;
};

} // namespace

remote_watch::remote_watch(caf::strong_actor_ptr target, const void* token)
  : target_(std::move(target)), token_(token) {
  // nop
}

remote_watch::~remote_watch() {
  target_->get()->detach(caf::attachable::token{watch_token_type, token_});
}

std::shared_ptr<remote_watch> watch_remote(caf::local_actor* self,
                                           const caf::strong_actor_ptr& target,
                                           caf::message_id response,
                                           std::string_view lost) {
  if (!target || target->node() == self->node())
    return nullptr;
  auto a = std::make_unique<lost_receiver>(caf::weak_actor_ptr{self->ctrl()},
                                           response, lost);
  const void* token = a.get();
  // Already dead: CAF runs actor_exited at once, and the detach finds
  // nothing.
  target->get()->attach(std::move(a));
  return std::make_shared<remote_watch>(target, token);
}

} // namespace rmcp
