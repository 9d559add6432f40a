#include "protocol/net_text.hpp"

#include <gtest/gtest.h>

namespace rmcp::net {

TEST(net_text, parses_addresses_and_prefixes) {
  EXPECT_TRUE(parse_ipv4("192.168.88.1"));
  EXPECT_FALSE(parse_ipv4("192.168.88"));
  EXPECT_FALSE(parse_ipv4("192.168.088.1"));
  EXPECT_FALSE(parse_ipv4("256.1.1.1"));
  EXPECT_TRUE(parse_ipv6("fe80::1"));
  auto p = parse_prefix("10.1.2.3/24");
  ASSERT_TRUE(p);
  EXPECT_EQ(to_string(network_of(*p)), "10.1.2.0/24");
  EXPECT_EQ(parse_prefix("10.1.2.3")->length, 32);
  EXPECT_FALSE(parse_prefix("10.1.2.3/33"));
  EXPECT_FALSE(parse_prefix("10.1.2.3/"));
  EXPECT_EQ(parse_prefix("2001:db8::/32")->length, 32);
}

TEST(net_text, containment_and_overlap) {
  auto net = *parse_prefix("192.168.88.0/24");
  EXPECT_TRUE(contains(net, *parse_prefix("192.168.88.1")));
  EXPECT_FALSE(contains(net, *parse_prefix("192.168.89.1")));
  EXPECT_TRUE(overlaps(net, *parse_prefix("192.168.0.0/16")));
  EXPECT_FALSE(overlaps(net, *parse_prefix("10.0.0.0/8")));
  EXPECT_FALSE(overlaps(net, *parse_prefix("::/0")));
}

TEST(net_text, hostnames) {
  EXPECT_TRUE(is_hostname("router1"));
  EXPECT_TRUE(is_hostname("pool.ntp.org"));
  EXPECT_FALSE(is_hostname("-bad.example"));
  EXPECT_FALSE(is_hostname("a..b"));
  EXPECT_FALSE(is_hostname("a;reboot"));
  EXPECT_FALSE(is_hostname(std::string(64, 'a')));
}

} // namespace rmcp::net
