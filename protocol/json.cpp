#include "protocol/json.hpp"

#include <charconv>

#include "protocol/json_parse.hpp"

namespace rmcp {

std::optional<json> parse_json(std::string_view text) {
  auto result = parse_json_bounded(text);
  if (!result)
    return std::nullopt;
  return std::move(*result);
}

namespace {

std::string nlohmann_dump(const json& x) {
  return x.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// Appends `s` quoted. Printable ASCII (what nlohmann's dump copies as it
/// is, '"' and '\\' escaped) is written here; a string with a control
/// character or a byte above 0x7F goes through nlohmann's dump (`node`,
/// or a copy of `s` without one), which escapes the one and validates the
/// UTF-8 of the other.
void quote(std::string& out, const std::string& s, const json* node) {
  auto start = out.size();
  out += '"';
  size_t plain = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80) {
      out.resize(start);
      out += node != nullptr ? nlohmann_dump(*node) : nlohmann_dump(json(s));
      return;
    }
    if (c == '"' || c == '\\') {
      out.append(s, plain, i - plain);
      out += '\\';
      out += s[i];
      plain = i + 1;
    }
  }
  out.append(s, plain, std::string::npos);
  out += '"';
}

template <class Integer>
void append_integer(std::string& out, Integer value) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof(buf), value).ptr;
  out.append(buf, end);
}

} // namespace

/// nlohmann's compact dump, byte for byte (a test compares the two), in
/// one pass over the tree: its serializer decodes every byte of every
/// string as UTF-8, and is built anew for each dump.
void append_json(std::string& out, const json& x) {
  switch (x.type()) {
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : x.get_ref<const json::object_t&>()) {
        if (!first)
          out += ',';
        first = false;
        quote(out, key, nullptr);
        out += ':';
        append_json(out, value);
      }
      out += '}';
      return;
    }
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& value : x.get_ref<const json::array_t&>()) {
        if (!first)
          out += ',';
        first = false;
        append_json(out, value);
      }
      out += ']';
      return;
    }
    case json::value_t::string:
      quote(out, x.get_ref<const std::string&>(), &x);
      return;
    case json::value_t::boolean:
      out += x.get<bool>() ? "true" : "false";
      return;
    case json::value_t::null:
      out += "null";
      return;
    case json::value_t::number_integer:
      append_integer(out, x.get<json::number_integer_t>());
      return;
    case json::value_t::number_unsigned:
      append_integer(out, x.get<json::number_unsigned_t>());
      return;
    default: // floating point, binary, discarded: as nlohmann writes them
      out += nlohmann_dump(x);
      return;
  }
}

void append_json_string(std::string& out, const std::string& s) {
  quote(out, s, nullptr);
}

std::string dump_json(const json& x) {
  std::string out;
  append_json(out, x);
  return out;
}

} // namespace rmcp
