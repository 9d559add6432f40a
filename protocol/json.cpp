#include "protocol/json.hpp"

namespace rmcp {

std::optional<json> parse_json(std::string_view text) {
  auto result = json::parse(text.begin(), text.end(), nullptr, false);
  if (result.is_discarded())
    return std::nullopt;
  return result;
}

std::string dump_json(const json& x) {
  return x.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace rmcp
