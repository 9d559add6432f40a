// The parser of untrusted JSON: nesting up to the limit is parsed, deeper
// nesting is refused naming the limit (also 200,000 levels, without
// building them), syntax errors are refused, and the checked accessors
// never throw on a wrong type.

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"

namespace rmcp {

namespace {

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string nested_objects(size_t depth) {
  std::string out;
  for (size_t i = 0; i < depth; ++i)
    out += "{\"a\":";
  out += "1";
  out += std::string(depth, '}');
  return out;
}

} // namespace

TEST(json_parse, nesting_up_to_64_levels_is_parsed) {
  auto arrays = parse_json_bounded(nested_arrays(64));
  ASSERT_TRUE(arrays) << error_message(arrays.error());
  EXPECT_EQ(arrays->dump(), nested_arrays(64));
  auto objects = parse_json_bounded(nested_objects(64));
  ASSERT_TRUE(objects) << error_message(objects.error());
  EXPECT_EQ((*objects)["a"]["a"].is_object(), true);
  EXPECT_TRUE(parse_json(nested_arrays(64)));
}

TEST(json_parse, nesting_of_65_levels_is_refused_naming_the_limit) {
  for (const auto& text : {nested_arrays(65), nested_objects(65),
                           "{\"params\":" + nested_arrays(64) + "}"}) {
    auto r = parse_json_bounded(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(error_code_of(r.error()), ec::parse_error);
    EXPECT_EQ(error_message(r.error()),
              "nests arrays and objects deeper than 64 levels");
    EXPECT_FALSE(parse_json(text));
  }
}

TEST(json_parse, two_hundred_thousand_levels_are_refused) {
  auto r = parse_json_bounded("{\"params\":" + std::string(200000, '['));
  ASSERT_FALSE(r);
  EXPECT_NE(error_message(r.error()).find("deeper than 64"), std::string::npos);
}

TEST(json_parse, a_smaller_limit_is_honoured) {
  EXPECT_TRUE(parse_json_bounded("[[1]]", 2));
  EXPECT_FALSE(parse_json_bounded("[[[1]]]", 2));
}

TEST(json_parse, syntax_errors_are_refused_as_invalid_json) {
  for (const char* text :
       {"", "not json", "{\"a\":", "[1,]", "{} {}", "\"\xff\""}) {
    auto r = parse_json_bounded(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(error_code_of(r.error()), ec::parse_error);
    EXPECT_EQ(error_message(r.error()), "is not valid JSON") << text;
  }
}

TEST(json_parse, scalars_and_flat_documents_are_parsed) {
  EXPECT_EQ(*parse_json_bounded("42"), json(42));
  EXPECT_EQ(*parse_json_bounded(R"({"a":[1,"x",null,true]})"),
            json({{"a", {1, "x", nullptr, true}}}));
}

TEST(json_parse, string_member_checks_the_types) {
  json doc{{"s", "text"},
           {"n", 1},
           {"z", nullptr},
           {"a", json::array()},
           {"o", json::object()}};
  EXPECT_EQ(string_member(doc, "s"), "text");
  for (const char* key : {"n", "z", "a", "o", "missing"}) {
    EXPECT_EQ(string_member(doc, key), std::nullopt) << key;
    EXPECT_EQ(string_member_or(doc, key, "fallback"), "fallback") << key;
  }
  for (const json& other :
       {json(nullptr), json(1), json("s"), json::array({"s"})}) {
    EXPECT_EQ(string_member(other, "s"), std::nullopt) << other.dump();
    EXPECT_EQ(string_member_or(other, "s", "f"), "f") << other.dump();
  }
}

} // namespace rmcp
