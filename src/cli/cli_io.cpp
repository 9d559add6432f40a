#include "src/cli/cli_io.hpp"

#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "protocol/error.hpp"

namespace rmcp::cli {

namespace {

void drop_newline(std::string& text) {
  if (!text.empty() && text.back() == '\n')
    text.pop_back();
  if (!text.empty() && text.back() == '\r')
    text.pop_back();
}

caf::expected<std::string> read_file_secret(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return make_error(ec::invalid_arguments,
                      "--password-file: cannot read '" + path + "'");
  std::ostringstream buf;
  buf << in.rdbuf();
  auto text = buf.str();
  drop_newline(text);
  if (text.empty())
    return make_error(ec::invalid_arguments,
                      "--password-file: '" + path + "' is empty");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 0077) != 0)
    std::cerr << "routeros-mcp: warning: " << path
              << " is readable by other users; chmod 600 it\n";
  return text;
}

std::string prompt_no_echo(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  bool restore = tcgetattr(STDIN_FILENO, &old) == 0;
  if (restore) {
    auto quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (restore)
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << "\n";
  drop_newline(line);
  return line;
}

} // namespace

caf::expected<std::string> read_ssh_key_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return make_error(ec::invalid_arguments,
                      "--ssh-key-file: cannot read '" + path + "'");
  std::ostringstream buf;
  buf << in.rdbuf();
  auto text = buf.str();
  if (text.find("-----BEGIN") == std::string::npos
      || text.find("PRIVATE KEY-----") == std::string::npos)
    return make_error(ec::invalid_arguments,
                      "--ssh-key-file: '" + path
                        + "' holds no private key (OpenSSH or PEM text)");
  return text;
}

caf::expected<std::optional<std::string>>
read_secret(const secret_source& src) {
  if (!src.file.empty()) {
    auto text = read_file_secret(src.file);
    if (!text)
      return text.error();
    return std::optional<std::string>{std::move(*text)};
  }
  auto from_env =
    [](const std::string& name) -> caf::expected<std::optional<std::string>> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0')
      return make_error(ec::invalid_arguments, "--password-env: variable "
                                                 + name
                                                 + " is not set or empty");
    return std::optional<std::string>{std::string{value}};
  };
  if (!src.env.empty())
    return from_env(src.env);
  if (!src.default_env.empty()
      && std::getenv(src.default_env.c_str()) != nullptr)
    return from_env(src.default_env);
  if (!src.may_prompt || !isatty(STDIN_FILENO))
    return std::optional<std::string>{};
  auto first = prompt_no_echo(src.prompt);
  if (first.empty())
    return make_error(ec::invalid_arguments, "the password is empty");
  auto second = prompt_no_echo("Repeat: ");
  if (first != second)
    return make_error(ec::invalid_arguments, "the passwords differ");
  return std::optional<std::string>{std::move(first)};
}

bool confirm(const std::string& question) {
  if (!isatty(STDIN_FILENO))
    return false;
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string render_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i)
        widths.push_back(0);
      widths[i] = std::max(widths[i], row[i].size());
    }
  std::string out;
  for (auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

} // namespace rmcp::cli
