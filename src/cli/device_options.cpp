#include "src/cli/device_options.hpp"

#include "protocol/error.hpp"

namespace rmcp::cli {

void add_record_options(CLI::App* cmd, record_options& o, bool adding) {
  auto* host =
    cmd->add_option("--host", o.host, "Management address (IP or host name)");
  auto* user = cmd->add_option("--username", o.username, "RouterOS REST user");
  if (adding) {
    host->required();
    user->required();
  }
  cmd->add_option("--name", o.name, "Human name (default: the id)");
  cmd->add_option("--port", o.port, "REST port (default 443, 80 for http)")
    ->check(CLI::Range(1, 65535));
  cmd->add_option("--scheme", o.scheme, "https (default) or http")
    ->check(CLI::IsMember({"https", "http"}));
  cmd
    ->add_option("--environment", o.environment,
                 "lab, staging or prod (default: the service's)")
    ->check(CLI::IsMember({"lab", "staging", "prod"}));
  cmd
    ->add_option("--tls-mode", o.tls_mode,
                 "verify (CA), pin (certificate fingerprint) or insecure")
    ->check(CLI::IsMember({"verify", "pin", "insecure"}));
  cmd->add_option("--ca-file", o.ca_file, "PEM CA file for --tls-mode verify");
  cmd->add_option("--fingerprint", o.fingerprint,
                  "SHA-256 fingerprint of the router certificate (implies "
                  "--tls-mode pin)");
  cmd->add_option("--server-name", o.server_name,
                  "TLS server name to verify (default: the host)");
  cmd
    ->add_option("--transport", o.transport,
                 "rest (default), ssh, or auto (reads fall back to SSH)")
    ->check(CLI::IsMember({"rest", "ssh", "auto"}));
  cmd->add_option("--ssh-port", o.ssh_port, "SSH port (default 22)")
    ->check(CLI::Range(1, 65535));
  cmd->add_option("--ssh-host-key", o.ssh_host_key,
                  "SHA-256 of the router's SSH host key (hex); unpinned: "
                  "trusted on first use, lab only");
  cmd->add_option("--ssh-key-file", o.ssh_key_file,
                  "SSH private key (no passphrase) to log in with, stored "
                  "encrypted instead of using the password over SSH");
  cmd->add_option("--tag", o.tags, "Tag key=value (repeatable)");
  if (!adding)
    cmd->add_option("--untag", o.untags, "Remove the tag KEY (repeatable)");
  cmd->add_flag("--management-path,!--no-management-path", o.management_path,
                "Other devices are reached through this one");
  for (size_t i = 0; i < flag_count; ++i) {
    auto option = device_flag_option(device_flag_table[i]);
    cmd->add_flag("--" + option + ",!--no-" + option, o.flags[i],
                  device_flag_table[i].cli_help);
  }
  cmd->add_option("--password-file", o.password_file,
                  "Read the password from this file");
  cmd->add_option("--password-env", o.password_env,
                  std::string{"Read the password from this variable (default "}
                    + password_env_default + " when set)");
  if (!adding)
    cmd->add_flag("--ask-password", o.ask_password,
                  "Prompt for a new password");
}

caf::error apply(const record_options& o, device_record& r) {
  auto set = [](std::string& field, const std::string& value) {
    if (!value.empty())
      field = value;
  };
  set(r.name, o.name);
  set(r.host, o.host);
  set(r.username, o.username);
  set(r.environment, o.environment);
  set(r.tls.mode, o.tls_mode);
  set(r.tls.ca_file, o.ca_file);
  set(r.tls.server_name, o.server_name);
  if (!o.scheme.empty()) {
    r.scheme = o.scheme;
    if (o.port == 0 && r.port == (o.scheme == "http" ? 443 : 80))
      r.port = o.scheme == "http" ? 80 : 443;
  }
  if (o.port != 0)
    r.port = static_cast<uint16_t>(o.port);
  if (!o.fingerprint.empty()) {
    r.tls.fingerprint_sha256 = normalize_fingerprint(o.fingerprint);
    if (r.tls.fingerprint_sha256.empty())
      return make_error(ec::invalid_arguments,
                        "--fingerprint: expected 32 hex bytes (64 hex digits, "
                        "colons allowed), got '"
                          + o.fingerprint + "'");
    if (o.tls_mode.empty())
      r.tls.mode = "pin";
  }
  set(r.ssh.transport, o.transport);
  if (o.ssh_port != 0)
    r.ssh.port = static_cast<uint16_t>(o.ssh_port);
  if (!o.ssh_host_key.empty()) {
    r.ssh.host_key_sha256 = normalize_fingerprint(o.ssh_host_key);
    if (r.ssh.host_key_sha256.empty())
      return make_error(ec::invalid_arguments,
                        "--ssh-host-key: expected 32 hex bytes, got '"
                          + o.ssh_host_key + "'");
  }
  for (auto& kv : o.tags) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error(ec::invalid_arguments,
                        "--tag expects key=value, got '" + kv + "'");
    r.tags[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (auto& key : o.untags)
    r.tags.erase(key);
  if (o.management_path != 0)
    r.management_path = o.management_path > 0;
  for (size_t i = 0; i < flag_count; ++i)
    if (o.flags[i] != 0)
      r.flags.*(device_flag_table[i].member) = o.flags[i] > 0;
  return validate(r);
}

} // namespace rmcp::cli
