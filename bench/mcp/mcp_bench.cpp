// routeros-mcp-bench: what users feel, against the physical floor.
//
//   routeros-mcp-bench --binary build-release/routeros-mcp [--runs 3]
//                      [--requests 2000] [--markdown]
//
// Starts the RouterOS simulator in this process (HTTPS, pinned certificate)
// and the daemon as a child over stdio, then measures:
//   floor    raw REST round trip to one simulated router (synchronous Beast
//            client, TLS keep-alive): p50/p99
//   stdio    tools/call get_system_overview at concurrency 1, 16 and 64
//            (round-robin over 64 routers): p50/p95/p99, calls/s, ratio of
//            p50 to the floor
//   fleet    check_connectivity of 1,000 routers, 64 calls in flight: time
//            for the whole fleet
//   HTTP     the same over Streamable HTTP (one keep-alive connection per
//            call in flight, one session)
//   memory   daemon RSS with 0, 1,000 and 10,000 registered devices
// Every figure: a warm-up, then --runs runs; min and median are printed.
// Not a test: bench/run builds Release and writes docs/benchmarks.md.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "protocol/routeros.hpp"
#include "sim/fleet.hpp"
#include "src/app/store_setup.hpp"
#include "src/config/server_options.hpp"
#include "tests/support/child_process.hpp"

namespace {

using namespace rmcp;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using clock_type = std::chrono::steady_clock;
using test::child_process;

// -- statistics ----------------------------------------------------------------

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto i = static_cast<size_t>(p / 100.0 * static_cast<double>(xs.size() - 1)
                               + 0.5);
  return xs[std::min(i, xs.size() - 1)];
}

double median(std::vector<double> xs) {
  return percentile(std::move(xs), 50);
}

double minimum(const std::vector<double>& xs) {
  return xs.empty() ? 0 : *std::min_element(xs.begin(), xs.end());
}

/// One figure over several runs.
struct figure {
  std::string name;
  std::string unit;
  std::vector<double> runs;
  /// True when smaller is better (latency, time, memory).
  bool lower_better = true;

  double best() const {
    return lower_better ? minimum(runs)
                        : *std::max_element(runs.begin(), runs.end());
  }
};

std::vector<figure> results;

void record(const std::string& name, const std::string& unit,
            std::vector<double> runs, bool lower_better = true) {
  figure f{name, unit, std::move(runs), lower_better};
  std::fprintf(stderr, "%-48s best %10.1f  median %10.1f %s\n", name.c_str(),
               f.best(), median(f.runs), unit.c_str());
  results.push_back(std::move(f));
}

// -- the raw floor ---------------------------------------------------------------

/// Sequential GETs over one TLS keep-alive connection; latencies in µs.
std::vector<double> floor_run(uint16_t port, int n) {
  asio::io_context ioc;
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  ctx.set_verify_mode(asio::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream{ioc, ctx};
  asio::ip::tcp::resolver resolver{ioc};
  beast::get_lowest_layer(stream).connect(
    resolver.resolve("127.0.0.1", std::to_string(port)));
  stream.handshake(asio::ssl::stream_base::client);
  http::request<http::empty_body> req{http::verb::get,
                                      "/rest/system/resource", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization,
          basic_authorization("admin", "routeros-sim"));
  beast::flat_buffer buffer;
  std::vector<double> lat;
  lat.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    lat.push_back(std::chrono::duration<double, std::micro>(clock_type::now()
                                                            - t0)
                    .count());
    if (res.result_int() != 200)
      throw std::runtime_error("floor: HTTP " + std::to_string(res.result_int()));
  }
  return lat;
}

// -- the daemon ------------------------------------------------------------------

std::string bench_dir() {
  std::string base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
  std::string pattern = base + "/rmcp-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  return pattern;
}

/// Registers `n` devices named r0000… pointing at `ports` (cycled), pinned
/// to `fingerprint`, straight into the store of `dir`.
void register_devices(const std::string& dir, size_t n,
                      const std::vector<uint16_t>& ports,
                      const std::string& fingerprint) {
  config::server_options opts;
  opts.data_dir = dir;
  auto db = app::open_store(opts);
  if (!db)
    throw std::runtime_error("open_store: " + error_message(db.error()));
  for (size_t i = 0; i < n; ++i) {
    device_record r;
    char id[16];
    std::snprintf(id, sizeof id, "r%05zu", i);
    r.id = id;
    r.name = id;
    r.host = "127.0.0.1";
    r.port = ports[i % ports.size()];
    r.username = "admin";
    r.tls.mode = "pin";
    r.tls.fingerprint_sha256 = fingerprint;
    if (auto err = (*db)->put_device(r, credential{"admin", "routeros-sim"}))
      throw std::runtime_error("put_device: " + error_message(err));
  }
}

class daemon_process {
public:
  daemon_process(const std::string& binary, const std::string& dir)
    : proc_({binary, "--data-dir", dir, "--log-level", "warn", "--set",
             "device.health_checks=false", "serve", "--stdio"}) {
    proc_.write_line(json{{"jsonrpc", "2.0"},
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
    proc_.write_line(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  }

  ~daemon_process() {
    proc_.close_stdin();
    proc_.wait(std::chrono::seconds{30});
  }

  /// Runs `total` tools/call with at most `concurrency` in flight; returns
  /// per-call latencies in µs and sets `wall_s`. Calls that end in an error
  /// are counted in `errors`.
  std::vector<double> load(int concurrency, int total,
                           const std::function<json(int)>& call,
                           double& wall_s, int& errors) {
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
        proc_.write_line(json{{"jsonrpc", "2.0"},
                              {"id", id},
                              {"method", "tools/call"},
                              {"params", call(sent)}}
                           .dump());
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
      auto us = std::chrono::duration<double, std::micro>(clock_type::now()
                                                          - i->second)
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

  /// list_devices total_count.
  int64_t device_count() {
    int64_t count = -1;
    auto id = next_id_ + 1;
    proc_.write_line(json{{"jsonrpc", "2.0"},
                          {"id", id},
                          {"method", "tools/call"},
                          {"params",
                           {{"name", "list_devices"},
                            {"arguments", json::object()}}}}
                       .dump());
    ++next_id_;
    while (auto line = proc_.read_line(std::chrono::seconds{60})) {
      auto msg = parse_json(*line);
      if (msg && msg->value("id", int64_t{-1}) == id) {
        count = (*msg)["result"]["structuredContent"].value("total_count",
                                                           int64_t{-1});
        break;
      }
    }
    return count;
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

private:
  child_process proc_;
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
    auto res = c.post("", json{{"jsonrpc", "2.0"},
                               {"id", 0},
                               {"method", "initialize"},
                               {"params",
                                {{"protocolVersion", "2025-11-25"},
                                 {"capabilities", json::object()},
                                 {"clientInfo",
                                  {{"name", "bench"}, {"version", "1"}}}}}});
    session_ = std::string{res["Mcp-Session-Id"]};
    if (session_.empty())
      throw std::runtime_error("initialize over HTTP gave no session id");
    c.post(session_, json{{"jsonrpc", "2.0"},
                          {"method", "notifications/initialized"}});
  }

  ~http_daemon() {
    proc_.kill(SIGTERM);
    proc_.wait(std::chrono::seconds{30});
  }

  /// Like daemon_process::load, with one keep-alive connection per call in
  /// flight.
  std::vector<double> load(int concurrency, int total,
                           const std::function<json(int)>& call,
                           double& wall_s, int& errors) {
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
          auto us = std::chrono::duration<double, std::micro>(
                      clock_type::now() - start)
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

json overview_call(int i, size_t routers) {
  char id[16];
  std::snprintf(id, sizeof id, "r%05zu", static_cast<size_t>(i) % routers);
  return {{"name", "get_system_overview"}, {"arguments", {{"device_id", id}}}};
}

json check_call(int i) {
  char id[16];
  std::snprintf(id, sizeof id, "r%05d", i);
  return {{"name", "check_connectivity"}, {"arguments", {{"device_id", id}}}};
}

/// get_system_overview latency and throughput at concurrency 1, 16, 64.
template <class Daemon>
void overview_figures(const std::string& transport, Daemon& d, int runs,
                      int requests, double floor_p50) {
  for (int c : {1, 16, 64}) {
    std::vector<double> p50, p95, p99, rate;
    for (int r = 0; r < runs; ++r) {
      double wall = 0;
      int errors = 0;
      auto lat = d.load(c, requests,
                        [](int i) { return overview_call(i, 64); }, wall,
                        errors);
      if (errors > 0)
        throw std::runtime_error(transport + ": " + std::to_string(errors)
                                 + " get_system_overview calls failed");
      p50.push_back(percentile(lat, 50));
      p95.push_back(percentile(lat, 95));
      p99.push_back(percentile(lat, 99));
      rate.push_back(static_cast<double>(lat.size()) / wall);
    }
    auto tag = transport + " get_system_overview c=" + std::to_string(c);
    record(tag + " p50", "µs", p50);
    record(tag + " p95", "µs", p95);
    record(tag + " p99", "µs", p99);
    record(tag + " throughput", "calls/s", rate, false);
    std::vector<double> ratio;
    for (auto x : p50)
      ratio.push_back(x / floor_p50);
    record(tag + " p50 / floor p50", "×", ratio);
  }
}

// -- markdown ----------------------------------------------------------------------

std::string machine_line() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page = sysconf(_SC_PAGE_SIZE);
  char buf[160];
  std::snprintf(buf, sizeof buf, "%u cores, %.1f GiB memory",
                std::thread::hardware_concurrency(),
                static_cast<double>(pages) * static_cast<double>(page)
                  / (1024.0 * 1024 * 1024));
  return buf;
}

void print_markdown(int runs) {
  std::printf("Machine: %s. %d runs per figure after a warm-up; best and "
              "median of the runs.\n\n",
              machine_line().c_str(), runs);
  std::printf("| figure | best | median | unit |\n|---|---:|---:|---|\n");
  for (auto& f : results)
    std::printf("| %s | %.1f | %.1f | %s |\n", f.name.c_str(), f.best(),
                median(f.runs), f.unit.c_str());
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"routeros-mcp benchmarks"};
  std::string binary = "./routeros-mcp";
  int runs = 3;
  int requests = 2000;
  bool markdown = false;
  bool skip_memory = false;
  app.add_option("--binary", binary, "routeros-mcp executable")->required();
  app.add_option("--runs", runs, "Runs per figure (after a warm-up)")
    ->check(CLI::Range(1, 20));
  app.add_option("--requests", requests, "Calls per latency run")
    ->check(CLI::Range(100, 1000000));
  app.add_flag("--markdown", markdown, "Print a Markdown table on stdout");
  app.add_flag("--skip-memory", skip_memory,
               "Skip the RSS figures (registering 10,000 devices)");
  CLI11_PARSE(app, argc, argv);

  try {
    std::fprintf(stderr, "machine: %s\n", machine_line().c_str());
    sim::fleet_options so;
    so.routers = 1000;
    so.tls = true;
    so.io_threads = 1;
    so.seed = 7;
    sim::fleet routers{so};
    std::vector<uint16_t> ports;
    for (size_t i = 0; i < routers.size(); ++i)
      ports.push_back(routers.port(i));

    // The floor.
    floor_run(ports[0], 200);
    std::vector<double> p50s, p99s;
    for (int r = 0; r < runs; ++r) {
      auto lat = floor_run(ports[0], requests);
      p50s.push_back(percentile(lat, 50));
      p99s.push_back(percentile(lat, 99));
    }
    record("REST floor p50 (one router, TLS keep-alive)", "µs", p50s);
    record("REST floor p99", "µs", p99s);
    auto floor_p50 = minimum(p50s);

    // tools/call over stdio, and the fleet sweep.
    auto dir = bench_dir();
    register_devices(dir, 1000, ports, routers.fingerprint_sha256());
    {
      daemon_process d{binary, dir};
      double wall = 0;
      int errors = 0;
      d.load(16, 500, [](int i) { return overview_call(i, 64); }, wall, errors);
      overview_figures("stdio", d, runs, requests, floor_p50);
      std::vector<double> sweep;
      for (int r = 0; r <= runs; ++r) {
        d.load(64, 1000, check_call, wall, errors);
        if (errors > 0)
          throw std::runtime_error(std::to_string(errors)
                                   + " check_connectivity calls failed");
        if (r > 0)
          sweep.push_back(wall * 1000.0);
      }
      record("fleet: check_connectivity of 1,000 routers (64 in flight)",
             "ms", sweep);
    }
    {
      http_daemon d{binary, dir};
      double wall = 0;
      int errors = 0;
      d.load(16, 500, [](int i) { return overview_call(i, 64); }, wall, errors);
      overview_figures("HTTP", d, runs, requests, floor_p50);
    }
    std::filesystem::remove_all(dir);

    if (!skip_memory) {
      std::map<size_t, std::pair<double, double>> rss;
      for (size_t n : {size_t{0}, size_t{1000}, size_t{10000}}) {
        auto mdir = bench_dir();
        if (n > 0)
          register_devices(mdir, n, {1}, routers.fingerprint_sha256());
        {
          daemon_process d{binary, mdir};
          if (d.device_count() != static_cast<int64_t>(n))
            throw std::runtime_error("daemon did not load "
                                     + std::to_string(n) + " devices");
          rss[n] = d.rss_kib();
        }
        std::filesystem::remove_all(mdir);
        record("daemon RSS with " + std::to_string(n) + " devices", "KiB",
               {rss[n].first});
        record("daemon anonymous RSS with " + std::to_string(n) + " devices",
               "KiB", {rss[n].second});
      }
      record("per-device memory (anonymous RSS, 10,000 vs 0)", "KiB",
             {(rss[10000].second - rss[0].second) / 10000.0});
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench failed: %s\n", e.what());
    return 1;
  }
  if (markdown)
    print_markdown(runs);
  return 0;
}
