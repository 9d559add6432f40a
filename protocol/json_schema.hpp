#pragma once

// A JSON Schema (2020-12 subset) compiler and validator for tool input and
// output schemas.
//
// Supported keywords: type (string or array), properties, required,
// additionalProperties (bool or schema), enum, const, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, multipleOf, minLength, maxLength,
// pattern, format (ipv4, ipv6, hostname, date-time), items, minItems,
// maxItems, uniqueItems, minProperties, maxProperties, anyOf, oneOf, plus the
// annotations $schema, $comment, title, description, default, examples,
// deprecated, readOnly, writeOnly. Any other keyword is a compile error, so
// a typo in a tool table fails at start-up instead of silently validating
// nothing.

#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/json.hpp"

namespace rmcp::schema {

/// One failed constraint: where (`$.a.b[2]`) and what was expected.
struct violation {
  std::string path;
  std::string message;
};

/// Renders violations as one line each: "$.count: must be <= 10, got 50".
std::string to_string(const std::vector<violation>& xs);

class compiled_schema {
public:
  struct node;

  compiled_schema() = default;

  /// Compiles `schema`; fails with ec::invalid_params naming the JSON path of
  /// the offending keyword.
  static caf::expected<compiled_schema> compile(const json& schema);

  /// Validates `instance`; returns at most `max_violations` violations, an
  /// empty vector when it conforms.
  std::vector<violation> validate(const json& instance,
                                  size_t max_violations = 16) const;

  bool empty() const noexcept {
    return root_ == nullptr;
  }

private:
  std::shared_ptr<const node> root_;
};

} // namespace rmcp::schema
