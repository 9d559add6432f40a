#include "protocol/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace rmcp {

namespace {

/// Substrings of secret field names (lower case, '-' and '_' unified to
/// '-'). RouterOS: password (users, PPP, VRRP, SNMP authentication- and
/// encryption-password, eap-password, backups), passphrase (wifi security,
/// certificates), wpa/wpa2-pre-shared-key, preshared-key (WireGuard peers,
/// nv2-preshared-key), private-key (WireGuard, static-sta-private-key),
/// static-key-0..3 (WEP), management-protection-key, tcp-md5-key (BGP),
/// auth-key / authentication-key (OSPF, RIP), secret (RADIUS, IPsec,
/// ipsec-secret, ppk-secret, nv2-sync-secret), trap-community (SNMP).
constexpr std::string_view secret_parts[] = {
  "password",
  "passphrase",
  "pre-shared-key",
  "preshared-key",
  "private-key",
  "static-key",
  "md5-key",
  "secret",
  "token",
  "psk",
  "auth-key",
  "authentication-key",
  "passwd",
  "api-key",
  "apikey",
  "authorization",
  "credential",
  "community",
  "management-protection-key",
};

/// Whole secret field names: `key` (NTP keys, IPsec keys) and `pin` (LTE
/// SIM PIN).
constexpr std::string_view secret_names[] = {"key", "pin"};

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'
         || c == '.';
}

} // namespace

bool is_secret_key(std::string_view key) {
  // Lower case and '-' for '_' (ASCII: member names), on the stack for the
  // names of every tool result.
  char stack[64];
  std::string heap;
  char* k = stack;
  if (key.size() > sizeof(stack)) {
    heap.resize(key.size());
    k = heap.data();
  }
  for (size_t i = 0; i < key.size(); ++i) {
    auto c = key[i];
    k[i] = c == '_'               ? '-'
           : c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32)
                                  : c;
  }
  std::string_view name{k, key.size()};
  if (std::find(std::begin(secret_names), std::end(secret_names), name)
      != std::end(secret_names))
    return true;
  // At each position of the name, only the parts that start with its
  // letter are compared (a tool result's every member name passes here).
  static const auto parts_by_first = [] {
    std::array<std::vector<std::string_view>, 256> out;
    for (auto part : secret_parts)
      out[static_cast<unsigned char>(part.front())].push_back(part);
    return out;
  }();
  for (size_t i = 0; i < name.size(); ++i) {
    auto rest = name.substr(i);
    for (auto part : parts_by_first[static_cast<unsigned char>(name[i])])
      if (part.size() <= rest.size() && part[1] == rest[1]
          && rest.compare(0, part.size(), part) == 0)
        return true;
  }
  return false;
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
      while (i < text.size()
             && !std::isspace(static_cast<unsigned char>(text[i])))
        ++i;
    }
    out.append(redacted_value);
  }
  return out;
}

json redact_json(json value) {
  if (value.is_object()) {
    for (auto& [k, member] : value.items()) {
      if (is_secret_key(k) && (member.is_string() || member.is_number()))
        member = std::string{redacted_value};
      else if (member.is_structured())
        member = redact_json(std::move(member));
    }
  } else if (value.is_array()) {
    for (auto& item : value)
      item = redact_json(std::move(item));
  }
  return value;
}

std::string redact_text(std::string_view text) {
  auto s = redact_export(text);
  auto lower_at = [&](size_t i, std::string_view word) {
    if (s.size() < i + word.size())
      return false;
    for (size_t j = 0; j < word.size(); ++j)
      if (std::tolower(static_cast<unsigned char>(s[i + j])) != word[j])
        return false;
    return true;
  };
  // The end of a value starting at `j`: a quoted string or a bare word.
  auto value_end = [&](size_t j) {
    if (j < s.size() && (s[j] == '"' || s[j] == '\'')) {
      auto q = s[j];
      size_t k = j + 1;
      while (k < s.size() && s[k] != q)
        k += s[k] == '\\' ? 2 : 1;
      return std::min(k + 1, s.size());
    }
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))
           && s[j] != ',' && s[j] != ';' && s[j] != '&' && s[j] != '}')
      ++j;
    return j;
  };
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    bool word_start = i == 0 || !is_key_char(s[i - 1]);
    if (word_start && lower_at(i, "bearer ")) {
      out.append(s, i, 7).append(redacted_value);
      i = value_end(i + 7);
      continue;
    }
    if (word_start && s.compare(i, 5, "rmcp_") == 0) {
      out.append(redacted_value);
      while (i < s.size() && is_key_char(s[i]))
        ++i;
      continue;
    }
    if (word_start && is_key_char(s[i])) {
      size_t j = i;
      while (j < s.size() && is_key_char(s[j]))
        ++j;
      auto name = std::string_view{s}.substr(i, j - i);
      size_t k = j;
      if (k < s.size() && s[k] == '"')
        ++k;
      if (k < s.size() && s[k] == ':' && is_secret_key(name)) {
        ++k;
        while (k < s.size() && s[k] == ' ')
          ++k;
        out.append(s, i, k - i);
        // "Authorization: Bearer x": the scheme and its credentials.
        for (std::string_view scheme : {"bearer ", "basic "})
          if (lower_at(k, scheme))
            k += scheme.size();
        auto end = value_end(k);
        if (end > k && (s[k] == '"' || s[k] == '\''))
          out.append(1, s[k]).append(redacted_value).append(1, s[k]);
        else
          out.append(redacted_value);
        i = end;
        continue;
      }
      out.append(name);
      i = j;
      continue;
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

} // namespace rmcp
