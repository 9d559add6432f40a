// JWT access tokens (OAuth resource-server mode) against a JWKS, with keys
// generated here by OpenSSL: RS256 and ES256 good; expired, not yet valid,
// wrong audience, wrong issuer, unknown kid, alg none, HS256, bad
// signature, key type confusion; role and scope mapping.

#include <gtest/gtest.h>

#include "src/auth/jwt.hpp"
#include "tests/support/jwt_keys.hpp"

namespace rmcp {

namespace {

using namespace rmcp::test;

class jwt_test : public ::testing::Test {
protected:
  jwt_test() {
    rsa = make_key("RS256", "rsa-1");
    ec = make_key("ES256", "ec-1");
    jwks = {{"keys", json::array({jwk_of(*rsa), jwk_of(*ec)})}};
    settings.issuer = "https://as.example.com";
    settings.audience = "https://mcp.example.com/mcp";
  }

  json claims() const {
    return {{"iss", settings.issuer}, {"aud", settings.audience},
            {"sub", "alice"},         {"exp", now + 300},
            {"nbf", now - 10},        {"scope", "openid mcp:write"}};
  }

  auth::jwt_result check(const std::string& t) const {
    return auth::verify_jwt(t, jwks, settings, now);
  }

  std::unique_ptr<key_pair> rsa;
  std::unique_ptr<key_pair> ec;
  json jwks;
  auth::jwt_settings settings;
  int64_t now = 1'800'000'000;
};

} // namespace

TEST_F(jwt_test, rs256_and_es256_tokens_are_accepted) {
  for (auto* k : {rsa.get(), ec.get()}) {
    auto r = check(token(*k, claims()));
    ASSERT_TRUE(r.who) << k->alg << ": " << r.reason;
    EXPECT_EQ(r.who->subject, "alice");
    EXPECT_EQ(r.who->role, "ops_rw");
    EXPECT_EQ(r.who->transport, "http");
  }
}

TEST_F(jwt_test, expired_and_not_yet_valid_tokens_are_refused) {
  auto c = claims();
  c["exp"] = now - 61;
  auto r = check(token(*rsa, c));
  EXPECT_FALSE(r.who);
  EXPECT_NE(r.reason.find("expired"), std::string::npos) << r.reason;
  c = claims();
  c["nbf"] = now + 120;
  r = check(token(*ec, c));
  EXPECT_FALSE(r.who);
  EXPECT_NE(r.reason.find("nbf"), std::string::npos) << r.reason;
  c = claims();
  c.erase("exp");
  EXPECT_FALSE(check(token(*rsa, c)).who);
}

TEST_F(jwt_test, wrong_audience_or_issuer_is_refused) {
  auto c = claims();
  c["aud"] = "https://other.example.com/mcp";
  auto r = check(token(*rsa, c));
  EXPECT_FALSE(r.who);
  EXPECT_NE(r.reason.find("audience"), std::string::npos) << r.reason;
  c["aud"] = json::array({"x", settings.audience});
  EXPECT_TRUE(check(token(*rsa, c)).who);
  c = claims();
  c["iss"] = "https://evil.example.com";
  r = check(token(*ec, c));
  EXPECT_FALSE(r.who);
  EXPECT_NE(r.reason.find("issuer"), std::string::npos) << r.reason;
}

TEST_F(jwt_test, unknown_kid_asks_for_a_reload) {
  auto r = check(token(*rsa, claims(), {{"kid", "rotated-9"}}));
  EXPECT_FALSE(r.who);
  EXPECT_EQ(r.failure, auth::jwt_failure::unknown_key);
  // A key the JWKS does not hold, with a kid it does hold: bad signature.
  auto stranger = make_key("RS256", "rsa-1");
  r = check(token(*stranger, claims()));
  EXPECT_FALSE(r.who);
  EXPECT_EQ(r.failure, auth::jwt_failure::invalid);
  EXPECT_NE(r.reason.find("signature"), std::string::npos) << r.reason;
}

TEST_F(jwt_test, alg_none_and_hs256_are_refused) {
  auto c = claims();
  for (auto* alg : {"none", "HS256", "RS384", ""}) {
    auto t = base64url_encode(json{{"alg", alg}, {"kid", "rsa-1"}}.dump()) + "."
             + base64url_encode(c.dump()) + ".";
    auto r = check(t);
    EXPECT_FALSE(r.who) << alg;
    EXPECT_EQ(r.failure, auth::jwt_failure::invalid) << alg;
  }
  // alg none with the RSA signature of a good token appended.
  auto good = token(*rsa, c);
  auto none = base64url_encode(json{{"alg", "none"}}.dump())
              + good.substr(good.find('.'));
  EXPECT_FALSE(check(none).who);
}

TEST_F(jwt_test, tampered_payload_and_key_confusion_are_refused) {
  auto good = token(*rsa, claims());
  auto c = claims();
  c["scope"] = "mcp:admin";
  auto parts = good.substr(0, good.find('.')) + "." + base64url_encode(c.dump())
               + good.substr(good.rfind('.'));
  auto r = check(parts);
  EXPECT_FALSE(r.who);
  EXPECT_NE(r.reason.find("signature"), std::string::npos) << r.reason;
  // An ES256 header pointing at the RSA key.
  r = check(token(*ec, claims(), {{"kid", "rsa-1"}}));
  EXPECT_FALSE(r.who);
  EXPECT_NE(r.reason.find("not an EC key"), std::string::npos) << r.reason;
  EXPECT_FALSE(check("a.b").who);
  EXPECT_FALSE(check("").who);
}

TEST_F(jwt_test, roles_come_from_the_role_claim_or_the_scopes) {
  auto c = claims();
  c["scope"] = "mcp:read";
  EXPECT_EQ(check(token(*rsa, c)).who->role, "read_only");
  c["scope"] = "mcp:read mcp:admin";
  EXPECT_EQ(check(token(*rsa, c)).who->role, "admin");
  c.erase("scope");
  c["scp"] = json::array({"mcp:approve"});
  EXPECT_EQ(check(token(*rsa, c)).who->role, "approver");
  c["role"] = "read_only";
  EXPECT_EQ(check(token(*rsa, c)).who->role, "read_only");
  c = claims();
  c["scope"] = "openid profile";
  auto r = check(token(*rsa, c));
  EXPECT_FALSE(r.who);
  EXPECT_EQ(r.failure, auth::jwt_failure::insufficient_scope);
  c = claims();
  c["device_tags"] = "site=berlin,lab";
  c["device_ids"] = json::array({"edge-*"});
  auto who = check(token(*ec, c)).who;
  ASSERT_TRUE(who);
  EXPECT_EQ(who->scope.tags, (std::vector<std::string>{"site=berlin", "lab"}));
  EXPECT_EQ(who->scope.ids, (std::vector<std::string>{"edge-*"}));
}

} // namespace rmcp

namespace rmcp {

TEST_F(jwt_test, malformed_headers_and_claims_are_refused_without_throwing) {
  ASSERT_TRUE(check(token(*rsa, claims())).who);
  for (auto& [what, t] : malformed_tokens(*rsa, claims())) {
    auth::jwt_result r;
    EXPECT_NO_THROW(r = check(t)) << what;
    EXPECT_FALSE(r.who) << what;
    EXPECT_EQ(r.failure, auth::jwt_failure::invalid) << what;
    EXPECT_FALSE(r.reason.empty()) << what;
  }
}

TEST_F(jwt_test, a_jwks_with_wrong_typed_members_refuses_without_throwing) {
  auto t = token(*rsa, claims());
  auto odd = jwk_of(*rsa);
  odd["kty"] = json::array({"RSA"});
  odd["n"] = 1;
  for (const json& keys :
       {json{{"keys", json::array({{{"kid", 5}}, odd})}},
        json{{"keys", "rsa-1"}}, json::array({jwk_of(*rsa)}), json(nullptr)}) {
    auth::jwt_result r;
    EXPECT_NO_THROW(r = auth::verify_jwt(t, keys, settings, now)) << keys;
    EXPECT_FALSE(r.who) << keys;
  }
  // A JWKS key with a non-string alg or use does not fit any token.
  for (const char* member : {"alg", "use"}) {
    auto key = jwk_of(*rsa);
    key[member] = 256;
    json keys{{"keys", json::array({key})}};
    auth::jwt_result r;
    EXPECT_NO_THROW(r = auth::verify_jwt(t, keys, settings, now)) << member;
    EXPECT_FALSE(r.who) << member;
  }
}

} // namespace rmcp
