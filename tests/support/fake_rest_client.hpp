#pragma once

// A scripted stand-in for the Beast REST client, for deterministic actor and
// tool tests. Every request is recorded; a responder may answer it at once
// (inside async_request, as a fast I/O thread would), otherwise the test
// answers it later with reply()/fail(). Single-threaded: use it with the
// testing scheduler only.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/rest_client.hpp"
#include "protocol/error.hpp"

namespace rmcp::test {

/// Answers a request at once, or returns nullopt to leave it pending.
using responder = std::function<std::optional<caf::expected<rest_response>>(
  const rest_request&)>;

class fake_rest_client : public rest_client {
public:
  struct call {
    uint64_t id = 0;
    rest_request req;
    std::chrono::milliseconds timeout{0};
    callback done;
    bool finished = false;
    bool cancelled = false;
  };

  fake_rest_client(rest_endpoint endpoint, responder answer);

  uint64_t async_request(const rest_request& req,
                         std::chrono::milliseconds timeout,
                         callback done) override;
  void cancel(uint64_t id) override;
  void close() override;

  // -- test side ----------------------------------------------------------------

  const rest_endpoint& endpoint() const noexcept {
    return endpoint_;
  }

  /// Every request in arrival order.
  const std::vector<call>& calls() const noexcept {
    return calls_;
  }

  /// Requests still waiting for an answer.
  size_t open_calls() const;

  /// Requests whose path starts with `prefix`.
  size_t count(const std::string& prefix) const;

  /// Answers the `n`-th open request (0 = oldest).
  void reply(size_t n, rest_response resp);
  void fail(size_t n, caf::error err);

  bool closed() const noexcept {
    return closed_;
  }

  /// Replaces the responder (nullptr: every request stays pending).
  void set_responder(responder answer) {
    answer_ = std::move(answer);
  }

private:
  call& open_call(size_t n);

  rest_endpoint endpoint_;
  responder answer_;
  std::vector<call> calls_;
  uint64_t next_id_ = 1;
  bool closed_ = false;
};

class fake_rest_factory : public rest_client_factory {
public:
  /// Responder of every new client unless `per_device` has one.
  responder answer;
  std::map<std::string, responder> per_device;

  std::shared_ptr<rest_client> make(const rest_endpoint& endpoint) override;

  /// The newest client of a device (null when none was made).
  std::shared_ptr<fake_rest_client> client(const std::string& device_id) const;

  /// How many clients were made for a device.
  size_t made(const std::string& device_id) const;

  std::vector<std::shared_ptr<fake_rest_client>> clients;
};

/// A valid lab record: host 127.0.0.1, port 8443, user "api", name
/// "Router <id>".
device_record test_device(const std::string& id,
                          const std::string& environment = "lab",
                          std::map<std::string, std::string> tags = {});

/// What a simulated router reports on /system/resource and /system/identity.
struct fake_router {
  int cpu_load = 5;
  uint64_t total_memory = 1073741824;
  uint64_t free_memory = 805306368;
  std::string uptime = "1d2h3m4s";
  std::string version = "7.16.1 (stable)";
  std::string board = "RB5009UG+S+";
  std::string identity = "MikroTik";
};

/// A router that answers the health paths like RouterOS (string values)
/// and leaves every other request pending.
responder router_responder(std::shared_ptr<fake_router> router);

/// A responder that fails every request with `code`.
responder failing_responder(ec code);

/// A response with `body` and status 200.
rest_response ok_response(json body);

} // namespace rmcp::test
