#include "tests/support/etcd_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/http_test_client.hpp"

namespace rmcp::test {

namespace {

using namespace std::chrono_literals;

std::string find_etcd() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  dirs += ":/usr/bin:/usr/sbin";
  size_t start = 0;
  while (start <= dirs.size()) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos)
      end = dirs.size();
    auto candidate = dirs.substr(start, end - start) + "/etcd";
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return {};
}

/// Binds a socket to 127.0.0.1:`port` (0: the kernel picks) and closes it;
/// the port it had, 0 when the bind failed.
uint16_t try_bind(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  socklen_t len = sizeof(addr);
  uint16_t got = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0
      && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    got = ntohs(addr.sin_port);
  ::close(fd);
  return got;
}

/// The lowest port of the kernel's ephemeral range.
int ephemeral_low() {
  std::ifstream in{"/proc/sys/net/ipv4/ip_local_port_range"};
  int low = 32768;
  in >> low;
  return low;
}

} // namespace

/// A loopback port nobody listens on right now, below the kernel's
/// ephemeral range: every outgoing connection takes its source port from
/// that range, so a port picked there (port 0) could be taken by any
/// connection of a test running in parallel between its release and the
/// bind that wants it (an etcd restarted on its ports failed so). Below the
/// range only an explicit bind takes a port. Another process may still bind
/// it first: the caller retries.
uint16_t free_loopback_port() {
  thread_local std::mt19937 rng{std::random_device{}()};
  auto low = ephemeral_low();
  if (low > 10001) {
    std::uniform_int_distribution<int> pick{10000, low - 1};
    for (int attempt = 0; attempt < 100; ++attempt)
      if (auto port = try_bind(static_cast<uint16_t>(pick(rng))))
        return port;
  }
  return try_bind(0);
}

etcd_server::etcd_server() : binary_(find_etcd()) {
  if (binary_.empty()) {
    ADD_FAILURE() << "etcd is not installed (Debian package etcd-server; "
                     "scripts/test installs it)";
    return;
  }
  for (int attempt = 0; attempt < 5 && !ready_; ++attempt) {
    client_port_ = free_loopback_port();
    peer_port_ = free_loopback_port();
    if (client_port_ == 0 || peer_port_ == 0 || client_port_ == peer_port_)
      continue;
    ready_ = start_once();
  }
  if (!ready_)
    ADD_FAILURE() << "etcd did not start: " << log();
}

etcd_server::~etcd_server() {
  proc_.reset(); // SIGKILL and reap
}

std::string etcd_server::endpoint() const {
  return "127.0.0.1:" + std::to_string(client_port_);
}

void etcd_server::kill() {
  proc_.reset();
  ready_ = false;
}

bool etcd_server::restart() {
  proc_.reset();
  ready_ = start_once();
  return ready_;
}

std::string etcd_server::log() const {
  return proc_ ? proc_->stderr_text() : std::string{"(not running)"};
}

bool etcd_server::start_once() {
  auto client = "http://127.0.0.1:" + std::to_string(client_port_);
  auto peer = "http://127.0.0.1:" + std::to_string(peer_port_);
  proc_.reset();
  proc_ = std::make_unique<child_process>(
    std::vector<std::string>{binary_,        "--name",
                             "test",         "--data-dir",
                             dir_ / "etcd",  "--listen-client-urls",
                             client,         "--advertise-client-urls",
                             client,         "--listen-peer-urls",
                             peer,           "--initial-advertise-peer-urls",
                             peer,           "--initial-cluster",
                             "test=" + peer, "--max-txn-ops",
                             "10000",        "--max-request-bytes",
                             "16777216",     "--logger",
                             "zap",          "--log-outputs",
                             "stderr",       "--log-level",
                             "warn"});
  return wait_healthy();
}

bool etcd_server::wait_healthy() {
  // etcd needs about a second to elect itself; a lost port race shows as
  // an early exit.
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    siginfo_t info{};
    // WNOWAIT: look without reaping; the child_process reaps it.
    if (::waitid(P_PID, static_cast<id_t>(proc_->pid()), &info,
                 WEXITED | WNOHANG | WNOWAIT)
          != 0
        || info.si_pid != 0)
      return false;
    auto reply = http_exchange(client_port_, "GET", "/health", {}, {}, 500ms);
    if (reply.status == 200
        && reply.body.find("\"health\":\"true\"") != std::string::npos)
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

} // namespace rmcp::test
