#include "protocol/json_schema.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "protocol/error.hpp"
#include "protocol/net_text.hpp"

namespace rmcp::schema {

// -- compiled representation ----------------------------------------------------

enum type_bit : unsigned {
  t_null = 1,
  t_boolean = 2,
  t_object = 4,
  t_array = 8,
  t_number = 16,
  t_integer = 32,
  t_string = 64,
};

struct compiled_schema::node {
  bool accept_all = false; // `true` schema
  bool reject_all = false; // `false` schema
  unsigned types = 0;      // 0 = any
  std::map<std::string, std::shared_ptr<const node>> properties;
  std::vector<std::string> required;
  bool additional_allowed = true;
  std::shared_ptr<const node> additional;
  std::vector<json> enum_values;
  std::optional<json> const_value;
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum;
  std::optional<double> multiple_of;
  std::optional<size_t> min_length, max_length;
  std::optional<std::regex> pattern;
  std::string pattern_source;
  std::string format;
  std::shared_ptr<const node> items;
  std::optional<size_t> min_items, max_items, min_properties, max_properties;
  bool unique_items = false;
  std::vector<std::shared_ptr<const node>> any_of, one_of;
};

using node = compiled_schema::node;
using node_ptr = std::shared_ptr<const node>;

namespace {

/// The longest string a `pattern` is checked against, in bytes (see
/// check_string). Tool arguments with a pattern are ids, names and times,
/// all far shorter.
constexpr size_t pattern_input_limit = 4096;

const std::set<std::string> annotation_keywords{
  "$schema", "$comment", "$id",        "title",    "description",
  "default", "examples", "deprecated", "readOnly", "writeOnly"};

const std::set<std::string> known_formats{"ipv4", "ipv6", "hostname",
                                          "date-time"};

std::string type_name(const json& x) {
  switch (x.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    default:
      return "value";
  }
}

std::string type_list(unsigned types) {
  static const std::pair<unsigned, const char*> names[] = {
    {t_object, "object"},   {t_array, "array"},   {t_string, "string"},
    {t_integer, "integer"}, {t_number, "number"}, {t_boolean, "boolean"},
    {t_null, "null"}};
  std::string result;
  for (auto& [bit, name] : names) {
    if (types & bit) {
      if (!result.empty())
        result += " or ";
      result += name;
    }
  }
  return result;
}

bool is_integral(const json& x) {
  if (x.is_number_integer())
    return true;
  if (x.is_number_float()) {
    auto d = x.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

bool matches_type(unsigned types, const json& x) {
  if (types == 0)
    return true;
  switch (x.type()) {
    case json::value_t::null:
      return types & t_null;
    case json::value_t::boolean:
      return types & t_boolean;
    case json::value_t::object:
      return types & t_object;
    case json::value_t::array:
      return types & t_array;
    case json::value_t::string:
      return types & t_string;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return (types & t_number) || ((types & t_integer) && is_integral(x));
    default:
      return false;
  }
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80)
      ++n;
  return n;
}

std::string short_dump(const json& x) {
  auto text = dump_json(x);
  if (text.size() > 60)
    text = text.substr(0, 57) + "...";
  return text;
}

std::string format_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15)
    return std::to_string(static_cast<long long>(d));
  auto s = std::to_string(d);
  while (!s.empty() && s.back() == '0')
    s.pop_back();
  return s;
}

bool valid_format(const std::string& format, const std::string& value) {
  if (format == "ipv4")
    return net::parse_ipv4(value).has_value();
  if (format == "ipv6")
    return net::parse_ipv6(value).has_value();
  if (format == "hostname")
    return net::is_hostname(value);
  if (format == "date-time") {
    // "2025-12-09T12:52:49.123456789+01:00" is 35; the bound keeps the
    // recursive std::regex away from long input (see check_string).
    if (value.size() > 64)
      return false;
    static const std::regex re{
      R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)"};
    return std::regex_match(value, re);
  }
  return true;
}

// -- compiler ---------------------------------------------------------------------

struct compiler {
  caf::error err;

  void fail(const std::string& path, const std::string& what) {
    if (!err)
      err = rmcp::make_error(ec::invalid_params,
                             "invalid schema at " + path + ": " + what);
  }

  std::optional<double> number(const json& s, const char* key,
                               const std::string& path) {
    auto i = s.find(key);
    if (i == s.end())
      return std::nullopt;
    if (!i->is_number()) {
      fail(path + "/" + key, "must be a number");
      return std::nullopt;
    }
    return i->get<double>();
  }

  std::optional<size_t> count(const json& s, const char* key,
                              const std::string& path) {
    auto i = s.find(key);
    if (i == s.end())
      return std::nullopt;
    if (!i->is_number_unsigned() && !(i->is_number_integer() && *i >= 0)) {
      fail(path + "/" + key, "must be a non-negative integer");
      return std::nullopt;
    }
    return i->get<size_t>();
  }

  node_ptr compile(const json& s, const std::string& path) {
    auto result = std::make_shared<node>();
    if (s.is_boolean()) {
      result->accept_all = s.get<bool>();
      result->reject_all = !s.get<bool>();
      return result;
    }
    if (!s.is_object()) {
      fail(path, "a schema must be an object or a boolean");
      return result;
    }
    for (auto& [key, value] : s.items()) {
      if (key == "type") {
        auto add = [&](const json& t) {
          static const std::map<std::string, unsigned> bits{
            {"null", t_null},    {"boolean", t_boolean}, {"object", t_object},
            {"array", t_array},  {"number", t_number},   {"integer", t_integer},
            {"string", t_string}};
          if (!t.is_string() || !bits.count(t.get<std::string>()))
            return fail(path + "/type", "unknown type " + short_dump(t));
          result->types |= bits.at(t.get<std::string>());
        };
        if (value.is_array())
          for (auto& t : value)
            add(t);
        else
          add(value);
      } else if (key == "properties") {
        if (!value.is_object()) {
          fail(path + "/properties", "must be an object");
          continue;
        }
        for (auto& [name, sub] : value.items())
          result->properties[name] = compile(sub, path + "/properties/" + name);
      } else if (key == "required") {
        if (!value.is_array()) {
          fail(path + "/required", "must be an array of strings");
          continue;
        }
        for (auto& r : value) {
          if (!r.is_string())
            fail(path + "/required", "must be an array of strings");
          else
            result->required.push_back(r.get<std::string>());
        }
      } else if (key == "additionalProperties") {
        if (value.is_boolean())
          result->additional_allowed = value.get<bool>();
        else
          result->additional = compile(value, path + "/additionalProperties");
      } else if (key == "enum") {
        if (!value.is_array() || value.empty())
          fail(path + "/enum", "must be a non-empty array");
        else
          result->enum_values.assign(value.begin(), value.end());
      } else if (key == "const") {
        result->const_value = value;
      } else if (key == "minimum") {
        result->minimum = number(s, "minimum", path);
      } else if (key == "maximum") {
        result->maximum = number(s, "maximum", path);
      } else if (key == "exclusiveMinimum") {
        result->exclusive_minimum = number(s, "exclusiveMinimum", path);
      } else if (key == "exclusiveMaximum") {
        result->exclusive_maximum = number(s, "exclusiveMaximum", path);
      } else if (key == "multipleOf") {
        result->multiple_of = number(s, "multipleOf", path);
        if (result->multiple_of && *result->multiple_of <= 0)
          fail(path + "/multipleOf", "must be greater than 0");
      } else if (key == "minLength") {
        result->min_length = count(s, "minLength", path);
      } else if (key == "maxLength") {
        result->max_length = count(s, "maxLength", path);
      } else if (key == "pattern") {
        if (!value.is_string()) {
          fail(path + "/pattern", "must be a string");
          continue;
        }
        result->pattern_source = value.get<std::string>();
        try {
          result->pattern.emplace(result->pattern_source,
                                  std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          fail(path + "/pattern", std::string{"invalid regex: "} + e.what());
        }
      } else if (key == "format") {
        if (!value.is_string()
            || !known_formats.count(value.get<std::string>()))
          fail(path + "/format", "unsupported format " + short_dump(value));
        else
          result->format = value.get<std::string>();
      } else if (key == "items") {
        result->items = compile(value, path + "/items");
      } else if (key == "minItems") {
        result->min_items = count(s, "minItems", path);
      } else if (key == "maxItems") {
        result->max_items = count(s, "maxItems", path);
      } else if (key == "minProperties") {
        result->min_properties = count(s, "minProperties", path);
      } else if (key == "maxProperties") {
        result->max_properties = count(s, "maxProperties", path);
      } else if (key == "uniqueItems") {
        if (!value.is_boolean())
          fail(path + "/uniqueItems", "must be a boolean");
        else
          result->unique_items = value.get<bool>();
      } else if (key == "anyOf" || key == "oneOf") {
        if (!value.is_array() || value.empty()) {
          fail(path + "/" + key, "must be a non-empty array of schemas");
          continue;
        }
        auto& target = key == "anyOf" ? result->any_of : result->one_of;
        for (size_t i = 0; i < value.size(); ++i)
          target.push_back(
            compile(value[i], path + "/" + key + "/" + std::to_string(i)));
      } else if (!annotation_keywords.count(key)) {
        fail(path + "/" + key, "unsupported keyword");
      }
    }
    for (auto& name : result->required)
      if (!result->properties.count(name) && !result->additional_allowed
          && !result->additional)
        fail(path + "/required",
             "required property '" + name + "' is not allowed by properties");
    return result;
  }
};

// -- validator --------------------------------------------------------------------

struct validator {
  std::vector<violation>& out;
  size_t max;

  bool full() const {
    return out.size() >= max;
  }

  void add(const std::string& path, std::string message) {
    if (!full())
      out.push_back({path, std::move(message)});
  }

  bool conforms(const node& n, const json& x) {
    std::vector<violation> scratch;
    validator sub{scratch, 1};
    sub.check(n, x, "$");
    return scratch.empty();
  }

  void check(const node& n, const json& x, const std::string& path) {
    if (full() || n.accept_all)
      return;
    if (n.reject_all)
      return add(path, "no value is allowed here");
    if (!matches_type(n.types, x))
      return add(path,
                 "expected " + type_list(n.types) + ", got " + type_name(x));
    if (!n.enum_values.empty()) {
      bool found = false;
      for (auto& v : n.enum_values)
        if (v == x)
          found = true;
      if (!found) {
        std::string legal;
        for (auto& v : n.enum_values)
          legal += (legal.empty() ? "" : ", ") + dump_json(v);
        return add(path, "must be one of " + legal + "; got " + short_dump(x));
      }
    }
    if (n.const_value && *n.const_value != x)
      return add(path, "must be " + short_dump(*n.const_value));
    if (x.is_number())
      check_number(n, x.get<double>(), path);
    else if (x.is_string())
      check_string(n, x.get<std::string>(), path);
    else if (x.is_array())
      check_array(n, x, path);
    else if (x.is_object())
      check_object(n, x, path);
    check_combinators(n, x, path);
  }

  void check_number(const node& n, double d, const std::string& path) {
    if (n.minimum && d < *n.minimum)
      add(path, "must be >= " + format_number(*n.minimum) + ", got "
                  + format_number(d));
    if (n.maximum && d > *n.maximum)
      add(path, "must be <= " + format_number(*n.maximum) + ", got "
                  + format_number(d));
    if (n.exclusive_minimum && d <= *n.exclusive_minimum)
      add(path, "must be > " + format_number(*n.exclusive_minimum) + ", got "
                  + format_number(d));
    if (n.exclusive_maximum && d >= *n.exclusive_maximum)
      add(path, "must be < " + format_number(*n.exclusive_maximum) + ", got "
                  + format_number(d));
    if (n.multiple_of) {
      auto q = d / *n.multiple_of;
      if (std::fabs(q - std::round(q)) > 1e-9)
        add(path, "must be a multiple of " + format_number(*n.multiple_of));
    }
  }

  void check_string(const node& n, const std::string& s,
                    const std::string& path) {
    auto len = utf8_length(s);
    if (n.min_length && len < *n.min_length)
      add(path, *n.min_length == 1
                  ? std::string{"must not be empty"}
                  : "must be at least " + std::to_string(*n.min_length)
                      + " characters long, got " + std::to_string(len));
    if (n.max_length && len > *n.max_length)
      add(path, "must be at most " + std::to_string(*n.max_length)
                  + " characters long, got " + std::to_string(len));
    // std::regex matches by recursion, about one stack frame per character
    // of a repetition: a 30,000-character string exhausts the stack. Longer
    // strings are refused before the regex sees them.
    if (n.pattern && s.size() > pattern_input_limit)
      add(path, "must match the pattern " + n.pattern_source
                  + "; got a string of " + std::to_string(s.size())
                  + " bytes, longer than the "
                  + std::to_string(pattern_input_limit)
                  + " a pattern is checked against");
    else if (n.pattern && !std::regex_search(s, *n.pattern))
      add(path, "must match the pattern " + n.pattern_source + "; got "
                  + short_dump(s));
    if (!n.format.empty() && !valid_format(n.format, s))
      add(path, "must be a valid " + n.format + "; got " + short_dump(s));
  }

  void check_array(const node& n, const json& a, const std::string& path) {
    if (n.min_items && a.size() < *n.min_items)
      add(path, "must have at least " + std::to_string(*n.min_items)
                  + " item(s), got " + std::to_string(a.size()));
    if (n.max_items && a.size() > *n.max_items)
      add(path, "must have at most " + std::to_string(*n.max_items)
                  + " item(s), got " + std::to_string(a.size()));
    if (n.unique_items)
      for (size_t i = 0; i < a.size(); ++i)
        for (size_t j = i + 1; j < a.size(); ++j)
          if (a[i] == a[j])
            add(path + "[" + std::to_string(j) + "]",
                "duplicate of item " + std::to_string(i));
    if (n.items)
      for (size_t i = 0; i < a.size() && !full(); ++i)
        check(*n.items, a[i], path + "[" + std::to_string(i) + "]");
  }

  static std::string member_path(const std::string& path,
                                 const std::string& name) {
    bool simple = !name.empty();
    for (char c : name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
        simple = false;
    return simple ? path + "." + name : path + "[" + dump_json(name) + "]";
  }

  void check_object(const node& n, const json& o, const std::string& path) {
    for (auto& name : n.required)
      if (!o.contains(name))
        add(member_path(path, name), "required property is missing");
    if (n.min_properties && o.size() < *n.min_properties)
      add(path, "must have at least " + std::to_string(*n.min_properties)
                  + " propert" + (*n.min_properties == 1 ? "y" : "ies"));
    if (n.max_properties && o.size() > *n.max_properties)
      add(path, "must have at most " + std::to_string(*n.max_properties)
                  + " properties");
    for (auto& [name, value] : o.items()) {
      if (full())
        return;
      auto p = member_path(path, name);
      if (auto i = n.properties.find(name); i != n.properties.end()) {
        check(*i->second, value, p);
      } else if (n.additional) {
        check(*n.additional, value, p);
      } else if (!n.additional_allowed) {
        std::string allowed;
        for (auto& [known, _] : n.properties)
          allowed += (allowed.empty() ? "" : ", ") + known;
        add(p, "unknown property"
                 + (allowed.empty() ? std::string{" (no properties allowed)"}
                                    : " (allowed: " + allowed + ")"));
      }
    }
  }

  void check_combinators(const node& n, const json& x,
                         const std::string& path) {
    if (!n.any_of.empty()) {
      bool ok = false;
      for (auto& alt : n.any_of)
        ok = ok || conforms(*alt, x);
      if (!ok)
        add(path, "does not match any of the allowed forms");
    }
    if (!n.one_of.empty()) {
      size_t hits = 0;
      for (auto& alt : n.one_of)
        if (conforms(*alt, x))
          ++hits;
      if (hits != 1)
        add(path, hits == 0 ? "does not match any of the allowed forms"
                            : "matches more than one of the exclusive forms");
    }
  }
};

} // namespace

std::string to_string(const std::vector<violation>& xs) {
  std::string result;
  for (auto& x : xs) {
    if (!result.empty())
      result += "\n";
    result += x.path + ": " + x.message;
  }
  return result;
}

caf::expected<compiled_schema> compiled_schema::compile(const json& schema) {
  compiler c;
  auto root = c.compile(schema, "#");
  if (c.err)
    return std::move(c.err);
  compiled_schema result;
  result.root_ = std::move(root);
  return result;
}

std::vector<violation> compiled_schema::validate(const json& instance,
                                                 size_t max_violations) const {
  std::vector<violation> result;
  if (root_) {
    validator v{result, max_violations};
    v.check(*root_, instance, "$");
  }
  return result;
}

} // namespace rmcp::schema
