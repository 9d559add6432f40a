#pragma once

// The MCP session under CAF's test coordinator: a recording sink, a small
// tool catalogue and a session around them (mcp_session_test.cpp,
// mcp_session_audit_test.cpp).

#include "actors/mcp_session.hpp"
#include <stdexcept>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/metrics.hpp"
#include "actors/notifier.hpp"
#include "actors/tool_call.hpp"
#include "protocol/error.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/fake_store.hpp"

namespace rmcp::session_test {

using outputs = std::vector<std::pair<json, std::string>>;

inline mcp_sink_actor::behavior_type
recording_sink(mcp_sink_actor::pointer, std::shared_ptr<outputs> out) {
  return {
    [out](atom::rpc_out, const std::string& payload, const std::string& key) {
      out->emplace_back(*parse_json(payload), key);
    },
  };
}

inline mcp::tool_spec spec(const char* name,
                           const char* output_schema = nullptr) {
  mcp::tool_spec s;
  s.name = name;
  s.description = std::string{"test tool "} + name;
  s.input_schema = *parse_json(
    R"({"type":"object","properties":{"text":{"type":"string","maxLength":5}},
        "additionalProperties":false})");
  if (output_schema)
    s.output_schema = *parse_json(output_schema);
  return s;
}

inline std::shared_ptr<const tool_registry> test_tools() {
  auto reg = std::make_shared<tool_registry>();
  const char* out = R"({"type":"object","properties":{"text":{"type":"string"}},
                        "required":["text"]})";
  EXPECT_FALSE(reg->add(spec("t_echo", out), [](tool_call& call) {
    call.finish({{{"text", call.arg<std::string>("text", "")}}, {}, false});
  }));
  EXPECT_FALSE(reg->add(spec("t_slow"), [](tool_call&) {}));
  EXPECT_FALSE(reg->add(spec("t_progress", out), [](tool_call& call) {
    call.progress(1, 3, "one");
    call.progress(2, 3, "two");
    call.progress(2, 3, "two again");
    call.finish({{{"text", "done"}}, {}, false});
  }));
  EXPECT_FALSE(reg->add(spec("t_throw"),
                        [](tool_call&) { throw std::runtime_error("boom"); }));
  EXPECT_FALSE(reg->add(spec("t_bad_output", out), [](tool_call& call) {
    call.finish({{{"text", 42}}, {}, false});
  }));
  EXPECT_FALSE(reg->add(spec("t_fail"), [](tool_call& call) {
    call.fail(ec::router_unreachable, "router r1 refused the connection");
  }));
  auto write = spec("t_write", out);
  write.annotations.read_only = false;
  EXPECT_FALSE(reg->add(write, [](tool_call& call) {
    call.finish({{{"text", "written"}}, {}, false});
  }));
  EXPECT_FALSE(reg->add(spec("t_wait", out), [](tool_call& call) {
    auto wait = call.wait(caf::duration{std::chrono::seconds{60}});
    call.finish({{{"text", wait.valid() ? "finite" : "infinite"}}, {}, false});
  }));
  reg->freeze();
  return reg;
}

class mcp_session_test : public test::actor_fixture {
protected:
  mcp_session_test() : mcp_session_test(nullptr) {
    // nop
  }

  /// With `audited`, the session's records go to a fake store holding them.
  explicit mcp_session_test(std::shared_ptr<test::fake_store_data> audited)
    : audit(std::move(audited)) {
    out = std::make_shared<outputs>();
    auto sink = sys.spawn(recording_sink, out);
    auto svc = std::make_shared<services>();
    svc->system = &sys;
    svc->notifier = spawn_notifier(sys);
    svc->metrics = stats;
    if (audit) {
      store = test::spawn_fake_store(sys, audit);
      svc->store = store;
      svc->audit_read_flush_interval = std::chrono::milliseconds{50};
      svc->audit_read_batch = 3;
    }
    notifier = svc->notifier;
    session_context ctx;
    ctx.tools = test_tools();
    ctx.svc = svc;
    ctx.settings.tool_timeout = std::chrono::seconds{5};
    ctx.settings.drain_timeout = std::chrono::seconds{2};
    ctx.settings.page_size = 2;
    ctx.settings.max_message_bytes = 4096;
    ctx.settings.instructions = "test instructions";
    ctx.who = identity{"tester", "admin", "test", {}, {}, {}, {}, {}};
    session = sys.spawn(mcp_session, sink, std::move(ctx));
    // Keep the handle: an actor nobody references terminates.
    watcher =
      sys.spawn([down{session_down}, s{session}](caf::event_based_actor* self) {
        self->monitor(s);
        self->set_down_handler([down, self](caf::down_msg&) {
          *down = true;
          self->quit();
        });
        return caf::behavior{[](int32_t) {}};
      });
    run();
  }

  ~mcp_session_test() override {
    if (store)
      caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(session, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(notifier, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown);
    run();
  }

  void send_line(const std::string& text) {
    caf::anon_send(session, atom::rpc_in_v, text);
    run();
  }

  void request(json id, const std::string& method, json params = nullptr) {
    json msg{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null())
      msg["params"] = std::move(params);
    send_line(msg.dump());
  }

  void initialize(const std::string& version = "2025-11-25") {
    request(0, "initialize",
            {{"protocolVersion", version},
             {"capabilities", json::object()},
             {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    send_line(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    out->clear();
  }

  /// The response with `id`, or null.
  json response(const json& id) {
    for (auto& [msg, key] : *out)
      if (msg.contains("id") && msg["id"] == id)
        return msg;
    return nullptr;
  }

  std::vector<json> notifications(const std::string& method) {
    std::vector<json> result;
    for (auto& [msg, key] : *out)
      if (msg.value("method", "") == method)
        result.push_back(msg);
    return result;
  }

  json call(json id, const std::string& tool, json args = json::object(),
            json meta = nullptr) {
    json params{{"name", tool}, {"arguments", std::move(args)}};
    if (!meta.is_null())
      params["_meta"] = std::move(meta);
    request(id, "tools/call", std::move(params));
    return response(id);
  }

  bool alive() const {
    return !*session_down;
  }

  std::shared_ptr<test::fake_store_data> audit;
  store_actor store;
  std::shared_ptr<outputs> out;
  metrics_ptr stats = std::make_shared<metrics>();
  std::shared_ptr<bool> session_down = std::make_shared<bool>(false);
  mcp_session_actor session;
  notifier_actor notifier;
  caf::actor watcher;
};

} // namespace rmcp::session_test
