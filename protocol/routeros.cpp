#include "protocol/routeros.hpp"

#include <cstdio>

#include "protocol/error.hpp"

namespace rmcp {

namespace {

std::string last_segment(const std::string& path) {
  auto end = path.find('?');
  auto p = path.substr(0, end);
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

/// Length of the valid UTF-8 sequence at `s[i]`, or 0 when it is invalid.
size_t utf8_length(std::string_view s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80           ? 1
             : (b >> 5) == 0x6  ? 2
             : (b >> 4) == 0xE  ? 3
             : (b >> 3) == 0x1E ? 4
                                : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
      return 0;
  // Overlong two-byte forms (C0, C1) are invalid.
  if (n == 2 && b < 0xC2)
    return 0;
  return n;
}

/// Escapes raw control bytes inside strings and replaces invalid UTF-8.
std::string repair(std::string_view body) {
  std::string out;
  out.reserve(body.size() + 16);
  bool in_string = false;
  for (size_t i = 0; i < body.size();) {
    auto c = static_cast<unsigned char>(body[i]);
    if (!in_string) {
      if (c == '"')
        in_string = true;
      out += body[i++];
      continue;
    }
    if (c == '\\' && i + 1 < body.size()) {
      out.append(body.substr(i, 2));
      i += 2;
      continue;
    }
    if (c == '"') {
      in_string = false;
      out += body[i++];
      continue;
    }
    if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
      continue;
    }
    auto n = utf8_length(body, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    out.append(body.substr(i, n));
    i += n;
  }
  return out;
}

std::string detail_of(const std::optional<json>& body) {
  if (!body || !body->is_object())
    return {};
  for (auto key : {"detail", "message"}) {
    auto i = body->find(key);
    if (i != body->end() && i->is_string() && !i->get<std::string>().empty())
      return i->get<std::string>();
  }
  return {};
}

std::string base64(const std::string& in) {
  static const char* alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n =
      (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0})
      out += alphabet[(n >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

} // namespace

std::string basic_authorization(const std::string& user,
                                const std::string& password) {
  return "Basic " + base64(user + ":" + password);
}

std::optional<json> parse_rest_body(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return json{};
  if (auto parsed = parse_json(body))
    return parsed;
  return parse_json(repair(body));
}

caf::expected<rest_response>
map_rest_answer(const std::string& what, int status, std::string_view body) {
  auto parsed = parse_rest_body(body);
  if (status >= 200 && status < 300) {
    if (!parsed)
      return make_error(ec::router_bad_response,
                        what + ": HTTP " + std::to_string(status)
                          + " with a body that is not JSON ("
                          + std::to_string(body.size()) + " bytes)");
    rest_response resp;
    resp.status = status;
    resp.body = std::move(*parsed);
    return resp;
  }
  auto detail = detail_of(parsed);
  auto fail = [&](ec code, const std::string& text) {
    return make_error(code, what + ": " + text);
  };
  auto http = "HTTP " + std::to_string(status)
              + (detail.empty() ? std::string{} : ": " + detail);
  switch (status) {
    case 400:
    case 406:
    case 415:
      // The router's own words, so a model can correct its input.
      return fail(ec::router_bad_request, detail.empty() ? http : detail);
    case 401:
      return fail(ec::router_auth_failed,
                  "HTTP 401: the router refused the user name or password");
    case 403:
      return fail(ec::router_permission_denied, http);
    case 404:
      return fail(ec::router_not_found, http);
    default:
      break;
  }
  if (status >= 500
      && detail.find("not enough permissions") != std::string::npos)
    return fail(ec::router_permission_denied, http);
  if (status >= 500)
    return fail(ec::router_server_error, http);
  return fail(ec::router_bad_request, http);
}

bool is_idempotent_read(const rest_request& req) {
  if (req.method == "GET")
    return true;
  if (req.method != "POST")
    return false;
  auto cmd = last_segment(req.path);
  if (cmd == "print")
    return true;
  if (cmd == "monitor" || cmd == "monitor-traffic")
    return req.body.is_object() && req.body.contains("once");
  return false;
}

bool is_write(const rest_request& req) {
  if (req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE")
    return true;
  if (req.method != "POST")
    return false;
  // Diagnostics change nothing on the router; they are reads that take time.
  auto cmd = last_segment(req.path);
  return !(is_idempotent_read(req) || cmd == "ping" || cmd == "traceroute"
           || cmd == "bandwidth-test" || cmd == "monitor-traffic"
           || cmd == "monitor");
}

bool is_absent_menu(const caf::error& err) {
  // REST says "no such command or directory (wireless)"; the console, which
  // the SSH transport reads, "bad command name wireless".
  if (error_code_of(err) != ec::router_bad_request)
    return false;
  auto text = error_message(err);
  return text.find("no such command") != std::string::npos
         || text.find("bad command name") != std::string::npos;
}

rest_request make_request(std::string method, std::string path, json body) {
  rest_request req;
  req.method = std::move(method);
  req.path = std::move(path);
  req.body = std::move(body);
  return req;
}

rest_request get_request(std::string path) {
  return make_request("GET", std::move(path));
}

rest_request post_request(std::string path, json body) {
  return make_request("POST", std::move(path), std::move(body));
}

rest_request put_request(std::string path, json body) {
  return make_request("PUT", std::move(path), std::move(body));
}

rest_request patch_request(std::string path, json body) {
  return make_request("PATCH", std::move(path), std::move(body));
}

rest_request delete_request(std::string path) {
  return make_request("DELETE", std::move(path));
}

} // namespace rmcp
