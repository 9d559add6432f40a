// plan_handoff.cpp -- starting a plan whose approval is handed to the
// creator's apply call (`hand_to_apply`): no token, the approval itself is
// the permission, once.
#include "protocol/error.hpp"
#include "storage/encoding.hpp"
#include "storage/plan_store.hpp"

namespace rmcp::storage {

caf::error plan_store::start_handed(plan_record& plan, plan_step& st) const {
  if (!plan.hand_to_apply)
    return make_error(ec::approval_invalid,
                      "plan " + plan.id
                        + " needs the approver's approval_token: it was not "
                          "made with hand_to_apply");
  if (plan.approved_by.empty())
    return make_error(ec::plan_state_invalid, "plan " + plan.id + " is "
                                                + to_string(plan.state)
                                                + " and has not been approved");
  if (plan.token_used)
    return make_error(ec::approval_used,
                      "the approval of plan " + plan.id
                        + " was already handed to an apply call; it is "
                          "single use");
  if (now() >= plan.approval_expires_at)
    return make_error(ec::approval_expired,
                      "the approval of plan " + plan.id + " expired at "
                        + iso_utc(plan.approval_expires_at)
                        + " before an apply call took it");
  if (plan.state != plan_state::approved)
    return check_transition(plan.id, plan.state, plan_state::executing);
  plan.token_used = true;
  st.detail = {{"handed_approval", true}};
  return caf::none;
}

} // namespace rmcp::storage
