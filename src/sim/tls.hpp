#pragma once

// Self-signed P-256 certificate for the simulator's HTTPS listeners,
// generated at start with OpenSSL 3 (CN=localhost, SAN DNS:localhost,
// IP:127.0.0.1).

#include <string>

namespace rmcp::sim {

struct tls_identity {
  std::string certificate_pem;
  std::string private_key_pem;
  /// SHA-256 of the DER certificate, upper-case colon-separated hex.
  std::string fingerprint_sha256;
};

/// Generates a fresh identity; throws std::runtime_error on an OpenSSL
/// failure (only ever called at start, never inside a handler).
tls_identity make_self_signed();

} // namespace rmcp::sim
