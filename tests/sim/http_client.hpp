#pragma once

// A small synchronous HTTP(S) client for the simulator tests: one keep-alive
// connection, a deadline per request, TLS with certificate pinning by
// SHA-256 fingerprint.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace rmcp::sim::test {

struct http_response {
  unsigned status = 0; ///< 0: no answer (see `error`)
  std::string body;
  std::map<std::string, std::string> headers;
  std::string error; ///< transport error text when status == 0
};

struct client_options {
  bool tls = false;
  /// Expected certificate fingerprint ("AB:CD:..."); empty: accept any.
  std::string pin;
  std::string username = "admin";
  std::string password = "routeros-sim";
  /// When set, sent as the Authorization header instead of Basic from
  /// username and password (tests of malformed headers).
  std::string authorization;
  std::chrono::milliseconds timeout{5000};
};

class http_client {
public:
  http_client(std::uint16_t port, client_options opts = {});
  ~http_client();

  /// Sends a request (reconnecting when needed). A non-empty body is sent
  /// with `content_type`.
  http_response request(const std::string& method, const std::string& target,
                        const std::string& body = {},
                        const std::string& content_type = "application/json");
  http_response get(const std::string& target) {
    return request("GET", target);
  }

  /// Number of TCP connections opened so far.
  int connects() const;
  void set_credentials(std::string user, std::string password);
  /// Fingerprint of the server certificate seen at the last TLS handshake.
  std::string seen_fingerprint() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace rmcp::sim::test
