// JSON-RPC framing and the pure steps of dispatch: one framed message (a
// stdio line, an HTTP body) is classified, answered, and its params go
// through what a session does with untrusted arguments before any tool runs
// (protocol version negotiation, log level, device names for the
// authorisation check, redaction for the audit record, rendering as text).
// Every answer must serialise to JSON that parses back. And the two readers
// behind parse_json_bounded (simdjson for small documents, nlohmann's
// parser for the rest) accept the same texts and build identical values.

#include "fuzz_target.hpp"

#include <algorithm>

#include "protocol/authz.hpp"
#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/jsonrpc.hpp"
#include "protocol/mcp.hpp"
#include "protocol/redact.hpp"
#include "tests/support/json_identical.hpp"

using namespace rmcp;

namespace {

void check_round_trip(const json& answer) {
  auto text = dump_json(answer);
  auto back = parse_json_bounded(text);
  FUZZ_CHECK(static_cast<bool>(back));
  FUZZ_CHECK(back->is_object());
}

void walk_params(const json& params) {
  if (!params.is_object())
    return;
  if (auto v = string_member(params, "protocolVersion"))
    FUZZ_CHECK(mcp::is_supported_version(mcp::negotiate_version(*v)));
  if (auto level = string_member(params, "level"))
    (void)mcp::log_level_rank(*level);
  if (auto args = params.find("arguments"); args != params.end()) {
    auto devices = authz::devices_named(*args);
    FUZZ_CHECK(std::is_sorted(devices.begin(), devices.end()));
    auto redacted = redact_json(*args);
    check_round_trip(json{{"arguments", redacted}});
    (void)mcp::render_kv(*args);
  }
  (void)mcp::render_kv(params);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  if (auto fast = parse_json_simdjson(text)) {
    auto slow = parse_json_nlohmann(text);
    FUZZ_CHECK(static_cast<bool>(slow));
    FUZZ_CHECK(test::json_identical(*fast, *slow));
  }
  auto msg = jsonrpc::parse(text);
  switch (msg.type) {
    case jsonrpc::kind::invalid:
      FUZZ_CHECK(static_cast<bool>(msg.error));
      FUZZ_CHECK(msg.id.is_null() || msg.id.is_string()
                 || msg.id.is_number_integer());
      check_round_trip(jsonrpc::make_error(msg.id, msg.error));
      break;
    case jsonrpc::kind::request:
      FUZZ_CHECK(msg.id.is_string() || msg.id.is_number_integer());
      (void)jsonrpc::id_key(msg.id);
      walk_params(msg.params);
      check_round_trip(jsonrpc::make_result(msg.id, msg.params));
      check_round_trip(jsonrpc::make_error(
        msg.id, make_error(ec::method_not_found, "no method " + msg.method)));
      break;
    case jsonrpc::kind::notification:
      FUZZ_CHECK(msg.id.is_null());
      walk_params(msg.params);
      check_round_trip(jsonrpc::make_notification(msg.method, msg.params));
      break;
    case jsonrpc::kind::response:
      (void)jsonrpc::id_key(msg.id);
      break;
  }
  return 0;
}
