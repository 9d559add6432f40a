#include "protocol/device.hpp"

#include <cctype>
#include <regex>
#include <tuple>

#include "protocol/error.hpp"
#include "protocol/net_text.hpp"

namespace rmcp {

namespace {

auto tie_tls(const tls_settings& x) {
  return std::tie(x.mode, x.ca_file, x.fingerprint_sha256, x.server_name);
}

auto tie_ssh(const ssh_settings& x) {
  return std::tie(x.transport, x.port, x.host_key_sha256);
}

auto tie_record(const device_record& x) {
  return std::tie(x.id, x.name, x.host, x.port, x.scheme, x.tls, x.ssh,
                  x.username, x.environment, x.tags, x.flags, x.management_path,
                  x.created_at, x.updated_at);
}

caf::error bad_field(const std::string& field, const std::string& what) {
  return make_error(ec::invalid_arguments, field + ": " + what);
}

} // namespace

const device_flag_def* find_device_flag(bool device_flags::*member) {
  for (auto& def : device_flag_table)
    if (def.member == member)
      return &def;
  return nullptr;
}

const device_flag_def* find_device_flag(std::string_view name) {
  for (auto& def : device_flag_table)
    if (name == def.name)
      return &def;
  return nullptr;
}

std::string device_flag_option(const device_flag_def& def) {
  std::string out{def.name};
  for (auto& c : out)
    if (c == '_')
      c = '-';
  return out;
}

std::vector<std::string> device_flags_set(const device_flags& x) {
  std::vector<std::string> out;
  for (auto& def : device_flag_table)
    if (x.*def.member)
      out.emplace_back(def.name);
  return out;
}

bool set_device_flags(device_flags& x, const std::vector<std::string>& names) {
  x = device_flags{};
  bool known = true;
  for (auto& name : names) {
    if (auto* def = find_device_flag(name))
      x.*def->member = true;
    else
      known = false;
  }
  return known;
}

caf::error capability_denied(const std::string& who, const std::string& tool,
                             bool device_flags::*member,
                             const std::string& target) {
  const auto* def = find_device_flag(member);
  if (def == nullptr)
    return make_error(ec::internal_error,
                      "tool '" + tool
                        + "' needs a flag that is not in the "
                          "device flag table");
  return make_error(ec::capability_denied,
                    who + " does not allow this: tool '" + tool
                      + "' needs the device flag " + def->name + " ("
                      + def->description
                      + "; set it with `routeros-mcp device update " + target
                      + " --" + device_flag_option(*def) + "`)");
}

bool operator==(const device_flags& a, const device_flags& b) {
  for (auto& def : device_flag_table)
    if (a.*def.member != b.*def.member)
      return false;
  return true;
}

bool operator==(const tls_settings& a, const tls_settings& b) {
  return tie_tls(a) == tie_tls(b);
}

bool operator==(const ssh_settings& a, const ssh_settings& b) {
  return tie_ssh(a) == tie_ssh(b);
}

bool is_transport(const std::string& text) {
  return text == "rest" || text == "ssh" || text == "auto";
}

bool operator==(const device_record& a, const device_record& b) {
  return tie_record(a) == tie_record(b);
}

bool operator==(const credential& a, const credential& b) {
  return a.username == b.username && a.password == b.password
         && a.ssh_private_key == b.ssh_private_key;
}

std::string normalize_fingerprint(const std::string& text) {
  std::string hex;
  for (char c : text) {
    if (c == ':')
      continue;
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      return {};
    hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 64)
    return {};
  std::string result;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0)
      result += ':';
    result += hex.substr(i, 2);
  }
  return result;
}

caf::error validate(const device_record& x) {
  static const std::regex id_re{"^[a-z0-9][a-z0-9_.-]{0,63}$"};
  static const std::regex tag_re{"^[A-Za-z0-9_.-]{1,64}$"};
  if (!std::regex_match(x.id, id_re))
    return bad_field("id", "'" + x.id
                             + "' is not a device id: 1-64 characters, lower "
                               "case letters, digits, '_', '.', '-', starting "
                               "with a letter or digit");
  if (x.name.size() > 128)
    return bad_field("name", "longer than 128 characters");
  if (x.host.empty() || !(net::is_ip(x.host) || net::is_hostname(x.host)))
    return bad_field("host", "'" + x.host
                               + "' is neither an IP address nor a host name");
  if (x.port == 0)
    return bad_field("port", "must be 1..65535");
  if (x.scheme != "https" && x.scheme != "http")
    return bad_field("scheme", "'" + x.scheme + "'; legal: https, http");
  if (x.tls.mode != "verify" && x.tls.mode != "pin" && x.tls.mode != "insecure")
    return bad_field("tls.mode",
                     "'" + x.tls.mode + "'; legal: verify, pin, insecure");
  if (x.scheme == "https" && x.tls.mode == "pin"
      && normalize_fingerprint(x.tls.fingerprint_sha256).empty())
    return bad_field("tls.fingerprint_sha256",
                     "mode 'pin' needs the SHA-256 fingerprint of the "
                     "router's certificate (32 hex bytes, e.g. as printed by "
                     "`openssl x509 -fingerprint -sha256`)");
  if (!is_transport(x.ssh.transport))
    return bad_field("ssh.transport",
                     "'" + x.ssh.transport + "'; legal: rest, ssh, auto");
  if (x.ssh.port == 0)
    return bad_field("ssh.port", "must be 1..65535");
  if (!x.ssh.host_key_sha256.empty()
      && normalize_fingerprint(x.ssh.host_key_sha256).empty())
    return bad_field("ssh.host_key_sha256",
                     "expected the SHA-256 of the router's SSH host key (32 "
                     "hex bytes, e.g. as printed by routeros-sim or "
                     "`ssh-keygen -l -E sha256` in hex)");
  if (x.ssh.transport != "rest" && x.ssh.host_key_sha256.empty()
      && x.environment != "lab")
    return bad_field("ssh.host_key_sha256",
                     "SSH without a pinned host key (trust on first use) is "
                     "for lab devices only; pin the router's key with "
                     "--ssh-host-key");
  if (x.username.empty() || x.username.size() > 64)
    return bad_field("username", "must be 1-64 characters");
  if (x.environment != "lab" && x.environment != "staging"
      && x.environment != "prod")
    return bad_field("environment",
                     "'" + x.environment + "'; legal: lab, staging, prod");
  if (x.environment == "prod" && x.scheme == "http")
    return bad_field("scheme", "plain HTTP is refused for prod devices "
                               "(credentials would travel in clear text)");
  if (x.environment == "prod" && x.scheme == "https"
      && x.tls.mode == "insecure")
    return bad_field("tls.mode", "'insecure' is refused for prod devices; use "
                                 "'verify' with a CA file or 'pin'");
  if (x.tags.size() > 32)
    return bad_field("tags", "at most 32 tags");
  for (auto& [key, value] : x.tags) {
    if (!std::regex_match(key, tag_re))
      return bad_field("tags", "key '" + key
                                 + "': 1-64 characters of letters, digits, "
                                   "'_', '.', '-'");
    if (value.size() > 256)
      return bad_field("tags",
                       "value of '" + key + "' is longer than 256 characters");
  }
  return caf::none;
}

std::string to_string(device_status x) {
  switch (x) {
    case device_status::unknown:
      return "unknown";
    case device_status::healthy:
      return "healthy";
    case device_status::degraded:
      return "degraded";
    case device_status::unreachable:
      return "unreachable";
  }
  return "unknown";
}

bool from_string(const std::string& text, device_status& out) {
  for (auto x : {device_status::unknown, device_status::healthy,
                 device_status::degraded, device_status::unreachable}) {
    if (to_string(x) == text) {
      out = x;
      return true;
    }
  }
  return false;
}

} // namespace rmcp
