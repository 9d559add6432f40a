#include "protocol/json_parse.hpp"

#include "protocol/error.hpp"

namespace rmcp {

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
