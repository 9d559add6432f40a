#include "src/cli/doctor_cli.hpp"

#include <iostream>

#include "protocol/error.hpp"
#include "src/app/doctor.hpp"

namespace rmcp::cli {

struct doctor_cli::state {
  CLI::App* cmd = nullptr;
  bool as_json = false;
  int max_skew = 30;
  int parallel = 16;
};

doctor_cli::doctor_cli(CLI::App& app) : state_(std::make_unique<state>()) {
  auto& s = *state_;
  s.cmd = app.add_subcommand(
    "doctor", "Check the configuration, keys, store, HTTP listener, every "
              "device's reachability and TLS pin, and router clocks; one "
              "line per check with a fix; exit 0 when all pass, 1 otherwise");
  s.cmd->add_flag("--json", s.as_json, "Print JSON instead of lines");
  s.cmd
    ->add_option("--max-skew", s.max_skew,
                 "Largest tolerated router clock skew in seconds (default "
                 "30)")
    ->check(CLI::Range(1, 86400));
  s.cmd
    ->add_option("--parallel", s.parallel,
                 "Devices checked at the same time (default 16)")
    ->check(CLI::Range(1, 256));
}

doctor_cli::~doctor_cli() = default;

bool doctor_cli::parsed() const {
  return state_->cmd->parsed();
}

int doctor_cli::run(const caf::expected<config::server_options>& opts,
                    const std::string& file) {
  auto& s = *state_;
  app::doctor::report out;
  if (!opts) {
    app::doctor::config_failed(out, file, error_message(opts.error()));
  } else {
    app::doctor::settings settings;
    settings.max_skew = std::chrono::seconds{s.max_skew};
    settings.parallel = static_cast<size_t>(s.parallel);
    out = app::doctor::run(*opts, file, settings);
  }
  if (s.as_json) {
    std::cout << app::doctor::to_json(out).dump(2) << "\n";
  } else {
    size_t failed = 0;
    for (auto& f : out.findings) {
      std::cout << app::doctor::to_text(f) << "\n";
      failed += f.ok ? 0 : 1;
    }
    std::cout << (failed == 0 ? "all " + std::to_string(out.findings.size())
                                  + " checks passed"
                              : std::to_string(failed) + " of "
                                  + std::to_string(out.findings.size())
                                  + " checks failed")
              << "\n";
  }
  return out.ok() ? 0 : 1;
}

} // namespace rmcp::cli
