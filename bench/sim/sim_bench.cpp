// routeros-sim-bench: memory and latency of the in-process simulator.
//
//   routeros-sim-bench [--routers 1000] [--requests 20000] [--threads 4] [--seconds 5] [--io-threads 1]
//
// Prints one line per measurement (RSS from /proc/self/status, latency
// percentiles of GET /rest/system/resource over a kept-alive loopback
// connection, throughput with concurrent clients). Not a test: numbers go
// into docs/simulator.md.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/fleet.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

/// A minimal blocking HTTP/1.1 keep-alive client (loopback only).
class raw_client {
public:
  explicit raw_client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::perror("connect");
      std::exit(1);
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~raw_client() {
    ::close(fd_);
  }

  /// Sends a GET and returns the status code (0 on error).
  int get(const std::string& path) {
    std::string req = "GET " + path
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Authorization: Basic YWRtaW46cm91dGVyb3Mtc2lt\r\n\r\n";
    if (::send(fd_, req.data(), req.size(), 0)
        != static_cast<ssize_t>(req.size()))
      return 0;
    buf_.clear();
    std::size_t header_end = std::string::npos, length = 0;
    char chunk[16384];
    while (true) {
      if (header_end != std::string::npos
          && buf_.size() >= header_end + 4 + length)
        break;
      auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0)
        return 0;
      buf_.append(chunk, static_cast<std::size_t>(n));
      if (header_end == std::string::npos) {
        header_end = buf_.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          auto cl = buf_.find("Content-Length: ");
          length = cl == std::string::npos
                     ? 0
                     : std::strtoul(buf_.c_str() + cl + 16, nullptr, 10);
        }
      }
    }
    return std::atoi(buf_.c_str() + 9);
  }

private:
  int fd_ = -1;
  std::string buf_;
};

long arg(int argc, char** argv, const char* name, long dflt) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return std::strtol(argv[i + 1], nullptr, 10);
  return dflt;
}

} // namespace

int main(int argc, char** argv) {
  auto routers = static_cast<std::size_t>(arg(argc, argv, "--routers", 1000));
  auto requests = arg(argc, argv, "--requests", 20000);
  auto threads = arg(argc, argv, "--threads", 4);
  auto seconds = arg(argc, argv, "--seconds", 5);
  std::printf("rss-before-fleet-kib %ld\n", rss_kib());
  rmcp::sim::fleet_options opts;
  opts.routers = routers;
  opts.io_threads =
    static_cast<std::size_t>(arg(argc, argv, "--io-threads", 1));
  auto t0 = clock_type::now();
  rmcp::sim::fleet fleet{opts};
  auto start_ms =
    std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  std::printf("fleet-start routers=%zu ms=%.1f rss-kib=%ld\n", routers,
              start_ms, rss_kib());

  // Latency: one kept-alive connection, sequential GETs.
  {
    raw_client c{fleet.port(0)};
    for (int i = 0; i < 1000; ++i)
      c.get("/rest/system/resource");
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(requests));
    for (long i = 0; i < requests; ++i) {
      auto a = clock_type::now();
      if (c.get("/rest/system/resource") != 200)
        return 1;
      us.push_back(
        std::chrono::duration<double, std::micro>(clock_type::now() - a)
          .count());
    }
    std::sort(us.begin(), us.end());
    auto pct = [&](double p) {
      return us[static_cast<std::size_t>(p
                                         * static_cast<double>(us.size() - 1))];
    };
    double sum = 0;
    for (auto v : us)
      sum += v;
    std::printf("get-system-resource n=%ld mean-us=%.1f p50-us=%.1f "
                "p90-us=%.1f p99-us=%.1f max-us=%.1f\n",
                requests, sum / static_cast<double>(us.size()), pct(0.5),
                pct(0.9), pct(0.99), us.back());
  }

  // One GET /rest/system/resource on every router (new connection each).
  {
    auto a = clock_type::now();
    for (std::size_t i = 0; i < routers; ++i) {
      raw_client c{fleet.port(i)};
      if (c.get("/rest/system/resource") != 200)
        return 1;
    }
    auto ms =
      std::chrono::duration<double, std::milli>(clock_type::now() - a).count();
    std::printf("resource-on-every-router ms=%.1f rss-kib=%ld\n", ms,
                rss_kib());
  }

  // Throughput: `threads` clients on different routers for `seconds`.
  {
    std::atomic<long> done{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> pool;
    for (long t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        raw_client c{fleet.port(static_cast<std::size_t>(t) % routers)};
        while (!stop)
          if (c.get("/rest/system/resource") == 200)
            ++done;
      });
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    stop = true;
    for (auto& th : pool)
      th.join();
    std::printf("throughput clients=%ld req-per-s=%.0f\n", threads,
                static_cast<double>(done.load())
                  / static_cast<double>(seconds));
  }

  // Materialise every router's tables (interfaces, addresses, firewall, ...).
  {
    auto a = clock_type::now();
    for (std::size_t i = 0; i < routers; ++i) {
      raw_client c{fleet.port(i)};
      for (auto* path : {"/rest/interface", "/rest/ip/address",
                         "/rest/ip/firewall/filter", "/rest/log"})
        if (c.get(path) != 200)
          return 1;
    }
    auto ms =
      std::chrono::duration<double, std::milli>(clock_type::now() - a).count();
    std::printf("all-routers-seeded ms=%.1f rss-kib=%ld\n", ms, rss_kib());
    raw_client c{fleet.port(0)};
    std::vector<double> us;
    for (int i = 0; i < 2000; ++i) {
      auto b = clock_type::now();
      c.get("/rest/interface");
      us.push_back(
        std::chrono::duration<double, std::micro>(clock_type::now() - b)
          .count());
    }
    std::sort(us.begin(), us.end());
    std::printf("get-interface n=2000 p50-us=%.1f p99-us=%.1f\n", us[1000],
                us[1980]);
  }
  fleet.stop();
  return 0;
}
