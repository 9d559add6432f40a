#pragma once

// The console's JSON views, each answered from a short-lived actor that
// asks the service actors (fleet, store, plan store) and answers the
// channel when their replies arrive, so no I/O thread waits. Everything is
// limited to the caller's device scope: a device or plan outside it is
// answered exactly like one that does not exist.

#include <string>

#include "actors/services.hpp"
#include "protocol/identity.hpp"
#include "protocol/json.hpp"
#include "protocol/plan.hpp"
#include "src/transport/http_channel.hpp"

namespace rmcp::console {

/// GET /ui/api/devices: [{id, name, environment, tags, management_path,
/// health}] sorted by id.
void list_devices(services_ptr svc, identity who, transport::channel_ptr ch);

/// GET /ui/api/devices/{id}: {device, history (newest first), snapshot
/// (newest "config" snapshot: id, taken_at, sha256, lines) or null, drift
/// (the newest "config-drift" record) or null}.
void show_device(services_ptr svc, identity who, std::string id,
                 transport::channel_ptr ch);

/// GET /ui/api/plans: summaries, newest first.
void list_plans(services_ptr svc, identity who, transport::channel_ptr ch);

/// GET /ui/api/plans/{id}: {plan, journal, may_decide}.
void show_plan(services_ptr svc, identity who, std::string id,
               transport::channel_ptr ch);

/// A plan as the console shows it (the approval nonce left out).
json plan_json(const plan_record& plan);

/// Writes an audit record of a console action (login, logout) by `who`.
void audit_action(const services_ptr& svc, const identity& who,
                  const std::string& action, json arguments = json::object());

/// Answers an error through the one error mapping (protocol/error.hpp).
void respond_error(const transport::channel_ptr& ch, unsigned status, ec code,
                   const std::string& message);

} // namespace rmcp::console
