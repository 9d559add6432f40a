#pragma once

// Small wire helpers of the Beast REST client (beast_client.cpp): the Host
// header of an endpoint and the fingerprint of a presented certificate.

#include <string>

#include <openssl/x509.h>

#include "actors/rest_client.hpp"

namespace rmcp::routeros {

/// SHA-256 of the DER encoding of `cert`, upper-case hex with colons.
std::string fingerprint_of(X509* cert);

/// The Host header value: host ([v6] bracketed) plus ":port" unless it is
/// the scheme's default.
std::string host_header(const rest_endpoint& ep);

} // namespace rmcp::routeros
