#include "tests/e2e/hostile_cases.hpp"

#include <map>
#include <set>

namespace rmcp::test {

namespace {

constexpr int parse_error = -32700;
constexpr int invalid_request = -32600;
constexpr int method_not_found = -32601;
constexpr int invalid_params = -32602;
constexpr int resource_not_found = -32002;

/// HTTP status of a JSON-RPC error answer over POST /mcp: messages that
/// are no request are refused as a whole, others answered with 200.
unsigned status_of(int code) {
  return code == parse_error || code == invalid_request ? 400 : 200;
}

hostile_case rpc(std::string group, std::string name, std::string input,
                 int code, via v = via::both) {
  return {std::move(group), std::move(name),   v,
          std::move(input), expect::rpc_error, code,
          status_of(code)};
}

std::string call_text(const std::string& tool, const json& args) {
  return json{{"jsonrpc", "2.0"},
              {"id", 7},
              {"method", "tools/call"},
              {"params", {{"name", tool}, {"arguments", args}}}}
    .dump();
}

std::string read_text(const std::string& uri_json) {
  return R"({"jsonrpc":"2.0","id":8,"method":"resources/read","params":{"uri":)"
         + uri_json + "}}";
}

std::string http(const std::string& head, const std::string& body = {}) {
  return head + "\r\n\r\n" + body;
}

/// Arguments a tool refuses: a tool result with isError (MCP reports
/// argument errors of a known tool as tool errors, so the model can fix
/// them).
hostile_case tool_err(std::string group, std::string name, std::string input,
                      via v = via::both) {
  return {std::move(group),
          std::move(name),
          v,
          std::move(input),
          expect::tool_error,
          0,
          200};
}

hostile_case raw(std::string name, std::string bytes, unsigned status) {
  return {"header smuggling and malformed HTTP",
          std::move(name),
          via::http,
          std::move(bytes),
          expect::http_status,
          0,
          status};
}

void framing(std::vector<hostile_case>& out) {
  const std::string good =
    call_text("get_system_overview", json{{"device_id", "edge-01"}});
  for (size_t cut : {1, 2, 10, 20, 40, 60, 80})
    if (cut < good.size())
      out.push_back(rpc("truncated bodies", "cut after " + std::to_string(cut),
                        good.substr(0, cut), parse_error));
  out.push_back(rpc("truncated bodies", "cut before the last brace",
                    good.substr(0, good.size() - 1), parse_error));
  // 65 levels is one past the limit; the others are far past it.
  for (size_t depth : {65, 1000, 100000}) {
    auto arrays = std::string(depth, '[') + std::string(depth, ']');
    std::string objects;
    for (size_t i = 0; i < depth; ++i)
      objects += "{\"a\":";
    objects += "1" + std::string(depth, '}');
    out.push_back(
      rpc("deep nesting", std::to_string(depth) + " arrays",
          R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":)" + arrays
            + "}}",
          parse_error));
    out.push_back(rpc("deep nesting", std::to_string(depth) + " objects",
                      R"({"jsonrpc":"2.0","id":1,"method":"ping","params":)"
                        + objects + "}",
                      parse_error));
  }
  const std::pair<const char*, const char*> utf8[] = {
    {"0xFF in the method", "\xff"},
    {"lone continuation byte", "\x80"},
    {"overlong slash", "\xc0\xaf"},
    {"overlong NUL", "\xc0\x80"},
    {"UTF-8-encoded surrogate", "\xed\xa0\x80"},
    {"truncated 3-byte sequence", "\xe2\x82"},
    {"code point above U+10FFFF", "\xf4\x90\x80\x80"},
  };
  for (auto& [name, bytes] : utf8) {
    out.push_back(
      rpc("invalid UTF-8", std::string{name} + " (method)",
          std::string{R"({"jsonrpc":"2.0","id":1,"method":"p)"} + bytes + "\"}",
          parse_error));
    out.push_back(rpc(
      "invalid UTF-8", std::string{name} + " (argument)",
      std::string{
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_system_overview","arguments":{"device_id":"e)"}
        + bytes + "\"}}}",
      parse_error));
  }
  for (auto [name, esc] :
       {std::pair{"lone high surrogate", "\\ud800"},
        std::pair{"lone low surrogate", "\\udc00"},
        std::pair{"reversed pair", "\\udc00\\ud800"},
        std::pair{"high surrogate then text", "\\ud800abc"}}) {
    out.push_back(rpc(
      "surrogates", std::string{name} + " (argument)",
      std::string{
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_system_overview","arguments":{"device_id":")"}
        + esc + "\"}}}",
      parse_error));
    out.push_back(
      rpc("surrogates", std::string{name} + " (member name)",
          std::string{R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{")"}
            + esc + "\":1}}",
          parse_error));
  }
  for (int c : {0, 1, 7, 8, 0x1b, 0x1f}) {
    auto hex = std::to_string(c);
    out.push_back(rpc(
      "NUL and control characters", "raw byte " + hex,
      std::string{
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_system_overview","arguments":{"device_id":"a)"}
        + std::string(1, static_cast<char>(c)) + "\"}}}",
      parse_error));
    out.push_back(tool_err(
      "NUL and control characters", "escaped byte " + hex + " in an id",
      call_text("get_system_overview",
                json{{"device_id",
                      "edge" + std::string(1, static_cast<char>(c)) + "01"}})));
  }
  out.push_back(
    rpc("NUL and control characters", "escaped NUL in a tool name",
        call_text(std::string{"get_system_overview\0x", 21}, json::object()),
        invalid_params));
}

void envelopes(std::vector<hostile_case>& out) {
  const std::pair<const char*, const char*> bad[] = {
    {"no jsonrpc member", R"({"id":1,"method":"ping"})"},
    {"jsonrpc 1.0", R"({"jsonrpc":"1.0","id":1,"method":"ping"})"},
    {"jsonrpc as a number", R"({"jsonrpc":2.0,"id":1,"method":"ping"})"},
    {"fractional id", R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})"},
    {"object id", R"({"jsonrpc":"2.0","id":{},"method":"ping"})"},
    {"array id", R"({"jsonrpc":"2.0","id":[1],"method":"ping"})"},
    {"boolean id", R"({"jsonrpc":"2.0","id":true,"method":"ping"})"},
    {"id above 2^64",
     R"({"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"})"},
    {"numeric method", R"({"jsonrpc":"2.0","id":1,"method":5})"},
    {"params as a string",
     R"({"jsonrpc":"2.0","id":1,"method":"ping","params":"x"})"},
    {"params as a number",
     R"({"jsonrpc":"2.0","id":1,"method":"ping","params":-1})"},
    {"a batch", R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])"},
    {"an empty batch", "[]"},
    {"an empty object", "{}"},
    {"null", "null"},
    {"a number", "-1"},
    {"a string", R"("ping")"},
  };
  for (auto& [name, text] : bad)
    out.push_back(rpc("envelopes", name, text, invalid_request));
  // Id 1 is the id of the HTTP session's initialize: an error answer to a
  // later request with that id once ended the session.
  out.push_back(rpc("envelopes", "unknown method",
                    R"({"jsonrpc":"2.0","id":1,"method":"system/reboot"})",
                    method_not_found));
  out.push_back(rpc("envelopes", "a path as the method",
                    R"({"jsonrpc":"2.0","id":1,"method":"../../tools/call"})",
                    method_not_found));
  for (auto [name, args] :
       {std::pair{"arguments as an array", json::array({1})},
        std::pair{"arguments as a string", json("device_id=edge-01")}})
    out.push_back(rpc("envelopes", name, call_text("get_system_overview", args),
                      invalid_params));
  for (auto [name, args] :
       {std::pair{"unknown argument",
                  json{{"device_id", "edge-01"}, {"script", "/system reboot"}}},
        std::pair{"device id too long",
                  json{{"device_id", std::string(100000, 'a')}}},
        std::pair{"device id a number", json{{"device_id", 1}}},
        std::pair{"device id null", json{{"device_id", nullptr}}}})
    out.push_back(
      tool_err("envelopes", name, call_text("get_system_overview", args)));
  out.push_back(rpc("envelopes", "an unknown tool",
                    call_text("system_reboot", json::object()),
                    invalid_params));
}

void resources(std::vector<hostile_case>& out) {
  const char* uris[] = {
    R"u("device://../../etc/passwd/overview")u",
    R"u("device://edge-01/../../../etc/passwd")u",
    R"u("device://edge-01/%2e%2e/%2e%2e/config")u",
    R"u("device://edge-01/config/../../health")u",
    R"u("device://edge-01//overview")u",
    R"u("device:///overview")u",
    R"u("device://")u",
    R"u("device://edge-01/\u0000overview")u",
    R"u("device://edge-01/overview\nX-Injected: 1")u",
    R"u("fleet://devices/../../etc")u",
    R"u("fleet://health-summary/../../x")u",
    R"u("file:///etc/passwd")u",
    R"u("file://localhost/etc/shadow")u",
    R"u("http://127.0.0.1:8080/mcp")u",
    R"u("javascript:alert(1)")u",
    R"u("data:text/plain,hello")u",
    R"u("DEVICE://edge-01/overview")u",
  };
  for (auto* uri : uris)
    out.push_back(
      rpc("resource URIs", uri, read_text(uri), resource_not_found));
  out.push_back(
    rpc("resource URIs", "a 100,000-character URI",
        read_text("\"device://" + std::string(100000, 'a') + "/overview\""),
        resource_not_found));
  for (auto* uri :
       {"5", "null", R"u("")u", R"u({"uri":"fleet://health-summary"})u"})
    out.push_back(rpc("resource URIs", std::string{"uri "} + uri,
                      read_text(uri), invalid_params));
}

void smuggling(std::vector<hostile_case>& out) {
  const std::string host = "Host: 127.0.0.1:{port}";
  const std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  const std::string len = std::to_string(ping.size());
  const std::string post =
    "POST /mcp HTTP/1.1\r\n" + host
    + "\r\nContent-Type: application/json\r\nAccept: application/json, "
      "text/event-stream\r\nMcp-Session-Id: {sid}\r\n";
  out.push_back(
    raw("two different Content-Length",
        http(post + "Content-Length: " + len + "\r\nContent-Length: 5", ping),
        400));
  out.push_back(raw("Content-Length with a sign",
                    http(post + "Content-Length: +" + len, ping), 400));
  out.push_back(raw("Content-Length not a number",
                    http(post + "Content-Length: 4x", ping), 400));
  out.push_back(
    raw("Content-Length above 2^64",
        http(post + "Content-Length: 99999999999999999999999", ping), 400));
  out.push_back(raw("Content-Length above the body limit",
                    http(post + "Content-Length: 1000000000", ping), 413));
  out.push_back(
    raw("Transfer-Encoding and Content-Length",
        http(post + "Transfer-Encoding: chunked\r\nContent-Length: " + len,
             "0\r\n\r\n"),
        400));
  out.push_back(
    raw("Transfer-Encoding gzip, chunked",
        http(post + "Transfer-Encoding: gzip, chunked", "0\r\n\r\n"), 400));
  out.push_back(raw("chunk size not hex",
                    http(post + "Transfer-Encoding: chunked", "zz\r\nxx\r\n"),
                    400));
  out.push_back(raw(
    "chunk size above 2^64",
    http(post + "Transfer-Encoding: chunked", "fffffffffffffffffffff\r\nx\r\n"),
    400));
  out.push_back(raw(
    "chunked body above the limit",
    http(post + "Transfer-Encoding: chunked", "3B9ACA00\r\n" + ping + "\r\n"),
    413));
  out.push_back(raw("header above 16 KiB",
                    http(post + "X-Pad: " + std::string(17000, 'a')
                           + "\r\nContent-Length: " + len,
                         ping),
                    431));
  out.push_back(raw("space before the colon",
                    http(post + "Content-Length : " + len, ping), 400));
  out.push_back(raw(
    // HTTP/1.1 lets a server read a folded line as one with a space.
    "obsolete line folding",
    http(post + "X-A: 1\r\n  folded\r\nContent-Length: " + len, ping), 200));
  out.push_back(raw("bare LF line ends",
                    "POST /mcp HTTP/1.1\nHost: 127.0.0.1\nContent-Length: "
                      + len + "\n\n" + ping,
                    400));
  out.push_back(raw(
    "NUL in a header value",
    http(post + "X-A: a" + std::string(1, '\0') + "b\r\nContent-Length: " + len,
         ping),
    400));
  out.push_back(raw("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400));
  out.push_back(
    raw("HTTP/3.0 version", http("GET /health HTTP/3.0\r\n" + host), 400));
  out.push_back(raw("a request line of garbage", http("\x01\x02\x03"), 400));
  out.push_back(
    raw("a 20,000-character target",
        http("GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n" + host), 431));
  out.push_back(raw("Host of another site",
                    http("POST /mcp HTTP/1.1\r\nHost: evil.example.com\r\n"
                         "Content-Length: "
                           + len,
                         ping),
                    403));
  out.push_back(
    raw("two Host headers",
        http(post + "Host: evil.example.com\r\nContent-Length: " + len, ping),
        400));
  out.push_back(raw("no Host header",
                    http("POST /mcp HTTP/1.1\r\nContent-Length: " + len, ping),
                    403));
  out.push_back(raw("Origin of another site",
                    http(post
                           + "Origin: http://evil.example.com\r\n"
                             "Content-Length: "
                           + len,
                         ping),
                    403));
  out.push_back(raw("Origin null",
                    http(post + "Origin: null\r\nContent-Length: " + len, ping),
                    403));
  out.push_back(raw("unknown session id",
                    http("POST /mcp HTTP/1.1\r\n" + host
                           + "\r\nContent-Type: application/json\r\nAccept: "
                             "application/json, text/event-stream\r\n"
                             "Mcp-Session-Id: 00000000\r\nContent-Length: "
                           + len,
                         ping),
                    404));
  out.push_back(
    raw("10,000-character session id",
        http("POST /mcp HTTP/1.1\r\n" + host
               + "\r\nContent-Type: application/json\r\nAccept: "
                 "application/json, text/event-stream\r\n"
                 "Mcp-Session-Id: "
               + std::string(10000, 'f') + "\r\nContent-Length: " + len,
             ping),
        404));
  out.push_back(raw("no session id",
                    http("POST /mcp HTTP/1.1\r\n" + host
                           + "\r\nContent-Type: application/json\r\nAccept: "
                             "application/json, text/event-stream\r\n"
                             "Content-Length: "
                           + len,
                         ping),
                    400));
  out.push_back(raw("unsupported MCP-Protocol-Version",
                    http(post
                           + "MCP-Protocol-Version: 1999-01-01\r\n"
                             "Content-Length: "
                           + len,
                         ping),
                    400));
  out.push_back(raw("Content-Type text/plain",
                    http("POST /mcp HTTP/1.1\r\n" + host
                           + "\r\nContent-Type: text/plain\r\nAccept: "
                             "application/json, text/event-stream\r\n"
                             "Mcp-Session-Id: {sid}\r\nContent-Length: "
                           + len,
                         ping),
                    415));
  out.push_back(raw("Accept text/html only",
                    http("POST /mcp HTTP/1.1\r\n" + host
                           + "\r\nContent-Type: application/json\r\nAccept: "
                             "text/html\r\nMcp-Session-Id: {sid}\r\n"
                             "Content-Length: "
                           + len,
                         ping),
                    406));
  out.push_back(
    raw("method PUT on /mcp",
        http("PUT /mcp HTTP/1.1\r\n" + host + "\r\nContent-Length: 0"), 405));
  out.push_back(raw("path traversal to the admin API",
                    http("POST /mcp/../admin/plans/x/approve HTTP/1.1\r\n"
                         + host + "\r\nContent-Length: 0"),
                    404));
  out.push_back(raw("percent-encoded path",
                    http("GET /%6d%63%70 HTTP/1.1\r\n" + host), 404));
  out.push_back(raw("absolute-form target of another host",
                    http("GET http://evil.example.com/mcp HTTP/1.1\r\n" + host),
                    404));
}

} // namespace

std::vector<hostile_case> fixed_cases() {
  std::vector<hostile_case> out;
  framing(out);
  envelopes(out);
  resources(out);
  smuggling(out);
  return out;
}

} // namespace rmcp::test
