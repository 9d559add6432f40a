#include "protocol/jsonrpc.hpp"

#include <gtest/gtest.h>

#include "protocol/error.hpp"

namespace rmcp::jsonrpc {

TEST(jsonrpc, request_with_integer_id_and_object_params) {
  auto m = parse(
    R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"x"}})");
  ASSERT_EQ(m.type, kind::request);
  EXPECT_EQ(m.id, 7);
  EXPECT_EQ(m.method, "tools/list");
  EXPECT_EQ(m.params["cursor"], "x");
}

TEST(jsonrpc, request_with_string_id) {
  auto m = parse(R"({"jsonrpc":"2.0","id":"a-1","method":"ping"})");
  ASSERT_EQ(m.type, kind::request);
  EXPECT_EQ(m.id, "a-1");
  EXPECT_TRUE(m.params.is_null());
}

TEST(jsonrpc, notification_has_no_id) {
  auto m = parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_EQ(m.type, kind::notification);
  EXPECT_TRUE(m.id.is_null());
}

TEST(jsonrpc, response_is_recognised) {
  auto m = parse(R"({"jsonrpc":"2.0","id":3,"result":{}})");
  EXPECT_EQ(m.type, kind::response);
  auto e =
    parse(R"({"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"x"}})");
  EXPECT_EQ(e.type, kind::response);
}

TEST(jsonrpc, invalid_json_is_a_parse_error_without_id) {
  auto m = parse(R"({"jsonrpc":"2.0","id":1,"method":)");
  ASSERT_EQ(m.type, kind::invalid);
  EXPECT_EQ(error_code_of(m.error), ec::parse_error);
  EXPECT_TRUE(m.id.is_null());
}

TEST(jsonrpc, deep_nesting_is_a_parse_error_naming_the_limit) {
  auto m = parse(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":)"
                 + std::string(200000, '[') + std::string(200000, ']') + "}");
  ASSERT_EQ(m.type, kind::invalid);
  EXPECT_EQ(error_code_of(m.error), ec::parse_error);
  EXPECT_EQ(error_message(m.error),
            "Parse error: the message nests arrays and objects deeper than 64 "
            "levels");
}

TEST(jsonrpc, shape_faults_are_invalid_requests_keeping_the_id) {
  auto wrong_version = parse(R"({"jsonrpc":"1.0","id":4,"method":"ping"})");
  EXPECT_EQ(error_code_of(wrong_version.error), ec::invalid_request);
  EXPECT_EQ(wrong_version.id, 4);
  auto no_method = parse(R"({"jsonrpc":"2.0","id":5})");
  EXPECT_EQ(error_code_of(no_method.error), ec::invalid_request);
  EXPECT_EQ(no_method.id, 5);
  auto bad_method = parse(R"({"jsonrpc":"2.0","id":6,"method":42})");
  EXPECT_EQ(error_code_of(bad_method.error), ec::invalid_request);
  auto bad_params =
    parse(R"({"jsonrpc":"2.0","id":6,"method":"x","params":3})");
  EXPECT_EQ(error_code_of(bad_params.error), ec::invalid_request);
}

TEST(jsonrpc, null_float_and_bool_ids_are_refused) {
  for (auto text : {R"({"jsonrpc":"2.0","id":null,"method":"ping"})",
                    R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})",
                    R"({"jsonrpc":"2.0","id":true,"method":"ping"})"}) {
    auto m = parse(text);
    EXPECT_EQ(m.type, kind::invalid) << text;
    EXPECT_EQ(error_code_of(m.error), ec::invalid_request) << text;
    EXPECT_TRUE(m.id.is_null()) << text;
  }
}

TEST(jsonrpc, batches_and_scalars_are_invalid_requests) {
  EXPECT_EQ(error_code_of(parse("[]").error), ec::invalid_request);
  EXPECT_EQ(error_code_of(parse("42").error), ec::invalid_request);
  EXPECT_EQ(error_code_of(parse(R"("x")").error), ec::invalid_request);
}

TEST(jsonrpc, builders_produce_jsonrpc_objects) {
  auto r = make_result(1, json{{"a", 1}});
  EXPECT_EQ(r["jsonrpc"], "2.0");
  EXPECT_EQ(r["id"], 1);
  EXPECT_EQ(r["result"]["a"], 1);
  auto e = make_error("x", rmcp::make_error(ec::invalid_params, "bad"));
  EXPECT_EQ(e["error"]["code"], -32602);
  EXPECT_EQ(e["error"]["message"], "bad");
  auto n = make_notification("notifications/progress", json{{"p", 1}});
  EXPECT_FALSE(n.contains("id"));
  EXPECT_EQ(n["params"]["p"], 1);
}

TEST(jsonrpc, id_keys_distinguish_string_and_integer_ids) {
  EXPECT_NE(id_key(json(1)), id_key(json("1")));
  EXPECT_EQ(id_key(json(nullptr)), "");
}

} // namespace rmcp::jsonrpc
