#pragma once

// Authorization: the one function that decides whether an identity may do
// something (call a tool, read a resource, get a prompt) on some devices.
// Pure: the session (actors/mcp_session) gathers the facts and enforces the
// answer on every tools/call, resources/read and prompts/get, and filters
// tools/list with it.
//
// Roles, derived from a tool's tier and annotations so
// that tools added later get a rule without edits here:
//
// | tool                                              | roles                          |
// |---------------------------------------------------|--------------------------------|
// | platform tier (touches no router)                 | every role                     |
// | read-only, fundamental tier                       | every role                     |
// | read-only, advanced/professional tier (load)      | ops_rw, admin                  |
// | advanced write on a router (open world)           | ops_rw, admin                  |
// | advanced write of the service itself (registry)   | admin                          |
// | professional (plans, rollouts)                    | ops_rw, admin                  |
// | professional approve_* / reject_* (approvals)     | approver, admin                |
//
// Resources and prompts are reads: every role, within its device scope.
// Then the identity's tool patterns (deny wins, a non-empty allow list
// limits), then every device touched must be in the identity's scope.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/device.hpp"
#include "protocol/identity.hpp"
#include "protocol/mcp.hpp"

namespace rmcp::authz {

/// The roles, from the least to the most trusted.
const std::vector<std::string>& roles();

bool valid_role(std::string_view role);

/// What is being attempted.
struct action {
  enum class kind { tool, resource, prompt };
  kind what = kind::tool;
  /// Tool or prompt name, or resource URI.
  std::string name;
  /// Tools only.
  mcp::tool_tier tier = mcp::tool_tier::fundamental;
  mcp::tool_annotations annotations;

  static action tool(const mcp::tool_spec& spec);
  static action resource(std::string uri);
  static action prompt(std::string name);
};

/// What the caller knows about a device the action touches. `known` is
/// false for ids not in the registry (then only the id can match a scope).
struct device_facts {
  std::string id;
  bool known = false;
  std::string environment;
  std::map<std::string, std::string> tags;
};

struct decision {
  bool allowed = false;
  /// Why not (empty when allowed): names the identity, its role and what
  /// was refused.
  std::string reason;

  explicit operator bool() const noexcept {
    return allowed;
  }
};

/// The roles that may run `a` (ignoring patterns and scopes).
std::vector<std::string> roles_for(const action& a);

/// The decision. `devices` are the devices the action touches (empty for
/// actions touching none).
decision authorize(const identity& who, const action& a,
                   const std::vector<device_facts>& devices);

/// True when the device is in the identity's scope.
bool in_scope(const device_scope& scope, const device_facts& device);

/// The facts of a registered device.
device_facts facts_of(const device_record& record);

/// The facts of the devices `ids`: those `find` knows (a registered
/// record) with their tags and environment, the others by id only.
std::vector<device_facts>
facts_of(const std::vector<std::string>& ids,
         const std::function<const device_record*(const std::string&)>& find);

/// What the caller knows about a plan.
struct plan_facts {
  std::string id;
  /// False for an id the plan store does not hold.
  bool known = false;
  /// False for plans stored before creators' scopes were recorded.
  bool creator_scope_known = false;
  /// Every device of the plan.
  std::vector<device_facts> devices;
};

/// Whether `who` may act on a plan (read it, its plan:// resources, cancel,
/// approve or apply it): every device of the plan must be in the identity's
/// scope. An identity without a device scope may act on every plan; a
/// scoped one never on an unknown plan nor on one stored before creators'
/// scopes were recorded. Every refusal of a scoped identity has the same
/// text, naming only the plan id, so it never tells whether the plan
/// exists or which devices it has. (Roles and tool patterns are checked
/// before, with `authorize` or by the approval rules.)
decision authorize_plan(const identity& who, const plan_facts& plan);

/// A device scope as JSON ({ids, tags, environments}) and back (absent
/// lists are empty).
json to_json(const device_scope& scope);
device_scope scope_from_json(const json& j);

/// True when `who` may see the registered device: listings (list_devices,
/// fleet_read without ids, fleet:// and audit:// resources) show only these.
bool visible(const identity& who, const device_record& record);

/// `*` matches any run of characters (also empty); everything else is
/// literal.
bool pattern_match(std::string_view pattern, std::string_view text);

/// The device ids named by tool arguments: every string argument called
/// `device_id` or ending in `_device_id`, and every string in an array
/// argument called `device_ids` or ending in `_device_ids`. Sorted, unique.
std::vector<std::string> devices_named(const json& arguments);

} // namespace rmcp::authz
