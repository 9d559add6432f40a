#include "protocol/ros_script.hpp"

#include <algorithm>

namespace rmcp::ros_script {

namespace {

bool lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')
         || (c >= 'a' && c <= 'f');
}

/// Lower-case letters and digits, then also `-`, `_` and `.`; 1-64 bytes.
bool word(std::string_view text) {
  return !text.empty() && text.size() <= 64 && lower_or_digit(text[0])
         && std::all_of(text.begin(), text.end(), [](char c) {
              return lower_or_digit(c) || c == '-' || c == '_' || c == '.';
            });
}

bool is_identifier(std::string_view text, ident kind) {
  switch (kind) {
    case ident::property:
      return word(text.substr(!text.empty() && text[0] == '.' ? 1 : 0));
    case ident::menu: {
      if (text.size() < 2 || text[0] != '/')
        return false;
      auto rest = text.substr(1);
      char sep = rest.find(' ') != std::string_view::npos ? ' ' : '/';
      for (;;) {
        auto next = rest.find(sep);
        if (!word(rest.substr(0, next)))
          return false;
        if (next == std::string_view::npos)
          return true;
        rest = rest.substr(next + 1);
      }
    }
    case ident::id:
      return text.size() >= 2 && text.size() <= 17 && text[0] == '*'
             && std::all_of(text.begin() + 1, text.end(), hex);
  }
  return false;
}

const char* kind_name(ident kind) {
  switch (kind) {
    case ident::property:
      return "property name";
    case ident::menu:
      return "menu path";
    case ident::id:
      return "item id (*HEX)";
  }
  return "identifier";
}

} // namespace

std::string literal(std::string_view value) {
  static constexpr char digits[] = "0123456789ABCDEF";
  static constexpr std::string_view as_hex = "[]{}?";
  std::string out = "\"";
  out.reserve(value.size() + 2);
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\' || ch == '$')
      out += {'\\', ch};
    else if (ch == '\n')
      out += "\\n";
    else if (ch == '\r')
      out += "\\r";
    else if (ch == '\t')
      out += "\\t";
    else if (c < 0x20 || c >= 0x7f || as_hex.find(ch) != as_hex.npos)
      out += {'\\', digits[c >> 4], digits[c & 15]};
    else
      out += ch;
  }
  return out + '"';
}

caf::error check_identifier(std::string_view text, ident kind, ec code) {
  if (is_identifier(text, kind))
    return caf::none;
  return make_error(
    code,
    json(std::string{text}).dump(-1, ' ', true, json::error_handler_t::replace)
      + " is not a RouterOS " + kind_name(kind));
}

caf::expected<std::string> arguments(const json& fields, ec code,
                                     const std::vector<std::string>& skip) {
  std::string out;
  for (auto& [k, v] : fields.items()) {
    if (std::find(skip.begin(), skip.end(), k) != skip.end())
      continue;
    if (auto err = check_identifier(k, ident::property, code))
      return err;
    auto text = v.is_string() ? v.get<std::string>() : v.dump();
    out += " " + k + "=";
    if (text == "true" || text == "false")
      out += text == "true" ? "yes" : "no";
    else
      out += literal(text);
  }
  return out;
}

} // namespace rmcp::ros_script
