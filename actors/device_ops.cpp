#include "actors/device_ops.hpp"

#include "protocol/error.hpp"

namespace rmcp::device_ops {

caf::error
usable(const device_handle& h,
       const std::function<caf::error(const device_record&)>& check) {
  if (check)
    if (auto err = check(h.view.record))
      return err;
  if (h.unavailable)
    return h.unavailable;
  if (!h.actor)
    return make_error(ec::internal_error,
                      "the fleet answered device '" + h.view.record.id
                        + "' without an actor and without a reason");
  return caf::none;
}

namespace detail {

read_join::read_join(size_t n, bool absent_null,
                     std::function<void(std::vector<json>&)> ok, fail_fn fail)
  : bodies(n), pending(n), absent_null(absent_null), ok(std::move(ok)),
    fail(std::move(fail)) {
  // nop
}

void read_join::answered(size_t i, json body) {
  if (over)
    return;
  bodies[i] = std::move(body);
  if (--pending == 0) {
    over = true;
    ok(bodies);
  }
}

void read_join::failed(size_t i, caf::error err) {
  if (over)
    return;
  if (absent_null && is_absent_menu(err)) {
    answered(i, nullptr);
    return;
  }
  over = true;
  fail(std::move(err));
}

} // namespace detail

} // namespace rmcp::device_ops
