#include "sim/json_out.hpp"

#include <cstdio>

namespace rmcp::sim {

void append_json_string(std::string& out, std::string_view s,
                        bool raw_controls) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 && !(raw_controls && c == 0x1b)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

namespace {

void append_object(std::string& out, const fields& f, bool raw) {
  out += '{';
  bool first = true;
  for (auto& [k, v] : f) {
    if (!first)
      out += ',';
    first = false;
    append_json_string(out, k);
    out += ':';
    append_json_string(out, v, raw);
  }
  out += '}';
}

} // namespace

std::string json_object(const fields& f, bool raw_controls) {
  std::string out;
  out.reserve(f.size() * 32 + 2);
  append_object(out, f, raw_controls);
  return out;
}

std::string json_array(const std::vector<fields>& items, bool raw_controls) {
  std::string out;
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      out += ',';
    append_object(out, items[i], raw_controls);
  }
  out += ']';
  return out;
}

const char* reason_phrase(unsigned status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 406:
      return "Not Acceptable";
    case 415:
      return "Unsupported Media Type";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string json_error(unsigned status, std::string_view detail) {
  std::string out = "{";
  if (!detail.empty()) {
    out += "\"detail\":";
    append_json_string(out, detail);
    out += ',';
  }
  out += "\"error\":" + std::to_string(status) + ",\"message\":";
  append_json_string(out, reason_phrase(status));
  out += '}';
  return out;
}

} // namespace rmcp::sim
