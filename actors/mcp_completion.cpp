// completion/complete: the values a client may offer while a person fills
// in a prompt argument or a resource-template variable. Which names name
// what is one table; each kind of value comes from where the server keeps
// it (the fleet, the plan store, the router itself, the tool registry),
// filtered to what the caller may see.

#include <algorithm>
#include <cctype>
#include <set>

#include <caf/event_based_actor.hpp>

#include "actors/device_ops.hpp"
#include "actors/mcp_session.hpp"
#include "actors/request_timeout.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/plan.hpp"
#include "protocol/routeros.hpp"

namespace rmcp {

namespace {

enum class value_kind { device, plan, environment, tag, interface, toolset };

/// Prompt arguments and template variables with these names are completed.
struct completable {
  const char* name;
  value_kind kind;
};

constexpr completable completables[] = {
  {"device_id", value_kind::device}, {"target_device_id", value_kind::device},
  {"plan_id", value_kind::plan},     {"environment", value_kind::environment},
  {"tag", value_kind::tag},          {"interface", value_kind::interface},
  {"toolset", value_kind::toolset},
};

/// The spec's cap on the values of one answer.
constexpr size_t max_values = 100;

/// Deadline of each fleet, plan store or router request, kept by the
/// session itself (request_within), not by CAF's timer thread.
constexpr auto completion_timeout = std::chrono::seconds{5};

/// How long a device's interface names are reused: a person typing asks
/// again at every key, and interfaces rarely change meanwhile.
constexpr auto interface_ttl = std::chrono::seconds{30};

const completable* find_completable(const std::string& name) {
  for (auto& c : completables)
    if (name == c.name)
      return &c;
  return nullptr;
}

bool starts_with_nocase(const std::string& text, const std::string& prefix) {
  if (prefix.size() > text.size())
    return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i]))
        != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

/// The CompleteResult: the candidates starting with `prefix` (any case),
/// sorted, at most max_values, with the total and whether more exist.
json complete_result(const std::vector<std::string>& candidates,
                     const std::string& prefix) {
  std::set<std::string> matching;
  for (auto& c : candidates)
    if (starts_with_nocase(c, prefix))
      matching.insert(c);
  json values = json::array();
  for (auto& m : matching) {
    if (values.size() == max_values)
      break;
    values.push_back(m);
  }
  return {{"completion",
           {{"values", std::move(values)},
            {"total", matching.size()},
            {"hasMore", matching.size() > max_values}}}};
}

/// The variable names of an RFC 6570 level-1 template.
std::vector<std::string> template_variables(const std::string& uri_template) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = uri_template.find('{', pos)) != std::string::npos) {
    auto end = uri_template.find('}', pos);
    if (end == std::string::npos)
      break;
    out.push_back(uri_template.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return out;
}

/// Whether a scoped caller's environment patterns name `env`.
bool scope_names(const identity& who, const std::string& env) {
  for (auto& p : who.scope.environments)
    if (authz::pattern_match(p, env))
      return true;
  return false;
}

} // namespace

void mcp_session_state::completion_complete(const jsonrpc::message& msg) {
  const auto& p = msg.params;
  auto bad = [this, &msg](const std::string& text) {
    reply_error(msg.id, make_error(ec::invalid_params, text));
  };
  if (!p.is_object() || !p.contains("ref") || !p["ref"].is_object()
      || !p.contains("argument") || !p["argument"].is_object())
    return bad("completion/complete needs \"ref\" and \"argument\" objects");
  const auto& ref = p["ref"];
  const auto& arg = p["argument"];
  if (!arg.contains("name") || !arg["name"].is_string()
      || (arg.contains("value") && !arg["value"].is_string()))
    return bad("\"argument\" needs a string \"name\" and \"value\"");
  auto name = arg["name"].get<std::string>();
  auto prefix = arg.value("value", std::string{});
  json context = json::object();
  if (auto c = p.find("context"); c != p.end() && c->is_object())
    context = c->value("arguments", json::object());
  auto type = ref.value("type", json{});
  std::vector<std::string> choices;
  authz::action what;
  if (type == "ref/prompt") {
    const auto* prompt = ctx.prompts && ref.value("name", json{}).is_string()
                           ? ctx.prompts->find(ref["name"].get<std::string>())
                           : nullptr;
    if (prompt == nullptr)
      return bad("unknown prompt in \"ref\"");
    const prompt_argument* pa = nullptr;
    for (auto& a : prompt->spec.arguments)
      if (a.name == name)
        pa = &a;
    if (pa == nullptr)
      return bad("prompt '" + prompt->spec.name + "' has no argument '" + name
                 + "'");
    choices = pa->choices;
    what = authz::action::prompt(prompt->spec.name);
  } else if (type == "ref/resource") {
    auto uri = ref.value("uri", json{});
    const resource_entry* entry = nullptr;
    if (ctx.resources && uri.is_string())
      for (auto& e : ctx.resources->all())
        if (e.spec.uri_template == uri.get<std::string>())
          entry = &e;
    if (entry == nullptr)
      return bad("unknown resource template in \"ref\"");
    auto vars = template_variables(entry->spec.uri_template);
    if (std::find(vars.begin(), vars.end(), name) == vars.end())
      return bad("template '" + entry->spec.uri_template + "' has no variable '"
                 + name + "'");
    what = authz::action::resource(entry->spec.uri_template);
  } else {
    return bad("\"ref\" type must be ref/prompt or ref/resource");
  }
  // A caller who may not use the prompt or resource is offered nothing.
  const auto* kind = find_completable(name);
  if (!authz::authorize(ctx.who, what, {}).allowed
      || (kind == nullptr && choices.empty())) {
    reply(msg.id, complete_result({}, prefix));
    return;
  }
  if (kind == nullptr
      || (!choices.empty() && kind->kind != value_kind::environment)) {
    reply(msg.id, complete_result(choices, prefix));
    return;
  }
  auto answer = [this, id = msg.id, prefix](std::vector<std::string> values) {
    reply(id, complete_result(values, prefix));
  };
  auto none = [answer](caf::error err) {
    log::debug(log::mcp(), "completion-failed",
               {{"error", error_message(err)}});
    answer({});
  };
  switch (kind->kind) {
    case value_kind::environment: {
      // A prompt's choices (with "all"), else the three environments; a
      // scoped caller gets those its patterns name or its devices are in.
      if (choices.empty())
        choices = {"lab", "staging", "prod"};
      if (ctx.who.scope.everything() || !ctx.svc || !ctx.svc->fleet)
        return answer(std::move(choices));
      request_within(self, deadlines, ctx.svc->fleet, completion_timeout,
                     atom::get_v, atom::devices_v)
        .then(
          [this, choices, answer](std::vector<device_view>& views) {
            std::set<std::string> seen;
            for (auto& v : views)
              if (authz::visible(ctx.who, v.record))
                seen.insert(v.record.environment);
            std::vector<std::string> out;
            for (auto& e : choices)
              if (e == "all" || seen.count(e) || scope_names(ctx.who, e))
                out.push_back(e);
            answer(std::move(out));
          },
          [none](caf::error& err) { none(std::move(err)); });
      return;
    }
    case value_kind::toolset: {
      std::vector<std::string> sets;
      for (auto& s : ctx.tools->toolsets())
        sets.push_back(s.name);
      answer(std::move(sets));
      return;
    }
    case value_kind::device:
    case value_kind::tag:
      complete_from_fleet(kind->kind == value_kind::tag, answer, none);
      return;
    case value_kind::plan:
      complete_plans(answer, none);
      return;
    case value_kind::interface:
      complete_interfaces(context.value("device_id", json{}), answer, none);
      return;
  }
}

void mcp_session_state::complete_from_fleet(
  bool tags, std::function<void(std::vector<std::string>)> answer,
  std::function<void(caf::error)> none) {
  if (!ctx.svc || !ctx.svc->fleet)
    return answer({});
  request_within(self, deadlines, ctx.svc->fleet, completion_timeout,
                 atom::get_v, atom::devices_v)
    .then(
      [this, tags, answer](std::vector<device_view>& views) {
        std::vector<std::string> out;
        for (auto& v : views) {
          if (!authz::visible(ctx.who, v.record))
            continue;
          if (!tags)
            out.push_back(v.record.id);
          else
            for (auto& [key, value] : v.record.tags)
              out.push_back(value.empty() ? key : key + "=" + value);
        }
        answer(std::move(out));
      },
      [none](caf::error& err) { none(std::move(err)); });
}

void mcp_session_state::complete_plans(
  std::function<void(std::vector<std::string>)> answer,
  std::function<void(caf::error)> none) {
  if (!ctx.svc || !ctx.svc->plans)
    return answer({});
  auto plans = ctx.svc->plans;
  auto fleet = ctx.svc->fleet;
  request_within(self, deadlines, plans, completion_timeout, atom::get_v,
                 atom::plans_v)
    .then(
      [this, fleet, answer, none](std::vector<plan_record>& records) {
        // A scoped caller sees only plans whose every device is in scope
        // (the rule of authorize_plan), which needs the devices' facts.
        auto decide = [this, answer,
                       records](const std::vector<device_view>& views) {
          std::map<std::string, const device_record*> by_id;
          for (auto& v : views)
            by_id[v.record.id] = &v.record;
          auto find = [&by_id](const std::string& id) {
            auto i = by_id.find(id);
            return i == by_id.end() ? nullptr : i->second;
          };
          std::vector<std::string> out;
          for (auto& r : records)
            if (authz::authorize_plan(ctx.who,
                                      {r.id, true, r.creator_scope_known,
                                       authz::facts_of(device_ids(r), find)}))
              out.push_back(r.id);
          answer(std::move(out));
        };
        if (ctx.who.scope.everything() || !fleet)
          return decide({});
        request_within(self, deadlines, fleet, completion_timeout, atom::get_v,
                       atom::devices_v)
          .then([decide](std::vector<device_view>& views) { decide(views); },
                [none](caf::error& err) { none(std::move(err)); });
      },
      [none](caf::error& err) { none(std::move(err)); });
}

void mcp_session_state::complete_interfaces(
  const json& device, std::function<void(std::vector<std::string>)> answer,
  std::function<void(caf::error)> none) {
  // The interfaces of which router: the device_id already filled in.
  if (!device.is_string() || !ctx.svc || !ctx.svc->fleet)
    return answer({});
  auto id = device.get<std::string>();
  auto now = std::chrono::steady_clock::now();
  if (auto i = interfaces_seen.find(id);
      i != interfaces_seen.end() && now - i->second.fetched < interface_ttl)
    return answer(i->second.names);
  request_within(self, deadlines, ctx.svc->fleet, completion_timeout,
                 atom::get_v, id, atom::handle_v)
    .then(
      [this, id, answer, none](device_handle& dev) {
        if (auto err = device_ops::usable(dev))
          return none(std::move(err));
        if (!authz::visible(ctx.who, dev.view.record))
          return answer({});
        request_within(self, deadlines, dev.actor, completion_timeout,
                       atom::exec_v, get_request("/interface"))
          .then(
            [this, id, answer](rest_response& resp) {
              std::vector<std::string> names;
              if (resp.body.is_array())
                for (auto& row : resp.body)
                  if (row.is_object() && row.value("name", json{}).is_string())
                    names.push_back(row["name"].get<std::string>());
              interfaces_seen[id] = {std::chrono::steady_clock::now(), names};
              answer(std::move(names));
            },
            [none](caf::error& err) { none(std::move(err)); });
      },
      [none](caf::error& err) { none(std::move(err)); });
}

} // namespace rmcp
