#include <cctype>
#include <string>

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
  // Names longer than the lower-cased copy's stack buffer, and "KEY"/"PIN"
  // whole in capitals.
  auto long_name = std::string(70, 'x');
  EXPECT_FALSE(is_secret_key(long_name));
  EXPECT_TRUE(is_secret_key(long_name + "_Pre_Shared_KEY"));
  EXPECT_TRUE(is_secret_key("KEY"));
  EXPECT_TRUE(is_secret_key("Pin"));
  EXPECT_FALSE(is_secret_key("pins"));
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
  auto out = redact_text("name=r1 password=hunter2 psk: \"abc def\" "
                         "Authorization: Bearer eyJhbG.x.y "
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

// Every secret-bearing RouterOS argument or field name: one test each, in
// JSON (tool results, audited arguments), export text (snapshots) and free
// text (audited errors), both spellings.
class redact_routeros_secret : public testing::TestWithParam<const char*> {};

TEST_P(redact_routeros_secret, is_masked_everywhere) {
  std::string name = GetParam();
  EXPECT_TRUE(is_secret_key(name));
  std::string mcp_name = name;
  for (auto& c : mcp_name)
    if (c == '-')
      c = '_';
  EXPECT_TRUE(is_secret_key(mcp_name));
  auto out = redact_json({{name, "s3cr3t-value"}, {"name", "peer1"}});
  EXPECT_EQ(out[name], "*****");
  EXPECT_EQ(out["name"], "peer1");
  EXPECT_EQ(
    redact_export("add name=peer1 " + name + "=s3cr3t-value disabled=no"),
    "add name=peer1 " + name + "=***** disabled=no");
  EXPECT_EQ(redact_text(name + ": s3cr3t-value").find("s3cr3t"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
  routeros_rest_names, redact_routeros_secret,
  testing::Values(
    // /user, /ppp/secret, VRRP, /system/backup/save, /tool/bandwidth-test
    "password", "old-password", "new-password", "confirm-new-password",
    // /interface/wifi security, certificates
    "security.passphrase", "passphrase", "security.eap-password",
    // wireless security profiles
    "wpa-pre-shared-key", "wpa2-pre-shared-key", "static-key-0", "static-key-3",
    "static-sta-private-key", "management-protection-key", "nv2-preshared-key",
    "nv2-sync-secret",
    // WireGuard
    "private-key", "preshared-key",
    // BGP, OSPF, RIP
    "tcp-md5-key", "auth-key", "authentication-key",
    // IPsec, RADIUS, tunnels
    "secret", "ppk-secret", "ipsec-secret",
    // SNMP
    "authentication-password", "encryption-password", "trap-community",
    // NTP keys, LTE SIM
    "key", "pin"),
  [](const testing::TestParamInfo<const char*>& info) {
    std::string out;
    for (const char* c = info.param; *c; ++c)
      out += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
    return out;
  });

TEST(redact, routeros_names_that_hold_no_secret_stay) {
  for (auto* k :
       {"public-key", "security.group-key-update",
        "security.ft-r0-key-lifetime", "input.filter-communities",
        "input.accept-large-communities", "passive", "passthrough",
        "authoritative", "authentication-types", "default-authentication",
        "allow-sharedkey", "spin", "pinned"})
    EXPECT_FALSE(is_secret_key(k)) << k;
}

} // namespace rmcp
