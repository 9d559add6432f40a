// The issuer's keys from a real identity-provider setup: OIDC and RFC 8414
// discovery over HTTPS with a CA the test owns, the JWKS cached for its
// Cache-Control lifetime, reloads on unknown key ids rate-limited, and the
// refusals (untrusted certificate, clear-text http off loopback, metadata
// of another issuer) named clearly.

#include <fstream>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "src/auth/jwks_cache.hpp"
#include "src/auth/url_fetch.hpp"
#include "src/sim/tls.hpp"
#include "tests/support/doc_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::test {
namespace {

using auth::cache_max_age;
using auth::discover_jwks_uri;
using auth::fetch_settings;
using auth::jwks_cache;
using auth::jwks_settings;

TEST(cache_max_age, reads_the_lifetime_a_cache_control_header_grants) {
  EXPECT_EQ(cache_max_age("max-age=600"), 600);
  EXPECT_EQ(cache_max_age("public, Max-Age=60 , must-revalidate"), 60);
  EXPECT_EQ(cache_max_age("max-age=600, s-maxage=30"), 30);
  EXPECT_EQ(cache_max_age("max-age=\"90\""), 90);
  EXPECT_EQ(cache_max_age("no-store"), 0);
  EXPECT_EQ(cache_max_age("max-age=600, no-cache"), 0);
  EXPECT_EQ(cache_max_age(""), std::nullopt);
  EXPECT_EQ(cache_max_age("public"), std::nullopt);
  EXPECT_EQ(cache_max_age("max-age=-5"), std::nullopt);
  EXPECT_EQ(cache_max_age("max-age=99999999999999999999"), std::nullopt);
}

TEST(fetch_url, clear_text_http_is_refused_off_loopback) {
  for (auto url : {"http://192.0.2.10/jwks", "http://idp.example.com/jwks"}) {
    auto got = auth::fetch_url(url, {});
    ASSERT_FALSE(got) << url;
    EXPECT_NE(error_message(got.error()).find("use https://"),
              std::string::npos)
      << error_message(got.error());
  }
  for (auto url : {"ftp://127.0.0.1/x", "https://user@127.0.0.1/x",
                   "https://127.0.0.1:99999/x", "https://[::1/x"}) {
    auto got = auth::fetch_url(url, {});
    ASSERT_FALSE(got) << url;
    EXPECT_NE(error_message(got.error()).find(url), std::string::npos);
  }
}

class issuer_over_https : public ::testing::Test {
protected:
  issuer_over_https() : identity(sim::make_self_signed()), as(identity) {
    std::ofstream{ca} << identity.certificate_pem;
    fetch.ca_file = ca;
  }

  std::string jwks_body(const std::string& kid) {
    return json{{"keys", json::array({{{"kty", "EC"}, {"kid", kid}}})}}.dump();
  }

  temp_dir dir;
  std::string ca = dir / "ca.pem";
  sim::tls_identity identity;
  doc_server as;
  fetch_settings fetch;
};

TEST_F(issuer_over_https, the_certificate_is_verified_against_the_ca_file) {
  as.set("/jwks", {200, jwks_body("a"), ""});
  auto got = auth::fetch_url(as.origin() + "/jwks", fetch);
  ASSERT_TRUE(got) << error_message(got.error());
  EXPECT_EQ(got->status, 200u);
  // The system's CAs do not know the test's certificate.
  auto untrusted = auth::fetch_url(as.origin() + "/jwks", {});
  ASSERT_FALSE(untrusted);
  EXPECT_NE(error_message(untrusted.error()).find("certificate verify failed"),
            std::string::npos)
    << error_message(untrusted.error());
  fetch_settings missing;
  missing.ca_file = dir / "nothing.pem";
  auto unreadable = auth::fetch_url(as.origin() + "/jwks", missing);
  ASSERT_FALSE(unreadable);
  EXPECT_NE(error_message(unreadable.error()).find("nothing.pem"),
            std::string::npos);
  EXPECT_EQ(as.hits("/jwks"), 1);
}

TEST_F(issuer_over_https, oidc_discovery_then_rfc_8414_find_the_jwks_uri) {
  auto issuer = as.origin() + "/tenant";
  as.set(
    "/.well-known/oauth-authorization-server/tenant",
    {200, json{{"issuer", issuer}, {"jwks_uri", "https://x/keys"}}.dump(), ""});
  // OIDC's document is missing (404): RFC 8414's is used.
  auto found = discover_jwks_uri(issuer, fetch);
  ASSERT_TRUE(found) << error_message(found.error());
  EXPECT_EQ(*found, "https://x/keys");
  EXPECT_EQ(as.hits("/tenant/.well-known/openid-configuration"), 1);
  // With OIDC's document present it wins.
  as.set(
    "/tenant/.well-known/openid-configuration",
    {200, json{{"issuer", issuer}, {"jwks_uri", "https://y/keys"}}.dump(), ""});
  auto oidc = discover_jwks_uri(issuer, fetch);
  ASSERT_TRUE(oidc) << error_message(oidc.error());
  EXPECT_EQ(*oidc, "https://y/keys");
}

TEST_F(issuer_over_https, metadata_of_another_issuer_or_none_is_refused) {
  auto issuer = as.origin();
  as.set(
    "/.well-known/openid-configuration",
    {200,
     json{{"issuer", "https://evil.example.com"}, {"jwks_uri", "https://e"}}
       .dump(),
     ""});
  auto other = discover_jwks_uri(issuer, fetch);
  ASSERT_FALSE(other);
  EXPECT_NE(error_message(other.error()).find("evil.example.com"),
            std::string::npos);
  as.set("/.well-known/openid-configuration", {200, "[1,2]", ""});
  auto none = discover_jwks_uri(issuer, fetch);
  ASSERT_FALSE(none);
  auto text = error_message(none.error());
  EXPECT_NE(text.find("/.well-known/oauth-authorization-server"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("HTTP 404"), std::string::npos) << text;
  EXPECT_NE(text.find("auth.oauth_jwks"), std::string::npos) << text;
}

TEST_F(issuer_over_https, keys_live_as_long_as_cache_control_says) {
  as.set("/jwks", {200, jwks_body("a"), "max-age=120"});
  jwks_settings s{as.origin(), as.origin() + "/jwks", fetch};
  auto cache = jwks_cache::make(s, 1000);
  ASSERT_TRUE(cache) << error_message(cache.error());
  auto& c = **cache;
  EXPECT_EQ(c.keys(1119)["keys"][0]["kid"], "a");
  EXPECT_EQ(as.hits("/jwks"), 1);
  as.set("/jwks", {200, jwks_body("b"), "no-store"});
  EXPECT_EQ(c.keys(1120)["keys"][0]["kid"], "b");
  EXPECT_EQ(as.hits("/jwks"), 2);
  // no-store is held to the 30 s floor, not fetched on every token.
  EXPECT_EQ(c.keys(1149)["keys"][0]["kid"], "b");
  EXPECT_EQ(as.hits("/jwks"), 2);
  // The issuer fails: the keys stay, and the next try waits 30 s.
  as.set("/jwks", {503, "down", ""});
  EXPECT_EQ(c.keys(1150)["keys"][0]["kid"], "b");
  EXPECT_EQ(as.hits("/jwks"), 3);
  EXPECT_EQ(c.keys(1179)["keys"][0]["kid"], "b");
  EXPECT_EQ(as.hits("/jwks"), 3);
  as.set("/jwks", {200, jwks_body("c"), ""});
  EXPECT_EQ(c.keys(1180)["keys"][0]["kid"], "c");
  EXPECT_EQ(as.hits("/jwks"), 4);
  // No lifetime given: one hour.
  EXPECT_EQ(c.keys(1180 + 3599)["keys"][0]["kid"], "c");
  EXPECT_EQ(as.hits("/jwks"), 4);
}

TEST_F(issuer_over_https, unknown_key_ids_reload_at_most_every_30_s) {
  as.set("/jwks", {200, jwks_body("a"), "max-age=86400"});
  jwks_settings s{as.origin(), as.origin() + "/jwks", fetch};
  auto cache = jwks_cache::make(s, 1000);
  ASSERT_TRUE(cache);
  auto& c = **cache;
  as.set("/jwks", {200, jwks_body("b"), ""});
  auto first = c.reload_for_unknown_key(1001);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["keys"][0]["kid"], "b");
  EXPECT_FALSE(c.reload_for_unknown_key(1002));
  EXPECT_FALSE(c.reload_for_unknown_key(1030));
  EXPECT_TRUE(c.reload_for_unknown_key(1031));
  EXPECT_EQ(as.hits("/jwks"), 3);
}

TEST_F(issuer_over_https, a_start_without_keys_names_the_option_and_cause) {
  as.set("/jwks", {200, "{\"no\":\"keys\"}", ""});
  auto bad = jwks_cache::make({as.origin(), as.origin() + "/jwks", fetch}, 0);
  ASSERT_FALSE(bad);
  EXPECT_NE(error_message(bad.error()).find("auth.oauth_jwks"),
            std::string::npos);
  EXPECT_NE(error_message(bad.error()).find("is not a JWKS"),
            std::string::npos);
  auto gone = jwks_cache::make({as.origin(), as.origin() + "/gone", fetch}, 0);
  ASSERT_FALSE(gone);
  EXPECT_NE(error_message(gone.error()).find("HTTP 404"), std::string::npos);
}

} // namespace
} // namespace rmcp::test
