#include "actors/tool_call.hpp"

#include "protocol/redact.hpp"

#include <exception>
#include <memory>

#include <caf/stateful_actor.hpp>

#include "protocol/log.hpp"

namespace rmcp {

tool_call::tool_call(caf::event_based_actor* self, tool_call_setup setup,
                     caf::response_promise promise)
  : self_(self), setup_(std::move(setup)), promise_(std::move(promise)) {
  // nop
}

tool_call::tool_call(caf::event_based_actor* self, tool_call_setup setup,
                     nested_done done)
  : self_(self), setup_(std::move(setup)), nested_done_(std::move(done)) {
  // nop
}

void tool_call::run_nested(tool_call_setup setup, nested_done done) {
  auto handler = setup.tool->handler;
  auto name = setup.tool->spec.name;
  nested_.push_back(
    std::make_unique<tool_call>(self_, std::move(setup), std::move(done)));
  auto& nested = *nested_.back();
  try {
    handler(nested);
  } catch (const std::exception& e) {
    log::error(log::mcp(), "tool-exception",
               {{"tool", name}, {"what", e.what()}});
    nested.fail(ec::internal_error,
                std::string{"the tool failed unexpectedly: "} + e.what());
  }
}

tool_call_setup tool_call::nested(const tool_descriptor* tool,
                                  json arguments) const {
  auto setup = setup_;
  setup.tool = tool;
  setup.arguments = std::move(arguments);
  setup.progress_token = nullptr;
  setup.device.reset();
  setup.bounded = false;
  return setup;
}

void tool_call::progress(double done, std::optional<double> total,
                         std::string message) {
  if (finished_ || !wants_progress())
    return;
  json total_value = total ? json(*total) : json(nullptr);
  self_->send(setup_.session, atom::progress_v, setup_.request_key,
              setup_.progress_token, done, std::move(total_value),
              std::move(message));
}

caf::error tool_call::seal(mcp::tool_result& result) const {
  auto& desc = *setup_.tool;
  // Secrets never leave in a tool result (protocol/redact.hpp).
  result.structured = redact_json(std::move(result.structured));
  if (!result.text.empty())
    result.text = redact_text(result.text);
  // Typed outputs are proven by a test instead (output_check::typed).
  if (desc.check == output_check::every_call
      && !desc.spec.output_schema.is_null() && !result.is_error) {
    auto violations = desc.output.validate(result.structured);
    if (!violations.empty()) {
      log::error(log::mcp(), "tool-output-invalid",
                 {{"tool", desc.spec.name},
                  {"violations", schema::to_string(violations)}});
      return make_error(ec::internal_error,
                        "tool '" + desc.spec.name
                          + "' produced output that violates its "
                            "outputSchema; this is a server bug");
    }
  }
  return caf::none;
}

void tool_call::note_transport(const rest_response& resp) {
  note_transport(resp.transport, resp.fallback_used);
}

void tool_call::note_transport(const std::string& transport,
                               bool fallback_used) {
  if (transport.empty())
    return;
  if (transport_.empty())
    transport_ = transport;
  else if (transport_ != transport)
    transport_ = "mixed";
  fallback_used_ = fallback_used_ || fallback_used;
}

void tool_call::finish(mcp::tool_result result) {
  if (finished_)
    return;
  if (auto err = seal(result)) {
    fail(std::move(err));
    return;
  }
  finished_ = true;
  if (nested_done_) {
    nested_done_(std::move(result));
    return;
  }
  bool has_output = !setup_.tool->spec.output_schema.is_null();
  auto answer =
    mcp::to_call_result(std::move(result), has_output, setup_.version);
  if (!transport_.empty()) {
    answer["_meta"]["transport"] = transport_;
    answer["_meta"]["fallback_used"] = fallback_used_;
  }
  promise_.deliver(std::move(answer));
  self_->quit();
}

void tool_call::fail(caf::error err) {
  if (finished_)
    return;
  abandon(std::move(err));
  if (!nested_done_)
    self_->quit();
}

void tool_call::abandon(caf::error err) {
  if (finished_)
    return;
  finished_ = true;
  if (nested_done_)
    nested_done_(std::move(err));
  else
    promise_.deliver(std::move(err));
}

namespace {

struct call_state {
  static inline const char* name = "rmcp.tool-call";
  std::unique_ptr<tool_call> call;

  ~call_state() {
    if (call)
      call->abandon(make_error(ec::internal_error,
                               "the tool stopped before producing a result"));
  }
};

caf::behavior call_actor(caf::stateful_actor<call_state>* self,
                         tool_call_setup setup) {
  self->set_exception_handler(
    [](caf::scheduled_actor*, std::exception_ptr& ep) {
      std::string what = "unknown exception";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
        // keep the generic text
      }
      log::error(log::mcp(), "tool-exception", {{"what", what}});
      return make_error(ec::internal_error,
                        "the tool failed unexpectedly: " + what);
    });
  return {
    [self, setup{std::move(setup)}](atom::run) mutable -> caf::result<json> {
      auto promise = self->make_response_promise();
      auto handler = setup.tool->handler;
      self->state.call =
        std::make_unique<tool_call>(self, std::move(setup), promise);
      try {
        handler(*self->state.call);
      } catch (const std::exception& e) {
        log::error(
          log::mcp(), "tool-exception",
          {{"tool", self->state.call->tool().spec.name}, {"what", e.what()}});
        self->state.call->fail(ec::internal_error,
                               std::string{"the tool failed unexpectedly: "}
                                 + e.what());
      }
      return caf::delegated<json>{};
    },
  };
}

} // namespace

caf::actor spawn_tool_call(caf::local_actor* parent, tool_call_setup setup) {
  return parent->spawn(call_actor, std::move(setup));
}

} // namespace rmcp
