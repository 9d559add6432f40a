#pragma once

// Equal JSON values of equal types at every node, floats bit for bit:
// stricter than nlohmann's ==, which takes 1 (unsigned) for 1 (signed) and
// -0.0 for 0.0. For comparing the two JSON readers (json_parse.hpp).

#include <cstring>

#include "protocol/json.hpp"

namespace rmcp::test {

inline bool json_identical(const json& a, const json& b) {
  if (a.type() != b.type())
    return false;
  switch (a.type()) {
    case json::value_t::object: {
      if (a.size() != b.size())
        return false;
      for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
        if (i.key() != j.key() || !json_identical(*i, *j))
          return false;
      return true;
    }
    case json::value_t::array: {
      if (a.size() != b.size())
        return false;
      for (size_t i = 0; i < a.size(); ++i)
        if (!json_identical(a[i], b[i]))
          return false;
      return true;
    }
    case json::value_t::number_float: {
      auto x = a.get<double>();
      auto y = b.get<double>();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    default:
      return a == b;
  }
}

} // namespace rmcp::test
