#include "protocol/json_parse.hpp"

#include <simdjson.h>

#include "protocol/error.hpp"

namespace rmcp {

namespace {

/// Documents up to this size are read by simdjson first: the MCP requests
/// and most RouterOS answers. Its parser (one per thread) keeps buffers
/// sized for the largest document it has read, so this also bounds them.
constexpr size_t fast_parse_limit = 4096;

/// `e` (a document of simdjson's) as nlohmann's parser would build it:
/// non-negative integers unsigned, the last of duplicate keys kept, no
/// container deeper than `max_depth`. False where the two could differ
/// (a container too deep; an integer 0, which simdjson also reads from
/// "-0", a signed integer for nlohmann): the text then goes to nlohmann.
bool from_simdjson(simdjson::dom::element e, json& out, size_t depth,
                   size_t max_depth) {
  using type = simdjson::dom::element_type;
  switch (e.type()) {
    case type::OBJECT: {
      if (depth >= max_depth)
        return false;
      out = json::object();
      auto& members = out.get_ref<json::object_t&>();
      for (auto [key, value] : simdjson::dom::object(e))
        if (!from_simdjson(value, members[std::string{key}], depth + 1,
                           max_depth))
          return false;
      return true;
    }
    case type::ARRAY: {
      if (depth >= max_depth)
        return false;
      out = json::array();
      auto& items = out.get_ref<json::array_t&>();
      for (auto value : simdjson::dom::array(e))
        if (!from_simdjson(value, items.emplace_back(), depth + 1, max_depth))
          return false;
      return true;
    }
    case type::STRING:
      out = std::string{e.get_string().value_unsafe()};
      return true;
    case type::INT64: {
      auto i = e.get_int64().value_unsafe();
      if (i == 0)
        return false;
      out = i > 0 ? json(static_cast<uint64_t>(i)) : json(i);
      return true;
    }
    case type::UINT64:
      out = e.get_uint64().value_unsafe();
      return true;
    case type::DOUBLE:
      out = e.get_double().value_unsafe();
      return true;
    case type::BOOL:
      out = e.get_bool().value_unsafe();
      return true;
    case type::NULL_VALUE:
      out = nullptr;
      return true;
  }
  return false;
}

} // namespace

std::optional<json> parse_json_simdjson(std::string_view text,
                                        size_t max_depth) {
  if (text.size() > fast_parse_limit)
    return std::nullopt;
  thread_local simdjson::dom::parser parser{fast_parse_limit};
  thread_local std::string padded;
  padded.assign(text);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element root;
  if (parser.parse(padded.data(), text.size(), false).get(root))
    return std::nullopt;
  json result;
  if (!from_simdjson(root, result, 0, max_depth))
    return std::nullopt;
  return result;
}

namespace {

/// nlohmann's DOM builder with a depth count: refusing an array or object
/// beyond the limit ends the parse at once.
class bounded_dom : public nlohmann::detail::json_sax_dom_parser<json> {
public:
  using base = nlohmann::detail::json_sax_dom_parser<json>;

  bounded_dom(json& result, size_t max_depth)
    : base(result, false), max_depth_(max_depth) {
    // nop
  }

  bool start_object(std::size_t n) {
    return enter() && base::start_object(n);
  }

  bool end_object() {
    --depth_;
    return base::end_object();
  }

  bool start_array(std::size_t n) {
    return enter() && base::start_array(n);
  }

  bool end_array() {
    --depth_;
    return base::end_array();
  }

  bool too_deep() const {
    return too_deep_;
  }

private:
  bool enter() {
    if (++depth_ <= max_depth_)
      return true;
    too_deep_ = true;
    return false;
  }

  size_t max_depth_;
  size_t depth_ = 0;
  bool too_deep_ = false;
};

} // namespace

caf::expected<json> parse_json_bounded(std::string_view text,
                                       size_t max_depth) {
  if (auto fast = parse_json_simdjson(text, max_depth))
    return std::move(*fast);
  return parse_json_nlohmann(text, max_depth);
}

caf::expected<json> parse_json_nlohmann(std::string_view text,
                                        size_t max_depth) {
  json result;
  bounded_dom dom{result, max_depth};
  if (json::sax_parse(text.begin(), text.end(), &dom) && !dom.is_errored())
    return result;
  if (dom.too_deep())
    return make_error(ec::parse_error, "nests arrays and objects deeper than "
                                         + std::to_string(max_depth)
                                         + " levels");
  return make_error(ec::parse_error, "is not valid JSON");
}

std::optional<std::string> string_member(const json& obj,
                                         std::string_view key) {
  if (!obj.is_object())
    return std::nullopt;
  auto i = obj.find(key);
  if (i == obj.end() || !i->is_string())
    return std::nullopt;
  return i->get<std::string>();
}

std::string string_member_or(const json& obj, std::string_view key,
                             std::string fallback) {
  auto s = string_member(obj, key);
  return s ? std::move(*s) : std::move(fallback);
}

} // namespace rmcp
