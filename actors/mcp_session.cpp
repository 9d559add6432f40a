#include "actors/mcp_session.hpp"

#include <caf/event_based_actor.hpp>

#include "actors/metrics.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

mcp_session_state::~mcp_session_state() {
  flush_reads();
  for (auto& [_, call] : calls)
    caf::anon_send_exit(call.call, caf::exit_reason::user_shutdown);
  // The fleet monitors its listeners and drops this session when it ends.
  if (ctx.svc && ctx.svc->metrics)
    ctx.svc->metrics->session_closed(ctx.who.transport);
}

// -- message entry points -------------------------------------------------------

void mcp_session_state::on_text(const std::string& text) {
  if (text.size() > ctx.settings.max_message_bytes) {
    reply_error(nullptr,
                make_error(ec::invalid_request,
                           "message of " + std::to_string(text.size())
                             + " bytes exceeds the limit of "
                             + std::to_string(ctx.settings.max_message_bytes)
                             + " bytes"));
    return;
  }
  auto msg = jsonrpc::parse(text);
  // An exception escaping this handler would end the session: a message
  // that trips one is answered as a server fault instead.
  try {
    on_message(msg);
  } catch (const std::exception& e) {
    log::error(log::mcp(), "rpc-exception",
               {{"method", msg.method}, {"what", e.what()}});
    if (msg.type == jsonrpc::kind::request)
      reply_error(msg.id, make_error(ec::internal_error, "the server failed on "
                                                           + msg.method + ": "
                                                           + e.what()));
  }
}

void mcp_session_state::on_message(const jsonrpc::message& msg) {
  switch (msg.type) {
    case jsonrpc::kind::invalid:
      log::debug(log::mcp(), "rpc-invalid",
                 {{"reason", error_message(msg.error)}});
      reply_error(msg.id, msg.error);
      break;
    case jsonrpc::kind::request:
      on_request(msg);
      break;
    case jsonrpc::kind::notification:
      on_notification(msg);
      break;
    case jsonrpc::kind::response:
      // We never send requests to the client, so nothing waits for this.
      log::debug(log::mcp(), "rpc-unexpected-response",
                 {{"id", jsonrpc::id_key(msg.id)}});
      break;
  }
}

void mcp_session_state::on_request(const jsonrpc::message& msg) {
  // A protocol version in _meta makes it a stateless request, whatever
  // the method (an initialize of that era is not one: -32601).
  if (auto era = mcp::read_era(msg.params); era.modern) {
    on_modern_request(msg, era);
    return;
  }
  if (current == phase::draining) {
    reply_error(msg.id,
                make_error(ec::shutting_down, "the server is shutting down"));
    return;
  }
  if (current == phase::fresh && msg.method != "initialize"
      && msg.method != "ping") {
    reply_error(msg.id, make_error(ec::invalid_request,
                                   "the session is not initialized: send "
                                   "\"initialize\" first"));
    return;
  }
  if (!msg.params.is_null() && !msg.params.is_object()) {
    reply_error(msg.id,
                make_error(ec::invalid_params, "\"params\" must be an object"));
    return;
  }
  auto& methods = request_methods();
  auto i = methods.find(msg.method);
  if (i == methods.end()) {
    reply_error(msg.id, make_error(ec::method_not_found,
                                   "Method not found: " + msg.method));
    return;
  }
  revision = version;
  (this->*(i->second))(msg);
}

void mcp_session_state::on_notification(const jsonrpc::message& msg) {
  if (msg.method == "notifications/cancelled")
    cancelled(msg);
  else if (msg.method == "notifications/initialized")
    log::debug(log::mcp(), "session-initialized",
               {{"client", dump_json(client_info)}});
  else
    log::debug(log::mcp(), "notification-ignored", {{"method", msg.method}});
}

void mcp_session_state::on_progress(const std::string& key, const json& token,
                                    double progress, const json& total,
                                    const std::string& message) {
  auto i = calls.find(key);
  if (i == calls.end() || i->second.cancelled
      || progress <= i->second.last_progress)
    return;
  i->second.last_progress = progress;
  json params{{"progressToken", token}, {"progress", progress}};
  if (!total.is_null())
    params["total"] = total;
  if (!message.empty() && (version >= "2025-03-26" || modern.count(key)))
    params["message"] = message;
  notify("notifications/progress", std::move(params), key);
}

void mcp_session_state::on_log(const std::string& level,
                               const std::string& logger,
                               const std::string& text) {
  // Stateless requests get log messages only in a single-request session
  // that asked for them; everything unrelated goes to that request.
  if (current == phase::fresh && !modern_logging)
    return;
  notify("notifications/message",
         {{"level", level}, {"logger", logger}, {"data", text}}, "");
}

// -- lifecycle ------------------------------------------------------------------

void mcp_session_state::begin_drain() {
  if (current == phase::draining)
    return;
  current = phase::draining;
  log::debug(log::mcp(), "session-draining",
             {{"in_flight", calls.size()}, {"listens", listens.size()}});
  // Open listens end gracefully: their answer tells the client the server
  // ended them, not a dropped connection.
  while (!listens.empty())
    end_listen(listens.begin()->first, true);
  drain_deadline = self->clock().now() + ctx.settings.drain_timeout;
  if (!calls.empty())
    self->delayed_send(self, ctx.settings.drain_timeout, atom::deadline_v);
  quit_if_drained();
}

void mcp_session_state::on_deadline() {
  if (!reads_held.empty() && self->clock().now() >= reads_due)
    flush_reads();
  if (current != phase::draining) {
    expire_listens();
    return;
  }
  // A listen's timer that fires while draining is not the drain's.
  if (self->clock().now() >= drain_deadline)
    on_drain_deadline();
}

void mcp_session_state::on_drain_deadline() {
  for (auto& [key, call] : calls) {
    if (!call.cancelled)
      reply_error(call.id, make_error(ec::shutting_down,
                                      "the server shut down before the "
                                      "request finished"));
    self->send_exit(call.call, caf::exit_reason::user_shutdown);
  }
  calls.clear();
  quit_if_drained();
}

void mcp_session_state::quit_if_drained() {
  if (current == phase::draining && calls.empty() && answers_waiting == 0) {
    flush_reads();
    self->quit();
  }
}

// -- metrics --------------------------------------------------------------------

void mcp_session_state::count_call(
  const audit_record& rec, std::string_view outcome,
  std::chrono::steady_clock::time_point started, std::string_view error_kind) {
  auto latency = std::chrono::steady_clock::now() - started;
  if (ctx.svc && ctx.svc->metrics)
    ctx.svc->metrics->tool_call_finished(rec.tool, outcome, latency);
  std::string devices;
  for (auto& d : rec.devices)
    devices += (devices.empty() ? "" : ",") + d;
  log::info(
    log::mcp(), "tool-call",
    {{"tool", rec.tool},
     {"subject", ctx.who.subject},
     {"transport", ctx.who.transport},
     {"devices", devices},
     {"plan_id", rec.plan_id},
     {"outcome", outcome},
     {"error_kind", error_kind},
     {"latency_ms", std::chrono::duration<double, std::milli>(latency).count()},
     {"request_id", rec.request_id}});
}

// -- output ---------------------------------------------------------------------

void mcp_session_state::reply(const json& id, json result) {
  auto key = jsonrpc::id_key(id);
  if (auto i = modern.find(key); i != modern.end()) {
    complete_modern_result(result, i->second);
    modern.erase(i);
  }
  send(jsonrpc::make_result(id, std::move(result)), key);
}

void mcp_session_state::reply_error(const json& id, const caf::error& err) {
  auto key = jsonrpc::id_key(id);
  auto i = modern.find(key);
  bool stateless = i != modern.end();
  if (stateless)
    modern.erase(i);
  send(stateless ? make_error_2026(id, err) : jsonrpc::make_error(id, err),
       key);
}

void mcp_session_state::notify(std::string method, json params,
                               const std::string& related) {
  send(jsonrpc::make_notification(std::move(method), std::move(params)),
       related);
}

void mcp_session_state::send(const json& msg, const std::string& related) {
  self->send(sink, atom::rpc_out_v, dump_json(msg), related);
}

// -- behaviour ------------------------------------------------------------------

mcp_session_actor::behavior_type
mcp_session(mcp_session_actor::stateful_pointer<mcp_session_state> self,
            mcp_sink_actor sink, session_context ctx) {
  auto& st = self->state;
  st.self = self;
  st.sink = std::move(sink);
  st.ctx = std::move(ctx);
  if (st.ctx.svc && st.ctx.svc->notifier)
    self->send(st.ctx.svc->notifier, atom::join_v,
               caf::actor_cast<mcp_session_actor>(self));
  if (st.ctx.svc && st.ctx.svc->metrics)
    st.ctx.svc->metrics->session_opened(st.ctx.who.transport);
  return {
    [self](atom::rpc_in, const std::string& text) {
      self->state.on_text(text);
    },
    [self](atom::eof) { self->state.begin_drain(); },
    [self](atom::shutdown) { self->state.begin_drain(); },
    [self](atom::deadline) { self->state.on_deadline(); },
    [self](atom::log, const std::string& level, const std::string& logger,
           const std::string& text) {
      self->state.on_log(level, logger, text);
    },
    [self](atom::progress, const std::string& key, const json& token,
           double progress, const json& total, const std::string& message) {
      self->state.on_progress(key, token, progress, total, message);
    },
    [self](atom::health, const health_sample& sample) {
      self->state.on_health(sample);
    },
    [self](atom::update, const std::string& uri) {
      self->state.on_updated({uri});
    },
  };
}

} // namespace rmcp
