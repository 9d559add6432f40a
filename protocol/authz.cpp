#include "protocol/authz.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace rmcp::authz {

namespace {

constexpr std::string_view read_only_role = "read_only";
constexpr std::string_view ops_rw_role = "ops_rw";
constexpr std::string_view admin_role = "admin";
constexpr std::string_view approver_role = "approver";

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size()
         && text.substr(text.size() - suffix.size()) == suffix;
}

const char* kind_name(action::kind k) {
  switch (k) {
    case action::kind::tool:
      return "tool";
    case action::kind::resource:
      return "resource";
    case action::kind::prompt:
      return "prompt";
  }
  return "action";
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ", ") + x;
  return out;
}

std::string who_text(const identity& who) {
  return fmt::format("identity '{}' (role {}, {})", who.subject,
                     who.role.empty() ? "none" : who.role,
                     who.transport.empty() ? "unknown transport"
                                           : who.transport);
}

decision deny(const identity& who, const action& a, const std::string& why) {
  return {false, fmt::format("{} may not use {} '{}': {}", who_text(who),
                             kind_name(a.what), a.name, why)};
}

bool tag_matches(const std::string& entry,
                 const std::map<std::string, std::string>& tags) {
  auto eq = entry.find('=');
  for (auto& [key, value] : tags) {
    if (eq == std::string::npos) {
      if (pattern_match(entry, key))
        return true;
    } else if (pattern_match(std::string_view{entry}.substr(0, eq), key)
               && pattern_match(std::string_view{entry}.substr(eq + 1),
                                value)) {
      return true;
    }
  }
  return false;
}

} // namespace

const std::vector<std::string>& roles() {
  static const std::vector<std::string> all{
    std::string{read_only_role}, std::string{ops_rw_role},
    std::string{admin_role}, std::string{approver_role}};
  return all;
}

bool valid_role(std::string_view role) {
  auto& all = roles();
  return std::find(all.begin(), all.end(), role) != all.end();
}

action action::tool(const mcp::tool_spec& spec) {
  action a;
  a.what = kind::tool;
  a.name = spec.name;
  a.tier = spec.tier;
  a.annotations = spec.annotations;
  return a;
}

action action::resource(std::string uri) {
  action a;
  a.what = kind::resource;
  a.name = std::move(uri);
  return a;
}

action action::prompt(std::string name) {
  action a;
  a.what = kind::prompt;
  a.name = std::move(name);
  return a;
}

std::vector<std::string> roles_for(const action& a) {
  std::vector<std::string> every = roles();
  std::vector<std::string> operators{std::string{ops_rw_role},
                                     std::string{admin_role}};
  if (a.what != action::kind::tool)
    return every;
  switch (a.tier) {
    case mcp::tool_tier::platform:
      return every;
    case mcp::tool_tier::fundamental:
      if (a.annotations.read_only)
        return every;
      return operators;
    case mcp::tool_tier::advanced:
      if (a.annotations.read_only)
        return operators;
      if (!a.annotations.open_world)
        return {std::string{admin_role}};
      return operators;
    case mcp::tool_tier::professional:
      if (starts_with(a.name, "approve_") || starts_with(a.name, "reject_"))
        return {std::string{approver_role}, std::string{admin_role}};
      return operators;
  }
  return {std::string{admin_role}};
}

bool pattern_match(std::string_view pattern, std::string_view text) {
  // Iterative glob with backtracking to the last '*'.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

bool in_scope(const device_scope& scope, const device_facts& device) {
  if (scope.everything())
    return true;
  for (auto& p : scope.ids)
    if (pattern_match(p, device.id))
      return true;
  if (!device.known)
    return false;
  for (auto& e : scope.environments)
    if (pattern_match(e, device.environment))
      return true;
  for (auto& t : scope.tags)
    if (tag_matches(t, device.tags))
      return true;
  return false;
}

device_facts facts_of(const device_record& record) {
  return {record.id, true, record.environment, record.tags};
}

std::vector<device_facts>
facts_of(const std::vector<std::string>& ids,
         const std::function<const device_record*(const std::string&)>& find) {
  std::vector<device_facts> out;
  for (auto& id : ids) {
    if (auto* rec = find(id))
      out.push_back(facts_of(*rec));
    else
      out.push_back(device_facts{id, false, {}, {}});
  }
  return out;
}

decision authorize_plan(const identity& who, const plan_facts& plan) {
  if (who.scope.everything())
    return {true, {}};
  bool inside = plan.known && plan.creator_scope_known
                && std::all_of(plan.devices.begin(), plan.devices.end(),
                               [&](const device_facts& d) {
                                 return in_scope(who.scope, d);
                               });
  if (inside)
    return {true, {}};
  return {false, fmt::format("{} may not use plan '{}': no plan of that id "
                             "is within the identity's device scope",
                             who_text(who), plan.id)};
}

json to_json(const device_scope& scope) {
  return {{"ids", scope.ids},
          {"tags", scope.tags},
          {"environments", scope.environments}};
}

device_scope scope_from_json(const json& j) {
  device_scope out;
  if (!j.is_object())
    return out;
  auto list = [&j](const char* name) {
    std::vector<std::string> xs;
    if (auto i = j.find(name); i != j.end() && i->is_array())
      for (auto& x : *i)
        if (x.is_string())
          xs.push_back(x.get<std::string>());
    return xs;
  };
  out.ids = list("ids");
  out.tags = list("tags");
  out.environments = list("environments");
  return out;
}

bool visible(const identity& who, const device_record& record) {
  return in_scope(who.scope, facts_of(record));
}

decision authorize(const identity& who, const action& a,
                   const std::vector<device_facts>& devices) {
  if (!valid_role(who.role))
    return deny(
      who, a,
      fmt::format("'{}' is not a role (roles: {})", who.role, join(roles())));
  auto allowed_roles = roles_for(a);
  if (std::find(allowed_roles.begin(), allowed_roles.end(), who.role)
      == allowed_roles.end())
    return deny(
      who, a,
      fmt::format("it needs role {} ({} tier{})", join(allowed_roles),
                  mcp::to_string(a.tier),
                  a.annotations.read_only ? ", read-only" : ", writes"));
  if (a.what == action::kind::tool) {
    for (auto& p : who.deny_tools)
      if (pattern_match(p, a.name))
        return deny(who, a,
                    fmt::format("denied by the identity's tool "
                                "pattern '{}'",
                                p));
    if (!who.allow_tools.empty()
        && std::none_of(
          who.allow_tools.begin(), who.allow_tools.end(),
          [&](const std::string& p) { return pattern_match(p, a.name); }))
      return deny(who, a,
                  fmt::format("not among the identity's allowed "
                              "tools ({})",
                              join(who.allow_tools)));
  }
  for (auto& d : devices)
    if (!in_scope(who.scope, d))
      return deny(who, a,
                  fmt::format("device '{}' is outside the "
                              "identity's device scope",
                              d.id));
  return {true, {}};
}

std::vector<std::string> devices_named(const json& arguments) {
  std::vector<std::string> out;
  if (!arguments.is_object())
    return out;
  for (auto& [key, value] : arguments.items()) {
    if ((key == "device_id" || ends_with(key, "_device_id"))
        && value.is_string())
      out.push_back(value.get<std::string>());
    if ((key == "device_ids" || ends_with(key, "_device_ids"))
        && value.is_array())
      for (auto& v : value)
        if (v.is_string())
          out.push_back(v.get<std::string>());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

} // namespace rmcp::authz
