// RouterOS script literals and identifiers: the exact text for every
// character class, and a seeded property test that a literal, read back by
// the simulator's script interpreter (the parser side, which shares no code
// with the builder), is exactly the original value.

#include "protocol/ros_script.hpp"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "sim/fleet.hpp"
#include "sim/script.hpp"

namespace rmcp::ros_script {

namespace {

class ros_script_test : public ::testing::Test {
protected:
  /// What `:put <literal(value)>` prints on a simulated router, without
  /// its line end; the script's error text when it fails.
  std::string put(std::string_view value) {
    auto res = run(":put " + literal(value));
    if (!res.ok)
      return "error: " + res.error;
    EXPECT_GE(res.output.size(), 2u);
    return res.output.substr(0, res.output.size() - 2);
  }

  sim::script_result run(const std::string& script) {
    return routers.router(0).with_state([&](sim::router_state& st) {
      return sim::run_script(st, script, sim::origin{});
    });
  }

  /// Address-list entries of list `list` on the router.
  size_t entries(const std::string& list) {
    auto out = routers.router(0).request(
      "GET", "/rest/ip/firewall/address-list?.proplist=.id&list=" + list);
    auto body = parse_json(out.body);
    return body && body->is_array() ? body->size() : 0;
  }

  sim::fleet routers{sim::fleet_options{}};
};

} // namespace

// -- one test per character class ---------------------------------------------

TEST_F(ros_script_test, plain_text_is_quoted_as_is) {
  EXPECT_EQ(literal("ether1 uplink-2.5"), "\"ether1 uplink-2.5\"");
  EXPECT_EQ(put("ether1 uplink-2.5"), "ether1 uplink-2.5");
}

TEST_F(ros_script_test, empty_string_is_two_quotes) {
  EXPECT_EQ(literal(""), "\"\"");
  EXPECT_EQ(put(""), "");
}

TEST_F(ros_script_test, quote_is_escaped) {
  EXPECT_EQ(literal("say \"hi\""), R"("say \"hi\"")");
  EXPECT_EQ(put("legit\"; /system identity set name=X; :put \""),
            "legit\"; /system identity set name=X; :put \"");
}

TEST_F(ros_script_test, backslash_is_escaped) {
  EXPECT_EQ(literal("a\\b\\"), R"("a\\b\\")");
  EXPECT_EQ(put("a\\b\\"), "a\\b\\");
  EXPECT_EQ(put("\\41\\n"), "\\41\\n"); // not read as escapes
}

TEST_F(ros_script_test, dollar_is_escaped) {
  EXPECT_EQ(literal("$x $(1) $[:put 1]"), R"("\$x \$(1) \$\5B:put 1\5D")");
  EXPECT_EQ(put("$x $(1) $[:put 1]"), "$x $(1) $[:put 1]");
  // The interpreter refuses what the builder never writes.
  EXPECT_FALSE(run(":put \"$x\"").ok);
}

TEST_F(ros_script_test, brackets_and_braces_are_hex) {
  EXPECT_EQ(literal("[find]{}"), R"("\5Bfind\5D\7B\7D")");
  EXPECT_EQ(put("[/system identity set name=X]{:put 1}"),
            "[/system identity set name=X]{:put 1}");
}

TEST_F(ros_script_test, semicolon_and_question_mark_stay_inside) {
  EXPECT_EQ(literal("a;b?"), R"("a;b\3F")");
  EXPECT_EQ(put("a; /system reboot; b?"), "a; /system reboot; b?");
}

TEST_F(ros_script_test, newline_cr_and_tab_use_letter_escapes) {
  EXPECT_EQ(literal("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(put("a\n/system reboot\r\n\tb"), "a\n/system reboot\r\n\tb");
}

TEST_F(ros_script_test, nul_is_hex) {
  std::string nul{"a\0b", 3};
  EXPECT_EQ(literal(nul), R"("a\00b")");
  EXPECT_EQ(put(nul), nul);
}

TEST_F(ros_script_test, other_control_bytes_are_hex) {
  EXPECT_EQ(literal("\x01\x07\x08\x0b\x0c\x1b\x1f"),
            R"("\01\07\08\0B\0C\1B\1F")");
  EXPECT_EQ(put("\x01\x07\x08\x0b\x0c\x1b\x1f"),
            "\x01\x07\x08\x0b\x0c\x1b\x1f");
}

TEST_F(ros_script_test, del_is_hex) {
  EXPECT_EQ(literal("a\x7f"), R"("a\7F")");
  EXPECT_EQ(put("a\x7f"), "a\x7f");
}

TEST_F(ros_script_test, utf8_multibyte_is_hex_per_byte) {
  EXPECT_EQ(literal("caf\xc3\xa9 \xe2\x82\xac"), R"("caf\C3\A9 \E2\82\AC")");
  EXPECT_EQ(put("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST_F(ros_script_test, long_string_round_trips) {
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += static_cast<char>(i % 256);
  auto lit = literal(text);
  EXPECT_TRUE(std::all_of(lit.begin(), lit.end(),
                          [](char c) { return c >= 0x20 && c < 0x7f; }));
  EXPECT_EQ(put(text), text);
}

// -- property: any value survives the round trip --------------------------------

TEST_F(ros_script_test, random_values_parse_back_to_the_same_bytes) {
  std::mt19937 rng{20261206};
  using namespace std::string_literals;
  const auto special = "\"\\$[]{}();?#=\n\r\t \x00\x7f\xc3\xa9"s;
  auto draw = [&] {
    std::string out;
    auto n = std::uniform_int_distribution<size_t>{0, 40}(rng);
    for (size_t i = 0; i < n; ++i)
      out +=
        rng() % 2 == 0
          ? special[rng() % special.size()]
          : static_cast<char>(std::uniform_int_distribution<int>{0, 255}(rng));
    return out;
  };
  for (int i = 0; i < 3000; ++i) {
    auto value = draw();
    ASSERT_EQ(put(value), value) << "literal " << literal(value);
  }
  // As a command argument and inside [find ...]: the entry is found again
  // by its value and nothing else runs. (Not empty: an empty comment is
  // no comment.)
  for (int i = 0; i < 200; ++i) {
    auto value = "v" + draw();
    auto res = run("/ip firewall address-list add list=p address=192.0.2.1 "
                   "comment="
                   + literal(value)
                   + "; /ip firewall address-list set [find where comment="
                   + literal(value) + "] list=found");
    ASSERT_TRUE(res.ok) << literal(value) << ": " << res.error;
    ASSERT_EQ(entries("found"), 1u) << literal(value);
    ASSERT_EQ(entries("p"), 0u) << literal(value);
    ASSERT_TRUE(run("/ip firewall address-list remove [find]").ok);
  }
}

// -- identifiers ------------------------------------------------------------------

TEST(ros_identifier, property_names) {
  for (auto* ok : {"dst-address", ".id", "remote.as", "src-address-list",
                   "802.11n", "x_y"})
    EXPECT_FALSE(check_identifier(ok, ident::property, ec::invalid_arguments))
      << ok;
  for (auto* bad :
       {"", ".", "-x", "A", "a b", "a=b", "a\"b", "a;b", "$a", "[find]", "a\nb",
        "a\\b", "a/b", "x; /system identity set name=X"})
    EXPECT_TRUE(check_identifier(bad, ident::property, ec::invalid_arguments))
      << bad;
  EXPECT_TRUE(check_identifier(std::string(65, 'a'), ident::property,
                               ec::invalid_arguments));
}

TEST(ros_identifier, menu_paths) {
  for (auto* ok : {"/ip/firewall/filter", "/ip firewall filter", "/system",
                   "/interface/bridge/port"})
    EXPECT_FALSE(check_identifier(ok, ident::menu, ec::invalid_arguments))
      << ok;
  for (auto* bad :
       {"", "/", "ip/route", "/ip//route", "/ip/route/", "/ip route;",
        "/ip/firewall filter", "/ip  route", "/ip [find]"})
    EXPECT_TRUE(check_identifier(bad, ident::menu, ec::invalid_arguments))
      << bad;
}

TEST(ros_identifier, item_ids) {
  for (auto* ok : {"*1", "*1A", "*ffffffff", "*0123456789ABCDEF"})
    EXPECT_FALSE(check_identifier(ok, ident::id, ec::invalid_arguments)) << ok;
  for (auto* bad : {"", "*", "1A", "*G", "*1 ", "*1;", "*0123456789ABCDEF0"})
    EXPECT_TRUE(check_identifier(bad, ident::id, ec::invalid_arguments)) << bad;
}

TEST(ros_identifier, refusal_has_the_code_and_names_the_value) {
  auto err = check_identifier("bad name\"; :put 1", ident::property,
                              ec::router_bad_response);
  EXPECT_EQ(error_code_of(err), ec::router_bad_response);
  EXPECT_NE(error_message(err).find(
              R"("bad name\"; :put 1" is not a RouterOS property name)"),
            std::string::npos)
    << error_message(err);
}

TEST(ros_arguments, quotes_values_maps_booleans_and_checks_names) {
  auto out = arguments({{"chain", "input"},
                        {"disabled", "true"},
                        {"log", false},
                        {"comment", "a\"b"},
                        {"name", "skip me"}},
                       ec::router_bad_response, {"name"});
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, R"( chain="input" comment="a\"b" disabled=yes log=no)");
  auto bad =
    arguments({{"chain", "input"}, {"x y", "1"}}, ec::router_bad_response);
  ASSERT_FALSE(bad);
  EXPECT_NE(error_message(bad.error()).find("\"x y\""), std::string::npos);
}

} // namespace rmcp::ros_script
