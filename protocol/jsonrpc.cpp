#include "protocol/jsonrpc.hpp"

#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"

namespace rmcp::jsonrpc {

namespace {

bool valid_id(const json& id) {
  return id.is_string() || id.is_number_integer();
}

message invalid(json id, ec code, std::string text) {
  message result;
  result.type = kind::invalid;
  result.id = std::move(id);
  result.error = rmcp::make_error(code, std::move(text));
  return result;
}

} // namespace

message parse(std::string_view text) {
  auto value = parse_json_bounded(text);
  if (!value)
    return invalid(nullptr, ec::parse_error,
                   "Parse error: the message " + error_message(value.error()));
  return classify(*value);
}

message classify(const json& value) {
  if (value.is_array())
    return invalid(nullptr, ec::invalid_request,
                   "JSON-RPC batches are not supported; send one message "
                   "per line");
  if (!value.is_object())
    return invalid(nullptr, ec::invalid_request,
                   "Invalid Request: a JSON-RPC message must be an object");
  json id = nullptr;
  bool has_id = false;
  if (auto i = value.find("id"); i != value.end()) {
    has_id = true;
    if (valid_id(*i))
      id = *i;
  }
  auto version = value.find("jsonrpc");
  if (version == value.end() || *version != "2.0")
    return invalid(id, ec::invalid_request,
                   "Invalid Request: \"jsonrpc\" must be \"2.0\"");
  if (has_id && id.is_null())
    return invalid(nullptr, ec::invalid_request,
                   "Invalid Request: \"id\" must be a string or an integer");
  auto method = value.find("method");
  if (method == value.end()) {
    auto result = value.find("result");
    auto error = value.find("error");
    if (has_id && (result != value.end() || error != value.end())) {
      message msg;
      msg.type = kind::response;
      msg.id = id;
      msg.payload = result != value.end() ? *result : *error;
      return msg;
    }
    return invalid(id, ec::invalid_request,
                   "Invalid Request: missing \"method\"");
  }
  if (!method->is_string())
    return invalid(id, ec::invalid_request,
                   "Invalid Request: \"method\" must be a string");
  message msg;
  msg.type = has_id ? kind::request : kind::notification;
  msg.id = id;
  msg.method = method->get<std::string>();
  if (auto params = value.find("params"); params != value.end()) {
    if (!params->is_object() && !params->is_array())
      return invalid(id, ec::invalid_request,
                     "Invalid Request: \"params\" must be an object");
    msg.params = *params;
  }
  return msg;
}

json make_result(const json& id, json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json make_error(const json& id, const caf::error& err) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", to_jsonrpc_error(err)}};
}

json make_notification(std::string method, json params) {
  json msg{{"jsonrpc", "2.0"}, {"method", std::move(method)}};
  if (!params.is_null())
    msg["params"] = std::move(params);
  return msg;
}

std::string id_key(const json& id) {
  return id.is_null() ? std::string{} : dump_json(id);
}

} // namespace rmcp::jsonrpc
