#include "protocol/redact.hpp"

#include <algorithm>
#include <cctype>

namespace rmcp {

namespace {

/// Substrings of secret field names (lower case, '-' and '_' unified to
/// '-').
constexpr std::string_view secret_parts[] = {
  "password", "passphrase", "pre-shared-key", "private-key", "secret",
  "token",    "psk",        "auth-key",       "authentication-key",
};

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'
         || c == '.';
}

} // namespace

bool is_secret_key(std::string_view key) {
  std::string k;
  k.reserve(key.size());
  for (char c : key)
    k += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::any_of(std::begin(secret_parts), std::end(secret_parts),
                     [&](std::string_view part) {
                       return k.find(part) != std::string::npos;
                     });
}

std::string redact_export(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto eq = text.find('=', i);
    if (eq == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    // The key is the run of key characters right before '='.
    auto start = eq;
    while (start > i && is_key_char(text[start - 1]))
      --start;
    out.append(text.substr(i, eq + 1 - i));
    i = eq + 1;
    if (start == eq || !is_secret_key(text.substr(start, eq - start)))
      continue;
    // Skip the value: a quoted string (with \" escapes) or a bare word.
    if (i < text.size() && text[i] == '"') {
      size_t j = i + 1;
      while (j < text.size() && text[j] != '"')
        j += text[j] == '\\' ? 2 : 1;
      i = std::min(j + 1, text.size());
    } else {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
        ++i;
    }
    out.append(redacted_value);
  }
  return out;
}

} // namespace rmcp
