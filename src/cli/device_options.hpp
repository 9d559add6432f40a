#pragma once

// The options of `routeros-mcp device add|update` that describe a record
// (address, TLS, SSH, tags, flags, where the password and SSH key come
// from), and how they apply to a record.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <caf/error.hpp>

#include "protocol/device.hpp"

namespace rmcp::cli {

/// Default variable of --password-env.
constexpr const char* password_env_default = "ROUTEROS_MCP_DEVICE_PASSWORD";

constexpr size_t flag_count =
  sizeof(device_flag_table) / sizeof(device_flag_table[0]);

/// Fields given on the command line (empty / 0 = not given; tri-state
/// flags: >0 set, <0 cleared).
struct record_options {
  std::string name;
  std::string host;
  int port = 0;
  std::string scheme;
  std::string username;
  std::string environment;
  std::string tls_mode;
  std::string ca_file;
  std::string fingerprint;
  std::string server_name;
  std::string transport;
  int ssh_port = 0;
  std::string ssh_host_key;
  std::string ssh_key_file;
  std::vector<std::string> tags;
  std::vector<std::string> untags;
  int management_path = 0;
  int flags[flag_count] = {};
  std::string password_file;
  std::string password_env;
  bool ask_password = false;
};

/// Adds the record options to `cmd` (host and username required when
/// adding).
void add_record_options(CLI::App* cmd, record_options& o, bool adding);

/// Applies the given fields to `r`.
caf::error apply(const record_options& o, device_record& r);

} // namespace rmcp::cli
