#pragma once

// A change kind: everything that differs between one kind of plan and
// another (DNS/NTP, static routes, firewall filter rules, DHCP pools,
// bridge ports, wireless SSIDs and radios, address lists). A kind is a
// table of plain functions over JSON; it never talks to a router itself.
// The plan tools (src/tools/plan_flow.*) and the rollout coordinator
// (actors/rollout.*) do every request through the device-access service
// (actors/device_ops.hpp) and call the kind to decide what to read, what
// to write and what "done" and "restored" mean.
//
// Life of a change on one device, and which function is asked:
//
//   plan tool    validate(args) → params            (once per plan)
//                risk(params, devices, warnings)    (once per plan)
//                GET reads(params) → state(params, bodies) = current
//                  (absent_menus_null: a missing package's menu → null)
//                plan(params, current, device) → intended + requests
//                  (preview; an error refuses the plan for that device)
//   coordinator  GET reads → state = snapshot (journaled, the rollback
//                  target)
//                plan(params, snapshot, device).requests (none: nothing
//                  to do)
//                risky: PUT a /system/scheduler job whose on-event is
//                  revert_script(params, snapshot) (the dead-man)
//                the requests, under a write lease
//   gate         GET reads → state = after;
//                  compare(params, plan(params, snapshot, device).intended,
//                  after) empty = verified
//   rollback     GET reads → state = now;
//                  restore(params, snapshot, now) → requests;
//                  then compare(params, snapshot, state read again)
//
// Adding a kind: see docs/architecture.md, "Adding a change kind".

#include <cstddef>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/device.hpp"
#include "protocol/json.hpp"
#include "protocol/routeros.hpp"

namespace rmcp {

/// What a change does to one device, computed from its current state.
struct change_step {
  /// The state after the change, in the shape of `change_kind::state`.
  json intended = json::object();
  /// Requests that get there, in order; empty = the device already is.
  std::vector<rest_request> requests;
  /// Per-device warnings (e.g. the management network overlaps).
  std::vector<std::string> warnings;
};

struct change_kind {
  /// Stored as plan_record::kind, e.g. "dns_ntp"; unique.
  const char* name;
  /// The only tool that applies plans of this kind.
  const char* apply_tool;
  /// Device flag needed besides allow_professional_workflows (nullptr:
  /// none); its name for errors comes from device_flag_table.
  bool device_flags::*flag;
  /// True when the change can cut the management path (routes, input-chain
  /// firewall rules, bridge/VLAN): a dead-man revert is armed on the router
  /// before it is applied and removed after its gate passed.
  bool risky;
  /// Fewest devices of one plan (2 for fleet rollouts); the most is
  /// rollout.max_devices.
  size_t min_devices;

  /// The plan parameters from the tool arguments (already checked against
  /// the tool's inputSchema): normalised, or invalid_arguments naming the
  /// argument.
  caf::expected<json> (*validate)(const json& args);

  /// "low", "medium" or "high" for `params` on `devices`; may add plan
  /// warnings. (Production devices make every plan high risk anyway.)
  std::string (*risk)(const json& params,
                      const std::vector<device_record>& devices,
                      std::vector<std::string>& warnings);

  /// Paths read with GET for the state this change touches.
  std::vector<std::string> (*reads)(const json& params);

  /// The state this change touches, from the bodies of `reads` (in order).
  /// It is the preview's `current`, the snapshot and the rollback target.
  json (*state)(const json& params, const std::vector<json>& bodies);

  /// The step from `current` to the intended state; an error refuses the
  /// device (e.g. the route to modify does not exist on it).
  caf::expected<change_step> (*plan)(const json& params, const json& current,
                                     const device_record& device);

  /// Empty when `actual` matches `expected` (both `state` shapes), else a
  /// short text naming what differs. Used for the gate (expected =
  /// intended) and after a rollback (expected = snapshot).
  std::string (*compare)(const json& params, const json& expected,
                         const json& actual);

  /// Requests that bring the device from `now` back to `snapshot`.
  std::vector<rest_request> (*restore)(const json& params, const json& snapshot,
                                       const json& now);

  /// RouterOS script that restores `snapshot` on the router itself (the
  /// dead-man's on-event; the coordinator appends the job's own removal),
  /// built only with protocol/ros_script.hpp; an error when `snapshot`
  /// holds what no script may carry (a router's field name that is not an
  /// identifier). Required when `risky`, else may be nullptr.
  caf::expected<std::string> (*revert_script)(const json& params,
                                              const json& snapshot);

  /// True when a GET of `reads` that RouterOS answers with "no such command
  /// or directory" (`is_absent_menu`: a menu of a package the router lacks,
  /// e.g. /interface/wireless on a router with the wifi driver) gives
  /// `state` a null body instead of failing the read; `state` then tells
  /// which menus the router has. False: every read must succeed.
  bool absent_menus_null = false;
};

} // namespace rmcp
