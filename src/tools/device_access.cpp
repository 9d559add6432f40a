#include "src/tools/device_access.hpp"

#include "protocol/error.hpp"

namespace rmcp::tools {

caf::error check_access(const tool_call& call, const device_record& r,
                        const capability& extra) {
  const auto& env = call.svc().environment;
  if (r.environment != env)
    return make_error(ec::environment_mismatch,
                      "device '" + r.id + "' belongs to environment '"
                        + r.environment + "' but this service manages '" + env
                        + "'; cross-environment operations are refused");
  auto need = [&](bool device_flags::*flag) -> caf::error {
    if (r.flags.*flag)
      return caf::none;
    return capability_denied("device '" + r.id + "'", call.tool().spec.name,
                             flag, r.id);
  };
  switch (call.tool().spec.tier) {
    case mcp::tool_tier::advanced:
      if (auto err = need(&device_flags::allow_advanced_writes))
        return err;
      break;
    case mcp::tool_tier::professional:
      if (auto err = need(&device_flags::allow_professional_workflows))
        return err;
      break;
    default:
      break;
  }
  if (extra.flag != nullptr)
    return need(extra.flag);
  return caf::none;
}

void with_device(tool_call& call, std::function<void(device_handle)> next,
                 capability extra) {
  auto admit = [&call, extra, next{std::move(next)}](device_handle h) {
    auto check = [&call, &extra](const device_record& r) {
      return check_access(call, r, extra);
    };
    if (auto err = device_ops::usable(h, check))
      call.fail(std::move(err));
    else
      next(std::move(h));
  };
  auto id = call.arg<std::string>("device_id", "");
  // The session's lookup for a device-scoped caller is this very lookup.
  if (const auto& known = call.setup().device; known && known->id == id) {
    if (known->error)
      call.fail(known->error);
    else
      admit(known->handle);
    return;
  }
  device_ops::find(
    call.self(), call.svc().fleet, id, std::move(admit),
    [&call](caf::error err) { call.fail(std::move(err)); },
    call.wait(fleet_timeout));
}

void device_request(tool_call& call, const device_actor& dev, rest_request req,
                    std::function<void(rest_response&)> next) {
  device_ops::exec(
    call.self(), dev, call.request(std::move(req)),
    [&call, next{std::move(next)}](rest_response& resp) {
      call.note_transport(resp);
      next(resp);
    },
    [&call](caf::error err) { call.fail(std::move(err)); },
    call.wait(device_timeout));
}

void read_all(tool_call& call, const device_actor& dev,
              std::vector<std::string> paths,
              std::function<void(std::vector<json>&)> next) {
  device_ops::read_all(
    call.self(), dev, std::move(paths), std::move(next),
    [&call](caf::error err) { call.fail(std::move(err)); },
    device_ops::read_options{
      false, 0, call.context(),
      [&call](const rest_response& resp) { call.note_transport(resp); },
      call.wait(device_timeout)});
}

} // namespace rmcp::tools
