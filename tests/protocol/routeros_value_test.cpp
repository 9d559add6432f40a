#include "protocol/routeros_value.hpp"

#include <gtest/gtest.h>

namespace rmcp::ros {
namespace {

TEST(routeros_value, integers_are_64_bit_safe_and_strict) {
  EXPECT_EQ(to_uint("0"), 0u);
  EXPECT_EQ(to_uint("18446744073709551615"), 18446744073709551615u);
  EXPECT_FALSE(to_uint("18446744073709551616"));
  EXPECT_FALSE(to_uint("-1"));
  EXPECT_FALSE(to_uint(" 1"));
  EXPECT_FALSE(to_uint("1.0"));
  EXPECT_FALSE(to_uint(""));
  EXPECT_EQ(to_int("-65"), -65);
  EXPECT_EQ(to_int("+3"), 3);
  EXPECT_EQ(to_int("-9223372036854775808"),
            std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(to_int("9223372036854775808"));
  EXPECT_FALSE(to_int("-"));
  EXPECT_FALSE(to_int("12a"));
}

TEST(routeros_value, decimals_accept_point_comma_and_sign) {
  EXPECT_DOUBLE_EQ(*to_double("12.5"), 12.5);
  EXPECT_DOUBLE_EQ(*to_double("12,5"), 12.5);
  EXPECT_DOUBLE_EQ(*to_double("-3.25"), -3.25);
  EXPECT_DOUBLE_EQ(*to_double("7"), 7);
  EXPECT_FALSE(to_double("7."));
  EXPECT_FALSE(to_double(".5"));
  EXPECT_FALSE(to_double("1e3"));
  EXPECT_FALSE(to_double("nan"));
}

TEST(routeros_value, booleans_are_true_false_yes_no_only) {
  EXPECT_EQ(to_bool("true"), true);
  EXPECT_EQ(to_bool("yes"), true);
  EXPECT_EQ(to_bool("false"), false);
  EXPECT_EQ(to_bool("no"), false);
  EXPECT_FALSE(to_bool("auto"));
  EXPECT_FALSE(to_bool("enabled"));
  EXPECT_FALSE(to_bool(""));
  EXPECT_FALSE(to_bool("TRUE"));
}

TEST(routeros_value, unit_durations_become_seconds) {
  EXPECT_DOUBLE_EQ(*to_seconds("1w2d3h4m5s"),
                   7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_DOUBLE_EQ(*to_seconds("2d20h12m20s"), 2 * 86400 + 20 * 3600 + 740);
  EXPECT_NEAR(*to_seconds("5ms945us"), 0.005945, 1e-12);
  EXPECT_NEAR(*to_seconds("453us"), 0.000453, 1e-12);
  EXPECT_NEAR(*to_seconds("4s750ms"), 4.75, 1e-12);
  EXPECT_NEAR(*to_seconds("-1ms500us"), -0.0015, 1e-12);
  EXPECT_DOUBLE_EQ(*to_seconds("30"), 30);
  EXPECT_DOUBLE_EQ(*to_seconds("0s"), 0);
  EXPECT_FALSE(to_seconds("never"));
  EXPECT_FALSE(to_seconds("none"));
  EXPECT_FALSE(to_seconds(""));
  EXPECT_FALSE(to_seconds("-"));
  EXPECT_FALSE(to_seconds("5x"));
  EXPECT_FALSE(to_seconds("1h30"));
  EXPECT_FALSE(to_seconds("h"));
}

TEST(routeros_value, clock_durations_become_seconds) {
  EXPECT_DOUBLE_EQ(*to_seconds("00:05:00"), 300);
  EXPECT_DOUBLE_EQ(*to_seconds("1d00:00:00"), 86400);
  EXPECT_DOUBLE_EQ(*to_seconds("1w2d00:00:01"), 9 * 86400 + 1);
  EXPECT_NEAR(*to_seconds("00:00:00.25"), 0.25, 1e-12);
  EXPECT_FALSE(to_seconds("00:60:00"));
  EXPECT_FALSE(to_seconds("0:05:00"));
  EXPECT_FALSE(to_seconds("00:05"));
  EXPECT_FALSE(to_seconds("00:00:00."));
  EXPECT_FALSE(to_seconds("1x00:00:00"));
}

TEST(routeros_value, whole_seconds_truncate_and_refuse_negatives) {
  EXPECT_EQ(to_whole_seconds("4s999ms"), 4u);
  EXPECT_EQ(to_whole_seconds("5ms945us"), 0u);
  EXPECT_EQ(to_whole_seconds("2d20h12m20s"), 245540u);
  EXPECT_FALSE(to_whole_seconds("-1s"));
  EXPECT_FALSE(to_whole_seconds("never"));
  // Found by fuzzing: 2^64 - 1 seconds is 2^64 as a double, and converting
  // that to an integer was undefined behaviour.
  EXPECT_FALSE(to_whole_seconds("18446744073709551615"));
  EXPECT_FALSE(to_whole_seconds("999999999999999999999w"));
  EXPECT_EQ(to_whole_seconds("9007199254740992"), 9007199254740992u);
}

TEST(routeros_value, sizes_become_bytes) {
  EXPECT_EQ(to_bytes("92979200"), 92979200u);
  EXPECT_EQ(to_bytes("18446744073709551615"), 18446744073709551615u);
  EXPECT_EQ(to_bytes("1024.0MiB"), 1073741824u);
  EXPECT_EQ(to_bytes("64KiB"), 65536u);
  EXPECT_EQ(to_bytes("1GiB"), 1073741824u);
  EXPECT_EQ(to_bytes("1.5GB"), 1500000000u);
  EXPECT_EQ(to_bytes("2,5kB"), 2500u);
  EXPECT_EQ(to_bytes("3MB"), 3000000u);
  EXPECT_EQ(to_bytes("512B"), 512u);
  EXPECT_FALSE(to_bytes("12 parsecs"));
  EXPECT_FALSE(to_bytes("MiB"));
  EXPECT_FALSE(to_bytes("-1KiB"));
  EXPECT_FALSE(to_bytes("99999999999TiB"));
  EXPECT_FALSE(to_bytes(""));
}

TEST(routeros_value, percentages_and_signal_levels) {
  EXPECT_DOUBLE_EQ(*to_percent("7"), 7);
  EXPECT_DOUBLE_EQ(*to_percent("7%"), 7);
  EXPECT_DOUBLE_EQ(*to_percent("7.5%"), 7.5);
  EXPECT_FALSE(to_percent("%"));
  EXPECT_FALSE(to_percent("high"));
  EXPECT_EQ(to_dbm("-65dBm"), -65);
  EXPECT_EQ(to_dbm("-65"), -65);
  EXPECT_EQ(to_dbm("-65dBm@6Mbps"), -65);
  EXPECT_EQ(to_dbm("40dB"), 40);
  EXPECT_FALSE(to_dbm("@6Mbps"));
  EXPECT_FALSE(to_dbm("dBm"));
  EXPECT_FALSE(to_dbm("-65 dBm"));
}

TEST(routeros_value, bit_rates_become_bits_per_second) {
  EXPECT_EQ(to_bps("950Mbps"), 950000000u);
  EXPECT_EQ(to_bps("1.5Gbps"), 1500000000u);
  EXPECT_EQ(to_bps("38.2kbps"), 38200u);
  EXPECT_EQ(to_bps("0bps"), 0u);
  EXPECT_EQ(to_bps("123456"), 123456u);
  EXPECT_EQ(to_bps("1.3Gbps-80MHz/2S/SGI"), 1300000000u);
  EXPECT_EQ(to_bps("54Mbps"), 54000000u);
  EXPECT_FALSE(to_bps("fast"));
  EXPECT_FALSE(to_bps("-5Mbps"));
  EXPECT_FALSE(to_bps("5MBps"));
}

TEST(routeros_value, comma_lists_are_split_and_trimmed) {
  EXPECT_EQ(to_list("a,b, c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(to_list("8.8.8.8"), (std::vector<std::string>{"8.8.8.8"}));
  EXPECT_TRUE(to_list("").empty());
  EXPECT_EQ(to_list("a,,b,"), (std::vector<std::string>{"a", "b"}));
}

TEST(routeros_value, timestamps_of_every_routeros_era_become_iso_8601) {
  EXPECT_EQ(to_iso_time("2025-12-09 12:52:49"), "2025-12-09T12:52:49");
  EXPECT_EQ(to_iso_time("sep/29/2022 07:09:24"), "2022-09-29T07:09:24");
  EXPECT_EQ(to_iso_time("Dec/04/2020 14:19:51"), "2020-12-04T14:19:51");
  // Log short forms need the router's date.
  EXPECT_EQ(to_iso_time("dec/09 12:52:49", "2025-12-10"),
            "2025-12-09T12:52:49");
  EXPECT_EQ(to_iso_time("12-09 12:52:49", "2025-12-10"), "2025-12-09T12:52:49");
  EXPECT_EQ(to_iso_time("12:52:49", "2025-12-10"), "2025-12-10T12:52:49");
  EXPECT_FALSE(to_iso_time("12:52:49"));
  EXPECT_FALSE(to_iso_time("dec/09 12:52:49"));
  EXPECT_FALSE(to_iso_time("foo/09/2022 07:09:24"));
  EXPECT_FALSE(to_iso_time("2025-13-09 12:52:49"));
  EXPECT_FALSE(to_iso_time("2025-12-09 25:00:00"));
  EXPECT_FALSE(to_iso_time("2025-12-09"));
  EXPECT_FALSE(to_iso_time(""));
  EXPECT_EQ(to_iso_date("dec/09/2025"), "2025-12-09");
  EXPECT_EQ(to_iso_date("2025-12-09"), "2025-12-09");
  EXPECT_FALSE(to_iso_date("2025-12-32"));
  EXPECT_FALSE(to_iso_date("12/09/2025"));
}

TEST(routeros_value, json_fields_accept_strings_numbers_and_booleans) {
  auto row = *parse_json(R"({"s":"x","n":5,"b":true,"z":null,"a":[1],"o":{}})");
  EXPECT_EQ(text_of(row, "s"), "x");
  EXPECT_EQ(text_of(row, "n"), "5");
  EXPECT_EQ(text_of(row, "b"), "true");
  EXPECT_FALSE(text_of(row, "z"));
  EXPECT_FALSE(text_of(row, "a"));
  EXPECT_FALSE(text_of(row, "o"));
  EXPECT_FALSE(text_of(row, "missing"));
  EXPECT_FALSE(text_of(json::array(), "s"));
}

constexpr field interface_fields[] = {
  {".id", "id", kind::text},
  {"name", "name", kind::text},
  {"mtu", "mtu", kind::uint},
  {"running", "running", kind::boolean},
  {"rx-byte", "rx_bytes", kind::uint},
  {"last-link-up-time", "last_link_up", kind::time},
  {"link-downs", "link_downs", kind::uint},
  {"servers", "servers", kind::list},
};

TEST(routeros_value, rows_convert_through_a_field_table) {
  auto row = *parse_json(R"({".id":"*1","name":"ether1","mtu":"1500",
    "running":"true","rx-byte":"18446744073709551615",
    "last-link-up-time":"2025-12-09 12:52:49","link-downs":"auto",
    "servers":"1.1.1.1,8.8.8.8","extra":"ignored"})");
  auto out = convert(row, interface_fields);
  EXPECT_EQ(out, *parse_json(R"({"id":"*1","name":"ether1","mtu":1500,
    "running":true,"rx_bytes":18446744073709551615,
    "last_link_up":"2025-12-09T12:52:49",
    "servers":["1.1.1.1","8.8.8.8"]})"));
  // Malformed ("auto") and absent fields are omitted, never guessed.
  EXPECT_FALSE(out.contains("link_downs"));
  auto rows =
    convert_rows(json::array({row, json::object()}), interface_fields);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], json::object());
  EXPECT_EQ(convert_rows(json::object(), interface_fields), json::array());
}

TEST(routeros_value, convert_value_uses_the_reference_date_for_log_times) {
  auto row = *parse_json(R"({"time":"dec/09 12:52:49"})");
  EXPECT_FALSE(convert_value(row, "time", kind::time));
  EXPECT_EQ(convert_value(row, "time", kind::time, "2025-12-10"),
            json("2025-12-09T12:52:49"));
}

} // namespace
} // namespace rmcp::ros
