// The prompt methods of a session: prompts/list and prompts/get (the
// renderer runs in its own actor so it can fill in live device data).

#include <caf/event_based_actor.hpp>

#include "actors/mcp_session.hpp"
#include "actors/request_timeout.hpp"
#include "protocol/error.hpp"
#include "protocol/mcp.hpp"

namespace rmcp {

namespace {

/// Deadline of one prompts/get (a fleet round trip).
constexpr auto render_timeout = std::chrono::seconds{10};

} // namespace

void mcp_session_state::prompts_list(const jsonrpc::message& msg) {
  if (!ctx.prompts) {
    reply_error(msg.id, make_error(ec::method_not_found,
                                   "Method not found: " + msg.method));
    return;
  }
  json list = json::array();
  for (auto& e : ctx.prompts->all())
    list.push_back(to_json(e.spec, mcp::has_titles(revision)));
  reply(msg.id, {{"prompts", std::move(list)}});
}

void mcp_session_state::prompts_get(const jsonrpc::message& msg) {
  if (!ctx.prompts) {
    reply_error(msg.id, make_error(ec::method_not_found,
                                   "Method not found: " + msg.method));
    return;
  }
  const auto& p = msg.params;
  auto name = p.is_object() ? p.find("name") : p.end();
  if (!p.is_object() || name == p.end() || !name->is_string()) {
    reply_error(msg.id, make_error(ec::invalid_params,
                                   "prompts/get needs a string \"name\""));
    return;
  }
  const auto* prompt = ctx.prompts->find(name->get<std::string>());
  if (prompt == nullptr) {
    std::string known;
    for (auto& e : ctx.prompts->all())
      known += (known.empty() ? "" : ", ") + e.spec.name;
    reply_error(msg.id, make_error(ec::invalid_params,
                                   "Unknown prompt: " + name->get<std::string>()
                                     + "; prompts: " + known));
    return;
  }
  auto args = p.value("arguments", json::object());
  if (auto err = check_prompt_arguments(prompt->spec, args)) {
    reply_error(msg.id, err);
    return;
  }
  std::map<std::string, std::string> params;
  for (auto& a : prompt->spec.arguments)
    if (args.contains(a.name))
      params[a.name] = args[a.name].get<std::string>();
  std::vector<std::string> devices;
  if (auto d = params.find("device_id"); d != params.end())
    devices.push_back(d->second);
  auto what = authz::action::prompt(prompt->spec.name);
  authorize(what, devices,
            [this, id = msg.id, what, devices, prompt,
             params = std::move(params)](const authz::decision& d) {
              if (!d) {
                refuse(what, d, devices, [this, id](const caf::error& err) {
                  reply_error(id, err);
                });
                return;
              }
              render_prompt(id, *prompt, params);
            });
}

void mcp_session_state::render_prompt(
  const json& id, const prompt_entry& prompt,
  const std::map<std::string, std::string>& params) {
  auto renderer =
    spawn_resource_read(self, prompt.render, "prompt:" + prompt.spec.name,
                        params, ctx.svc, ctx.who);
  // The state outlives every response handler of its actor.
  request_within(self, deadlines, renderer, render_timeout, atom::run_v)
    .then(
      [this, id](json& text) {
        auto rendered = parse_json(text.get<std::string>()).value_or(json{});
        reply(id,
              {{"description", rendered.value("description", "")},
               {"messages",
                json::array({{{"role", "user"},
                              {"content",
                               {{"type", "text"},
                                {"text", rendered.value("text", "")}}}}})}});
      },
      [this, id](caf::error& err) { reply_error(id, err); });
}

} // namespace rmcp
