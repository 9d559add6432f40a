// audit:// resources: the newest audit records the caller may see.
//
// A record is visible to a caller when the caller wrote it, or when it
// names devices and every one of them is in the caller's device scope, or
// when the caller is an admin with an unrestricted scope. Arguments were
// redacted when the record was written.

#include <caf/event_based_actor.hpp>

#include "protocol/authz.hpp"
#include "protocol/error.hpp"
#include "protocol/fleet_actors.hpp"
#include "src/resources/resources.hpp"
#include "storage/codecs.hpp"

namespace rmcp::resources {

namespace {

constexpr auto ask_timeout = std::chrono::seconds{5};

/// Records a resource shows at most.
constexpr uint32_t shown = 50;
/// Records read from the store to find them.
constexpr uint32_t scanned = 1000;

bool visible(const identity& who, const audit_record& rec,
             const std::vector<device_view>& views) {
  if (rec.actor == who.subject)
    return true;
  if (who.role == "admin" && who.scope.everything())
    return true;
  auto devices = rec.devices;
  if (devices.empty() && !rec.device_id.empty())
    devices.push_back(rec.device_id);
  if (devices.empty())
    return false;
  for (auto& id : devices) {
    authz::device_facts facts{id, false, {}, {}};
    for (auto& v : views)
      if (v.record.id == id)
        facts = authz::facts_of(v.record);
    if (!authz::in_scope(who.scope, facts))
      return false;
  }
  return true;
}

void read_audit(resource_read& r, std::string device) {
  if (!r.svc().store || !r.svc().fleet) {
    r.fail(
      make_error(ec::resource_not_found, "Resource not found: " + r.uri()
                                           + " (this service has no store)"));
    return;
  }
  r.self()
    ->request(r.svc().fleet, ask_timeout, atom::get_v, atom::devices_v)
    .then(
      [&r, device](std::vector<device_view>& views) {
        r.self()
          ->request(r.svc().store, ask_timeout, atom::get_v, atom::audit_v,
                    device, scanned)
          .then(
            [&r, views](std::vector<audit_record>& records) {
              json out = json::array();
              for (auto& rec : records) {
                if (out.size() >= shown)
                  break;
                if (!visible(r.caller(), rec, views))
                  continue;
                auto j = storage::encode(rec);
                out.push_back(std::move(j));
              }
              auto count = out.size();
              r.finish({{"records", std::move(out)}, {"count", count}});
            },
            [&r](caf::error& err) { r.fail(std::move(err)); });
      },
      [&r](caf::error& err) { r.fail(std::move(err)); });
}

void audit_recent(resource_read& r) {
  read_audit(r, {});
}

void audit_device(resource_read& r) {
  read_audit(r, r.param("device_id"));
}

} // namespace

caf::error register_audit(resource_registry& reg) {
  struct entry {
    resource_spec spec;
    void (*handler)(resource_read&);
  };
  const entry table[] = {
    {{"audit://recent", "audit-recent", "Recent audit records",
      "The newest audit records (up to 50) you may see: tool calls, "
      "refusals, router changes and plan approvals, with who, role, "
      "devices, redacted arguments, outcome, duration and the hash chain "
      "fields. Records of devices outside your scope are left out.",
      "application/json", false},
     audit_recent},
    {{"audit://devices/{device_id}", "audit-device",
      "Audit records of a device",
      "The newest audit records (up to 50) naming one device.",
      "application/json", false},
     audit_device},
  };
  for (auto& e : table)
    if (auto err = reg.add(e.spec, e.handler))
      return err;
  return caf::none;
}

} // namespace rmcp::resources
