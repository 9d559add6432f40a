// The resource methods of a session: list, templates, read (in its own
// actor, like a tool call), subscribe/unsubscribe, and resources/updated
// driven by the fleet's health changes.

#include <caf/event_based_actor.hpp>

#include "actors/mcp_session.hpp"
#include "actors/request_timeout.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/mcp.hpp"
#include "protocol/mcp_era.hpp"

namespace rmcp {

namespace {

/// Deadline of one resources/read (fleet and store round trips).
constexpr auto read_timeout = std::chrono::seconds{10};

json resource_json(const resource_spec& spec, bool with_title) {
  json out{{"name", spec.name},
           {"description", spec.description},
           {"mimeType", spec.mime_type}};
  if (spec.uri_template.find('{') == std::string::npos)
    out["uri"] = spec.uri_template;
  else
    out["uriTemplate"] = spec.uri_template;
  if (with_title && !spec.title.empty())
    out["title"] = spec.title;
  return out;
}

/// The URIs whose content shows a device's health.
std::vector<std::string> uris_showing(const std::string& device) {
  return {"device://" + device + "/health", "device://" + device + "/overview",
          "fleet://health-summary"};
}

} // namespace

namespace {

/// resources/list (concrete URIs) or resources/templates/list.
void list_resources(mcp_session_state& st, const jsonrpc::message& msg,
                    bool concrete, const char* key) {
  if (!st.ctx.resources) {
    st.reply_error(msg.id, make_error(ec::method_not_found,
                                      "Method not found: " + msg.method));
    return;
  }
  json list = json::array();
  for (auto& e : st.ctx.resources->all())
    if (e.concrete() == concrete)
      list.push_back(resource_json(e.spec, mcp::has_titles(st.revision)));
  st.reply(msg.id, {{key, std::move(list)}});
}

} // namespace

void mcp_session_state::resources_list(const jsonrpc::message& msg) {
  list_resources(*this, msg, true, "resources");
}

void mcp_session_state::resources_templates_list(const jsonrpc::message& msg) {
  list_resources(*this, msg, false, "resourceTemplates");
}

namespace {

/// The `uri` parameter of a resources/* request, or an error answered.
std::optional<std::string> uri_param(mcp_session_state& st,
                                     const jsonrpc::message& msg) {
  if (!st.ctx.resources) {
    st.reply_error(msg.id, make_error(ec::method_not_found,
                                      "Method not found: " + msg.method));
    return std::nullopt;
  }
  const auto& p = msg.params;
  auto uri = p.is_object() ? p.find("uri") : p.end();
  if (!p.is_object() || uri == p.end() || !uri->is_string()
      || uri->get<std::string>().empty()) {
    st.reply_error(msg.id, make_error(ec::invalid_params,
                                      msg.method + " needs a string \"uri\""));
    return std::nullopt;
  }
  return uri->get<std::string>();
}

} // namespace

void mcp_session_state::resources_read(const jsonrpc::message& msg) {
  // The trail read (audit://) shows this session's calls so far.
  flush_reads();
  auto uri = uri_param(*this, msg);
  if (!uri)
    return;
  auto match = ctx.resources->find(*uri);
  if (!match) {
    reply_error(msg.id, mcp::make_resource_not_found(
                          *uri, "Resource not found: " + *uri
                                  + " (see resources/list and "
                                    "resources/templates/list)"));
    return;
  }
  std::vector<std::string> devices;
  if (auto d = match->params.find("device_id"); d != match->params.end())
    devices.push_back(d->second);
  auto what = authz::action::resource(*uri);
  authorize(what, devices,
            [this, id = msg.id, uri = *uri, what, devices, entry = match->entry,
             params = std::move(match->params)](const authz::decision& d) {
              if (!d) {
                refuse(what, d, devices, [this, id](const caf::error& err) {
                  reply_error(id, err);
                });
                return;
              }
              read_resource(id, uri, *entry, params);
            });
}

void mcp_session_state::read_resource(
  const json& id, const std::string& uri, const resource_entry& entry,
  const std::map<std::string, std::string>& params) {
  auto mime = entry.spec.mime_type;
  auto reader =
    spawn_resource_read(self, entry.handler, uri, params, ctx.svc, ctx.who);
  // The state outlives every response handler of its actor.
  request_within(self, deadlines, reader, read_timeout, atom::run_v)
    .then(
      [this, id, uri, mime](json& text) {
        reply(id, {{"contents", json::array({{{"uri", uri},
                                              {"mimeType", mime},
                                              {"text", std::move(text)}}})}});
      },
      [this, id, uri](caf::error& err) {
        auto code = error_code_of(err);
        if (code == ec::device_not_found || code == ec::plan_not_found)
          err = mcp::make_resource_not_found(uri, "Resource not found: " + uri
                                                    + " (" + error_message(err)
                                                    + ")");
        reply_error(id, err);
      });
}

void mcp_session_state::resources_subscribe(const jsonrpc::message& msg) {
  auto uri = uri_param(*this, msg);
  if (!uri)
    return;
  auto match = ctx.resources->find(*uri);
  if (!match || !match->entry->spec.subscribable) {
    std::string subscribable;
    for (auto& e : ctx.resources->all())
      if (e.spec.subscribable)
        subscribable +=
          (subscribable.empty() ? "" : ", ") + e.spec.uri_template;
    reply_error(msg.id,
                make_error(match ? ec::invalid_params : ec::resource_not_found,
                           "cannot subscribe to " + *uri
                             + "; subscribable resources: " + subscribable));
    return;
  }
  subscriptions.insert(*uri);
  update_health_listening();
  reply(msg.id, json::object());
}

void mcp_session_state::resources_unsubscribe(const jsonrpc::message& msg) {
  auto uri = uri_param(*this, msg);
  if (!uri)
    return;
  subscriptions.erase(*uri);
  update_health_listening();
  reply(msg.id, json::object());
}

void mcp_session_state::update_health_listening() {
  if (!ctx.svc || !ctx.svc->fleet)
    return;
  bool want = !subscriptions.empty() || !listens.empty();
  if (want == listening)
    return;
  listening = want;
  auto me = caf::actor_cast<health_listener_actor>(self);
  if (want)
    self->send(ctx.svc->fleet, atom::subscribe_v, me);
  else
    self->send(ctx.svc->fleet, atom::unsubscribe_v, me);
}

void mcp_session_state::on_health(const health_sample& sample) {
  on_updated(uris_showing(sample.device_id));
}

void mcp_session_state::on_updated(const std::vector<std::string>& uris) {
  if (current == phase::ready)
    for (auto& uri : uris)
      if (subscriptions.count(uri))
        notify("notifications/resources/updated", {{"uri", uri}}, "");
  // subscriptions/listen: on the listen request's own stream, tagged with
  // its id.
  for (auto& [key, l] : listens)
    for (auto& uri : uris)
      if (l.uris.count(uri))
        notify(
          "notifications/resources/updated",
          {{"uri", uri}, {"_meta", {{mcp::meta_key::subscription_id, l.id}}}},
          key);
}

} // namespace rmcp
