// parse_json_bounded reads small documents with simdjson and everything
// else with nlohmann's parser. The two must accept the same texts and build
// the same values, type for type (a non-negative integer is unsigned, -0.0
// keeps its sign, the last of duplicate keys wins): chosen edge cases and
// random documents, valid and broken, are read both ways and compared. And
// the fast reader does read the documents it is there for.

#include <random>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"
#include "tests/support/json_identical.hpp"

namespace rmcp {

namespace {

using test::json_identical;

/// Reads `text` both ways (and through parse_json_bounded): the same value
/// or the same refusal.
void expect_same_reading(const std::string& text, size_t max_depth = 64) {
  auto slow = parse_json_nlohmann(text, max_depth);
  auto fast = parse_json_simdjson(text, max_depth);
  auto both = parse_json_bounded(text, max_depth);
  if (!slow) {
    EXPECT_FALSE(fast) << "simdjson read what nlohmann refuses: " << text;
    ASSERT_FALSE(both) << text;
    EXPECT_EQ(error_message(both.error()), error_message(slow.error())) << text;
    return;
  }
  ASSERT_TRUE(both) << text;
  EXPECT_TRUE(json_identical(*both, *slow))
    << text << " read as " << both->dump();
  if (fast) {
    EXPECT_TRUE(json_identical(*fast, *slow))
      << text << ": simdjson " << fast->dump() << ", nlohmann " << slow->dump();
  }
}

std::string random_text(std::mt19937& rng, int depth) {
  static const char* scalars[] = {"0",
                                  "-0",
                                  "1",
                                  "-1",
                                  "0.0",
                                  "-0.0",
                                  "1e5",
                                  "1E+2",
                                  "-2.5e-3",
                                  "0.1",
                                  "1e400",
                                  "1e-400",
                                  "-1e400",
                                  "123456789012345678901234567890",
                                  "9223372036854775807",
                                  "9223372036854775808",
                                  "18446744073709551615",
                                  "18446744073709551616",
                                  "-9223372036854775808",
                                  "-9223372036854775809",
                                  "true",
                                  "false",
                                  "null",
                                  "\"\"",
                                  "\"a\"",
                                  "\"\\u0000\"",
                                  "\"\\ud83d\\ude00\"",
                                  "\"\\ud800\"",
                                  "\"\\udc00x\"",
                                  "\"\\u00e9\"",
                                  "\"\xc3\xa9\"",
                                  "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
                                  "\"\x01\"",
                                  "\"\xff\"",
                                  "\"\xc3\"",
                                  "01",
                                  "1.",
                                  "-",
                                  ".5",
                                  "tru",
                                  "nul",
                                  "\"x"};
  static const char* spaces[] = {"", "", "", " ", "\n", "\t ", "\r\n"};
  auto space = [&] { return std::string{spaces[rng() % std::size(spaces)]}; };
  auto kind = depth > 4 ? 2 : rng() % 3;
  if (kind == 2)
    return space() + scalars[rng() % std::size(scalars)] + space();
  std::string out = kind == 0 ? "{" : "[";
  auto n = rng() % 5;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0)
      out += ",";
    if (kind == 0) {
      static const char* keys[] = {"\"a\"", "\"b\"",        "\"a\"",
                                   "\"\"",  "\"k\\u00e9\"", "\"device_id\""};
      out += space() + keys[rng() % std::size(keys)] + space() + ":";
    }
    out += random_text(rng, depth + 1);
  }
  return out + (kind == 0 ? "}" : "]");
}

std::string nested(size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

} // namespace

TEST(json_parse_fast, chosen_texts_read_the_same_both_ways) {
  for (const char* text : {"-0",
                           "[-0]",
                           "0",
                           "-0.0",
                           "[0.0,-0.0]",
                           "18446744073709551615",
                           "18446744073709551616",
                           "-9223372036854775809",
                           "[1e400]",
                           "[1e-400]",
                           "[\"\\ud800\"]",
                           "[\"\\ud83d\\ude00\"]",
                           "{\"a\":1,\"a\":2}",
                           "{\"a\":{\"x\":1},\"a\":[2]}",
                           "{} x",
                           "[1,]",
                           "",
                           "  ",
                           "\"\xff\"",
                           "[\"a\x01\"]",
                           "[\"\\u0000\"]",
                           " {\"jsonrpc\" : \"2.0\" } ",
                           "[tru]",
                           "{\"a\"1}",
                           "{\"a\":}",
                           "[\"\xe2\x82\"]",
                           "\xef\xbb\xbf{}"})
    expect_same_reading(text);
  for (size_t depth : {63, 64, 65, 1100})
    expect_same_reading(nested(depth));
  expect_same_reading(nested(3), 2);
  expect_same_reading(nested(2), 2);
  // Beyond simdjson's share: nlohmann alone.
  auto big = "[\"" + std::string(5000, 'x') + "\"]";
  EXPECT_FALSE(parse_json_simdjson(big));
  expect_same_reading(big);
}

TEST(json_parse_fast, random_documents_and_their_breakages_read_the_same) {
  std::mt19937 rng{20261208};
  static const char breakers[] = {'"', '\\', '{', '}', '[', ']',    ',',
                                  ':', '0',  '-', 'e', ' ', '\x00', '\xc3'};
  for (int i = 0; i < 3000; ++i) {
    auto text = random_text(rng, 0);
    expect_same_reading(text);
    if (text.empty())
      continue;
    auto broken = text;
    auto at = rng() % broken.size();
    switch (rng() % 3) {
      case 0:
        broken.erase(at, 1);
        break;
      case 1:
        broken.insert(at, 1, breakers[rng() % std::size(breakers)]);
        break;
      default:
        broken[at] = breakers[rng() % std::size(breakers)];
    }
    expect_same_reading(broken);
  }
}

TEST(json_parse_fast, simdjson_reads_the_requests_and_answers_it_is_for) {
  for (
    const char* text :
    {R"({"id":801,"jsonrpc":"2.0","method":"tools/call","params":{"arguments":{"device_id":"r00000"},"name":"get_system_clock"}})",
     R"([{".id":"*1","date":"2026-12-08","time":"01:15:11","time-zone-name":"Etc/UTC"}])",
     R"({"uptime":"5w4d","cpu-load":"3","free-memory":"1234"})"}) {
    auto fast = parse_json_simdjson(text);
    ASSERT_TRUE(fast) << text;
    EXPECT_TRUE(json_identical(*fast, *parse_json_nlohmann(text))) << text;
  }
}

} // namespace rmcp
