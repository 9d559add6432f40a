// doctor's parts that need no router: reading a RouterOS clock, and the
// report's lines and JSON.

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "src/app/doctor.hpp"

namespace rmcp {

using app::doctor::router_clock_utc;

TEST(doctor, router_clock_reads_both_date_formats_and_the_offset) {
  // 2026-12-06T19:40:12Z is 1796586012.
  auto utc = router_clock_utc(
    {{"date", "2026-12-06"}, {"time", "21:40:12"}, {"gmt-offset", "+02:00"}});
  ASSERT_TRUE(utc) << error_message(utc.error());
  EXPECT_EQ(*utc, 1796586012);
  auto old = router_clock_utc(
    {{"date", "dec/06/2026"}, {"time", "14:10:12"}, {"gmt-offset", "-05:30"}});
  ASSERT_TRUE(old) << error_message(old.error());
  EXPECT_EQ(*old, 1796586012);
  auto no_offset =
    router_clock_utc({{"date", "2026-12-06"}, {"time", "19:40:12"}});
  ASSERT_TRUE(no_offset);
  EXPECT_EQ(*no_offset, 1796586012);
}

TEST(doctor, router_clock_names_the_bad_field) {
  auto bad_date = router_clock_utc({{"date", "06.12.2026"}, {"time", "1:2:3"}});
  ASSERT_FALSE(bad_date);
  EXPECT_NE(error_message(bad_date.error()).find("date '06.12.2026'"),
            std::string::npos);
  auto bad_time =
    router_clock_utc({{"date", "2026-12-06"}, {"time", "25:00:00"}});
  ASSERT_FALSE(bad_time);
  EXPECT_NE(error_message(bad_time.error()).find("time '25:00:00'"),
            std::string::npos);
  auto bad_offset = router_clock_utc(
    {{"date", "2026-12-06"}, {"time", "10:00:00"}, {"gmt-offset", "2h"}});
  ASSERT_FALSE(bad_offset);
  EXPECT_NE(error_message(bad_offset.error()).find("gmt-offset '2h'"),
            std::string::npos);
  EXPECT_FALSE(router_clock_utc(json::array()));
  EXPECT_FALSE(router_clock_utc({{"date", 5}, {"time", "10:00:00"}}));
}

TEST(doctor, a_failed_finding_carries_its_fix_and_fails_the_report) {
  app::doctor::report r;
  r.pass("store", "/x", "fine");
  EXPECT_TRUE(r.ok());
  r.fail("keys", "credential key", "mode 0644", "chmod 600 /k");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(app::doctor::to_text(r.findings[1]),
            "FAIL  keys    credential key: mode 0644 -- fix: chmod 600 /k");
  EXPECT_EQ(app::doctor::to_text(r.findings[0]), "PASS  store   /x: fine");
  auto js = app::doctor::to_json(r);
  EXPECT_EQ(js["ok"], false);
  EXPECT_EQ(js["checks"][1]["fix"], "chmod 600 /k");
  EXPECT_TRUE(js["checks"][0]["fix"].is_null());
}

} // namespace rmcp
