#pragma once

// The daemon under test, as routeros-mcp-bench drives it: a fresh data
// directory with registered devices, the daemon as a child over stdio
// (`daemon_process`) or serving Streamable HTTP (`http_daemon`), and a
// closed-loop load generator for each. Included by mcp_bench.cpp only.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bench/machine.hpp"
#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "src/app/store_setup.hpp"
#include "src/config/server_options.hpp"
#include "tests/support/child_process.hpp"

namespace rmcp::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using clock_type = std::chrono::steady_clock;
using test::child_process;

// -- the daemon ------------------------------------------------------------------

/// A fresh data directory: in memory (/dev/shm) where the store's disk
/// writes are not what is measured, on disk (/var/tmp) where they are.
inline std::string bench_dir(bool on_disk = false) {
  std::string base = on_disk                               ? "/var/tmp"
                     : std::filesystem::exists("/dev/shm") ? "/dev/shm"
                                                           : "/tmp";
  std::string pattern = base + "/rmcp-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  return pattern;
}

/// Registers `n` devices named r0000… pointing at `ports` (cycled), pinned
/// to `fingerprint`, straight into the store of `dir`.
/// Id of the i-th registered device: r00000, r00001, …
inline std::string device_id(size_t i) {
  char id[24];
  std::snprintf(id, sizeof id, "r%05zu", i);
  return id;
}

inline void register_devices(const std::string& dir, size_t n,
                             const std::vector<uint16_t>& ports,
                             const std::string& fingerprint,
                             device_flags flags = {}) {
  config::server_options opts;
  opts.data_dir = dir;
  auto db = app::open_store(opts);
  if (!db)
    throw std::runtime_error("open_store: " + error_message(db.error()));
  for (size_t i = 0; i < n; ++i) {
    device_record r;
    r.id = device_id(i);
    r.name = r.id;
    r.host = "127.0.0.1";
    r.port = ports[i % ports.size()];
    r.username = "admin";
    r.tls.mode = "pin";
    r.tls.fingerprint_sha256 = fingerprint;
    r.flags = flags;
    if (auto err = (*db)->put_device(r, credential{"admin", "routeros-sim"}))
      throw std::runtime_error("put_device: " + error_message(err));
  }
}

/// `argv` run on `server_cpus` (through taskset) when they are set.
inline std::vector<std::string> on_server_cpus(std::vector<std::string> argv) {
  if (!server_cpus.empty())
    argv.insert(argv.begin(), {"/usr/bin/taskset", "-c", server_cpus});
  return argv;
}

class daemon_process {
public:
  /// `sets`: extra `--set key=value` settings.
  daemon_process(const std::string& binary, const std::string& dir,
                 const std::vector<std::string>& sets = {})
    : daemon_process(command(binary, dir, sets), {}) {
    binary_ = binary;
    dir_ = dir;
  }

  /// Any MCP server over stdio (a peer project, for comparison): `argv`
  /// with `env` added to the environment.
  daemon_process(std::vector<std::string> argv,
                 std::map<std::string, std::string> env)
    : proc_(on_server_cpus(std::move(argv)), std::move(env)) {
    proc_.write_line(
      json{{"jsonrpc", "2.0"},
           {"id", 0},
           {"method", "initialize"},
           {"params",
            {{"protocolVersion", "2025-11-25"},
             {"capabilities", json::object()},
             {"clientInfo", {{"name", "bench"}, {"version", "1"}}}}}}
        .dump());
    if (!proc_.read_line(std::chrono::seconds{30}))
      throw std::runtime_error("daemon did not answer initialize: "
                               + proc_.stderr_text());
    proc_.write_line(
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  }

  ~daemon_process() {
    proc_.close_stdin();
    proc_.wait(std::chrono::seconds{30});
  }

  /// Runs `total` tools/call with at most `concurrency` in flight; returns
  /// per-call latencies in µs and sets `wall_s`. Calls that end in an error
  /// are counted in `errors`.
  std::vector<double> load(int concurrency, int total,
                           const std::function<json(int)>& call, double& wall_s,
                           int& errors) {
    std::map<int64_t, clock_type::time_point> started;
    std::vector<double> lat;
    lat.reserve(static_cast<size_t>(total));
    errors = 0;
    int sent = 0;
    auto t0 = clock_type::now();
    while (static_cast<int>(lat.size()) + errors < total) {
      while (sent < total && static_cast<int>(started.size()) < concurrency) {
        auto id = ++next_id_;
        started[id] = clock_type::now();
        proc_.write_line(json{
          {"jsonrpc", "2.0"},
          {"id", id},
          {"method", "tools/call"},
          {"params",
           call(sent)}}.dump());
        ++sent;
      }
      auto line = proc_.read_line(std::chrono::seconds{60});
      if (!line)
        throw std::runtime_error("daemon stopped answering: "
                                 + proc_.stderr_text());
      auto msg = parse_json(*line);
      if (!msg || !msg->contains("id"))
        continue;
      auto i = started.find((*msg)["id"].get<int64_t>());
      if (i == started.end())
        continue;
      auto us =
        std::chrono::duration<double, std::micro>(clock_type::now() - i->second)
          .count();
      started.erase(i);
      auto& result = (*msg)["result"];
      if (msg->contains("error") || result.value("isError", false)) {
        if (errors++ == 0)
          std::fprintf(stderr, "first error: %s\n", line->c_str());
        continue;
      }
      lat.push_back(us);
    }
    wall_s = std::chrono::duration<double>(clock_type::now() - t0).count();
    return lat;
  }

  /// One tools/call; returns its structuredContent. Throws when the call
  /// fails or no answer comes within `timeout`.
  json call(const std::string& tool, json args,
            std::chrono::milliseconds timeout = std::chrono::seconds{60}) {
    auto id = ++next_id_;
    proc_.write_line(json{{"jsonrpc", "2.0"},
                          {"id", id},
                          {"method", "tools/call"},
                          {"params", {{"name", tool}, {"arguments", args}}}}
                       .dump());
    while (auto line = proc_.read_line(timeout)) {
      auto msg = parse_json(*line);
      if (!msg || msg->value("id", int64_t{-1}) != id)
        continue;
      auto& result = (*msg)["result"];
      if (msg->contains("error") || result.value("isError", false))
        throw std::runtime_error(tool + " failed: " + *line);
      return result["structuredContent"];
    }
    throw std::runtime_error(tool + ": no answer: " + proc_.stderr_text());
  }

  /// list_devices total_count.
  int64_t device_count() {
    return call("list_devices", json::object())
      .value("total_count", int64_t{-1});
  }

  /// CPU time the daemon's threads have used so far, in seconds: the sum
  /// of the first field of /proc/<pid>/task/<tid>/schedstat (time on a CPU,
  /// nanoseconds; /proc/<pid>/stat counts in 10 ms ticks, too coarse for
  /// calls of 0.1 ms). Threads that ended are not counted: the daemon's
  /// threads live as long as it does.
  double cpu_seconds() const {
    namespace fs = std::filesystem;
    double ns = 0;
    auto tasks = "/proc/" + std::to_string(proc_.pid()) + "/task";
    std::error_code ec;
    for (auto& task : fs::directory_iterator{tasks, ec}) {
      std::ifstream in{task.path() / "schedstat"};
      double on_cpu = 0;
      if (in >> on_cpu)
        ns += on_cpu;
    }
    if (ec)
      throw std::runtime_error("cannot read " + tasks + ": " + ec.message());
    return ns / 1e9;
  }

  /// Voluntary context switches of the daemon's threads so far (summed
  /// over /proc/<pid>/task/<tid>/status): every time a thread went to
  /// sleep waiting for work, i.e. the hand-offs between threads. The
  /// involuntary ones are left out: they count preemption by whatever
  /// else runs on the machine.
  double context_switches() const {
    namespace fs = std::filesystem;
    double n = 0;
    auto tasks = "/proc/" + std::to_string(proc_.pid()) + "/task";
    std::error_code ec;
    for (auto& task : fs::directory_iterator{tasks, ec}) {
      std::ifstream in{task.path() / "status"};
      std::string key;
      double v = 0;
      while (in >> key)
        if (key == "voluntary_ctxt_switches:" && in >> v)
          n += v;
    }
    return n;
  }

  /// VmRSS and RssAnon of the daemon in KiB.
  std::pair<double, double> rss_kib() const {
    std::ifstream in{"/proc/" + std::to_string(proc_.pid()) + "/status"};
    std::string key;
    double rss = 0, anon = 0;
    while (in >> key) {
      if (key == "VmRSS:")
        in >> rss;
      else if (key == "RssAnon:")
        in >> anon;
      std::getline(in, key);
    }
    return {rss, anon};
  }

  /// Where the daemon's resident pages are, KiB (/proc/<pid>/smaps):
  /// anonymous (heap, stacks, the daemon's own memory), the executable's
  /// file pages (its code and read-only data as far as they ran or were
  /// read), the shared libraries' file pages (the same for each .so), and
  /// other file pages (the store's memory map, locale data); and of the
  /// executable's and libraries' pages, those written (Private_Dirty:
  /// relocated data, the process's own), the rest being shareable code.
  struct memory_split {
    double anon = 0;
    double executable = 0;
    double libraries = 0;
    double other_files = 0;
    double code_dirty = 0;
  };

  memory_split memory() const {
    auto pid = std::to_string(proc_.pid());
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/" + pid + "/exe", ec);
    std::ifstream in{"/proc/" + pid + "/smaps"};
    memory_split m;
    std::string line, path;
    while (std::getline(in, line)) {
      std::istringstream words{line};
      std::string first;
      words >> first;
      if (first.empty())
        continue;
      if (first.back() != ':') {
        // A mapping: address range, perms, offset, device, inode, path.
        // An anonymous mapping has no path: clear the previous one, which
        // getline would otherwise leave in place at the end of the line.
        std::string skip;
        words >> skip >> skip >> skip >> skip;
        path.clear();
        std::getline(words >> std::ws, path);
        continue;
      }
      if (first != "Rss:" && first != "Private_Dirty:")
        continue;
      double kib = 0;
      words >> kib;
      bool code = !path.empty() && path[0] != '['
                  && ((!ec && path == exe.string())
                      || path.find(".so") != std::string::npos);
      if (first == "Private_Dirty:") {
        m.code_dirty += code ? kib : 0;
        continue;
      }
      if (path.empty() || path[0] == '[')
        m.anon += kib;
      else if (!ec && path == exe.string())
        m.executable += kib;
      else if (path.find(".so") != std::string::npos)
        m.libraries += kib;
      else
        m.other_files += kib;
    }
    return m;
  }

  static std::vector<std::string>
  command(const std::string& binary, const std::string& dir,
          const std::vector<std::string>& sets) {
    std::vector<std::string> cmd{binary,
                                 "--data-dir",
                                 dir,
                                 "--log-level",
                                 "warn",
                                 "--set",
                                 "device.health_checks=false",
                                 "--set",
                                 "server.toolsets=all"};
    for (auto& s : sets) {
      cmd.push_back("--set");
      cmd.push_back(s);
    }
    cmd.push_back("serve");
    cmd.push_back("--stdio");
    return cmd;
  }

  /// Approves a plan as a person would (`routeros-mcp plan approve`, another
  /// process on the same store); returns the approval token.
  std::string approve(const std::string& plan_id) {
    child_process cli({binary_, "--data-dir", dir_, "--log-level", "warn",
                       "plan", "approve", plan_id, "--as", "bench-approver",
                       "--json"});
    auto out = cli.drain_stdout(std::chrono::seconds{30});
    cli.wait(std::chrono::seconds{30});
    auto j = parse_json(out);
    if (!j || !j->contains("approval_token"))
      throw std::runtime_error("plan approve " + plan_id + " failed: " + out
                               + cli.stderr_text());
    return (*j)["approval_token"];
  }

private:
  child_process proc_;
  std::string binary_;
  std::string dir_;
  int64_t next_id_ = 0;
};

// -- the daemon over HTTP ------------------------------------------------------------

/// The daemon serving Streamable HTTP on an ephemeral loopback port.
class http_daemon {
public:
  http_daemon(const std::string& binary, const std::string& dir)
    : ports_file_(dir + "/http.port"),
      proc_({binary, "--data-dir", dir, "--log-level", "warn", "--set",
             "device.health_checks=false", "--set",
             "http.ports_file=" + dir + "/http.port", "--set",
             "http.rate_limit=100000", "--set", "http.rate_burst=100000",
             "serve", "--http", "--listen", "127.0.0.1:0"}) {
    for (int i = 0; i < 300 && port_ == 0; ++i) {
      std::ifstream in{ports_file_};
      std::string line;
      if (std::getline(in, line) && line.rfind("http=", 0) == 0)
        port_ = static_cast<uint16_t>(std::stoi(line.substr(5)));
      else
        std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    if (port_ == 0)
      throw std::runtime_error("the HTTP daemon did not report its port: "
                               + proc_.stderr_text());
    // One session for every connection, as one client with many requests.
    http_conn c{port_};
    auto res = c.post(
      "", json{{"jsonrpc", "2.0"},
               {"id", 0},
               {"method", "initialize"},
               {"params",
                {{"protocolVersion", "2025-11-25"},
                 {"capabilities", json::object()},
                 {"clientInfo", {{"name", "bench"}, {"version", "1"}}}}}});
    session_ = std::string{res["Mcp-Session-Id"]};
    if (session_.empty())
      throw std::runtime_error("initialize over HTTP gave no session id");
    c.post(session_,
           json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }

  ~http_daemon() {
    proc_.kill(SIGTERM);
    proc_.wait(std::chrono::seconds{30});
  }

  /// Like daemon_process::load, with one keep-alive connection per call in
  /// flight.
  std::vector<double> load(int concurrency, int total,
                           const std::function<json(int)>& call, double& wall_s,
                           int& errors) {
    std::atomic<int> next{0};
    std::atomic<int> failed{0};
    std::vector<std::vector<double>> lat(static_cast<size_t>(concurrency));
    std::vector<std::thread> threads;
    auto t0 = clock_type::now();
    for (int t = 0; t < concurrency; ++t)
      threads.emplace_back([&, t] {
        http_conn c{port_};
        for (int i = next++; i < total; i = next++) {
          auto start = clock_type::now();
          auto res = c.post(session_, json{{"jsonrpc", "2.0"},
                                           {"id", i + 1},
                                           {"method", "tools/call"},
                                           {"params", call(i)}});
          auto us =
            std::chrono::duration<double, std::micro>(clock_type::now() - start)
              .count();
          auto msg = parse_json(answer_json(res));
          if (res.result_int() != 200 || !msg || msg->contains("error")
              || (*msg)["result"].value("isError", false)) {
            if (failed++ == 0)
              std::fprintf(stderr, "first HTTP error: %u %s\n",
                           res.result_int(), res.body().c_str());
            continue;
          }
          lat[static_cast<size_t>(t)].push_back(us);
        }
      });
    for (auto& th : threads)
      th.join();
    wall_s = std::chrono::duration<double>(clock_type::now() - t0).count();
    errors = failed;
    std::vector<double> all;
    for (auto& v : lat)
      all.insert(all.end(), v.begin(), v.end());
    return all;
  }

private:
  /// One keep-alive HTTP/1.1 connection to the daemon.
  class http_conn {
  public:
    explicit http_conn(uint16_t port) : port_(port), stream_(ioc_) {
      asio::ip::tcp::resolver resolver{ioc_};
      stream_.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
    }

    http::response<http::string_body> post(const std::string& session,
                                           const json& body) {
      http::request<http::string_body> req{http::verb::post, "/mcp", 11};
      req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
      req.set(http::field::content_type, "application/json");
      req.set(http::field::accept, "application/json, text/event-stream");
      req.set("MCP-Protocol-Version", "2025-11-25");
      if (!session.empty())
        req.set("Mcp-Session-Id", session);
      req.body() = body.dump();
      req.prepare_payload();
      http::write(stream_, req);
      http::response<http::string_body> res;
      http::read(stream_, buffer_, res);
      return res;
    }

  private:
    uint16_t port_;
    asio::io_context ioc_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
  };

  /// The JSON-RPC answer of a response: the body, or the data of the SSE
  /// event that carries it.
  static std::string answer_json(const http::response<http::string_body>& res) {
    auto& body = res.body();
    if (res[http::field::content_type].find("text/event-stream")
        == beast::string_view::npos)
      return body;
    std::string last;
    size_t pos = 0;
    while ((pos = body.find("data: ", pos)) != std::string::npos) {
      auto end = body.find('\n', pos);
      last = body.substr(pos + 6, end - pos - 6);
      pos = end;
    }
    return last;
  }

  std::string ports_file_;
  child_process proc_;
  uint16_t port_ = 0;
  std::string session_;
};

} // namespace rmcp::bench
