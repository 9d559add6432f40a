#include "src/cli/device_import.hpp"

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "protocol/audit.hpp"
#include "protocol/error.hpp"
#include "src/app/identities.hpp"
#include "src/app/store_setup.hpp"
#include "src/cli/cli_io.hpp"
#include "src/cli/device_cli.hpp"
#include "storage/audit_log.hpp"

namespace rmcp::cli {

namespace {

/// Largest import file read (1,000 routers take about 150 KB of CSV).
constexpr std::streamsize max_import_bytes = 64 << 20;

std::string format_of(const std::string& given, const std::string& file) {
  if (!given.empty())
    return given;
  auto dot = file.rfind('.');
  auto ext = dot == std::string::npos ? "" : file.substr(dot + 1);
  return ext == "csv" ? "csv" : "yaml";
}

/// Equal but for the store's timestamps.
bool same_record(device_record a, const device_record& b) {
  a.created_at = b.created_at;
  a.updated_at = b.updated_at;
  return a == b;
}

} // namespace

struct device_io_cli::state {
  CLI::App* import = nullptr;
  CLI::App* export_cmd = nullptr;
  std::string file;
  std::string format;
  std::string password_env;
  std::string password_file;
  bool dry_run = false;
  bool as_json = false;

  int do_import(const config::server_options& opts, storage::device_store& db);
  int do_export(storage::device_store& db);
};

int device_io_cli::state::do_import(const config::server_options& opts,
                                    storage::device_store& db) {
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    std::cerr << "routeros-mcp: cannot read " << file << "\n";
    return exit_code::usage;
  }
  std::string text;
  text.resize(static_cast<size_t>(max_import_bytes) + 1);
  in.read(text.data(), max_import_bytes + 1);
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > static_cast<size_t>(max_import_bytes)) {
    std::cerr << "routeros-mcp: " << file << " is larger than 64 MiB\n";
    return exit_code::usage;
  }
  auto parsed = parse_import(text, format_of(format, file), opts.environment);
  if (!parsed) {
    std::cerr << "routeros-mcp: " << file << ": "
              << error_message(parsed.error()) << "\n";
    return exit_code::usage;
  }
  auto existing = db.devices();
  if (!existing) {
    std::cerr << "routeros-mcp: " << error_message(existing.error()) << "\n";
    return exit_code::failure;
  }
  std::map<std::string, device_record> stored;
  for (auto& r : *existing)
    stored.emplace(r.id, r);
  // Everything is decided before anything is written.
  std::vector<storage::device_put> batch;
  std::vector<std::string> added, changed, unchanged;
  auto& refused = parsed->refused;
  for (auto& row : parsed->rows) {
    auto where =
      "line " + std::to_string(row.line) + " (" + row.record.id + "): ";
    secret_source src;
    src.file = row.password_file.empty() && row.password_env.empty()
                 ? password_file
                 : row.password_file;
    src.env = row.password_file.empty() && row.password_env.empty()
                ? password_env
                : row.password_env;
    src.may_prompt = false;
    auto secret = read_secret(src);
    if (!secret) {
      refused.push_back(where + error_message(secret.error()));
      continue;
    }
    auto old = stored.find(row.record.id);
    storage::device_put put;
    put.record = row.record;
    if (*secret)
      put.cred = credential{row.record.username, **secret, {}};
    if (old == stored.end()) {
      if (!put.cred) {
        refused.push_back(where
                          + "a new device needs a password: set password_env "
                            "or password_file in the file, or give "
                            "--password-env / --password-file");
        continue;
      }
      added.push_back(row.record.id);
    } else {
      bool moved = !storage::same_endpoint(old->second, row.record);
      if (moved && !put.cred) {
        refused.push_back(where
                          + "its endpoint changes (host, port, scheme or "
                            "TLS): the stored password is never sent to a "
                            "new address, so give a password for it");
        continue;
      }
      if (same_record(row.record, old->second) && !put.cred) {
        unchanged.push_back(row.record.id);
        continue;
      }
      changed.push_back(row.record.id);
    }
    batch.push_back(std::move(put));
  }
  json report{{"file", file},       {"added", added},
              {"changed", changed}, {"unchanged", unchanged},
              {"refused", refused}, {"written", false}};
  int rc = exit_code::ok;
  if (!refused.empty()) {
    rc = exit_code::usage;
  } else if (!dry_run && !batch.empty()) {
    if (auto err = db.put_devices(std::move(batch))) {
      std::cerr << "routeros-mcp: nothing was imported: " << error_message(err)
                << "\n";
      return exit_code::failure;
    }
    report["written"] = true;
    auto who = app::cli_identity(opts, "");
    audit_record r;
    r.kind = audit_kind::change;
    r.actor = who.subject;
    r.role = who.role;
    r.transport = who.transport;
    r.tool = "device import";
    r.devices = added;
    r.devices.insert(r.devices.end(), changed.begin(), changed.end());
    r.outcome = "applied";
    r.arguments = {{"file", file},
                   {"added", added.size()},
                   {"changed", changed.size()},
                   {"unchanged", unchanged.size()}};
    storage::audit_log trail{db.kv()};
    if (auto seq = trail.append(std::move(r)); !seq)
      std::cerr << "routeros-mcp: the import was written but not recorded "
                   "in the audit trail: "
                << error_message(seq.error()) << "\n";
  }
  if (as_json) {
    std::cout << report.dump(2) << "\n";
    return rc;
  }
  for (auto& line : refused)
    std::cout << "refused " << line << "\n";
  auto list = [](const std::vector<std::string>& ids) {
    std::string out;
    for (size_t i = 0; i < ids.size() && i < 10; ++i)
      out += (i ? ", " : "") + ids[i];
    if (ids.size() > 10)
      out += ", … (" + std::to_string(ids.size() - 10) + " more)";
    return out;
  };
  if (!refused.empty())
    std::cout << "nothing imported: " << refused.size()
              << " refused row(s); fix them and import the file again\n";
  else
    std::cout << (dry_run ? "would import: " : "imported: ") << added.size()
              << " added, " << changed.size() << " changed, "
              << unchanged.size() << " unchanged"
              << (added.empty() ? "" : "\nadded: " + list(added))
              << (changed.empty() ? "" : "\nchanged: " + list(changed)) << "\n";
  return rc;
}

int device_io_cli::state::do_export(storage::device_store& db) {
  auto all = db.devices();
  if (!all) {
    std::cerr << "routeros-mcp: " << error_message(all.error()) << "\n";
    return exit_code::failure;
  }
  std::cout << export_devices(*all, format.empty() ? "yaml" : format);
  return exit_code::ok;
}

device_io_cli::device_io_cli(CLI::App& app)
  : state_(std::make_unique<state>()) {
  auto& s = *state_;
  auto* device = app.get_subcommand("device");
  s.import = device->add_subcommand(
    "import", "Register or update many routers from a CSV or YAML file, all "
              "or nothing, in one store transaction");
  s.import->add_option("file", s.file, "CSV (header line) or YAML file")
    ->required();
  s.import
    ->add_option("--format", s.format,
                 "csv or yaml (default: from the file name; yaml)")
    ->check(CLI::IsMember({"csv", "yaml"}));
  s.import->add_option("--password-env", s.password_env,
                       "Password variable of rows that name no source");
  s.import->add_option("--password-file", s.password_file,
                       "Password file of rows that name no source");
  s.import->add_flag("--dry-run", s.dry_run, "Check and report, write nothing");
  s.import->add_flag("--json", s.as_json, "Print the report as JSON");
  s.export_cmd = device->add_subcommand(
    "export", "Print every router in the import format (never a password)");
  s.export_cmd->add_option("--format", s.format, "yaml (default) or csv")
    ->check(CLI::IsMember({"csv", "yaml"}));
}

device_io_cli::~device_io_cli() = default;

bool device_io_cli::parsed() const {
  return state_->import->parsed() || state_->export_cmd->parsed();
}

int device_io_cli::run(const config::server_options& opts) {
  auto db = app::open_store(opts);
  if (!db) {
    std::cerr << "routeros-mcp: cannot open the store: "
              << error_message(db.error()) << "\n";
    return exit_code::failure;
  }
  if (state_->import->parsed())
    return state_->do_import(opts, **db);
  return state_->do_export(**db);
}

} // namespace rmcp::cli
