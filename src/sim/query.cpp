// Print filters: URL exact-match filters, API `.query` words (stack
// semantics) and `.proplist` projection.

#include <algorithm>

#include "sim/ops.hpp"

namespace rmcp::sim {

namespace {

/// Equality with RouterOS's boolean leniency (`yes`/`no` match
/// `true`/`false`).
bool value_equals(const std::string& stored, const std::string& wanted) {
  if (stored == wanted)
    return true;
  if (stored == "true" || stored == "false") {
    auto b = normalize_bool(wanted);
    return b && *b == stored;
  }
  return false;
}

bool value_less(const std::string& a, const std::string& b) {
  auto x = parse_int(a), y = parse_int(b);
  if (x && y)
    return *x < *y;
  return a < b;
}

bool eval_word(const fields& item, const std::string& w) {
  if (w[0] == '-')
    return !item.has(w.substr(1));
  if (w[0] == '<' || w[0] == '>') {
    auto eq = w.find('=');
    auto key = w.substr(1, eq - 1);
    auto* v = item.find(key);
    if (!v || eq == std::string::npos)
      return false;
    auto arg = w.substr(eq + 1);
    return w[0] == '<' ? value_less(*v, arg) : value_less(arg, *v);
  }
  auto eq = w.find('=');
  if (eq == std::string::npos)
    return item.has(w);
  auto* v = item.find(w.substr(0, eq));
  return v && value_equals(*v, w.substr(eq + 1));
}

} // namespace

std::optional<op_error> check_query(const std::vector<std::string>& words) {
  for (auto& w : words) {
    if (w.empty() || w == "#" || w == "-" || w == "<" || w == ">")
      return op_error{400, "invalid query word " + w, ""};
    if (w[0] == '#')
      for (char c : w.substr(1))
        if (c != '|' && c != '&' && c != '!' && c != '.'
            && !(c >= '0' && c <= '9'))
          return op_error{400, "invalid query word " + w, ""};
  }
  return std::nullopt;
}

bool matches(const fields& item, const print_options& o) {
  for (auto& [k, v] : o.filters) {
    auto* stored = item.find(k);
    if (!stored || !value_equals(*stored, v))
      return false;
  }
  if (o.query.empty())
    return true;
  std::vector<bool> stack;
  for (auto& w : o.query) {
    if (w[0] != '#') {
      stack.push_back(eval_word(item, w));
      continue;
    }
    for (char c : w.substr(1)) {
      if (c == '!' && !stack.empty()) {
        stack.back() = !stack.back();
      } else if ((c == '|' || c == '&') && stack.size() >= 2) {
        bool b = stack.back();
        stack.pop_back();
        bool a = stack.back();
        stack.back() = c == '|' ? (a || b) : (a && b);
      } else if (c == '.' && !stack.empty()) {
        stack.push_back(stack.back());
      } else if (c >= '0' && c <= '9') {
        auto idx = static_cast<std::size_t>(c - '0');
        if (idx < stack.size())
          stack.push_back(stack[idx]);
      }
    }
  }
  return std::all_of(stack.begin(), stack.end(), [](bool b) { return b; });
}

fields project(fields item, const print_options& o, bool keep_id) {
  if (!o.has_proplist)
    return item;
  fields out;
  if (keep_id)
    if (auto* id = item.find(".id"))
      out.set(".id", *id);
  for (auto& key : o.proplist)
    if (auto* v = item.find(key))
      out.set(key, *v);
  return out;
}

} // namespace rmcp::sim
