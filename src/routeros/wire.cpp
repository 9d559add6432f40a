#include "src/routeros/wire.hpp"

#include <cctype>
#include <cstdio>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "src/routeros/beast_client.hpp"

namespace rmcp::routeros {

std::string request_target(const std::string& path) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = "/rest";
  for (unsigned char c : path) {
    bool plain =
      std::isalnum(c)
      || std::string_view{"-._~/?&=*:,@!$'()+;%"}.find(static_cast<char>(c))
           != std::string_view::npos;
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string format_fingerprint(const unsigned char* der, size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(der, size, md, &len, EVP_sha256(), nullptr);
  std::string out;
  char buf[4];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, i == 0 ? "%02X" : ":%02X", md[i]);
    out += buf;
  }
  return out;
}

std::string fingerprint_of(X509* cert) {
  int size = i2d_X509(cert, nullptr);
  if (size <= 0)
    return {};
  std::vector<unsigned char> der(static_cast<size_t>(size));
  auto* p = der.data();
  i2d_X509(cert, &p);
  return format_fingerprint(der.data(), der.size());
}

std::string host_header(const rest_endpoint& ep) {
  auto host =
    ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host;
  bool default_port = (ep.scheme == "https" && ep.port == 443)
                      || (ep.scheme == "http" && ep.port == 80);
  return default_port ? host : host + ":" + std::to_string(ep.port);
}

} // namespace rmcp::routeros
