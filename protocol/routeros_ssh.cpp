// The REST vocabulary over SSH: a read request as one RouterOS console
// command whose answer is JSON (`:serialize`), and that answer back in the
// shape and string typing of the REST body, so every parser after the
// device actor stays the one for REST.

#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/error.hpp"
#include "protocol/hex.hpp"
#include "protocol/ros_script.hpp"
#include "protocol/routeros.hpp"

namespace rmcp {

namespace {

std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()
        && hex_digit_value(text[i + 1]) >= 0
        && hex_digit_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit_value(text[i + 1]) * 16
                               + hex_digit_value(text[i + 2]));
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(sep, start);
    if (end == std::string_view::npos)
      end = text.size();
    if (end > start)
      out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// A query or body value as console text: booleans as yes/no, everything
/// else a literal.
std::string console_value(const std::string& text) {
  if (text == "true" || text == "yes")
    return "yes";
  if (text == "false" || text == "no")
    return "no";
  return ros_script::literal(text);
}

bool is_item_id(std::string_view segment) {
  return segment.size() > 1 && segment[0] == '*';
}

/// The menu path of `path` without an item id, and the id (or empty).
std::pair<std::string, std::string> split_item(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash != std::string::npos && is_item_id(path.substr(slash + 1)))
    return {path.substr(0, slash), path.substr(slash + 1)};
  return {path, {}};
}

/// A console error line as the REST client's error classes.
caf::error console_error(const std::string& what, const std::string& line) {
  if (line.find("no such item") != std::string::npos)
    return make_error(ec::router_not_found, what + ": " + line);
  for (auto* marker : {"bad command name", "no such command", "syntax error",
                       "expected ", "input does not match", "invalid value",
                       "ambiguous value", "failure:", "not enough permissions",
                       "unknown parameter", "missing value"}) {
    if (line.find(marker) != std::string::npos) {
      if (line.find("not enough permissions") != std::string::npos)
        return make_error(ec::router_permission_denied, what + ": " + line);
      return make_error(ec::router_bad_request, what + ": " + line);
    }
  }
  return make_error(
    ec::router_bad_response,
    what + ": the console's answer is not JSON: " + line.substr(0, 200));
}

/// `:serialize`'s typed values as REST's strings.
json as_rest_strings(const json& v, bool top) {
  if (v.is_boolean())
    return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer() || v.is_number_unsigned())
    return v.dump();
  if (v.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v.get<double>());
    return std::string{buf};
  }
  if (v.is_null())
    return "";
  if (v.is_object()) {
    json out = json::object();
    for (auto& [k, x] : v.items())
      out[k] = as_rest_strings(x, false);
    return out;
  }
  if (v.is_array() && !top) {
    // A list property (servers, topics) reads as RouterOS's comma list.
    std::string joined;
    for (auto& x : v) {
      auto s = as_rest_strings(x, false);
      if (!s.is_string())
        return v;
      joined += (joined.empty() ? "" : ",") + s.get<std::string>();
    }
    return joined;
  }
  if (v.is_array()) {
    json out = json::array();
    for (auto& x : v)
      out.push_back(as_rest_strings(x, false));
    return out;
  }
  return v;
}

} // namespace

namespace {

/// ` k="v" ...` words of a body (null: none).
caf::expected<std::string> body_words(const rest_request& req,
                                      const std::string& path) {
  if (!req.body.is_null() && !req.body.is_object())
    return make_error(ec::invalid_arguments,
                      req.method + " " + path + ": the body must be an object");
  return ros_script::arguments(req.body.is_null() ? json::object() : req.body,
                               ec::invalid_arguments);
}

std::string serialized(const std::string& words) {
  return ":put [:serialize to=json value=[" + words + "]]";
}

/// POST /execute with `as-string` (the configuration export): REST answers
/// the script's output as `ret`.
bool is_execute_as_string(const rest_request& req) {
  return req.method == "POST" && req.path == "/execute" && req.body.is_object()
         && req.body.contains("as-string") && req.body.contains("script")
         && req.body["script"].is_string();
}

caf::expected<ssh_command> write_command(const rest_request& req,
                                         const std::string& menu,
                                         const std::string& id) {
  if (is_execute_as_string(req))
    return ssh_command{
      ":put [/execute script="
        + ros_script::literal(req.body["script"].get<std::string>())
        + " as-string]",
      false};
  auto words = body_words(req, menu);
  if (!words)
    return words.error();
  if (req.method == "PUT") {
    if (!id.empty())
      return make_error(ec::unsupported, "PUT to an item is not sent over SSH");
    return ssh_command{":put [" + menu + "/add" + *words + "]", true};
  }
  if (req.method == "DELETE" || req.method == "PATCH") {
    if (id.empty())
      return make_error(ec::unsupported,
                        req.method + " needs an item id over SSH");
    if (req.method == "DELETE")
      return ssh_command{menu + "/remove " + id, false};
    return ssh_command{menu + "/set " + id + *words + "; "
                         + serialized(menu + "/print as-value where .id=" + id),
                       false};
  }
  if (!id.empty())
    return make_error(ec::unsupported, "POST to an item is not sent over SSH");
  return ssh_command{menu + *words, false};
}

} // namespace

caf::expected<ssh_command> make_ssh_command(const rest_request& req,
                                            bool writes) {
  if (req.method != "GET" && req.method != "POST" && req.method != "PUT"
      && req.method != "PATCH" && req.method != "DELETE")
    return make_error(ec::unsupported, req.method + " is not sent over SSH");
  if (is_write(req) && !writes)
    return make_error(ec::unsupported,
                      req.method + " " + req.path
                        + " changes the router, and writes go over SSH only "
                          "for devices of transport ssh");
  auto qmark = req.path.find('?');
  auto path = req.path.substr(0, qmark);
  auto query =
    qmark == std::string::npos ? std::string{} : req.path.substr(qmark + 1);
  auto [menu, id] = split_item(path);
  if (auto err = ros_script::check_identifier(menu, ros_script::ident::menu,
                                              ec::invalid_arguments))
    return err;
  if (!id.empty())
    if (auto err = ros_script::check_identifier(id, ros_script::ident::id,
                                                ec::invalid_arguments))
      return err;
  if (is_write(req)) {
    if (!query.empty())
      return make_error(ec::unsupported,
                        "a write with a query is not sent over SSH");
    return write_command(req, menu, id);
  }
  if (req.method == "POST") {
    if (!id.empty())
      return make_error(ec::unsupported,
                        "POST to an item is not sent over SSH");
    auto words = body_words(req, path);
    if (!words)
      return words.error();
    return ssh_command{serialized(menu + *words + " as-value"), false};
  }
  std::vector<std::string> conditions;
  std::string options;
  if (!id.empty())
    conditions.push_back(".id=" + id);
  for (auto& pair : split(query, '&')) {
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value = eq == std::string::npos ? std::string{"true"}
                                         : percent_decode(pair.substr(eq + 1));
    if (auto err = ros_script::check_identifier(
          key, ros_script::ident::property, ec::invalid_arguments))
      return err;
    if (key == ".proplist")
      options += " .proplist=" + ros_script::literal(value);
    else
      conditions.push_back(key + "=" + console_value(value));
  }
  auto words = menu + "/print as-value" + options;
  for (size_t i = 0; i < conditions.size(); ++i)
    words += (i == 0 ? " where " : " and ") + conditions[i];
  return ssh_command{serialized(words), false};
}

caf::expected<rest_request> ssh_read_back(const std::string& what,
                                          const rest_request& put,
                                          std::string_view output) {
  auto first = output.find_first_not_of(" \t\r\n");
  auto last = output.find_last_not_of(" \t\r\n");
  std::string id{first == std::string_view::npos
                   ? std::string_view{}
                   : output.substr(first, last - first + 1)};
  if (ros_script::check_identifier(id, ros_script::ident::id,
                                   ec::invalid_arguments)) {
    if (id.empty() || id[0] == '*')
      return make_error(ec::router_bad_response,
                        what + ": the console printed no item id after add");
    return console_error(what, id.substr(0, id.find_first_of("\r\n")));
  }
  auto path = put.path.substr(0, put.path.find('?'));
  auto get = get_request(path + "/" + id);
  get.context = put.context;
  return get;
}

caf::expected<json> ssh_read_answer(const std::string& what,
                                    const rest_request& req,
                                    std::string_view output) {
  if (is_execute_as_string(req)) {
    // `:put` ends the text with one CRLF of its own.
    if (output.size() >= 2 && output.substr(output.size() - 2) == "\r\n")
      output.remove_suffix(2);
    return json{{"ret", std::string{output}}};
  }
  auto first = output.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    // Writes print nothing when they succeed, as REST answers 204 or [].
    if (req.method == "DELETE")
      return json(nullptr);
    if (is_write(req))
      return json::array();
    return make_error(ec::router_bad_response,
                      what + ": the console answered nothing");
  }
  auto last = output.find_last_not_of(" \t\r\n");
  auto text = output.substr(first, last - first + 1);
  if (text[0] != '[' && text[0] != '{') {
    auto eol = text.find_first_of("\r\n");
    return console_error(what, std::string{text.substr(0, eol)});
  }
  auto parsed = parse_rest_body(text);
  if (!parsed)
    return make_error(ec::router_bad_response,
                      what + ": the console's answer is not valid JSON");
  auto body = as_rest_strings(*parsed, true);
  auto path = req.path.substr(0, req.path.find('?'));
  auto id = split_item(path).second;
  if ((req.method == "GET" || req.method == "PATCH") && !id.empty()) {
    if (body.is_array()) {
      if (body.empty())
        return make_error(ec::router_not_found,
                          what + ": no such item (" + id + ")");
      if (body.size() > 1)
        return make_error(ec::router_bad_response,
                          what + ": " + std::to_string(body.size())
                            + " items answer one id");
      return body[0];
    }
  }
  return body;
}

} // namespace rmcp
