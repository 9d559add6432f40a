#pragma once

// One hexadecimal digit's value: the one decoder for hex text (stored
// fingerprints and ciphertexts, percent-escapes, router ids), so each reader
// does not carry its own.

namespace rmcp {

/// The value of a hex digit in either case, or -1 for any other character.
constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace rmcp
