#include "protocol/json_schema.hpp"

#include <gtest/gtest.h>

#include "protocol/error.hpp"

namespace rmcp::schema {

namespace {

compiled_schema compile_ok(const char* text) {
  auto s = compiled_schema::compile(*parse_json(text));
  EXPECT_TRUE(s) << (s ? "" : error_message(s.error()));
  return s ? *s : compiled_schema{};
}

std::vector<violation> check(const char* schema, const char* instance) {
  return compile_ok(schema).validate(*parse_json(instance));
}

std::string first(const std::vector<violation>& xs) {
  return xs.empty() ? "" : xs.front().path + ": " + xs.front().message;
}

const char* device_schema = R"({
  "type":"object",
  "properties":{
    "device_id":{"type":"string","minLength":1,"maxLength":64,
                 "pattern":"^[a-z0-9-]+$"},
    "count":{"type":"integer","minimum":1,"maximum":10},
    "mode":{"type":"string","enum":["tx","rx","both"]},
    "servers":{"type":"array","items":{"type":"string","format":"ipv4"},
               "minItems":1,"maxItems":3,"uniqueItems":true},
    "dry_run":{"type":"boolean"}
  },
  "required":["device_id"],
  "additionalProperties":false})";

} // namespace

TEST(json_schema, conforming_instance_has_no_violations) {
  EXPECT_TRUE(check(device_schema,
                    R"({"device_id":"r1","count":3,"mode":"tx",
                        "servers":["1.1.1.1","9.9.9.9"],"dry_run":true})")
                .empty());
}

TEST(json_schema, missing_required_property_names_its_path) {
  EXPECT_EQ(first(check(device_schema, "{}")),
            "$.device_id: required property is missing");
}

TEST(json_schema, type_mismatch_names_expected_and_actual_types) {
  EXPECT_EQ(first(check(device_schema, R"({"device_id":5})")),
            "$.device_id: expected string, got integer");
}

TEST(json_schema, numeric_bounds) {
  EXPECT_EQ(first(check(device_schema, R"({"device_id":"a","count":11})")),
            "$.count: must be <= 10, got 11");
  EXPECT_EQ(first(check(device_schema, R"({"device_id":"a","count":0})")),
            "$.count: must be >= 1, got 0");
  EXPECT_EQ(first(check(device_schema, R"({"device_id":"a","count":2.5})")),
            "$.count: expected integer, got number");
  EXPECT_TRUE(check(device_schema, R"({"device_id":"a","count":2.0})").empty());
}

TEST(json_schema, string_constraints) {
  EXPECT_EQ(first(check(device_schema, R"({"device_id":""})")),
            "$.device_id: must not be empty");
  EXPECT_EQ(first(check(device_schema, R"({"device_id":"A B"})")),
            "$.device_id: must match the pattern ^[a-z0-9-]+$; got \"A B\"");
  std::string long_id(65, 'a');
  auto v = compile_ok(device_schema).validate(json{{"device_id", long_id}});
  EXPECT_EQ(first(v),
            "$.device_id: must be at most 64 characters long, got 65");
}

TEST(json_schema, max_length_counts_code_points_not_bytes) {
  auto v = check(R"({"type":"string","maxLength":3})", R"("äöü")");
  EXPECT_TRUE(v.empty()) << first(v);
}

TEST(json_schema, long_strings_are_refused_before_the_pattern_runs) {
  // std::regex recurses per character: before the limit, a 30,000-character
  // id crashed the process (stack overflow) instead of being refused.
  auto s = compile_ok(R"({"type":"string","pattern":"^\\*[0-9A-Fa-f]+$"})");
  EXPECT_TRUE(s.validate(json("*" + std::string(4095, 'a'))).empty());
  auto xs = s.validate(json("*" + std::string(1 << 20, 'a')));
  ASSERT_EQ(xs.size(), 1u);
  EXPECT_NE(xs[0].message.find("got a string of 1048577 bytes, longer than "
                               "the 4096 a pattern is checked against"),
            std::string::npos)
    << xs[0].message;
  auto t = compile_ok(R"({"type":"string","format":"date-time"})");
  EXPECT_TRUE(t.validate(json("2025-12-09T12:52:49Z")).empty());
  EXPECT_EQ(
    t.validate(json("2025-12-09T12:52:49" + std::string(1 << 20, '9'))).size(),
    1u);
}

TEST(json_schema, enum_lists_the_legal_values) {
  EXPECT_EQ(first(check(device_schema, R"({"device_id":"a","mode":"up"})")),
            "$.mode: must be one of \"tx\", \"rx\", \"both\"; got \"up\"");
}

TEST(json_schema, array_items_are_checked_with_indexed_paths) {
  EXPECT_EQ(first(check(device_schema,
                        R"({"device_id":"a","servers":["1.1.1.1","nope"]})")),
            "$.servers[1]: must be a valid ipv4; got \"nope\"");
  EXPECT_EQ(first(check(device_schema, R"({"device_id":"a","servers":[]})")),
            "$.servers: must have at least 1 item(s), got 0");
  EXPECT_EQ(
    first(check(device_schema,
                R"({"device_id":"a","servers":["1.1.1.1","1.1.1.1"]})")),
    "$.servers[1]: duplicate of item 0");
}

TEST(json_schema, unknown_properties_are_refused_listing_the_allowed_ones) {
  EXPECT_EQ(first(check(device_schema, R"({"device_id":"a","colour":1})")),
            "$.colour: unknown property (allowed: count, device_id, dry_run, "
            "mode, servers)");
}

TEST(json_schema, any_of_and_one_of) {
  const char* s = R"({"anyOf":[{"type":"string","format":"ipv4"},
                              {"type":"string","format":"hostname"}]})";
  EXPECT_TRUE(check(s, R"("10.0.0.1")").empty());
  EXPECT_TRUE(check(s, R"("router.example")").empty());
  EXPECT_EQ(first(check(s, R"("not a host!")")),
            "$: does not match any of the allowed forms");
  const char* one = R"({"oneOf":[{"type":"integer"},{"type":"number"}]})";
  EXPECT_EQ(first(check(one, "1")),
            "$: matches more than one of the exclusive forms");
}

TEST(json_schema, violation_count_is_bounded) {
  auto s = compile_ok(R"({"type":"array","items":{"type":"string"}})");
  json many = json::array();
  for (int i = 0; i < 100; ++i)
    many.push_back(i);
  EXPECT_EQ(s.validate(many, 5).size(), 5u);
}

TEST(json_schema, unknown_keywords_fail_compilation_with_a_path) {
  auto s = compiled_schema::compile(*parse_json(
    R"({"type":"object","properties":{"a":{"type":"string","maxLenght":3}}})"));
  ASSERT_FALSE(s);
  EXPECT_EQ(error_message(s.error()),
            "invalid schema at #/properties/a/maxLenght: unsupported keyword");
}

TEST(json_schema, malformed_keywords_fail_compilation) {
  EXPECT_FALSE(compiled_schema::compile(*parse_json(R"({"type":"strnig"})")));
  EXPECT_FALSE(compiled_schema::compile(*parse_json(R"({"pattern":"(("})")));
  EXPECT_FALSE(compiled_schema::compile(*parse_json(R"({"minimum":"1"})")));
  EXPECT_FALSE(compiled_schema::compile(*parse_json(R"({"required":[1]})")));
  EXPECT_FALSE(compiled_schema::compile(*parse_json(R"({"format":"cidr"})")));
  EXPECT_FALSE(compiled_schema::compile(*parse_json(
    R"({"type":"object","properties":{},"required":["x"],"additionalProperties":false})")));
}

TEST(json_schema, member_names_with_special_characters_are_quoted_in_paths) {
  EXPECT_EQ(
    first(check(R"({"type":"object","properties":{"a b":{"type":"string"}}})",
                R"({"a b":1})")),
    "$[\"a b\"]: expected string, got integer");
}

} // namespace rmcp::schema
