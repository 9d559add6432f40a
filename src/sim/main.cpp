// routeros-sim: serves N simulated RouterOS v7 routers on loopback ports.
// Prints one JSON line with the ports (and writes it to --ports-file), logs
// to stderr, stops cleanly on SIGINT/SIGTERM.

#include <csignal>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "protocol/sanitizer_reports.hpp"
#include "sim/fleet.hpp"

namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

} // namespace

int main(int argc, char** argv) {
  rmcp::route_ubsan_reports();
  spdlog::set_default_logger(spdlog::stderr_logger_mt("sim"));
  rmcp::sim::fleet_options opts;
  std::string ports_file;
  std::vector<std::size_t> fault_routers;
  rmcp::sim::fault_config faults;
  double error_rate = 0, drop_rate = 0, timeout_rate = 0;

  CLI::App app{"routeros-sim: RouterOS v7 REST simulator (loopback only)"};
  app.add_option("--routers", opts.routers, "Number of routers")
    ->check(CLI::Range(1, 100000));
  app.add_option("--base-port", opts.base_port,
                 "Port of router 0 (router i: base+i); 0 = ephemeral");
  app.add_flag("--tls", opts.tls,
               "HTTPS with a self-signed certificate (fingerprint printed)");
  app.add_flag("--ssh", opts.ssh,
               "An SSH endpoint per router too (host key fingerprint printed)");
  app.add_option("--seed", opts.seed, "Seed of the generated data");
  app.add_option("--ports-file", ports_file,
                 "Also write the start-up JSON to this file");
  app.add_option("--control-port", opts.control_port,
                 "Port of the JSON control endpoint; 0 = ephemeral");
  app.add_option("--session-limit-ms", opts.session_limit_ms,
                 "Real ms before an unbounded command answers 'Session closed' "
                 "(default 60 simulated s)");
  app
    .add_option("--time-scale", opts.time_scale,
                "Real seconds per simulated second (0.001 = 1000x faster)")
    ->check(CLI::PositiveNumber);
  app.add_option("--username", opts.username,
                 "User name accepted by every router");
  app.add_option("--password", opts.password,
                 "Password accepted by every router");
  app.add_option("--io-threads", opts.io_threads, "Network threads")
    ->check(CLI::Range(1, 16));
  app.add_option("--reboot-downtime-s", opts.reboot_downtime_s,
                 "Simulated downtime of /system/reboot");
  app.add_option("--latency-ms", faults.latency_ms,
                 "Fault: added latency per answer");
  app.add_option("--jitter-ms", faults.jitter_ms,
                 "Fault: extra random latency up to this");
  app.add_option("--error-rate", error_rate, "Fault: share of 500 answers")
    ->check(CLI::Range(0.0, 1.0));
  app
    .add_option("--drop-rate", drop_rate,
                "Fault: share of connections closed without answer")
    ->check(CLI::Range(0.0, 1.0));
  app
    .add_option("--timeout-rate", timeout_rate,
                "Fault: share of requests never answered")
    ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--reject-auth", faults.reject_auth,
               "Fault: 401 even for the right credentials");
  app.add_flag("--high-cpu", faults.high_cpu, "Fault: cpu-load 95..99");
  app.add_flag("--high-memory", faults.high_memory,
               "Fault: free-memory below 3 %");
  app.add_option("--write-fail-applied", faults.write_fail_applied,
                 "Fault: the next N writes answer 400 but are applied");
  app.add_flag("--control-bytes", faults.control_bytes,
               "Fault: raw 0x1b byte in a DHCP lease host-name");
  app.add_option(
    "--wrong-body-count", faults.wrong_body_count,
    "Fault: the next N GETs of other menus answer /system/resource's body");
  app.add_option("--fault-router", fault_routers,
                 "Apply the fault flags only to these router indexes");
  CLI11_PARSE(app, argc, argv);
  faults.error_rate = error_rate;
  faults.drop_rate = drop_rate;
  faults.timeout_rate = timeout_rate;
  if (fault_routers.empty())
    opts.faults = faults;
  else
    for (auto i : fault_routers)
      opts.router_faults[i] = faults;

  // Block the stop signals before any thread starts; wait for them below.
  auto signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::unique_ptr<rmcp::sim::fleet> fleet;
  try {
    fleet = std::make_unique<rmcp::sim::fleet>(opts);
  } catch (const std::exception& e) {
    spdlog::error("start-failed error={}", e.what());
    return 1;
  }
  auto line = fleet->startup_json();
  if (!ports_file.empty()) {
    std::ofstream out(ports_file);
    out << line << "\n";
  }
  std::cout << line << std::endl;
  spdlog::info("started routers={} control_port={} tls={}", fleet->size(),
               fleet->control_port(), opts.tls);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("stopping signal={}", sig);
  fleet->stop();
  return 0;
}
