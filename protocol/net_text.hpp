#pragma once

// Parsing and comparing IP addresses, prefixes and host names as they appear
// in tool arguments and RouterOS values. Pure functions.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rmcp::net {

/// An IPv4 or IPv6 prefix; a plain address is a host prefix (/32 or /128).
struct prefix {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{}; // IPv4 uses the first 4 bytes
  int length = 0;

  int max_length() const noexcept {
    return v6 ? 128 : 32;
  }
};

std::optional<std::array<uint8_t, 4>> parse_ipv4(std::string_view text);
std::optional<std::array<uint8_t, 16>> parse_ipv6(std::string_view text);

/// True for an IPv4 or IPv6 address without prefix length.
bool is_ip(std::string_view text);

/// Parses "a.b.c.d", "a.b.c.d/n", "x::y" or "x::y/n".
std::optional<prefix> parse_prefix(std::string_view text);

/// The network of `p`: host bits cleared.
prefix network_of(const prefix& p);

/// True when `inner` lies completely inside `outer` (same family).
bool contains(const prefix& outer, const prefix& inner);

/// True when the two networks share at least one address (same family).
bool overlaps(const prefix& a, const prefix& b);

/// Canonical text: "10.0.0.0/24"; host prefixes keep their length.
std::string to_string(const prefix& p);

/// The address part only, without "/n".
std::string address_text(const prefix& p);

/// RFC 1123 host name: labels of 1–63 [A-Za-z0-9-] not starting or ending
/// with '-', total length ≤ 253; a single label is allowed.
bool is_hostname(std::string_view text);

} // namespace rmcp::net
