// JWT access tokens and JWKS documents (src/auth/jwt). The first byte picks
// what the rest is:
//   0: a bearer token as sent, verified against a JWKS of one RS256 and one
//      ES256 key;
//   1: "<header JSON>\n<claims JSON>", signed here with the ES256 key, so
//      the claims checks run past the signature;
//   2: a JWKS document, against which a good ES256 token is verified.
// Keys are generated once per process; the clock is fixed.

#include "fuzz_target.hpp"

#include "protocol/json_parse.hpp"
#include "src/auth/jwt.hpp"
#include "tests/support/jwt_keys.hpp"

using namespace rmcp;

namespace {

constexpr int64_t now_s = 1800000000;

struct keys {
  std::unique_ptr<test::key_pair> rsa = test::make_key("RS256", "rsa-1");
  std::unique_ptr<test::key_pair> ec = test::make_key("ES256", "ec-1");
  json jwks{{"keys", json::array({test::jwk_of(*rsa), test::jwk_of(*ec)})}};
  std::string good =
    test::token(*ec, json{{"iss", "https://as.example.com"},
                          {"aud", "https://mcp.example.com/mcp"},
                          {"sub", "fuzz"},
                          {"exp", now_s + 300},
                          {"scope", "mcp:read"}});
};

const keys& the_keys() {
  static const keys k;
  return k;
}

void verify(std::string_view token, const json& jwks) {
  auth::jwt_settings settings;
  settings.issuer = "https://as.example.com";
  settings.audience = "https://mcp.example.com/mcp";
  auto r = auth::verify_jwt(token, jwks, settings, now_s);
  if (r.who)
    FUZZ_CHECK(!r.who->subject.empty());
  else
    FUZZ_CHECK(!r.reason.empty());
  // The reason goes into logs and a header: it never holds the token. A
  // short token with a space can be a piece of a reason's own English
  // ("e dot-separated pa" of "three dot-separated parts", found by this
  // target): no echo, so only tokens of more than 16 bytes without a space
  // are checked (a JWT has none).
  if (token.size() > 16 && token.find(' ') == std::string_view::npos)
    FUZZ_CHECK(r.reason.find(token) == std::string::npos);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& k = the_keys();
  if (size == 0)
    return 0;
  auto rest = fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      verify(rest, k.jwks);
      break;
    case 1: {
      std::string_view header;
      auto claims = fuzz::split_first(rest, '\n', header);
      verify(
        test::signed_token(*k.ec, std::string{header}, std::string{claims}),
        k.jwks);
      break;
    }
    default:
      if (auto jwks = parse_json_bounded(rest))
        verify(k.good, *jwks);
      break;
  }
  return 0;
}
