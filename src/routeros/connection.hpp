#pragma once

// One keep-alive connection of the Beast REST client (beast_client.cpp):
// runs one request at a time on its client's strand (resolve, connect, TLS
// handshake with pin or verification, write, read, deadline) and reports
// each ended request to its owner, the client, on that strand; the client
// reuses idle connections. Internal to src/routeros/.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <caf/expected.hpp>

#include "actors/rest_client.hpp"

namespace rmcp::routeros {

/// One request of a client, run by a connection.
struct job {
  uint64_t id = 0;
  rest_request req;
  std::chrono::milliseconds timeout{0};
  std::chrono::steady_clock::time_point deadline;
  rest_client::callback done;
  /// Already retried once after a stale keep-alive connection.
  bool retried = false;
};

using job_ptr = std::shared_ptr<job>;

class connection;

using connection_ptr = std::shared_ptr<connection>;

/// What a connection reports to (the client that owns it), on the strand
/// the connection was made with.
class connection_owner {
public:
  virtual ~connection_owner() = default;

  /// `j` ended with `result`; `reusable`: the connection may take another
  /// request.
  virtual void completed(const connection_ptr& c, const job_ptr& j,
                         caf::expected<rest_response> result,
                         bool reusable) = 0;

  /// Run `j` again on a fresh connection (its keep-alive connection was
  /// stale and `j` is an idempotent read not yet retried).
  virtual void requeue(const job_ptr& j) = 0;
};

class connection {
public:
  virtual ~connection() = default;

  /// Runs `j` (on the connection's strand).
  virtual void start(job_ptr j) = 0;

  /// Drops the connection (cancel or close); the running exchange, if any,
  /// fails and is reported as not reusable.
  virtual void abort() = 0;
};

/// A connection whose handlers all run on `strand` (its client's).
connection_ptr make_connection(
  boost::asio::strand<boost::asio::io_context::executor_type> strand,
  std::shared_ptr<boost::asio::ssl::context> tls, const rest_endpoint& ep,
  std::shared_ptr<const std::string> user_agent,
  std::weak_ptr<connection_owner> owner);

} // namespace rmcp::routeros
