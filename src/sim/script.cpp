#include "sim/script.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

#include <nlohmann/json.hpp>

#include "sim/engine.hpp"
#include "sim/ops.hpp"

namespace rmcp::sim {

namespace {

struct token {
  std::string key;  ///< set for key=value words
  std::string text; ///< the word, or the value of key=value
  bool has_key = false;
  bool expr = false;        ///< text is the inside of [ ... ]
  bool substituted = false; ///< a quoted part holds an unescaped $
};

struct script_error {
  std::string detail;
  std::string where; ///< "/ip/address/add (interface)"
};

/// Splits source into statements (';' and newlines outside quotes and
/// brackets; backslash-newline continues a line). Keeps line numbers.
std::vector<std::pair<int, std::string>> statements(std::string_view src) {
  std::vector<std::pair<int, std::string>> out;
  std::string cur;
  int line = 1, start_line = 1, depth = 0;
  bool quoted = false;
  auto flush = [&] {
    auto first = cur.find_first_not_of(" \t\r");
    if (first != std::string::npos && cur[first] != '#')
      out.emplace_back(start_line, cur.substr(first));
    cur.clear();
    start_line = line;
  };
  for (std::size_t i = 0; i < src.size(); ++i) {
    char c = src[i];
    if (c == '\\' && i + 1 < src.size()) {
      if (src[i + 1] == '\n'
          || (src[i + 1] == '\r' && i + 2 < src.size() && src[i + 2] == '\n')) {
        i += src[i + 1] == '\r' ? 2 : 1;
        ++line;
        while (i + 1 < src.size() && (src[i + 1] == ' ' || src[i + 1] == '\t'))
          ++i;
        continue;
      }
      cur += c;
      cur += src[++i];
      continue;
    }
    if (c == '"')
      quoted = !quoted;
    else if (!quoted && c == '[')
      ++depth;
    else if (!quoted && c == ']')
      --depth;
    if (!quoted && depth == 0 && (c == ';' || c == '\n')) {
      if (c == '\n')
        ++line;
      flush();
      continue;
    }
    cur += c;
  }
  flush();
  return out;
}

/// The value of an upper-case hex digit, or -1.
int hex_digit(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/// Reads a quoted string starting at s[i] == '"'; advances i past it.
/// RouterOS escapes: \" \\ \$ \? \_ (space) \a \b \f \n \r \t \v and \HH (a
/// byte in two upper-case hex digits). An unescaped `$` is variable
/// substitution, which this interpreter does not do: `substituted` is set.
std::string read_quoted(std::string_view s, std::size_t& i, bool& substituted) {
  static constexpr std::pair<char, char> named[] = {
    {'n', '\n'}, {'r', '\r'}, {'t', '\t'}, {'a', '\a'},
    {'b', '\b'}, {'f', '\f'}, {'v', '\v'}, {'_', ' '}};
  std::string out;
  for (++i; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] == '$')
      substituted = true;
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char n = s[++i];
    if (i + 1 < s.size() && hex_digit(n) >= 0 && hex_digit(s[i + 1]) >= 0) {
      out += static_cast<char>(hex_digit(n) * 16 + hex_digit(s[i + 1]));
      ++i;
      continue;
    }
    auto e = std::find_if(std::begin(named), std::end(named),
                          [n](auto& x) { return x.first == n; });
    out += e == std::end(named) ? n : e->second;
  }
  ++i;
  return out;
}

std::string read_bracket(std::string_view s, std::size_t& i) {
  int depth = 0;
  std::size_t start = i + 1;
  bool quoted = false;
  for (; i < s.size(); ++i) {
    if (quoted && s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      quoted = !quoted;
    else if (!quoted && s[i] == '[')
      ++depth;
    else if (!quoted && s[i] == ']' && --depth == 0)
      break;
  }
  auto inner = std::string{s.substr(start, i - start)};
  ++i;
  return inner;
}

std::vector<token> tokenize(std::string_view s) {
  std::vector<token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    token t;
    if (s[i] == '[') {
      t.expr = true;
      t.text = read_bracket(s, i);
      out.push_back(std::move(t));
      continue;
    }
    std::string word;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
      if (s[i] == '=' && !t.has_key && !word.empty()) {
        t.has_key = true;
        t.key = word;
        word.clear();
        ++i;
        if (i < s.size() && s[i] == '[') {
          t.expr = true;
          word = read_bracket(s, i);
          break;
        }
        continue;
      }
      if (s[i] == '"') {
        word += read_quoted(s, i, t.substituted);
        continue;
      }
      word += s[i++];
    }
    t.text = std::move(word);
    out.push_back(std::move(t));
  }
  return out;
}

/// An error when a quoted string of `toks` substitutes a variable.
std::optional<script_error> substitution(const std::vector<token>& toks) {
  if (std::none_of(toks.begin(), toks.end(),
                   [](auto& t) { return t.substituted; }))
    return std::nullopt;
  return script_error{"variables are not supported (unescaped $ in a string)",
                      ""};
}

class interpreter {
public:
  interpreter(router_state& st, const origin& who) : st_(st), who_(who) {}

  script_result run(std::string_view src) {
    script_result res;
    for (auto& [line, text] : statements(src)) {
      if (auto err = statement(text)) {
        res.ok = false;
        res.error = err->detail + " ("
                    + (err->where.empty() ? "" : err->where + "; ") + "line "
                    + std::to_string(line) + ")";
        break;
      }
    }
    res.output = std::move(out_);
    return res;
  }

private:
  /// Walks path words from `start`; returns the node and consumes tokens.
  const path_node* walk(const std::vector<token>& toks, std::size_t& i,
                        const path_node* start) {
    const path_node* node = start;
    while (i < toks.size() && !toks[i].has_key && !toks[i].expr) {
      if (toks[i].text == "/") {
        node = &menu_tree::get().root();
        ++i;
        continue;
      }
      auto* c = node->child(toks[i].text, st_.profile);
      if (!c)
        break;
      node = c;
      ++i;
    }
    return node;
  }

  /// "/ip/address" as first word -> "/", "ip", "address".
  static std::vector<token> expand_path(std::vector<token> toks) {
    if (toks.empty() || toks[0].has_key || toks[0].expr || toks[0].text.empty()
        || toks[0].text[0] != '/')
      return toks;
    std::vector<token> out;
    token root;
    root.text = "/";
    out.push_back(root);
    for (auto& seg : split(toks[0].text, '/')) {
      token t;
      t.text = seg;
      out.push_back(t);
    }
    out.insert(out.end(), toks.begin() + 1, toks.end());
    return out;
  }

  std::string path_of(const path_node* target) const {
    std::string out;
    std::function<bool(const path_node&, const std::string&)> find =
      [&](const path_node& n, const std::string& prefix) {
        if (&n == target) {
          out = prefix;
          return true;
        }
        for (auto& [name, c] : n.children)
          if (find(*c, prefix + "/" + name))
            return true;
        return false;
      };
    find(menu_tree::get().root(), "");
    return out;
  }

  /// `[find ...]` in the menu `here` (or an explicit `[/path find ...]`).
  std::optional<script_error>
  find_expr(const std::string& inner, const path_node* here, std::string& ids) {
    auto toks = expand_path(tokenize(inner));
    if (auto e = substitution(toks))
      return e;
    std::size_t i = 0;
    const path_node* node = walk(toks, i, here);
    if (!node || !node->m || i >= toks.size() || toks[i].text != "find")
      return script_error{"expected command name", ""};
    ++i;
    print_options o;
    for (; i < toks.size(); ++i) {
      auto& t = toks[i];
      if (!t.has_key && (t.text == "where" || t.text == "and"))
        continue;
      if (t.has_key)
        o.filters.emplace_back(t.key, t.text);
      else if (!t.text.empty() && t.text[0] == '!')
        o.query.push_back("-" + t.text.substr(1));
      else
        o.filters.emplace_back(t.text, "true");
    }
    std::vector<std::string> found;
    for_each_item(st_, *node->m, [&](const record& r, fields&& item) {
      if (matches(item, o))
        found.push_back(id_text(r.id));
    });
    ids = join(found, ",");
    return std::nullopt;
  }

  /// One statement; `ret` (when given) gets what a command returns (the
  /// id `add` made), for `:put [/menu/add ...]`.
  std::optional<script_error> statement(const std::string& text,
                                        std::string* ret = nullptr) {
    auto toks = expand_path(tokenize(text));
    if (toks.empty())
      return std::nullopt;
    if (auto e = substitution(toks))
      return e;
    if (toks[0].text == ":log" || toks[0].text == ":put")
      return builtin(toks);
    std::size_t i = 0;
    const path_node* node = walk(toks, i, current_);
    if (i == toks.size()) {
      current_ = node;
      return std::nullopt;
    }
    if (toks[i].has_key || toks[i].expr)
      return script_error{"expected command name", ""};
    auto cmd = toks[i++].text;
    if (!node->has_command(cmd, st_.profile))
      return script_error{"bad command name " + cmd, ""};
    if (who_.read_only && writes_command(cmd))
      return script_error{"not enough permissions (9)", ""};
    bool takes_numbers = cmd == "set" || cmd == "remove" || cmd == "enable"
                         || cmd == "disable" || cmd == "move"
                         || cmd == "comment" || cmd == "unset";
    arg_list args;
    int bare = 0;
    for (; i < toks.size(); ++i) {
      auto& t = toks[i];
      std::string value = t.text;
      if (t.expr)
        if (auto e = find_expr(t.text, node, value))
          return e;
      if (t.has_key)
        args.emplace_back(t.key, value);
      else if (takes_numbers && bare++ == 0)
        args.emplace_back("numbers", value);
      else if (cmd == "move" && bare == 2)
        args.emplace_back("destination", value);
      else
        args.emplace_back(value, "");
    }
    auto where = path_of(node) + "/" + cmd;
    cmd_result r;
    command_ctx ctx{st_, node->m, args, who_};
    if (node->m && cmd == "print") {
      for_each_item(st_, *node->m, [&](const record&, fields&& item) {
        std::string line;
        for (auto& [k, v] : item)
          line += (line.empty() ? "" : " ") + k + "=" + v;
        out_ += line + "\r\n";
      });
      return std::nullopt;
    }
    if (node->m && node->m->commands.count(cmd))
      r = node->m->commands.at(cmd)(ctx);
    else if (node->m && !node->commands.count(cmd))
      r = run_generic(ctx, cmd);
    else
      r = node->commands.at(cmd).fn(ctx);
    if (!r.ok())
      return script_error{
        r.err.detail,
        where + (r.err.arg.empty() ? "" : " (" + r.err.arg + ")")};
    if (r.k == cmd_result::kind::ret && cmd == "export")
      out_ += r.ret;
    if (ret && r.k == cmd_result::kind::ret)
      *ret = r.ret;
    return std::nullopt;
  }

  std::optional<script_error> builtin(const std::vector<token>& toks) {
    if (toks[0].text == ":put") {
      std::string text = toks.size() > 1 ? toks[1].text : std::string{};
      if (toks.size() > 1 && toks[1].expr)
        if (auto e = evaluate(toks[1].text, text))
          return e;
      out_ += text + "\r\n";
      return std::nullopt;
    }
    auto level = toks.size() > 1 ? toks[1].text : std::string{};
    if (level != "info" && level != "warning" && level != "error"
        && level != "debug")
      return script_error{"bad command name " + level, ":log"};
    st_.log("script," + level, toks.size() > 2 ? toks[2].text : std::string{});
    return std::nullopt;
  }

  /// `[:serialize to=json value=[...]]` (RouterOS 7.13+; `value=` may be
  /// left out), the expression the SSH endpoint's readers send, or
  /// `[/menu/add ...]`, whose value is the new item's id.
  std::optional<script_error> evaluate(const std::string& inner,
                                       std::string& text) {
    auto toks = tokenize(inner);
    if (!toks.empty() && !toks[0].has_key && !toks[0].text.empty()
        && toks[0].text[0] == '/') {
      text.clear();
      return statement(inner, &text);
    }
    if (toks.empty() || toks[0].text != ":serialize")
      return script_error{"expressions other than :serialize and commands "
                          "are not supported",
                          ""};
    if (auto e = substitution(toks))
      return e;
    std::string to;
    const token* value = nullptr;
    for (std::size_t i = 1; i < toks.size(); ++i) {
      if (toks[i].has_key && toks[i].key == "to")
        to = toks[i].text;
      else if (toks[i].expr && (!toks[i].has_key || toks[i].key == "value"))
        value = &toks[i];
      else
        return script_error{"unknown parameter " + toks[i].text, ":serialize"};
    }
    if (to != "json")
      return script_error{"to: only json is supported", ":serialize"};
    if (!value)
      return script_error{"missing value", ":serialize"};
    nlohmann::json out;
    if (auto e = as_value(value->text, out))
      return e;
    text = out.dump();
    return std::nullopt;
  }

  /// `[/menu print as-value where k=v and k=v]` or `[/menu/cmd k=v as-value]`
  /// runs through the REST engine (GET with the filters as its query, POST
  /// with the arguments as its body), so SSH and REST answer from the same
  /// code; booleans and integers come back typed, as `as-value` gives them.
  std::optional<script_error> as_value(const std::string& inner,
                                       nlohmann::json& out) {
    auto toks = expand_path(tokenize(inner));
    if (auto e = substitution(toks))
      return e;
    std::size_t i = 0;
    const path_node* node = walk(toks, i, current_);
    if (i >= toks.size() || toks[i].has_key || toks[i].expr)
      return script_error{"expected command name", ""};
    auto cmd = toks[i++].text;
    auto path = path_of(node);
    if (!node->has_command(cmd, st_.profile))
      return script_error{"bad command name " + cmd, path};
    if (who_.read_only && writes_command(cmd))
      return script_error{"not enough permissions (9)", path};
    bool as_value_given = false;
    std::vector<std::pair<std::string, std::string>> args;
    for (; i < toks.size(); ++i) {
      auto& t = toks[i];
      if (!t.has_key && t.text == "as-value")
        as_value_given = true;
      else if (!t.has_key
               && (t.text == "where" || t.text == "and"
                   || t.text == "without-paging"))
        continue;
      else if (t.has_key && !t.expr)
        args.emplace_back(t.key, t.text);
      else
        return script_error{"unsupported argument " + t.text, path + "/" + cmd};
    }
    if (!as_value_given)
      return script_error{"expected as-value", path + "/" + cmd};
    rest_request req;
    if (cmd == "print") {
      req.method = "GET";
      req.target = "/rest" + path;
      char sep = '?';
      for (auto& [k, v] : args) {
        // The console's yes/no are REST's true/false.
        auto value = v == "yes" ? "true" : v == "no" ? "false" : v;
        req.target += sep + percent(k) + "=" + percent(value);
        sep = '&';
      }
    } else {
      req.method = "POST";
      req.target = "/rest" + path + "/" + cmd;
      nlohmann::json body = nlohmann::json::object();
      for (auto& [k, v] : args)
        body[k] = v;
      req.body = body.dump();
    }
    auto reply = handle_rest(st_, req, who_);
    auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
    if (reply.status >= 300) {
      std::string detail = parsed.is_object() && parsed.contains("detail")
                             ? parsed["detail"].get<std::string>()
                             : "failure " + std::to_string(reply.status);
      return script_error{detail, path + "/" + cmd};
    }
    out = typed(parsed.is_discarded() ? nlohmann::json() : parsed);
    return std::nullopt;
  }

  static std::string percent(const std::string& text) {
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '*') {
        out += static_cast<char>(c);
        continue;
      }
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
    return out;
  }

  /// REST's strings as the typed values of `as-value`.
  static nlohmann::json typed(nlohmann::json v) {
    if (v.is_array() || v.is_object()) {
      for (auto& x : v)
        x = typed(std::move(x));
      return v;
    }
    if (!v.is_string())
      return v;
    const auto& s = v.get_ref<const std::string&>();
    if (s == "true" || s == "false")
      return s == "true";
    bool digits = !s.empty() && s.size() <= 18 && (s == "0" || s[0] != '0')
                  && std::all_of(s.begin(), s.end(),
                                 [](char c) { return c >= '0' && c <= '9'; });
    if (digits)
      return std::stoll(s);
    return v;
  }

  router_state& st_;
  const origin& who_;
  const path_node* current_ = &menu_tree::get().root();
  std::string out_;
};

} // namespace

script_result run_script(router_state& st, std::string_view source,
                         const origin& who) {
  return interpreter{st, who}.run(source);
}

} // namespace rmcp::sim
