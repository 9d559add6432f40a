#pragma once

// Registering many routers at once, and listing them back:
//
//   routeros-mcp device import FILE [--format csv|yaml] [--password-env VAR]
//                                   [--password-file FILE] [--dry-run] [--json]
//   routeros-mcp device export [--format yaml|csv]
//
// An import file (CSV with a header line, or YAML `devices:` list) holds
// one device per row with the fields of `device add`: id, host, port,
// scheme, username, environment, name, tls_mode, fingerprint, ca_file,
// server_name, tags, flags, management_path. Passwords are never inline:
// a row names a variable (`password_env`) or a file (`password_file`), or
// the command's --password-env / --password-file apply. Every row is
// checked (fields, duplicate ids, prod rules, password sources, a moved
// endpoint without a new password) before anything is written; one
// refused row refuses the whole file (exit 2) and the report names every
// refused row and why. Otherwise all rows are written in one store
// transaction and audited as one change ("device import"); the report
// lists what was added, changed and left unchanged. A row describes the
// whole device: fields it leaves out take their defaults.
//
// `device export` prints every device in the import format without any
// secret (no password columns filled), so an export imports again as is.

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <caf/expected.hpp>

#include "protocol/device.hpp"
#include "src/config/server_options.hpp"

namespace rmcp::cli {

/// One row of an import file.
struct import_row {
  /// Line (CSV) or list position (YAML), from 1, for messages.
  size_t line = 0;
  device_record record;
  std::string password_env;
  std::string password_file;
};

/// The rows of an import file, or the refusals of its unreadable rows
/// ("line 3: port: …").
struct import_parse {
  std::vector<import_row> rows;
  std::vector<std::string> refused;
};

/// Parses CSV (header line first) or YAML (`devices:` list) text;
/// `environment` is the default of rows that name none. Fails only when
/// the file as a whole is unusable (no header, not YAML, unknown column).
caf::expected<import_parse> parse_import(const std::string& text,
                                         const std::string& format,
                                         const std::string& environment);

/// Every device as an import file (no secrets).
std::string export_devices(const std::vector<device_record>& devices,
                           const std::string& format);

class device_io_cli {
public:
  /// Adds `import` and `export` under the `device` subcommand of `app`
  /// (device_cli must have added it first).
  explicit device_io_cli(CLI::App& app);
  ~device_io_cli();

  bool parsed() const;

  int run(const config::server_options& opts);

  struct state;

private:
  std::unique_ptr<state> state_;
};

} // namespace rmcp::cli
