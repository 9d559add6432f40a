// Value helpers: RouterOS durations, dates, ids, IPv4 prefixes.

#include <gtest/gtest.h>

#include "sim/util.hpp"

namespace rmcp::sim {
namespace {

TEST(util, durations_format_largest_unit_first_without_zero_parts) {
  EXPECT_EQ(format_duration_us(0), "0s");
  EXPECT_EQ(format_duration_us(453), "453us");
  EXPECT_EQ(format_duration_us(5945), "5ms945us");
  EXPECT_EQ(format_duration_s(245540), "2d20h12m20s");
  EXPECT_EQ(format_duration_s(86400), "1d");
  EXPECT_EQ(format_duration_s(8 * 86400 + 61), "1w1d1m1s");
}

TEST(util, durations_parse_routeros_and_clock_forms) {
  EXPECT_EQ(parse_duration_us("1w2d3h4m5s"),
            (((9 * 24 + 3) * 60 + 4) * 60 + 5) * 1000000LL);
  EXPECT_EQ(parse_duration_us("500ms"), 500000);
  EXPECT_EQ(parse_duration_us("10"), 10000000);
  EXPECT_EQ(parse_duration_us("00:05:00"), 300000000);
  EXPECT_EQ(parse_duration_us("1d00:00:01"), 86401000000LL);
  EXPECT_EQ(parse_duration_us("1.5s"), 1500000);
  EXPECT_FALSE(parse_duration_us("soon"));
  EXPECT_FALSE(parse_duration_us(""));
}

TEST(util, dates_in_both_formats) {
  EXPECT_EQ(format_datetime(1765280426), "2025-12-09 11:40:26");
  EXPECT_EQ(format_datetime(1765280426, false), "dec/09/2025 11:40:26");
  EXPECT_EQ(parse_date("2025-12-09"), 1765238400);
  EXPECT_EQ(parse_date("dec/09/2025"), 1765238400);
  EXPECT_EQ(parse_time_of_day("03:00:00"), 10800);
}

TEST(util, ids_are_star_upper_hex) {
  EXPECT_EQ(id_text(0x1A), "*1A");
  EXPECT_EQ(parse_id("*1a"), 0x1Au);
  EXPECT_EQ(parse_id("*FFFFFFFF"), 0xFFFFFFFFu);
  EXPECT_FALSE(parse_id("1A"));
  EXPECT_FALSE(parse_id("*"));
  EXPECT_FALSE(parse_id("*xyz"));
}

TEST(util, prefixes_default_to_32_and_compute_networks) {
  auto p = parse_prefix("192.168.111.111");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->text(), "192.168.111.111/32");
  p = parse_prefix("10.155.101.214/24");
  EXPECT_EQ(format_ipv4(p->network()), "10.155.101.0");
  EXPECT_TRUE(p->contains(*parse_ipv4("10.155.101.1")));
  EXPECT_FALSE(parse_prefix("10.0.0.256/24"));
  EXPECT_FALSE(parse_prefix("10.0.0.1/33"));
}

TEST(util, versions_compare) {
  auto v = ros_version::parse("7.16.2 (stable)");
  EXPECT_TRUE(v.at_least(7, 16));
  EXPECT_FALSE(v.at_least(7, 16, 3));
  EXPECT_TRUE(ros_version::parse("7.19").at_least(7, 19, 0));
}

} // namespace
} // namespace rmcp::sim
