// The 2026-07-28 era of a session: stateless requests (their `_meta` names
// the protocol version), server/discover, the fields every such result
// carries, and subscriptions/listen.
//
// A session serves both eras: an `initialize` opens the handshake era as
// before, a request with a protocol version in `_meta` is answered on its
// own, whatever came before it on the same connection.

#include <caf/event_based_actor.hpp>

#include "actors/mcp_session.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/mcp.hpp"
#include "protocol/mcp_era.hpp"
#include "protocol/version.hpp"

namespace rmcp {

namespace {

/// How long a client may keep a list result before asking again: the
/// catalogue, prompts and templates only change with a restart.
constexpr int64_t list_ttl_ms = 5 * 60 * 1000;

/// Cache hints of a cacheable result: (ttlMs, cacheScope), or ttl < 0 for
/// a method whose results are not cacheable.
std::pair<int64_t, const char*> cache_hints(const std::string& method) {
  // tools/list is filtered by the caller's role and patterns: private.
  if (method == "tools/list")
    return {list_ttl_ms, "private"};
  if (method == "server/discover" || method == "prompts/list"
      || method == "resources/list" || method == "resources/templates/list")
    return {list_ttl_ms, "public"};
  // Live router and fleet state, read with the caller's scope.
  if (method == "resources/read")
    return {0, "private"};
  return {-1, ""};
}

} // namespace

const std::unordered_map<std::string, mcp_session_state::method_fn>&
mcp_session_state::modern_methods() {
  static const std::unordered_map<std::string, method_fn> table{
    {"server/discover", &mcp_session_state::server_discover},
    {"tools/list", &mcp_session_state::tools_list},
    {"tools/call", &mcp_session_state::tools_call},
    {"resources/list", &mcp_session_state::resources_list},
    {"resources/templates/list", &mcp_session_state::resources_templates_list},
    {"resources/read", &mcp_session_state::resources_read},
    {"prompts/list", &mcp_session_state::prompts_list},
    {"prompts/get", &mcp_session_state::prompts_get},
    {"completion/complete", &mcp_session_state::completion_complete},
    {"subscriptions/listen", &mcp_session_state::subscriptions_listen},
  };
  return table;
}

bool mcp_session_state::serves_modern(const std::string& method) {
  return modern_methods().count(method) != 0;
}

void mcp_session_state::on_modern_request(const jsonrpc::message& msg,
                                          const mcp::request_era& era) {
  auto key = jsonrpc::id_key(msg.id);
  if (modern.count(key) || calls.count(key)) {
    // Not registered: the answer must not complete the pending request.
    send(make_error_2026(
           msg.id, make_error(ec::invalid_request,
                              "request id " + key + " is already in use")),
         key);
    return;
  }
  modern[key] = msg.method;
  if (era.error) {
    reply_error(msg.id, era.error);
    return;
  }
  if (current == phase::draining) {
    reply_error(msg.id,
                make_error(ec::shutting_down, "the server is shutting down"));
    return;
  }
  auto& methods = modern_methods();
  auto i = methods.find(msg.method);
  if (i == methods.end()) {
    std::string why = "Method not found: " + msg.method;
    if (request_methods().count(msg.method))
      why += " (not part of the 2026-07-28 revision";
    if (msg.method == "resources/subscribe"
        || msg.method == "resources/unsubscribe")
      why += "; use subscriptions/listen";
    if (request_methods().count(msg.method))
      why += ")";
    reply_error(msg.id, make_error(ec::method_not_found, why));
    return;
  }
  // The level a stateless request asks for holds for its own session; on
  // a shared connection (stdio) no log messages are sent in this era.
  if (era.log_rank && ctx.single_request && !modern_logging && ctx.svc
      && ctx.svc->notifier) {
    modern_logging = true;
    self->send(ctx.svc->notifier, atom::level_v,
               caf::actor_cast<mcp_session_actor>(self),
               static_cast<int32_t>(*era.log_rank));
  }
  log::debug(log::mcp(), "rpc-stateless",
             {{"method", msg.method}, {"id", key}});
  revision = std::string{mcp::modern_version};
  (this->*(i->second))(msg);
  revision = version;
}

void mcp_session_state::complete_modern_result(
  json& result, const std::string& method) const {
  if (!result.is_object())
    return;
  result["resultType"] = "complete";
  if (!result.contains("_meta") || !result["_meta"].is_object())
    result["_meta"] = json::object();
  result["_meta"][mcp::meta_key::server_info] =
    server_info(mcp::modern_version);
  auto [ttl, scope] = cache_hints(method);
  if (ttl >= 0) {
    result["ttlMs"] = ttl;
    result["cacheScope"] = scope;
  }
}

json mcp_session_state::server_info(std::string_view rev) const {
  json info{{"name", "routeros-mcp"}, {"version", rmcp::version}};
  if (mcp::has_titles(rev))
    info["title"] = "RouterOS MCP";
  return info;
}

json mcp_session_state::capabilities() const {
  json caps{{"tools", {{"listChanged", false}}}, {"logging", json::object()}};
  if (ctx.resources)
    caps["resources"] = {{"subscribe", true}, {"listChanged", false}};
  if (ctx.prompts)
    caps["prompts"] = {{"listChanged", false}};
  if (ctx.prompts || ctx.resources)
    caps["completions"] = json::object();
  return caps;
}

void mcp_session_state::server_discover(const jsonrpc::message& msg) {
  json result{{"supportedVersions", mcp::all_versions()},
              {"capabilities", capabilities()}};
  if (!ctx.settings.instructions.empty())
    result["instructions"] = ctx.settings.instructions;
  reply(msg.id, std::move(result));
}

// -- subscriptions/listen -------------------------------------------------------------

void mcp_session_state::subscriptions_listen(const jsonrpc::message& msg) {
  const auto& p = msg.params;
  auto filter = p.find("notifications");
  if (filter == p.end() || !filter->is_object()) {
    reply_error(msg.id,
                make_error(ec::invalid_params,
                           "subscriptions/listen needs a \"notifications\" "
                           "object (e.g. {\"resourceSubscriptions\": "
                           "[\"fleet://health-summary\"]})"));
    return;
  }
  std::set<std::string> uris;
  if (auto subs = filter->find("resourceSubscriptions");
      subs != filter->end()) {
    std::string subscribable;
    if (ctx.resources)
      for (auto& e : ctx.resources->all())
        if (e.spec.subscribable)
          subscribable +=
            (subscribable.empty() ? "" : ", ") + e.spec.uri_template;
    if (!subs->is_array()) {
      reply_error(msg.id, make_error(ec::invalid_params,
                                     "\"resourceSubscriptions\" must be an "
                                     "array of resource URIs"));
      return;
    }
    for (auto& uri : *subs) {
      auto match = uri.is_string() && ctx.resources
                     ? ctx.resources->find(uri.get<std::string>())
                     : std::nullopt;
      if (!match || !match->entry->spec.subscribable) {
        reply_error(
          msg.id,
          make_error(ec::invalid_params,
                     "cannot listen to " + dump_json(uri)
                       + "; subscribable resources: "
                       + (subscribable.empty() ? "none" : subscribable)));
        return;
      }
      uris.insert(uri.get<std::string>());
    }
  }
  auto key = jsonrpc::id_key(msg.id);
  // The lists never change while the process runs, so only resource
  // updates are honoured; the acknowledgement leaves the rest out.
  json honoured = json::object();
  if (filter->contains("resourceSubscriptions"))
    honoured["resourceSubscriptions"] = uris;
  listens[key] = listen_entry{
    msg.id, uris, self->clock().now() + ctx.settings.listen_lifetime};
  notify("notifications/subscriptions/acknowledged",
         {{"_meta", {{mcp::meta_key::subscription_id, msg.id}}},
          {"notifications", std::move(honoured)}},
         key);
  update_health_listening();
  self->delayed_send(self, ctx.settings.listen_lifetime, atom::deadline_v);
  log::info(log::mcp(), "listen-opened",
            {{"id", key}, {"uris", uris.size()}, {"subject", ctx.who.subject}});
}

void mcp_session_state::expire_listens() {
  auto now = self->clock().now();
  std::vector<std::string> due;
  for (auto& [key, l] : listens)
    if (l.expires <= now)
      due.push_back(key);
  for (auto& key : due)
    end_listen(key, true);
}

void mcp_session_state::end_listen(const std::string& listen_key,
                                   bool graceful) {
  // A copy: a caller may pass the key held by `listens` itself (begin_drain
  // does), which the erase below frees before the log line and `modern`
  // use it.
  std::string key = listen_key;
  auto i = listens.find(key);
  if (i == listens.end())
    return;
  auto id = i->second.id;
  listens.erase(i);
  update_health_listening();
  log::info(log::mcp(), "listen-ended", {{"id", key}, {"graceful", graceful}});
  if (graceful)
    reply(id, {{"_meta", {{mcp::meta_key::subscription_id, id}}}});
  else
    modern.erase(key);
  quit_if_drained();
}

} // namespace rmcp
