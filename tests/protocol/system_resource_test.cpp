// RouterOS /system/resource answers (strings) to typed values.

#include "protocol/system_resource.hpp"

#include <gtest/gtest.h>

#include "protocol/error.hpp"

namespace rmcp {

TEST(system_resource, parses_a_routeros_answer_into_typed_values) {
  auto body = *parse_json(R"js({"architecture-name":"arm64",
    "board-name":"RB5009UG+S+","build-time":"2024-10-10 12:20:36",
    "cpu":"ARM64","cpu-count":"4","cpu-frequency":"1400","cpu-load":"7",
    "free-hdd-space":"876052480","free-memory":"860520448",
    "platform":"MikroTik","total-hdd-space":"1073741824",
    "total-memory":"1073741824","uptime":"2d20h12m20s",
    "version":"7.16.1 (stable)"})js");
  auto r = parse_system_resource(body);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->version, "7.16.1");
  EXPECT_EQ(r->channel, "stable");
  EXPECT_EQ(r->board_name, "RB5009UG+S+");
  EXPECT_EQ(r->architecture, "arm64");
  EXPECT_EQ(r->cpu_count, 4u);
  EXPECT_EQ(r->cpu_frequency_mhz, 1400u);
  EXPECT_DOUBLE_EQ(r->cpu_load_percent, 7);
  EXPECT_EQ(r->memory_total_bytes, 1073741824u);
  EXPECT_EQ(r->memory_free_bytes, 860520448u);
  EXPECT_EQ(r->memory_used_bytes(), 1073741824u - 860520448u);
  EXPECT_EQ(r->hdd_free_bytes, 876052480u);
  EXPECT_EQ(r->uptime_seconds, 2u * 86400 + 20 * 3600 + 12 * 60 + 20);
}

TEST(system_resource, accepts_size_units_and_the_old_array_form) {
  auto body = *parse_json(R"([{"cpu-load":"0%","free-memory":"512.0MiB",
    "total-memory":"1024.0MiB","uptime":"1w","version":"7.20"}])");
  auto r = parse_system_resource(body);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->memory_total_bytes, 1073741824u);
  EXPECT_EQ(r->memory_free_bytes, 536870912u);
  EXPECT_EQ(r->uptime_seconds, 604800u);
  EXPECT_EQ(r->channel, "");
  EXPECT_FALSE(r->cpu_count);
}

TEST(system_resource, missing_or_malformed_fields_are_bad_answers) {
  auto missing = parse_system_resource(*parse_json(
    R"({"cpu-load":"1","free-memory":"1","total-memory":"2","version":"7"})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(error_code_of(missing.error()), ec::router_bad_answer);
  EXPECT_NE(error_message(missing.error()).find("uptime"), std::string::npos);
  auto garbage = parse_system_resource(*parse_json(
    R"({"cpu-load":"lots","free-memory":"1","total-memory":"2",
        "uptime":"1s","version":"7"})"));
  ASSERT_FALSE(garbage);
  EXPECT_NE(error_message(garbage.error()).find("'lots'"), std::string::npos);
  EXPECT_FALSE(parse_system_resource(json::array()));
  auto no_number = parse_system_resource(*parse_json(
    R"js({"cpu-load":"1","free-memory":"1","total-memory":"2",
          "uptime":"1s","version":" (stable)"})js"));
  ASSERT_FALSE(no_number);
  EXPECT_NE(error_message(no_number.error()).find("version"),
            std::string::npos);
}

TEST(system_resource, identity_name_is_read_from_the_answer) {
  EXPECT_EQ(parse_system_identity(*parse_json(R"({"name":"edge-1"})")),
            "edge-1");
  EXPECT_EQ(parse_system_identity(json::array()), "");
}

} // namespace rmcp
