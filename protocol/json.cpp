#include "protocol/json.hpp"

#include "protocol/json_parse.hpp"

namespace rmcp {

std::optional<json> parse_json(std::string_view text) {
  auto result = parse_json_bounded(text);
  if (!result)
    return std::nullopt;
  return std::move(*result);
}

std::string dump_json(const json& x) {
  return x.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace rmcp
