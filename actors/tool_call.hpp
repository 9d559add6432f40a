#pragma once

// One running tools/call: the context a tool handler works with, and the
// short-lived actor that hosts it.
//
// The session spawns one call actor per tools/call and requests `(run)` from
// it with the tool's deadline. The handler runs inside that actor: it may
// send requests to other actors through `call.self()` and finish later from
// their response handlers. Cancelling the request kills the actor, which
// drops every pending continuation.
//
// A fleet tool runs a read tool on many routers as nested calls inside its
// OWN actor (`tool_call` with a `nested_done` callback): the nested handler
// sends its requests from the parent's actor, and finishing hands the
// result to the callback instead of answering a request and quitting. No
// actor is spawned per device.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/duration.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>

#include "actors/device_ops.hpp"
#include "actors/services.hpp"
#include "actors/tool_registry.hpp"
#include "protocol/error.hpp"
#include "protocol/identity.hpp"
#include "protocol/mcp.hpp"
#include "protocol/mcp_actors.hpp"

namespace rmcp {

/// Everything a call actor needs to run one tool.
struct tool_call_setup {
  const tool_descriptor* tool = nullptr;
  json arguments;
  services_ptr svc;
  identity caller;
  /// Negotiated MCP revision (shapes the CallToolResult).
  std::string version;
  /// Where progress notifications go, and for which request.
  mcp_session_actor session;
  std::string request_key;
  /// The request id of the call (made by the session, or the client's):
  /// on every router request, log line and audit record of the call.
  std::string request_id;
  /// `_meta.progressToken` of the request; null when absent.
  json progress_token;
  /// The fleet's answer for the one device the arguments name, when the
  /// session already asked for it (a device-scoped caller's authorization
  /// needs its tags and environment): the tool's device lookup uses it
  /// instead of asking again, so a call makes one fleet round trip.
  std::optional<device_ops::device_lookup> device;
  /// Whoever spawned the call ends it at its deadline (the MCP session
  /// does: its sweep fails the call and kills the actor), so the call's
  /// requests through `wait` need no CAF timer. Nested calls are not
  /// bounded this way (`nested`): their waits stay finite on their own.
  bool bounded = false;
};

/// Receives the outcome of a nested call: its result (redacted, checked
/// against the tool's outputSchema unless typed) or its failure.
using nested_done = std::function<void(caf::expected<mcp::tool_result>)>;

class tool_call {
public:
  tool_call(caf::event_based_actor* self, tool_call_setup setup,
            caf::response_promise promise);

  /// A nested call run by `self`, the actor of the call that owns it; its
  /// outcome goes to `done` (once), and finishing does not stop `self`.
  tool_call(caf::event_based_actor* self, tool_call_setup setup,
            nested_done done);

  // -- inputs -------------------------------------------------------------------

  const json& args() const noexcept {
    return setup_.arguments;
  }

  /// Returns argument `name` converted to T, or `fallback` when absent.
  /// Arguments were validated against the inputSchema before the handler
  /// ran, so conversions of declared properties cannot fail.
  template <class T>
  T arg(const char* name, T fallback) const {
    auto i = setup_.arguments.find(name);
    if (i == setup_.arguments.end() || i->is_null())
      return fallback;
    return i->template get<T>();
  }

  const services& svc() const noexcept {
    return *setup_.svc;
  }

  const identity& caller() const noexcept {
    return setup_.caller;
  }

  const tool_descriptor& tool() const noexcept {
    return *setup_.tool;
  }

  /// The whole setup (session, request key and progress token: a rollout
  /// sends its progress to the client that called apply).
  const tool_call_setup& setup() const noexcept {
    return setup_;
  }

  caf::event_based_actor* self() const noexcept {
    return self_;
  }

  /// The timeout of a request this call sends: none (`caf::infinite`)
  /// when the spawner ends the call at its deadline (`bounded`), otherwise
  /// `finite`. CAF 0.17.6 hands every finite request timeout to its timer
  /// thread (actors/request_timeout.hpp).
  caf::duration wait(caf::duration finite) const noexcept {
    return setup_.bounded ? caf::duration{caf::infinite} : finite;
  }

  /// The same for a `std::chrono` duration.
  template <class Rep, class Period>
  caf::duration wait(std::chrono::duration<Rep, Period> finite) const {
    return wait(caf::duration{finite});
  }

  /// The request context of this call's router requests.
  request_context context() const {
    return request_context{setup_.request_id, {}};
  }

  /// `req` with this call's request context.
  rest_request request(rest_request req) const {
    req.context = context();
    return req;
  }

  /// The setup of a nested call of `tool` with `arguments` by the same
  /// caller and session (no progress token, no looked-up device): fleet
  /// tools run a read tool per device with `run_nested`.
  tool_call_setup nested(const tool_descriptor* tool, json arguments) const;

  /// Runs the handler of `setup.tool` as a nested call in this call's
  /// actor; `done` gets its outcome (a handler that throws at once is a
  /// failed outcome). This call keeps the nested one (its continuations
  /// refer to it) until it is destroyed with the actor.
  void run_nested(tool_call_setup setup, nested_done done);

  // -- progress -----------------------------------------------------------------

  /// True when the client sent a progressToken.
  bool wants_progress() const noexcept {
    return !setup_.progress_token.is_null();
  }

  /// Reports progress; a no-op without progressToken or after finishing.
  void progress(double done, std::optional<double> total,
                std::string message = {});

  // -- transport ----------------------------------------------------------------

  /// Notes how a router answered this call (REST or SSH, over SSH after
  /// REST failed or not): `finish` puts `transport` ("rest", "ssh", or
  /// "mixed" when answers came both ways) and `fallback_used` into the
  /// result's `_meta`.
  void note_transport(const rest_response& resp);
  /// The same for an answer that came through the device actor's health
  /// check (`transport` empty: no answer came, nothing is noted).
  void note_transport(const std::string& transport, bool fallback_used);

  // -- completion ---------------------------------------------------------------

  /// Delivers the result. Structured content is checked against the
  /// tool's outputSchema (unless the tool's output is typed,
  /// output_check::typed); a mismatch is a server bug and is reported as an
  /// internal error instead of sending a result clients would reject.
  void finish(mcp::tool_result result);

  /// Delivers a failure (becomes a result with isError: true).
  void fail(caf::error err);

  void fail(ec code, std::string message) {
    fail(make_error(code, std::move(message)));
  }

  bool finished() const noexcept {
    return finished_;
  }

  /// Delivers `err` if nothing was delivered yet, without stopping the
  /// actor (used when the hosting actor terminates abnormally).
  void abandon(caf::error err);

private:
  /// Redacts and checks a result; an error when it violates the
  /// outputSchema (tools whose output is not typed).
  caf::error seal(mcp::tool_result& result) const;

  caf::event_based_actor* self_;
  tool_call_setup setup_;
  caf::response_promise promise_;
  nested_done nested_done_;
  /// Nested calls run by this one (`run_nested`).
  std::vector<std::unique_ptr<tool_call>> nested_;
  bool finished_ = false;
  /// What note_transport saw; empty when no router answered.
  std::string transport_;
  bool fallback_used_ = false;
};

/// Spawns the actor that runs one tool call; it answers `(run) -> json`
/// (the CallToolResult) or an error, then quits.
caf::actor spawn_tool_call(caf::local_actor* parent, tool_call_setup setup);

} // namespace rmcp
