#include "protocol/net_text.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>

namespace rmcp::net {

std::optional<std::array<uint8_t, 4>> parse_ipv4(std::string_view text) {
  if (text.empty() || text.size() > 15)
    return std::nullopt;
  std::string s{text};
  std::array<uint8_t, 4> out{};
  if (inet_pton(AF_INET, s.c_str(), out.data()) != 1)
    return std::nullopt;
  return out;
}

std::optional<std::array<uint8_t, 16>> parse_ipv6(std::string_view text) {
  if (text.empty() || text.size() > 45)
    return std::nullopt;
  std::string s{text};
  std::array<uint8_t, 16> out{};
  if (inet_pton(AF_INET6, s.c_str(), out.data()) != 1)
    return std::nullopt;
  return out;
}

bool is_ip(std::string_view text) {
  return parse_ipv4(text) || parse_ipv6(text);
}

std::optional<prefix> parse_prefix(std::string_view text) {
  auto slash = text.find('/');
  auto addr = text.substr(0, slash);
  prefix result;
  if (auto v4 = parse_ipv4(addr)) {
    std::memcpy(result.bytes.data(), v4->data(), 4);
    result.length = 32;
  } else if (auto v6 = parse_ipv6(addr)) {
    result.v6 = true;
    result.bytes = *v6;
    result.length = 128;
  } else {
    return std::nullopt;
  }
  if (slash != std::string_view::npos) {
    auto len = text.substr(slash + 1);
    if (len.empty() || len.size() > 3)
      return std::nullopt;
    int n = 0;
    for (char c : len) {
      if (!std::isdigit(static_cast<unsigned char>(c)))
        return std::nullopt;
      n = n * 10 + (c - '0');
    }
    if (n > result.max_length())
      return std::nullopt;
    result.length = n;
  }
  return result;
}

prefix network_of(const prefix& p) {
  prefix result = p;
  int bytes = p.v6 ? 16 : 4;
  for (int i = 0; i < bytes; ++i) {
    int bit_start = i * 8;
    if (bit_start >= p.length) {
      result.bytes[i] = 0;
    } else if (bit_start + 8 > p.length) {
      int keep = p.length - bit_start;
      result.bytes[i] &= static_cast<uint8_t>(0xFF << (8 - keep));
    }
  }
  return result;
}

namespace {

bool same_prefix_bits(const prefix& a, const prefix& b, int length) {
  prefix x = a, y = b;
  x.length = y.length = length;
  return network_of(x).bytes == network_of(y).bytes;
}

} // namespace

bool contains(const prefix& outer, const prefix& inner) {
  if (outer.v6 != inner.v6 || inner.length < outer.length)
    return false;
  return same_prefix_bits(outer, inner, outer.length);
}

bool overlaps(const prefix& a, const prefix& b) {
  if (a.v6 != b.v6)
    return false;
  return same_prefix_bits(a, b, std::min(a.length, b.length));
}

std::string address_text(const prefix& p) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(p.v6 ? AF_INET6 : AF_INET, p.bytes.data(), buf, sizeof(buf));
  return buf;
}

std::string to_string(const prefix& p) {
  return address_text(p) + "/" + std::to_string(p.length);
}

bool is_hostname(std::string_view text) {
  if (text.empty() || text.size() > 253)
    return false;
  if (text.back() == '.')
    text.remove_suffix(1);
  size_t start = 0;
  while (start <= text.size()) {
    auto dot = text.find('.', start);
    auto label =
      text.substr(start, dot == std::string_view::npos ? std::string_view::npos
                                                       : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-'
        || label.back() == '-')
      return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
        return false;
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  return true;
}

} // namespace rmcp::net
