// Fails when a lambda is nested more than --max (3) lambdas deep in a C++
// file: a continuation inside a continuation inside a continuation is where
// a flow stops being readable, and a state machine (a table of steps and
// small actions) reads better. Checks the files given, and every .cpp/.hpp
// under the folders given.
//
//   rmcp_lambda_depth [--max N] PATH...
//
// Prints one line per lambda too deep (file:line: lambda nested N deep (at
// most M)) and exits 1; otherwise prints the deepest nesting and exits 0.
//
// A lexical check, not a parser: comments, string, raw-string and
// character literals are skipped; `[` starts a lambda when it cannot be a
// subscript or an attribute (the token before it is not a name, literal, `)`
// or `]`), and the lambda's body is the `{` after its captures, parameters
// and specifiers.

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

/// The text with comments and literals blanked out (newlines kept, so that
/// offsets still give line numbers).
std::string code_only(const std::string& s) {
  std::string out = s;
  size_t i = 0;
  auto blank = [&out](size_t from, size_t to) {
    for (size_t k = from; k < to && k < out.size(); ++k)
      if (out[k] != '\n')
        out[k] = ' ';
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      auto end = s.find('\n', i);
      end = end == std::string::npos ? s.size() : end;
      blank(i, end);
      i = end;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      auto end = s.find("*/", i + 2);
      end = end == std::string::npos ? s.size() : end + 2;
      blank(i, end);
      i = end;
    } else if (c == 'R' && i + 1 < s.size() && s[i + 1] == '"'
               && (i == 0
                   || !(std::isalnum(static_cast<unsigned char>(s[i - 1]))
                        || s[i - 1] == '_')
                   || s[i - 1] == 'u' || s[i - 1] == '8' || s[i - 1] == 'L'
                   || s[i - 1] == 'U')) {
      auto open = s.find('(', i + 2);
      if (open == std::string::npos) {
        ++i;
        continue;
      }
      auto delim = ")" + s.substr(i + 2, open - i - 2) + "\"";
      auto end = s.find(delim, open);
      end = end == std::string::npos ? s.size() : end + delim.size();
      blank(i, end);
      i = end;
    } else if (c == '"') {
      size_t k = i + 1;
      while (k < s.size() && s[k] != '"' && s[k] != '\n')
        k += s[k] == '\\' ? 2 : 1;
      blank(i, k + 1);
      i = k + 1;
    } else if (c == '\'') {
      // A digit separator (60'000) or a character literal.
      if (i > 0 && std::isxdigit(static_cast<unsigned char>(s[i - 1]))
          && i + 1 < s.size()
          && std::isxdigit(static_cast<unsigned char>(s[i + 1]))
          && !(i > 1 && s[i - 2] == '\'')) {
        ++i;
        continue;
      }
      size_t k = i + 1;
      while (k < s.size() && s[k] != '\'' && s[k] != '\n')
        k += s[k] == '\\' ? 2 : 1;
      blank(i, k + 1);
      i = k + 1;
    } else if (c == '#') {
      // A preprocessor line (with its continuations).
      size_t line_start = s.rfind('\n', i);
      line_start = line_start == std::string::npos ? 0 : line_start + 1;
      bool first = true;
      for (size_t k = line_start; k < i; ++k)
        if (!std::isspace(static_cast<unsigned char>(s[k])))
          first = false;
      if (!first) {
        ++i;
        continue;
      }
      size_t k = i;
      while (k < s.size() && s[k] != '\n')
        k += (s[k] == '\\' && k + 1 < s.size() && s[k + 1] == '\n') ? 2 : 1;
      blank(i, k);
      i = k;
    } else {
      ++i;
    }
  }
  return out;
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

/// Index of the bracket closing the one at `open`, or npos.
size_t closing(const std::string& s, size_t open, char o, char c) {
  int depth = 0;
  for (size_t k = open; k < s.size(); ++k) {
    if (s[k] == o)
      ++depth;
    else if (s[k] == c && --depth == 0)
      return k;
  }
  return std::string::npos;
}

size_t skip_space(const std::string& s, size_t k) {
  while (k < s.size() && std::isspace(static_cast<unsigned char>(s[k])))
    ++k;
  return k;
}

/// True when the `[` at `i` introduces a lambda.
bool starts_lambda(const std::string& s, size_t i) {
  if (i + 1 < s.size() && s[i + 1] == '[')
    return false; // an attribute [[...]]
  if (i > 0 && s[i - 1] == '[')
    return false;
  size_t k = i;
  while (k > 0 && std::isspace(static_cast<unsigned char>(s[k - 1])))
    --k;
  if (k == 0)
    return true;
  char prev = s[k - 1];
  if (prev == ')' || prev == ']')
    return false;
  if (is_name_char(prev)) {
    // Only `return` (and co_return / co_yield) may stand before a lambda.
    size_t w = k;
    while (w > 0 && is_name_char(s[w - 1]))
      --w;
    auto word = s.substr(w, k - w);
    return word == "return" || word == "co_return" || word == "co_yield";
  }
  return true;
}

/// The index of the lambda body's `{` for the lambda whose `[` is at `i`,
/// or npos when it is no lambda after all.
size_t lambda_body(const std::string& s, size_t i) {
  auto close = closing(s, i, '[', ']');
  if (close == std::string::npos)
    return close;
  auto k = skip_space(s, close + 1);
  if (k < s.size() && s[k] == '<') { // template parameters (C++20)
    k = closing(s, k, '<', '>');
    if (k == std::string::npos)
      return k;
    k = skip_space(s, k + 1);
  }
  if (k < s.size() && s[k] == '(') {
    k = closing(s, k, '(', ')');
    if (k == std::string::npos)
      return k;
    k = skip_space(s, k + 1);
  }
  // Specifiers and a trailing return type, up to the body.
  while (k < s.size() && s[k] != '{') {
    char c = s[k];
    if (c == ';' || c == ')' || c == ',' || c == '=' || c == ']' || c == '}')
      return std::string::npos;
    if (c == '(') { // noexcept(...), decltype(...)
      k = closing(s, k, '(', ')');
      if (k == std::string::npos)
        return k;
    }
    ++k;
  }
  return k < s.size() ? k : std::string::npos;
}

struct finding {
  size_t line;
  int depth;
};

/// The lambdas nested deeper than `max`, and the deepest nesting.
std::vector<finding> check(const std::string& text, int max, int& deepest) {
  auto s = code_only(text);
  std::set<size_t> bodies;
  std::vector<bool> braces; // true: a lambda body
  std::vector<finding> out;
  int depth = 0;
  size_t line = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n') {
      ++line;
    } else if (c == '[' && starts_lambda(s, i)) {
      auto body = lambda_body(s, i);
      if (body != std::string::npos)
        bodies.insert(body);
    } else if (c == '{') {
      bool lambda = bodies.count(i) > 0;
      braces.push_back(lambda);
      if (lambda) {
        ++depth;
        deepest = std::max(deepest, depth);
        if (depth > max)
          out.push_back({line, depth});
      }
    } else if (c == '}' && !braces.empty()) {
      if (braces.back())
        --depth;
      braces.pop_back();
    }
  }
  return out;
}

bool is_source(const fs::path& p) {
  auto ext = p.extension().string();
  return ext == ".cpp" || ext == ".hpp" || ext == ".h" || ext == ".cc";
}

} // namespace

int main(int argc, char** argv) {
  int max = 3;
  std::vector<fs::path> files;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg == "--max" && a + 1 < argc) {
      max = std::stoi(argv[++a]);
      continue;
    }
    fs::path p{arg};
    std::error_code err;
    if (fs::is_directory(p, err)) {
      for (auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file() && is_source(e.path()))
          files.push_back(e.path());
    } else if (fs::is_regular_file(p, err)) {
      files.push_back(p);
    } else {
      std::cerr << arg << ": no such file or folder\n";
      return 2;
    }
  }
  if (files.empty()) {
    std::cerr << "usage: rmcp_lambda_depth [--max N] PATH...\n";
    return 2;
  }
  int deepest = 0;
  size_t bad = 0;
  for (auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    for (auto& x : check(text.str(), max, deepest)) {
      std::cout << f.string() << ":" << x.line << ": lambda nested " << x.depth
                << " deep (at most " << max << ")\n";
      ++bad;
    }
  }
  if (bad > 0)
    return 1;
  std::cout << "lambda depth: " << files.size() << " files, deepest " << deepest
            << " (at most " << max << ")\n";
  return 0;
}
