// The MCP methods a session answers itself (lifecycle, tools, logging).

#include <caf/event_based_actor.hpp>

#include <fmt/format.h>

#include "actors/mcp_session.hpp"
#include "actors/metrics.hpp"
#include "actors/request_id.hpp"
#include "actors/request_timeout.hpp"
#include "actors/tool_call.hpp"
#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/log.hpp"
#include "protocol/mcp.hpp"
#include "protocol/redact.hpp"
#include "protocol/version.hpp"

namespace rmcp {

namespace {

constexpr std::string_view cursor_prefix = "tools-";

std::string make_cursor(size_t offset) {
  return std::string{cursor_prefix} + std::to_string(offset);
}

/// Parses a cursor made by make_cursor; false for anything else.
bool parse_cursor(const std::string& cursor, size_t limit, size_t& offset) {
  if (cursor.compare(0, cursor_prefix.size(), cursor_prefix) != 0)
    return false;
  auto digits = cursor.substr(cursor_prefix.size());
  if (digits.empty() || digits.size() > 9)
    return false;
  size_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  if (value == 0 || value >= limit)
    return false;
  offset = value;
  return true;
}

caf::error timeout_error(const tool_descriptor& tool,
                         std::chrono::milliseconds timeout) {
  return make_error(ec::tool_timeout,
                    fmt::format("tool '{}' did not finish within {:g} s; the "
                                "router may be slow or unreachable. Retry, "
                                "or run check_connectivity for the device.",
                                tool.spec.name, timeout.count() / 1000.0));
}

/// A CallToolResult with the call's request id in its `_meta`.
json with_request_id(json result, const std::string& request_id) {
  if (result.is_object() && !request_id.empty())
    result["_meta"]["requestId"] = request_id;
  return result;
}

/// What the audit record of a call says before it ran (arguments
/// redacted).
audit_record call_record(const tool_descriptor& tool, const json& args,
                         const std::string& request_id) {
  audit_record rec;
  rec.request_id = request_id;
  rec.kind = audit_kind::call;
  rec.tool = tool.spec.name;
  rec.devices = authz::devices_named(args);
  if (!rec.devices.empty())
    rec.device_id = rec.devices.front();
  rec.arguments = redact_json(args);
  if (auto plan = args.find("plan_id"); plan != args.end() && plan->is_string())
    rec.plan_id = plan->get<std::string>();
  return rec;
}

/// Whether a call's record may be committed in a batch after the answer:
/// reads of routers and of the service. Writes, plans and rollouts are
/// committed before the caller hears back.
bool batched_audit(const tool_descriptor& tool) {
  return tool.spec.annotations.read_only
         && (tool.spec.tier == mcp::tool_tier::fundamental
             || tool.spec.tier == mcp::tool_tier::platform);
}

/// Whether a call changes anything: a router (the tool is not read-only)
/// or the service's state (plan/apply workflows: plans, approvals and the
/// rollout journal). A node that is out of the cluster refuses these.
bool changes_state(const tool_descriptor& tool) {
  return !tool.spec.annotations.read_only
         || tool.spec.tier == mcp::tool_tier::professional;
}

/// Deadline of the membership question before a call that changes
/// anything (a local actor: it answers in microseconds unless stuck).
constexpr auto membership_timeout = std::chrono::seconds{2};

caf::error out_of_cluster(const tool_descriptor& tool, const std::string& why) {
  return make_error(ec::node_out_of_cluster,
                    fmt::format("tool '{}' changes state and this node is out "
                                "of the cluster ({}); the call was not run. "
                                "Retry through another node, or here once "
                                "/health reports the cluster ok.",
                                tool.spec.name, why));
}

std::string_view outcome_of(bool cancelled, const std::optional<json>& result,
                            const caf::error& err) {
  if (cancelled)
    return tool_outcome::cancelled;
  if (result)
    return result->value("isError", false) ? tool_outcome::error
                                           : tool_outcome::ok;
  return error_code_of(err) == ec::tool_timeout ? tool_outcome::timeout
                                                : tool_outcome::error;
}

} // namespace

const std::unordered_map<std::string, mcp_session_state::method_fn>&
mcp_session_state::request_methods() {
  static const std::unordered_map<std::string, method_fn> table{
    {"initialize", &mcp_session_state::initialize},
    {"ping", &mcp_session_state::ping},
    {"tools/list", &mcp_session_state::tools_list},
    {"tools/call", &mcp_session_state::tools_call},
    {"logging/setLevel", &mcp_session_state::logging_set_level},
    {"resources/list", &mcp_session_state::resources_list},
    {"resources/templates/list", &mcp_session_state::resources_templates_list},
    {"resources/read", &mcp_session_state::resources_read},
    {"resources/subscribe", &mcp_session_state::resources_subscribe},
    {"resources/unsubscribe", &mcp_session_state::resources_unsubscribe},
    {"prompts/list", &mcp_session_state::prompts_list},
    {"prompts/get", &mcp_session_state::prompts_get},
    {"completion/complete", &mcp_session_state::completion_complete},
  };
  return table;
}

void mcp_session_state::initialize(const jsonrpc::message& msg) {
  if (current != phase::fresh) {
    reply_error(msg.id, make_error(ec::invalid_request,
                                   "the session is already initialized"));
    return;
  }
  const auto& p = msg.params;
  auto requested = p.is_object() ? p.find("protocolVersion") : p.end();
  if (!p.is_object() || requested == p.end() || !requested->is_string()) {
    reply_error(msg.id,
                make_error(ec::invalid_params, "initialize needs a string "
                                               "\"protocolVersion\""));
    return;
  }
  version = mcp::negotiate_version(requested->get<std::string>());
  revision = version;
  client_info = p.value("clientInfo", json::object());
  current = phase::ready;
  json result{{"protocolVersion", version},
              {"capabilities", capabilities()},
              {"serverInfo", server_info(version)}};
  if (!ctx.settings.instructions.empty())
    result["instructions"] = ctx.settings.instructions;
  log::info(log::mcp(), "session-initialized",
            {{"version", version},
             {"client", string_member_or(client_info, "name", "?")},
             {"subject", ctx.who.subject}});
  reply(msg.id, std::move(result));
}

void mcp_session_state::ping(const jsonrpc::message& msg) {
  reply(msg.id, json::object());
}

void mcp_session_state::tools_list(const jsonrpc::message& msg) {
  // Each identity sees only the tools it may call.
  std::vector<const tool_descriptor*> tools;
  for (auto& t : ctx.tools->all())
    if (may_list(t))
      tools.push_back(&t);
  size_t offset = 0;
  if (msg.params.is_object() && msg.params.contains("cursor")) {
    const auto& cursor = msg.params["cursor"];
    if (!cursor.is_string()
        || !parse_cursor(cursor.get<std::string>(), tools.size(), offset)) {
      reply_error(msg.id, make_error(ec::invalid_params,
                                     "invalid cursor; pass the nextCursor of "
                                     "a previous tools/list answer"));
      return;
    }
  }
  auto page = std::max<size_t>(ctx.settings.page_size, 1);
  auto end = std::min(tools.size(), offset + page);
  json list = json::array();
  for (size_t i = offset; i < end; ++i)
    list.push_back(mcp::to_json(tools[i]->spec, revision));
  json result{{"tools", std::move(list)}};
  if (end < tools.size())
    result["nextCursor"] = make_cursor(end);
  reply(msg.id, std::move(result));
}

void mcp_session_state::tools_call(const jsonrpc::message& msg) {
  const auto& p = msg.params;
  auto name = p.is_object() ? p.find("name") : p.end();
  if (!p.is_object() || name == p.end() || !name->is_string()) {
    reply_error(msg.id, make_error(ec::invalid_params,
                                   "tools/call needs a string \"name\""));
    return;
  }
  const auto* tool = ctx.tools->find(name->get<std::string>());
  if (tool == nullptr) {
    reply_error(msg.id,
                make_error(ec::invalid_params,
                           "Unknown tool: " + name->get<std::string>()));
    return;
  }
  // A tool of a toolset the server does not offer is not there for the
  // client: the same protocol error as an unknown name, saying why.
  if (!tool->offered) {
    reply_error(
      msg.id, make_error(ec::invalid_params, "Unknown tool: " + tool->spec.name
                                               + " (toolset '" + tool->toolset
                                               + "' is not enabled; see "
                                                 "server.toolsets)"));
    return;
  }
  json args = p.value("arguments", json::object());
  if (!args.is_object()) {
    reply_error(msg.id, make_error(ec::invalid_params,
                                   "\"arguments\" must be an object"));
    return;
  }
  auto key = jsonrpc::id_key(msg.id);
  if (calls.count(key)) {
    reply_error(msg.id, make_error(ec::invalid_request,
                                   "request id " + key + " is already in use"));
    return;
  }
  auto started = std::chrono::steady_clock::now();
  tool_call_setup setup;
  setup.tool = tool;
  setup.arguments = std::move(args);
  setup.svc = ctx.svc;
  setup.caller = ctx.who;
  setup.version = revision;
  setup.session = caf::actor_cast<mcp_session_actor>(self);
  setup.request_key = key;
  auto meta = p.find("_meta");
  if (meta != p.end() && meta->is_object()) {
    auto given = request_ids::from_meta(*meta);
    if (!given) {
      reply_error(msg.id, given.error());
      return;
    }
    if (*given)
      setup.request_id = std::move(**given);
  }
  if (setup.request_id.empty())
    setup.request_id = request_ids::make();
  if (meta != p.end() && meta->is_object())
    if (auto token = meta->find("progressToken");
        token != meta->end()
        && (token->is_string() || token->is_number_integer()))
      setup.progress_token = *token;
  // Registered before the decision (which may wait for the fleet), so
  // draining and cancellation see the request.
  calls[key] = inflight{caf::actor{}, msg.id, false, -1, {}, setup.request_id};
  auto devices = authz::devices_named(setup.arguments);
  authorize(
    authz::action::tool(tool->spec), devices,
    [this, key, devices, started, setup{std::move(setup)}](
      const authz::decision& d,
      const device_ops::device_lookup* looked_up) mutable {
      auto* entry = admissible(key);
      if (entry == nullptr)
        return;
      if (!d) {
        auto id = entry->id;
        auto request_id = entry->request_id;
        calls.erase(key);
        count_call(call_record(*setup.tool, setup.arguments, request_id),
                   tool_outcome::denied, started, to_string(ec::forbidden));
        refuse(
          authz::action::tool(setup.tool->spec), d, devices,
          [this, id, request_id](const caf::error& err) {
            reply(id, with_request_id(to_tool_error_result(err), request_id));
          },
          request_id);
        return;
      }
      // Validated after the decision: a caller that may not use
      // the tool learns nothing about its arguments. Deprecated names
      // become current ones first, so the answer is the same.
      caf::error err;
      if (auto warnings = apply_aliases(*setup.tool, setup.arguments))
        entry->warnings = std::move(*warnings);
      else
        err = std::move(warnings.error());
      if (auto violations = err ? std::vector<schema::violation>{}
                                : setup.tool->input.validate(setup.arguments);
          !violations.empty())
        err = make_error(ec::invalid_arguments,
                         "invalid arguments for tool '" + setup.tool->spec.name
                           + "':\n" + schema::to_string(violations));
      if (err) {
        refuse_call(key, setup, std::move(err), started);
        return;
      }
      if (looked_up != nullptr)
        setup.device = *looked_up;
      admit_call(key, std::move(setup), started);
    });
}

mcp_session_state::inflight*
mcp_session_state::admissible(const std::string& key) {
  auto i = calls.find(key);
  if (i == calls.end())
    return nullptr; // answered by the drain deadline
  if (i->second.cancelled || current == phase::draining) {
    if (!i->second.cancelled)
      reply_error(i->second.id,
                  make_error(ec::shutting_down, "the server is shutting down"));
    calls.erase(i);
    quit_if_drained();
    return nullptr;
  }
  return &i->second;
}

void mcp_session_state::refuse_call(
  const std::string& key, const tool_call_setup& setup, caf::error err,
  std::chrono::steady_clock::time_point started) {
  auto i = calls.find(key);
  if (i == calls.end())
    return;
  auto id = i->second.id;
  calls.erase(i);
  auto rec = call_record(*setup.tool, setup.arguments, setup.request_id);
  count_call(rec, tool_outcome::error, started, to_string(error_code_of(err)));
  rec.outcome = std::string{tool_outcome::error};
  rec.error = redact_text(error_message(err));
  auto answer = with_request_id(to_tool_error_result(err), setup.request_id);
  if (batched_audit(*setup.tool)) {
    audit_read(std::move(rec));
    reply(id, std::move(answer));
  } else {
    audit(std::move(rec),
          [this, id, answer = std::move(answer)] { reply(id, answer); });
  }
}

void mcp_session_state::admit_call(
  const std::string& key, tool_call_setup setup,
  std::chrono::steady_clock::time_point started) {
  // Reads go on even while this node is out of the cluster: it owns no
  // device then, so a router read fails by itself (device_moving), and
  // the service's own reads stay useful. Anything that changes state asks
  // the membership first.
  const auto* tool = setup.tool;
  if (!ctx.svc || !ctx.svc->membership || !changes_state(*tool)) {
    start_call(key, std::move(setup), started);
    return;
  }
  auto shared = std::make_shared<tool_call_setup>(std::move(setup));
  request_within(self, deadlines, ctx.svc->membership, membership_timeout,
                 atom::get_v, atom::status_v)
    .then(
      [this, key, shared, started](cluster_status& st) {
        if (admissible(key) == nullptr)
          return;
        if (st.member) {
          start_call(key, std::move(*shared), started);
          return;
        }
        log::warn(log::mcp(), "call-refused-out-of-cluster",
                  {{"tool", shared->tool->spec.name},
                   {"node", st.node_id},
                   {"reason", st.reason}});
        refuse_call(key, *shared, out_of_cluster(*shared->tool, st.reason),
                    started);
      },
      [this, key, shared, started](caf::error& err) {
        if (admissible(key) == nullptr)
          return;
        refuse_call(key, *shared,
                    out_of_cluster(*shared->tool,
                                   "its membership could not be confirmed: "
                                     + error_message(err)),
                    started);
      });
}

void mcp_session_state::start_call(
  const std::string& key, tool_call_setup setup,
  std::chrono::steady_clock::time_point started) {
  const auto* tool = setup.tool;
  // Shared by the two handlers below, of which one runs once.
  auto rec = std::make_shared<audit_record>(
    call_record(*tool, setup.arguments, setup.request_id));
  // The session ends the call at its deadline (the error handler below):
  // the call's own requests need no timer.
  setup.bounded = true;
  auto call = spawn_tool_call(self, std::move(setup));
  calls[key].call = call;
  auto timeout = tool->spec.timeout.value_or(ctx.settings.tool_timeout);
  // The state outlives every response handler of its actor, so capturing
  // `this` is safe here.
  auto finish = [this, key, tool, started, rec](std::optional<json> result,
                                                caf::error err) {
    auto& st = *this;
    auto i = st.calls.find(key);
    if (i == st.calls.end())
      return;
    auto entry = std::move(i->second);
    st.calls.erase(i);
    auto outcome = outcome_of(entry.cancelled, result, err);
    std::string error_kind;
    if (err)
      error_kind = to_string(error_code_of(err));
    else if (result && result->value("isError", false))
      error_kind = result->value("/_meta/error_kind"_json_pointer,
                                 std::string{"tool_error"});
    auto record = std::move(*rec);
    // A plan tool's call is the plan's first record: it carries the id
    // the tool made (plan trace, the tool-call line).
    if (record.plan_id.empty() && result && result->is_object())
      if (auto sc = result->find("structuredContent");
          sc != result->end() && sc->is_object())
        if (auto pid = sc->find("plan_id");
            pid != sc->end() && pid->is_string())
          record.plan_id = pid->get<std::string>();
    st.count_call(record, outcome, started, error_kind);
    record.outcome = std::string{outcome};
    record.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
    if (err)
      record.error = to_string(error_code_of(err)) + ": " + error_message(err);
    else if (result && result->value("isError", false))
      record.error = redact_text(
        result->value("/content/0/text"_json_pointer, std::string{}));
    auto answer = [&st, entry{std::move(entry)}, result{std::move(result)},
                   err]() mutable {
      if (entry.cancelled)
        return;
      auto out = result ? std::move(*result) : to_tool_error_result(err);
      if (!entry.warnings.empty() && out.is_object())
        out["_meta"]["warnings"] = entry.warnings;
      st.reply(entry.id, with_request_id(std::move(out), entry.request_id));
    };
    if (batched_audit(*tool)) {
      st.audit_read(std::move(record));
      answer();
    } else {
      st.audit(std::move(record), std::move(answer));
    }
    st.quit_if_drained();
  };
  request_within(self, deadlines, call, timeout, atom::run_v)
    .then([finish](json& result) { finish(std::move(result), caf::none); },
          [self{self}, finish, call, tool, timeout](caf::error& err) {
            if (err == caf::sec::request_timeout) {
              self->send_exit(call, caf::exit_reason::user_shutdown);
              finish(std::nullopt, timeout_error(*tool, timeout));
              return;
            }
            finish(std::nullopt, std::move(err));
          });
}

void mcp_session_state::logging_set_level(const jsonrpc::message& msg) {
  const auto& p = msg.params;
  auto level = p.is_object() ? p.find("level") : p.end();
  std::optional<int> rank;
  if (p.is_object() && level != p.end() && level->is_string())
    rank = mcp::log_level_rank(level->get<std::string>());
  if (!rank) {
    std::string legal;
    for (auto& l : mcp::log_levels())
      legal += (legal.empty() ? "" : ", ") + l;
    reply_error(msg.id, make_error(ec::invalid_params,
                                   "\"level\" must be one of " + legal));
    return;
  }
  if (ctx.svc && ctx.svc->notifier)
    self->send(ctx.svc->notifier, atom::level_v,
               caf::actor_cast<mcp_session_actor>(self),
               static_cast<int32_t>(*rank));
  reply(msg.id, json::object());
}

void mcp_session_state::cancelled(const jsonrpc::message& msg) {
  if (!msg.params.is_object() || !msg.params.contains("requestId"))
    return;
  auto key = jsonrpc::id_key(msg.params["requestId"]);
  // Cancelling a subscriptions/listen ends it (stdio; over HTTP the client
  // closes the stream).
  if (listens.count(key)) {
    end_listen(key, false);
    return;
  }
  auto i = calls.find(key);
  if (i == calls.end() || i->second.cancelled)
    return;
  log::info(
    log::mcp(), "call-cancelled",
    {{"request", key}, {"reason", string_member_or(msg.params, "reason", "")}});
  i->second.cancelled = true;
  self->send_exit(i->second.call, caf::exit_reason::user_shutdown);
}

} // namespace rmcp
