#include <gtest/gtest.h>

#include "protocol/redact.hpp"

namespace rmcp {

TEST(redact, secret_keys_in_both_spellings) {
  for (auto* k : {"password", "wpa2-pre-shared-key", "wpa_pre_shared_key",
                  "security.passphrase", "private-key", "Secret", "api_token",
                  "auth-key"})
    EXPECT_TRUE(is_secret_key(k)) << k;
  for (auto* k : {"name", "address", "comment", "servers", "interface"})
    EXPECT_FALSE(is_secret_key(k)) << k;
}

TEST(redact, export_values_quoted_and_bare) {
  auto text = "/interface wireless security-profiles add name=office "
              "wpa2-pre-shared-key=office-123 mode=dynamic-keys\r\n"
              "/ppp secret add name=bob password=\"a b\\\"c\" service=any\r\n"
              "/system identity set name=edge\r\n";
  EXPECT_EQ(redact_export(text),
            "/interface wireless security-profiles add name=office "
            "wpa2-pre-shared-key=***** mode=dynamic-keys\r\n"
            "/ppp secret add name=bob password=***** service=any\r\n"
            "/system identity set name=edge\r\n");
  EXPECT_EQ(redact_export("a=1 password="), "a=1 password=*****");
}

TEST(redact, more_secret_names_and_not_public_ones) {
  for (auto* k : {"api_key", "Authorization", "credentials", "passwd", "key",
                  "ipsec-secret"})
    EXPECT_TRUE(is_secret_key(k)) << k;
  for (auto* k : {"keepalive", "monkey", "keys_total", "device_id",
                  "fingerprint_sha256", "public-key"})
    EXPECT_FALSE(is_secret_key(k)) << k;
}

TEST(redact, json_values_keep_structure_and_types) {
  auto in = json::parse(R"({"name":"r1","password":"hunter2",
    "profiles":[{"name":"p","wpa2-pre-shared-key":"abc","mode":"dynamic-keys"}],
    "token":{"id":"t1","secret":"s"},"port":443,"api_key":12345})");
  auto out = redact_json(in);
  EXPECT_EQ(out["name"], "r1");
  EXPECT_EQ(out["password"], "*****");
  EXPECT_EQ(out["profiles"][0]["wpa2-pre-shared-key"], "*****");
  EXPECT_EQ(out["profiles"][0]["mode"], "dynamic-keys");
  EXPECT_EQ(out["token"]["id"], "t1");
  EXPECT_EQ(out["token"]["secret"], "*****");
  EXPECT_EQ(out["port"], 443);
  EXPECT_EQ(out["api_key"], "*****");
  EXPECT_EQ(out.dump().find("hunter2"), std::string::npos);
}

TEST(redact, text_masks_pairs_bearer_and_api_tokens) {
  auto out = redact_text(
    "name=r1 password=hunter2 psk: \"abc def\" Authorization: Bearer eyJhbG.x.y "
    "token rmcp_0123456789ab_SECRETSECRET ok");
  EXPECT_EQ(out.find("hunter2"), std::string::npos) << out;
  EXPECT_EQ(out.find("abc def"), std::string::npos) << out;
  EXPECT_EQ(out.find("eyJhbG"), std::string::npos) << out;
  EXPECT_EQ(out.find("SECRETSECRET"), std::string::npos) << out;
  EXPECT_NE(out.find("name=r1"), std::string::npos) << out;
  EXPECT_NE(out.find(" ok"), std::string::npos) << out;
  EXPECT_EQ(redact_text(R"({"password":"x1","user":"u"})"),
            R"({"password":"*****","user":"u"})");
}

} // namespace rmcp
