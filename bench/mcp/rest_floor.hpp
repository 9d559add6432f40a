#pragma once

// The simulated router alone, without the daemon: the floor (one
// synchronous TLS keep-alive client, GET after GET, and the client's CPU
// per GET) and the ceiling (the same client on several threads at once).
// And the machine's price of one thread hand-off, which a call pays at
// every thread it crosses.

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "protocol/routeros.hpp"

namespace rmcp::bench {

/// CPU time of the calling thread, µs.
inline double thread_cpu_us() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6
         + static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/// Sequential GETs over one TLS keep-alive connection; latencies in µs.
/// With `cpu_per_get`, the client's own CPU per GET (µs) goes there: what
/// any server pays at least to ask the router once (TLS, HTTP, the
/// syscalls), before parsing the answer.
inline std::vector<double> floor_run(uint16_t port, int n,
                                     double* cpu_per_get = nullptr) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  using clock_type = std::chrono::steady_clock;
  asio::io_context ioc;
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  ctx.set_verify_mode(asio::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream{ioc, ctx};
  asio::ip::tcp::resolver resolver{ioc};
  beast::get_lowest_layer(stream).connect(
    resolver.resolve("127.0.0.1", std::to_string(port)));
  stream.handshake(asio::ssl::stream_base::client);
  http::request<http::empty_body> req{http::verb::get, "/rest/system/resource",
                                      11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization,
          basic_authorization("admin", "routeros-sim"));
  beast::flat_buffer buffer;
  std::vector<double> lat;
  lat.reserve(static_cast<size_t>(n));
  auto cpu0 = thread_cpu_us();
  for (int i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    lat.push_back(
      std::chrono::duration<double, std::micro>(clock_type::now() - t0)
        .count());
    if (res.result_int() != 200)
      throw std::runtime_error("floor: HTTP "
                               + std::to_string(res.result_int()));
  }
  if (cpu_per_get && n > 0)
    *cpu_per_get = (thread_cpu_us() - cpu0) / n;
  return lat;
}

/// The CPU one thread hand-off costs on this machine (µs): two threads
/// take turns through a condition variable `n` times each; the CPU of
/// both (the waker's system call, the sleeper's switch out and back in)
/// divided by the hand-offs.
inline double handoff_cpu_us(int n) {
  std::mutex mtx;
  std::condition_variable cv;
  bool other_turn = false;
  double other_cpu = 0;
  auto own0 = thread_cpu_us();
  std::thread other{[&] {
    auto cpu0 = thread_cpu_us();
    for (int i = 0; i < n; ++i) {
      std::unique_lock<std::mutex> guard{mtx};
      cv.wait(guard, [&] { return other_turn; });
      other_turn = false;
      cv.notify_one();
    }
    other_cpu = thread_cpu_us() - cpu0;
  }};
  for (int i = 0; i < n; ++i) {
    std::unique_lock<std::mutex> guard{mtx};
    other_turn = true;
    cv.notify_one();
    cv.wait(guard, [&] { return !other_turn; });
  }
  auto own = thread_cpu_us() - own0;
  other.join();
  return (own + other_cpu) / (2.0 * n);
}

/// GETs per second one simulated router answers with `c` requests in
/// flight: `c` threads, each a floor client on its own keep-alive
/// connection, `n` GETs in all. The mock's ceiling on this machine: no
/// server in front of it can pass more one-GET calls per second.
inline double ceiling_run(uint16_t port, int c, int n) {
  using clock_type = std::chrono::steady_clock;
  std::vector<std::thread> clients;
  std::atomic<int> failed{0};
  auto t0 = clock_type::now();
  for (int i = 0; i < c; ++i)
    clients.emplace_back([&failed, port, c, n] {
      try {
        floor_run(port, n / c);
      } catch (const std::exception&) {
        ++failed;
      }
    });
  for (auto& t : clients)
    t.join();
  if (failed > 0)
    throw std::runtime_error("ceiling: a client failed");
  auto seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  return (n / c) * c / seconds;
}

} // namespace rmcp::bench
