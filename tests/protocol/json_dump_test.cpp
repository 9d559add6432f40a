// dump_json writes what nlohmann's compact dump (invalid UTF-8 replaced)
// writes, byte for byte: audit records are hashed over it, and `audit
// verify` hashes nlohmann's dump of the stored record again.

#include <random>

#include <gtest/gtest.h>

#include "protocol/json.hpp"

namespace rmcp {

namespace {

std::string nlohmann_dump(const json& x) {
  return x.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// A random string: printable ASCII, quotes, backslashes, control
/// characters, DEL, valid UTF-8 and stray bytes above 0x7F.
std::string random_string(std::mt19937& rng) {
  static const std::string pieces[] = {"a",
                                       "Z",
                                       " ",
                                       "\"",
                                       "\\",
                                       "/",
                                       "\n",
                                       "\t",
                                       "\x01",
                                       "\x1f",
                                       "\x7f",
                                       "\xc3\xa9",
                                       "\xe2\x82\xac",
                                       "\xf0\x9f\x98\x80",
                                       "\xff",
                                       "\xc3",
                                       ",\"",
                                       "\":",
                                       "{",
                                       "]"};
  std::uniform_int_distribution<size_t> len{0, 12};
  std::uniform_int_distribution<size_t> pick{0, std::size(pieces) - 1};
  std::string out;
  for (auto n = len(rng); n > 0; --n)
    out += pieces[pick(rng)];
  return out;
}

json random_value(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind{0, depth > 3 ? 6 : 8};
  switch (kind(rng)) {
    case 0:
      return nullptr;
    case 1:
      return rng() % 2 == 0;
    case 2:
      return static_cast<int64_t>(rng()) - static_cast<int64_t>(rng());
    case 3:
      return static_cast<uint64_t>(rng()) << 32 | rng();
    case 4:
      return static_cast<double>(rng()) / 7.0;
    case 5:
    case 6:
      return random_string(rng);
    case 7: {
      auto arr = json::array();
      for (auto n = rng() % 4; n > 0; --n)
        arr.push_back(random_value(rng, depth + 1));
      return arr;
    }
    default: {
      auto obj = json::object();
      for (auto n = rng() % 4; n > 0; --n)
        obj[random_string(rng)] = random_value(rng, depth + 1);
      return obj;
    }
  }
}

} // namespace

TEST(dump_json, writes_what_nlohmann_writes) {
  std::vector<json> values{
    nullptr,
    true,
    false,
    0,
    -1,
    std::numeric_limits<int64_t>::min(),
    std::numeric_limits<int64_t>::max(),
    std::numeric_limits<uint64_t>::max(),
    0.1,
    1.0,
    -0.0,
    1e100,
    "",
    "plain",
    "quote \" backslash \\ slash /",
    "line\nbreak\ttab\x01\x1f del\x7f",
    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
    "stray \xff byte and cut \xc3",
    json::object(),
    json::array(),
    json{{"b", 1}, {"a", {{"nested", json::array({1, "x", nullptr})}}}},
    json{{"k\"ey", "v"}, {"\xc3\xa9", "\xff"}, {"ctl\n", 1}},
    json::binary({1, 2, 3}),
  };
  std::mt19937 rng{20261207};
  for (int i = 0; i < 2000; ++i)
    values.push_back(random_value(rng, 0));
  for (const auto& v : values)
    ASSERT_EQ(dump_json(v), nlohmann_dump(v)) << nlohmann_dump(v);
}

} // namespace rmcp
