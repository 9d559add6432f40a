#pragma once

// The RouterOS REST client over Boost.Beast: the production implementation
// of `rmcp::rest_client` (actors/rest_client.hpp).
//
// All clients share one `io_runtime` (an io_context run by a few threads).
// A client's state and its connections live on one strand: no lock. A
// request runs at once on an idle keep-alive connection or a new one while
// fewer than `max_connections` run; past that it waits, in order, for the
// first connection to free (the device actor hands only reads ahead, one
// per connection, and queues the rest). Up to `max_connections` connections
// are kept idle. Every request has its own deadline, counted from
// `async_request`. TLS: certificate verification against the system store or the
// device's CA file with host-name check ("verify"), the SHA-256 fingerprint
// of the leaf certificate ("pin"), or none ("insecure", explicit opt-in);
// SNI for host names; TLS 1.2 at least. A request that found its keep-alive
// connection closed by the router is retried once on a fresh connection when
// it is an idempotent read; all other policy (retries with backoff, circuit
// breaker) lives in the device actor. See docs/routeros-client.md.

#include <cstddef>
#include <memory>
#include <string>

#include "actors/rest_client.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace rmcp::routeros {

/// The I/O threads of all REST clients. It starts with one thread and adds
/// one per `clients_per_thread` clients alive at once, up to `max_threads`
/// (never fewer later: an io_context takes threads at any time, and a
/// thread that idles costs nothing). A small fleet's calls thus cross one
/// I/O thread, not two that hand completions to each other, while a large
/// fleet's TLS handshakes spread over several (docs/benchmarks.md, "One
/// REST I/O thread"). Destroying it stops and joins the threads; destroy it
/// only after every client is closed (the runtime does).
class io_runtime {
public:
  static constexpr size_t default_clients_per_thread = 32;

  explicit io_runtime(size_t max_threads,
                      size_t clients_per_thread = default_clients_per_thread);
  ~io_runtime();

  io_runtime(const io_runtime&) = delete;
  io_runtime& operator=(const io_runtime&) = delete;

  struct impl;

  impl& get() noexcept {
    return *impl_;
  }

  /// The event loop the threads run.
  boost::asio::io_context& context() noexcept;

  /// The threads running now.
  size_t threads() const;

private:
  std::unique_ptr<impl> impl_;
};

/// Builds Beast clients on `io`. `user_agent` goes into every request.
rest_client_factory_ptr make_rest_client_factory(std::shared_ptr<io_runtime> io,
                                                 std::string user_agent);

/// The HTTP request target for a RouterOS path ("/ip/address?x=a b" →
/// "/rest/ip/address?x=a%20b"): "/rest" prefix, bytes outside the URI's
/// unreserved and delimiter characters percent-encoded.
std::string request_target(const std::string& path);

/// SHA-256 over `der` as upper-case hex with colons.
std::string format_fingerprint(const unsigned char* der, size_t size);

} // namespace rmcp::routeros
