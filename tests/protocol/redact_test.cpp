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

} // namespace rmcp
