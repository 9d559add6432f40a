// routeros-mcp: the daemon and its admin command line.
//
//   routeros-mcp [--config F] [--set key=value]... [serve [--stdio | --http
//                [--listen ADDR:PORT]] [--toolsets LIST]
//                [--console-login-as NAME [--console-login-role ROLE]]]
//   routeros-mcp config show|keys|check
//   routeros-mcp doctor [--json]
//   routeros-mcp device add|list|show|update|remove|import|export …
//   routeros-mcp plan list|show|approve|reject …
//   routeros-mcp token create|list|revoke …, audit verify|export …
//   routeros-mcp console login-link --as NAME …
//   routeros-mcp version
//
// Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error;
// `device` adds 3 (no such device) and 4 (already registered), see
// src/cli/device_cli.hpp.

#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/sanitizer_reports.hpp"
#include "protocol/version.hpp"
#include "src/app/runtime.hpp"
#include "src/app/store_setup.hpp"
#include "src/cli/console_cli.hpp"
#include "src/cli/device_cli.hpp"
#include "src/cli/device_import.hpp"
#include "src/cli/doctor_cli.hpp"
#include "src/cli/plan_cli.hpp"
#include "src/cli/security_cli.hpp"
#include "src/config/loader.hpp"
#include "src/config/options_table.hpp"

namespace {

using rmcp::config::server_options;

struct global_flags {
  std::string config_file;
  std::vector<std::string> sets;
  std::string environment;
  std::string log_level;
  std::string data_dir;
  std::string listen;
  std::string toolsets;
};

caf::expected<server_options> load_options(const global_flags& flags) {
  rmcp::config::load_request req;
  req.file = flags.config_file;
  req.env = rmcp::config::process_environment();
  for (auto& kv : flags.sets) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return rmcp::make_error(rmcp::ec::invalid_params,
                              "--set expects key=value, got '" + kv + "'");
    req.overrides.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (!flags.environment.empty())
    req.overrides.emplace_back("environment", flags.environment);
  if (!flags.log_level.empty())
    req.overrides.emplace_back("log.level", flags.log_level);
  if (!flags.data_dir.empty())
    req.overrides.emplace_back("data_dir", flags.data_dir);
  if (!flags.listen.empty())
    req.overrides.emplace_back("http.listen", flags.listen);
  if (!flags.toolsets.empty())
    req.overrides.emplace_back("server.toolsets", flags.toolsets);
  return rmcp::config::load(req);
}

void init_logging(const server_options& opts) {
  rmcp::log::settings s;
  rmcp::log::parse_level(opts.log_level, s.level);
  s.output = opts.log_format == "json" ? rmcp::log::format::json
                                       : rmcp::log::format::text;
  rmcp::log::init(s);
}

void print_keys() {
  for (auto& def : rmcp::config::option_table()) {
    std::cout << def.key << "  (" << rmcp::config::env_name(def.key) << ")\n"
              << "    " << def.help << "\n";
    if (!def.choices.empty()) {
      std::cout << "    legal values:";
      for (auto& c : def.choices)
        std::cout << " " << c;
      std::cout << "\n";
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  rmcp::route_ubsan_reports();
  rmcp::app::block_shutdown_signals();
  CLI::App app{"routeros-mcp: manage MikroTik RouterOS v7 routers over the "
               "Model Context Protocol"};
  app.set_version_flag("--version", std::string{rmcp::version});
  global_flags flags;
  app.option_defaults()->always_capture_default(false);
  app.add_option("-c,--config", flags.config_file, "YAML configuration file")
    ->check(CLI::ExistingFile);
  app.add_option("--set", flags.sets,
                 "Override a configuration key (key=value), repeatable");
  app.add_option("--environment", flags.environment,
                 "Shortcut for --set environment=…");
  app.add_option("--log-level", flags.log_level,
                 "Shortcut for --set log.level=…");
  app.add_option("--data-dir", flags.data_dir, "Shortcut for --set data_dir=…");
  app.fallthrough();

  auto* serve = app.add_subcommand("serve", "Run the MCP server (default when "
                                            "stdin is not a terminal)");
  bool serve_stdio = false;
  bool serve_http = false;
  auto* stdio_flag =
    serve->add_flag("--stdio", serve_stdio, "Serve MCP over stdin/stdout");
  serve
    ->add_flag("--http", serve_http,
               "Serve MCP over HTTP (Streamable HTTP at /mcp, HTTP+SSE at "
               "/sse, /health, /metrics)")
    ->excludes(stdio_flag);
  serve->add_option("--listen", flags.listen,
                    "Shortcut for --set http.listen=ADDR:PORT (port 0 = "
                    "ephemeral)");
  rmcp::app::serve_extras extras;
  serve->add_option("--console-login-as", extras.login_as,
                    "Print a one-time login link of the web console for "
                    "this identity on stderr once serving (valid 10 "
                    "minutes, works once)");
  serve
    ->add_option("--console-login-role", extras.login_role,
                 "Role of that identity (default approver)")
    ->check(CLI::IsMember({"read_only", "ops_rw", "approver", "admin"}));
  serve->add_option("--toolsets", flags.toolsets,
                    "Shortcut for --set server.toolsets=LIST (e.g. "
                    "default,plans or all)");

  auto* config = app.add_subcommand("config", "Inspect the configuration");
  config->require_subcommand(1);
  auto* config_show = config->add_subcommand("show", "Print the effective "
                                                     "configuration as YAML");
  auto* config_keys =
    config->add_subcommand("keys", "List every key with "
                                   "its environment variable");
  auto* config_check =
    config->add_subcommand("check", "Validate the "
                                    "configuration and exit");
  auto* version = app.add_subcommand("version", "Print the version");
  rmcp::cli::device_cli devices{app};
  rmcp::cli::device_io_cli device_io{app};
  rmcp::cli::plan_cli plans{app};
  rmcp::cli::security_cli security{app};
  rmcp::cli::doctor_cli doctor{app};
  rmcp::cli::console_cli console{app};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    auto rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  if (version->parsed()) {
    std::cout << "routeros-mcp " << rmcp::version << "\n";
    return 0;
  }
  if (config_keys->parsed()) {
    print_keys();
    return 0;
  }
  auto opts = load_options(flags);
  // A configuration that does not load is one of doctor's findings.
  if (doctor.parsed()) {
    if (opts)
      init_logging(*opts);
    return doctor.run(opts, flags.config_file);
  }
  if (!opts) {
    std::cerr << "routeros-mcp: configuration error: "
              << rmcp::error_message(opts.error()) << "\n";
    return 2;
  }
  init_logging(*opts);
  // import/export live under `device` too: checked first.
  if (device_io.parsed())
    return device_io.run(*opts);
  if (devices.parsed())
    return devices.run(*opts);
  if (plans.parsed())
    return plans.run(*opts);
  if (security.parsed())
    return security.run(*opts);
  if (console.parsed())
    return console.run(*opts);
  if (config_show->parsed()) {
    std::cout << rmcp::config::to_yaml(*opts);
    return 0;
  }
  if (config_check->parsed()) {
    // The credential key must be available where the daemon will need it
    // (prod and staging refuse to start without one).
    auto key =
      rmcp::storage::check_credential_key(rmcp::app::key_request_of(*opts));
    if (!key) {
      std::cerr << "routeros-mcp: configuration error: "
                << rmcp::error_message(key.error()) << "\n";
      return 2;
    }
    std::cout << "configuration ok\n"
              << "store: " << rmcp::app::store_settings_of(*opts).path << "\n"
              << "credential key: " << *key << "\n";
    return 0;
  }
  bool run_server = serve->parsed() || !isatty(STDIN_FILENO);
  if (!run_server) {
    std::cerr << app.help();
    return 0;
  }
  bool http = serve_http || (!serve_stdio && opts->transport == "http");
  return http ? rmcp::app::serve_http(*opts, extras)
              : rmcp::app::serve_stdio(*opts, extras);
}
