#pragma once

// Our own small HTTP client for the HTTP transport tests (Boost.Beast):
// one connection per exchange, a deadline on every read, and an SSE reader
// that hands out events one by one while the stream stays open.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rmcp::test {

using http_headers = std::vector<std::pair<std::string, std::string>>;

struct http_reply {
  /// 0 when no answer arrived (see `error`).
  unsigned status = 0;
  /// Lower-case names.
  std::map<std::string, std::string> headers;
  std::string body;
  std::string error;

  std::string header(const std::string& lower_name) const {
    auto i = headers.find(lower_name);
    return i == headers.end() ? std::string{} : i->second;
  }
};

struct sse_event {
  std::string event;
  std::string data;
  /// The event's `id:` (empty when none).
  std::string id;
};

/// Splits an SSE body into events (comments skipped).
std::vector<sse_event> parse_sse(const std::string& body);

/// One request on a fresh connection; reads the whole answer (an SSE answer
/// until the server ends it).
http_reply
http_exchange(uint16_t port, const std::string& method,
              const std::string& target, const http_headers& headers,
              const std::string& body = {},
              std::chrono::milliseconds timeout = std::chrono::seconds{10});

/// A request whose answer is a long-lived event stream.
class sse_stream {
public:
  sse_stream(uint16_t port, const std::string& method,
             const std::string& target, const http_headers& headers,
             const std::string& body = {},
             std::chrono::milliseconds timeout = std::chrono::seconds{10});
  ~sse_stream();

  /// The response head (status 0 when none arrived; then `head().error`).
  const http_reply& head() const;

  /// The next event; nullopt when the stream ended or the deadline passed.
  std::optional<sse_event>
  next(std::chrono::milliseconds timeout = std::chrono::seconds{10});

  /// True when the server ended the stream before the deadline.
  bool ended(std::chrono::milliseconds timeout = std::chrono::seconds{10});

  /// Every body byte read so far.
  const std::string& body() const;

  /// Closes the connection from the client side.
  void close();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace rmcp::test
