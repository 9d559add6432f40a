#include "actors/request_id.hpp"

#include <set>

#include <gtest/gtest.h>

#include "protocol/error.hpp"

namespace rmcp {

TEST(request_id, made_ids_are_sixteen_hex_digits_and_differ) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto id = request_ids::make();
    EXPECT_EQ(id.size(), 16u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(request_id, the_clients_request_id_is_taken) {
  auto got = request_ids::from_meta({{"requestId", "ticket-42:a.b_c"}});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->value_or(""), "ticket-42:a.b_c");
}

TEST(request_id, a_bad_request_id_is_refused_naming_the_rule) {
  for (auto bad : {json("has space"), json(""), json(42),
                   json(std::string(129, 'a')), json("semi;colon")}) {
    auto got = request_ids::from_meta({{"requestId", bad}});
    ASSERT_FALSE(got) << bad.dump();
    EXPECT_EQ(error_code_of(got.error()), ec::invalid_params);
    EXPECT_NE(error_message(got.error()).find("_meta.requestId"),
              std::string::npos);
  }
}

TEST(request_id, a_traceparent_gives_its_trace_id) {
  auto got = request_ids::from_meta(
    {{"traceparent",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->value_or(""), "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(request_id, a_malformed_traceparent_is_ignored) {
  for (auto* tp : {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                   "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                   "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                   "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}) {
    auto got = request_ids::from_meta({{"traceparent", tp}});
    ASSERT_TRUE(got) << tp;
    EXPECT_FALSE(got->has_value()) << tp;
  }
  auto none = request_ids::from_meta(json::object());
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

} // namespace rmcp
