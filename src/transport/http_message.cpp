#include "src/transport/http_message.hpp"

#include <cstdio>
#include <optional>

#include "protocol/jsonrpc.hpp"
#include "storage/encoding.hpp"

namespace rmcp::transport {

namespace {

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    std::optional<std::string> byte;
    if (c == '%' && i + 2 < text.size())
      byte = storage::from_hex(text.substr(i + 1, 2));
    if (c == '+') {
      out += ' ';
    } else if (byte) {
      out += *byte;
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

void append_head(std::string& out, unsigned version, unsigned status,
                 std::string_view content_type, const header_list& extra,
                 bool keep_alive) {
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\nServer: routeros-mcp\r\n";
  if (!content_type.empty()) {
    out += "Content-Type: ";
    out += content_type;
    out += "\r\n";
  }
  for (auto& [name, value] : extra) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!keep_alive)
    out += "Connection: close\r\n";
  else if (version == 10)
    out += "Connection: keep-alive\r\n";
}

} // namespace

void split_target(std::string_view target, std::string& path,
                  std::string& query) {
  auto q = target.find('?');
  path = std::string{target.substr(0, q)};
  query = q == std::string_view::npos ? std::string{}
                                      : std::string{target.substr(q + 1)};
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string{}
                                          : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string format_response(unsigned version, unsigned status,
                            std::string_view content_type,
                            std::string_view body, const header_list& extra,
                            bool keep_alive) {
  std::string out;
  out.reserve(256 + body.size());
  append_head(out, version, status, content_type, extra, keep_alive);
  out += "Content-Length: ";
  out += std::to_string(body.size());
  out += "\r\n\r\n";
  out += body;
  return out;
}

std::string format_stream_head(unsigned version, unsigned status,
                               std::string_view content_type,
                               const header_list& extra, bool keep_alive) {
  std::string out;
  append_head(out, version, status, content_type, extra,
              keep_alive && version != 10);
  out += "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n";
  if (version != 10)
    out += "Transfer-Encoding: chunked\r\n";
  out += "\r\n";
  return out;
}

std::string format_chunk(std::string_view data) {
  if (data.empty())
    return {};
  char size[20];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  std::string out{size};
  out += data;
  out += "\r\n";
  return out;
}

std::string_view last_chunk() {
  return "0\r\n\r\n";
}

std::string sse_event(std::string_view event, std::string_view data,
                      std::string_view id) {
  std::string out;
  if (!id.empty()) {
    out += "id: ";
    out += id;
    out += '\n';
  }
  if (!event.empty()) {
    out += "event: ";
    out += event;
    out += '\n';
  }
  for (;;) {
    auto nl = data.find('\n');
    auto line = data.substr(0, nl);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    out += "data: ";
    out += line;
    out += '\n';
    if (nl == std::string_view::npos)
      break;
    data.remove_prefix(nl + 1);
  }
  out += '\n';
  return out;
}

std::string error_body(ec code, std::string message) {
  return dump_json(
    jsonrpc::make_error(nullptr, make_error(code, std::move(message))));
}

std::string sse_comment(std::string_view text) {
  std::string out{": "};
  out += text;
  out += "\n\n";
  return out;
}

void adopt_traceparent(http_request& req, json& message) {
  // A valid traceparent is 55 characters; a longer header is not one.
  constexpr size_t longest = 128;
  if (req.traceparent.empty() || req.traceparent.size() > longest
      || !message.is_object() || !message.contains("method")
      || !message.contains("id"))
    return;
  auto params = message.find("params");
  if (params == message.end())
    params = message.emplace("params", json::object()).first;
  if (!params->is_object())
    return;
  auto meta = params->find("_meta");
  if (meta == params->end())
    meta = params->emplace("_meta", json::object()).first;
  if (!meta->is_object() || meta->contains("requestId")
      || meta->contains("traceparent"))
    return;
  (*meta)["traceparent"] = req.traceparent;
  req.body = dump_json(message);
}

} // namespace rmcp::transport
