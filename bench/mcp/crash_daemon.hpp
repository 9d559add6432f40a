#pragma once

// The daemon over stdio and the admin CLI, as routeros-crash-loop drives
// them. Included by crash_loop.cpp only.

#include <chrono>
#include <csignal>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "protocol/json.hpp"
#include "tests/support/child_process.hpp"

namespace rmcp::bench {

using std::chrono::milliseconds;
using test::child_process;
using crash_clock = std::chrono::steady_clock;

struct violation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// -- the daemon and the CLI ---------------------------------------------------

struct cli_result {
  int code = -1;
  std::string out;
  std::string err;
};

struct settings {
  std::string binary;
  std::string dir;
};

inline cli_result run_cli(const settings& s, std::vector<std::string> args) {
  std::vector<std::string> argv{s.binary, "--data-dir", s.dir, "--log-level",
                                "warn"};
  argv.insert(argv.end(), args.begin(), args.end());
  child_process p{argv};
  p.close_stdin();
  cli_result r;
  r.out = p.drain_stdout(std::chrono::seconds{60});
  r.code = p.wait(std::chrono::seconds{60}).value_or(-1);
  r.err = p.stderr_text();
  return r;
}

/// The daemon over stdio; answers are read by the caller's loop.
class stdio_daemon {
public:
  stdio_daemon(const settings& s, bool resume)
    : proc_(
      {s.binary, "--data-dir", s.dir, "--log-level", "warn", "--set",
       "device.health_checks=false", "--set", "rollout.gate_delay=0", "--set",
       "rollout.pause=0", "--set", "server.toolsets=all", "--set",
       std::string{"rollout.on_restart="} + (resume ? "resume" : "rollback"),
       "serve", "--stdio"}) {
    proc_.write_line(
      json{{"jsonrpc", "2.0"},
           {"id", 0},
           {"method", "initialize"},
           {"params",
            {{"protocolVersion", "2025-11-25"},
             {"capabilities", json::object()},
             {"clientInfo", {{"name", "crash-loop"}, {"version", "1"}}}}}}
        .dump());
    auto line = proc_.read_line(std::chrono::seconds{30});
    auto msg = line ? parse_json(*line) : std::nullopt;
    if (!msg || !msg->contains("result"))
      throw violation("the daemon did not answer initialize after a kill "
                      "(the store did not open?): "
                      + proc_.stderr_text());
    proc_.write_line(
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  }

  int64_t send(const std::string& tool, json args) {
    auto id = ++next_id_;
    proc_.write_line(json{{"jsonrpc", "2.0"},
                          {"id", id},
                          {"method", "tools/call"},
                          {"params", {{"name", tool}, {"arguments", args}}}}
                       .dump());
    return id;
  }

  /// The next answer (id and message), or nullopt when none came in time.
  std::optional<std::pair<int64_t, json>> next(milliseconds timeout) {
    auto line = proc_.read_line(timeout);
    if (!line)
      return std::nullopt;
    auto msg = parse_json(*line);
    if (!msg || !msg->contains("id") || !(*msg)["id"].is_number_integer())
      return std::make_pair(int64_t{-1}, json{});
    return std::make_pair((*msg)["id"].get<int64_t>(), std::move(*msg));
  }

  /// One call, waited for; its structuredContent, or throws.
  json call(const std::string& tool, json args) {
    auto id = send(tool, std::move(args));
    auto deadline = crash_clock::now() + std::chrono::seconds{60};
    while (crash_clock::now() < deadline)
      if (auto a = next(milliseconds{1000}); a && a->first == id) {
        auto r = a->second.value("result", json::object());
        if (a->second.contains("error") || r.value("isError", false))
          throw violation(tool + " failed: " + a->second.dump());
        return r.value("structuredContent", json::object());
      }
    throw violation(tool + ": no answer");
  }

  void kill() {
    proc_.kill(SIGKILL);
    proc_.wait(std::chrono::seconds{10});
  }

  /// EOF on stdin: the graceful stop; its exit code.
  int stop() {
    proc_.close_stdin();
    return proc_.wait(std::chrono::seconds{30}).value_or(-1);
  }

private:
  child_process proc_;
  int64_t next_id_ = 0;
};

} // namespace rmcp::bench
