#include "protocol/error.hpp"

#include <set>

#include <caf/sec.hpp>
#include <gtest/gtest.h>

namespace rmcp {

namespace {

std::vector<ec> all_codes() {
  std::vector<ec> result;
  for (uint8_t i = 1; i <= static_cast<uint8_t>(last_ec); ++i)
    result.push_back(static_cast<ec>(i));
  return result;
}

} // namespace

TEST(error, every_enumerator_has_a_unique_name_that_round_trips) {
  std::set<std::string> names;
  for (auto code : all_codes()) {
    auto name = to_string(code);
    EXPECT_NE(name, "unknown_error") << static_cast<int>(code);
    EXPECT_TRUE(names.insert(name).second) << name;
    ec parsed{};
    ASSERT_TRUE(from_string(name, parsed)) << name;
    EXPECT_EQ(parsed, code);
  }
}

TEST(error, protocol_faults_map_to_their_jsonrpc_codes) {
  EXPECT_EQ(jsonrpc_code(ec::parse_error), -32700);
  EXPECT_EQ(jsonrpc_code(ec::invalid_request), -32600);
  EXPECT_EQ(jsonrpc_code(ec::method_not_found), -32601);
  EXPECT_EQ(jsonrpc_code(ec::invalid_params), -32602);
  EXPECT_EQ(jsonrpc_code(ec::internal_error), -32603);
  EXPECT_EQ(jsonrpc_code(ec::resource_not_found), -32002);
  EXPECT_EQ(jsonrpc_code(ec::shutting_down), -32000);
}

TEST(error, refusals_of_the_caller_have_their_own_codes) {
  EXPECT_EQ(jsonrpc_code(ec::unauthorized), -32001);
  EXPECT_EQ(jsonrpc_code(ec::forbidden), -32003);
  EXPECT_FALSE(is_protocol_fault(ec::forbidden));
}

TEST(error, every_enumerator_maps_to_exactly_one_answer_shape) {
  for (auto code : all_codes()) {
    auto err = make_error(code, "details for " + to_string(code));
    auto rpc = to_jsonrpc_error(err);
    EXPECT_EQ(rpc["message"], "details for " + to_string(code));
    EXPECT_EQ(rpc["data"]["kind"], to_string(code));
    auto tool = to_tool_error_result(err);
    EXPECT_EQ(tool["isError"], true);
    auto text = tool["content"][0]["text"].get<std::string>();
    EXPECT_EQ(text, to_string(code) + ": details for " + to_string(code));
    EXPECT_EQ(tool["_meta"]["error_kind"], to_string(code));
    if (is_protocol_fault(code)) {
      EXPECT_LT(jsonrpc_code(code), -31999) << to_string(code);
    } else if (code != ec::forbidden && code != ec::unauthorized) {
      EXPECT_EQ(jsonrpc_code(code), -32603) << to_string(code);
    }
  }
}

TEST(error, caf_request_timeout_maps_to_tool_timeout) {
  caf::error err = caf::sec::request_timeout;
  EXPECT_EQ(error_code_of(err), ec::tool_timeout);
  EXPECT_TRUE(is_retryable(error_code_of(err)));
}

TEST(error, retryable_marks_transient_router_conditions_only) {
  EXPECT_TRUE(is_retryable(ec::router_timeout));
  EXPECT_TRUE(is_retryable(ec::router_unreachable));
  EXPECT_TRUE(is_retryable(ec::router_bad_answer));
  EXPECT_TRUE(is_retryable(ec::device_moving));
  EXPECT_TRUE(is_retryable(ec::node_out_of_cluster));
  EXPECT_TRUE(is_retryable(ec::store_busy));
  EXPECT_FALSE(is_retryable(ec::conflict));
  EXPECT_FALSE(is_retryable(ec::router_auth_failed));
  EXPECT_FALSE(is_retryable(ec::invalid_arguments));
  EXPECT_EQ(
    to_jsonrpc_error(make_error(ec::shutting_down, "x"))["data"]["retryable"],
    true);
}

} // namespace rmcp
