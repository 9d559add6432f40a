#pragma once

// What the benchmarks print about the machine they ran on, and --pin.

#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

namespace rmcp::bench {

/// --pin: the cores the servers run on ("0", "0-2"), empty for any.
inline std::string server_cpus;

/// --pin: this process (before it starts any thread, so all of them) on
/// the last core, the servers on the others. An error text, or null.
inline const char* pin_cores() {
  auto cores = std::thread::hardware_concurrency();
  if (cores < 2)
    return "needs at least two cores";
  cpu_set_t last;
  CPU_ZERO(&last);
  CPU_SET(cores - 1, &last);
  if (sched_setaffinity(0, sizeof last, &last) != 0)
    return "sched_setaffinity failed";
  server_cpus = cores == 2 ? "0" : "0-" + std::to_string(cores - 2);
  return nullptr;
}

/// Cores and memory, and where --pin put the processes.
inline std::string machine_line() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page = sysconf(_SC_PAGE_SIZE);
  char buf[160];
  std::snprintf(buf, sizeof buf, "%u cores, %.1f GiB memory",
                std::thread::hardware_concurrency(),
                static_cast<double>(pages) * static_cast<double>(page)
                  / (1024.0 * 1024 * 1024));
  std::string line = buf;
  if (!server_cpus.empty())
    line += "; servers on cores " + server_cpus
            + ", this bench (client and simulator) on core "
            + std::to_string(std::thread::hardware_concurrency() - 1);
  return line;
}

/// The 1-, 5- and 15-minute load averages (/proc/loadavg).
inline std::string load_average() {
  std::ifstream in{"/proc/loadavg"};
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

} // namespace rmcp::bench
