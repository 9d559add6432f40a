#include "protocol/error.hpp"

#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>

#include "protocol/mcp_era.hpp"

namespace rmcp {

std::string to_string(ec x) {
  switch (x) {
    case ec::parse_error:
      return "parse_error";
    case ec::invalid_request:
      return "invalid_request";
    case ec::method_not_found:
      return "method_not_found";
    case ec::invalid_params:
      return "invalid_params";
    case ec::internal_error:
      return "internal_error";
    case ec::resource_not_found:
      return "resource_not_found";
    case ec::shutting_down:
      return "shutting_down";
    case ec::invalid_arguments:
      return "invalid_arguments";
    case ec::device_not_found:
      return "device_not_found";
    case ec::router_unreachable:
      return "router_unreachable";
    case ec::router_timeout:
      return "router_timeout";
    case ec::router_auth_failed:
      return "router_auth_failed";
    case ec::router_not_found:
      return "router_not_found";
    case ec::router_bad_request:
      return "router_bad_request";
    case ec::router_permission_denied:
      return "router_permission_denied";
    case ec::router_server_error:
      return "router_server_error";
    case ec::router_bad_response:
      return "router_bad_response";
    case ec::router_tls_failed:
      return "router_tls_failed";
    case ec::circuit_open:
      return "circuit_open";
    case ec::queue_full:
      return "queue_full";
    case ec::guard_refused:
      return "guard_refused";
    case ec::environment_mismatch:
      return "environment_mismatch";
    case ec::capability_denied:
      return "capability_denied";
    case ec::forbidden:
      return "forbidden";
    case ec::unauthorized:
      return "unauthorized";
    case ec::rate_limited:
      return "rate_limited";
    case ec::plan_not_found:
      return "plan_not_found";
    case ec::plan_state_invalid:
      return "plan_state_invalid";
    case ec::approval_invalid:
      return "approval_invalid";
    case ec::approval_expired:
      return "approval_expired";
    case ec::approval_used:
      return "approval_used";
    case ec::conflict:
      return "conflict";
    case ec::store_failure:
      return "store_failure";
    case ec::tool_timeout:
      return "tool_timeout";
    case ec::cancelled:
      return "cancelled";
    case ec::unsupported:
      return "unsupported";
    case ec::router_bad_answer:
      return "router_bad_answer";
    case ec::device_moving:
      return "device_moving";
    case ec::node_out_of_cluster:
      return "node_out_of_cluster";
    case ec::store_busy:
      return "store_busy";
    case ec::router_host_key_mismatch:
      return "router_host_key_mismatch";
  }
  return "unknown_error";
}

bool from_string(const std::string& name, ec& out) {
  for (uint8_t i = 1; i <= static_cast<uint8_t>(last_ec); ++i) {
    auto candidate = static_cast<ec>(i);
    if (to_string(candidate) == name) {
      out = candidate;
      return true;
    }
  }
  return false;
}

caf::error make_error(ec x, std::string message) {
  return caf::error{static_cast<uint8_t>(x), caf::atom("rmcp"),
                    caf::make_message(std::move(message))};
}

std::string error_message(const caf::error& err) {
  const auto& ctx = err.context();
  // The first element is the message; faults of the 2026-07-28 era add
  // their kind (and the requested version) after it.
  if (ctx.size() >= 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  if (err.category() == caf::atom("rmcp"))
    return to_string(static_cast<ec>(err.code()));
  if (err.category() == caf::atom("system"))
    return caf::to_string(static_cast<caf::sec>(err.code()));
  if (err.category() == caf::atom("exit"))
    return caf::to_string(static_cast<caf::exit_reason>(err.code()));
  return caf::to_string(err);
}

ec error_code_of(const caf::error& err) {
  if (err.category() == caf::atom("rmcp")) {
    auto code = err.code();
    if (code >= 1 && code <= static_cast<uint8_t>(last_ec))
      return static_cast<ec>(code);
    return ec::internal_error;
  }
  if (err.category() == caf::atom("system")) {
    switch (static_cast<caf::sec>(err.code())) {
      case caf::sec::request_timeout:
        return ec::tool_timeout;
      case caf::sec::request_receiver_down:
        return ec::internal_error;
      default:
        return ec::internal_error;
    }
  }
  return ec::internal_error;
}

bool is_protocol_fault(ec x) {
  switch (x) {
    case ec::parse_error:
    case ec::invalid_request:
    case ec::method_not_found:
    case ec::invalid_params:
    case ec::internal_error:
    case ec::resource_not_found:
    case ec::shutting_down:
      return true;
    default:
      return false;
  }
}

bool is_retryable(ec x) {
  switch (x) {
    case ec::router_unreachable:
    case ec::router_timeout:
    case ec::router_server_error:
    case ec::router_bad_answer:
    case ec::device_moving:
    case ec::node_out_of_cluster:
    case ec::store_busy:
    case ec::circuit_open:
    case ec::queue_full:
    case ec::rate_limited:
    case ec::tool_timeout:
    case ec::shutting_down:
      return true;
    default:
      return false;
  }
}

int jsonrpc_code(ec x) {
  switch (x) {
    case ec::parse_error:
      return -32700;
    case ec::invalid_request:
      return -32600;
    case ec::method_not_found:
      return -32601;
    case ec::invalid_params:
      return -32602;
    case ec::resource_not_found:
      return -32002;
    case ec::shutting_down:
      return -32000;
    // Server-defined range: refusals of who is asking are not internal
    // errors (-32603), so clients can tell them apart.
    case ec::unauthorized:
      return -32001;
    case ec::forbidden:
      return -32003;
    default:
      return -32603;
  }
}

nlohmann::json to_jsonrpc_error(const caf::error& err) {
  auto code = error_code_of(err);
  nlohmann::json data{{"kind", to_string(code)}};
  if (is_retryable(code))
    data["retryable"] = true;
  return {{"code", jsonrpc_code(code)},
          {"message", error_message(err)},
          {"data", std::move(data)}};
}

nlohmann::json to_tool_error_result(const caf::error& err) {
  auto code = error_code_of(err);
  auto text = to_string(code) + ": " + error_message(err);
  nlohmann::json meta{{"error_kind", to_string(code)},
                      {"retryable", is_retryable(code)}};
  return {
    {"content", nlohmann::json::array({{{"type", "text"}, {"text", text}}})},
    {"isError", true},
    {"_meta", std::move(meta)}};
}

caf::error from_tool_error_result(const nlohmann::json& result) {
  auto code = ec::internal_error;
  std::string text;
  if (result.is_object()) {
    auto meta = result.value("_meta", nlohmann::json::object());
    if (meta.is_object())
      from_string(meta.value("error_kind", ""), code);
    auto content = result.value("content", nlohmann::json::array());
    if (content.is_array() && !content.empty() && content[0].is_object())
      text = content[0].value("text", "");
  }
  // The text is "<kind>: <message>".
  auto prefix = to_string(code) + ": ";
  if (text.compare(0, prefix.size(), prefix) == 0)
    text.erase(0, prefix.size());
  return make_error(code,
                    text.empty() ? "the tool failed without a message" : text);
}

// -- the 2026-07-28 era (protocol/mcp_era.hpp) -----------------------------------

namespace {

constexpr const char* header_mismatch_kind = "header_mismatch";
constexpr const char* version_kind = "unsupported_protocol_version";
constexpr const char* resource_kind = "resource";

/// The kind a fault of the 2026-07-28 era carries after its message ("").
std::string era_kind(const caf::error& err) {
  const auto& ctx = err.context();
  if (err.category() == caf::atom("rmcp") && ctx.size() >= 2
      && ctx.match_element<std::string>(1))
    return ctx.get_as<std::string>(1);
  return {};
}

} // namespace

namespace mcp {

caf::error make_header_mismatch(std::string message) {
  return caf::error{
    static_cast<uint8_t>(ec::invalid_request), caf::atom("rmcp"),
    caf::make_message(std::move(message), std::string{header_mismatch_kind})};
}

caf::error make_version_error(std::string requested) {
  std::string supported;
  for (auto& v : all_versions())
    supported += (supported.empty() ? "" : ", ") + v;
  auto message =
    "Unsupported protocol version '" + requested + "'; supported: " + supported;
  return caf::error{
    static_cast<uint8_t>(ec::invalid_request), caf::atom("rmcp"),
    caf::make_message(std::move(message), std::string{version_kind},
                      std::move(requested))};
}

caf::error make_resource_not_found(std::string uri, std::string message) {
  return caf::error{
    static_cast<uint8_t>(ec::resource_not_found), caf::atom("rmcp"),
    caf::make_message(std::move(message), std::string{resource_kind},
                      std::move(uri))};
}

} // namespace mcp

nlohmann::json to_jsonrpc_error_2026(const caf::error& err) {
  auto out = to_jsonrpc_error(err);
  auto kind = era_kind(err);
  if (kind == header_mismatch_kind) {
    out["code"] = -32020;
    out["data"]["kind"] = kind;
  } else if (kind == version_kind) {
    out["code"] = -32022;
    out["data"]["kind"] = kind;
    out["data"]["supported"] = mcp::all_versions();
    const auto& ctx = err.context();
    if (ctx.size() >= 3 && ctx.match_element<std::string>(2))
      out["data"]["requested"] = ctx.get_as<std::string>(2);
  } else if (error_code_of(err) == ec::resource_not_found) {
    out["code"] = -32602;
    const auto& ctx = err.context();
    if (kind == resource_kind && ctx.size() >= 3
        && ctx.match_element<std::string>(2))
      out["data"]["uri"] = ctx.get_as<std::string>(2);
  }
  return out;
}

nlohmann::json make_error_2026(const nlohmann::json& id,
                               const caf::error& err) {
  return {
    {"jsonrpc", "2.0"}, {"id", id}, {"error", to_jsonrpc_error_2026(err)}};
}

} // namespace rmcp
