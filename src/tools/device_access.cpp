#include "src/tools/device_access.hpp"

#include "protocol/error.hpp"

namespace rmcp::tools {

namespace {

caf::error check_access(const tool_call& call, const device_record& r,
                        const capability& extra) {
  const auto& env = call.svc().environment;
  if (r.environment != env)
    return make_error(ec::environment_mismatch,
                      "device '" + r.id + "' belongs to environment '"
                        + r.environment + "' but this service manages '" + env
                        + "'; cross-environment operations are refused");
  auto need = [&](bool device_flags::*flag, const char* name) -> caf::error {
    if (r.flags.*flag)
      return caf::none;
    return make_error(ec::capability_denied,
                      "device '" + r.id + "' does not allow this: tool '"
                        + call.tool().spec.name + "' needs the flag " + name
                        + " (set it with `routeros-mcp device update " + r.id
                        + " --" + std::string{name} + "`)");
  };
  switch (call.tool().spec.tier) {
    case mcp::tool_tier::advanced:
      if (auto err = need(&device_flags::allow_advanced_writes,
                          "allow_advanced_writes"))
        return err;
      break;
    case mcp::tool_tier::professional:
      if (auto err = need(&device_flags::allow_professional_workflows,
                          "allow_professional_workflows"))
        return err;
      break;
    default:
      break;
  }
  if (extra.flag != nullptr)
    return need(extra.flag, extra.name);
  return caf::none;
}

} // namespace

void with_device(tool_call& call, std::function<void(device_handle)> next,
                 capability extra) {
  const auto& fleet = call.svc().fleet;
  if (!fleet) {
    call.fail(ec::unsupported,
              "no device registry is configured in this service");
    return;
  }
  auto id = call.arg<std::string>("device_id", "");
  auto* self = call.self();
  self->request(fleet, fleet_timeout, atom::get_v, id, atom::view_v)
    .then(
      [&call, self, fleet, id, extra,
       next{std::move(next)}](device_view& view) mutable {
        if (auto err = check_access(call, view.record, extra)) {
          call.fail(std::move(err));
          return;
        }
        self->request(fleet, fleet_timeout, atom::get_v, id)
          .then(
            [view{std::move(view)}, next](device_actor& actor) mutable {
              next(device_handle{std::move(view), std::move(actor)});
            },
            [&call](caf::error& err) { call.fail(std::move(err)); });
      },
      [&call](caf::error& err) { call.fail(std::move(err)); });
}

void device_request(tool_call& call, const device_actor& dev,
                    rest_request req,
                    std::function<void(rest_response&)> next) {
  call.self()
    ->request(dev, device_timeout, atom::exec_v, std::move(req))
    .then([next{std::move(next)}](rest_response& resp) { next(resp); },
          [&call](caf::error& err) { call.fail(std::move(err)); });
}

rest_request get_request(std::string path) {
  rest_request req;
  req.method = "GET";
  req.path = std::move(path);
  return req;
}

} // namespace rmcp::tools
