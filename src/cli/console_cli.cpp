#include "src/cli/console_cli.hpp"

#include <iostream>

#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "protocol/json_parse.hpp"
#include "src/auth/url_fetch.hpp"
#include "src/cli/cli_io.hpp"
#include "src/cli/device_cli.hpp"

namespace rmcp::cli {

struct console_cli::state {
  CLI::App* root = nullptr;
  CLI::App* link = nullptr;
  std::string as;
  std::string role = "approver";
  int64_t ttl = 600;
  std::string url;
  std::string token_file;

  /// The daemon's base URL: --url, else http:// and http.listen (a
  /// wildcard bind reached on loopback).
  std::string base(const config::server_options& opts) const {
    if (!url.empty())
      return url;
    auto listen = opts.http_listen;
    if (listen.rfind("0.0.0.0:", 0) == 0)
      listen = "127.0.0.1:" + listen.substr(8);
    else if (listen.rfind("[::]:", 0) == 0)
      listen = "[::1]:" + listen.substr(5);
    return "http://" + listen;
  }

  int login_link(const config::server_options& opts) {
    secret_source src;
    src.file = token_file;
    src.default_env = "ROUTEROS_MCP_TOKEN";
    src.may_prompt = false;
    auto token = read_secret(src);
    if (!token || !*token) {
      std::cerr << "routeros-mcp: "
                << (token ? std::string{"an admin API token is needed: "
                                        "--token-file FILE or "
                                        "ROUTEROS_MCP_TOKEN"}
                          : error_message(token.error()))
                << "\n";
      return exit_code::usage;
    }
    auto endpoint = base(opts);
    while (!endpoint.empty() && endpoint.back() == '/')
      endpoint.pop_back();
    auth::fetch_settings fs;
    fs.method = "POST";
    fs.body =
      dump_json(json{{"subject", as}, {"role", role}, {"ttl_seconds", ttl}});
    fs.authorization = "Bearer " + **token;
    fs.timeout = std::chrono::seconds{10};
    auto answer = auth::fetch_url(endpoint + "/admin/console/login-link", fs);
    if (!answer) {
      std::cerr << "routeros-mcp: " << error_message(answer.error()) << "\n";
      return exit_code::failure;
    }
    auto doc = parse_json_bounded(answer->body);
    if (answer->status != 200 || !doc || !doc->is_object()
        || !doc->contains("url")) {
      std::string why = answer->body;
      if (doc && doc->is_object() && doc->contains("error"))
        why = (*doc)["error"].value("message", answer->body);
      std::cerr << "routeros-mcp: the daemon refused (HTTP " << answer->status
                << "): " << why << "\n";
      return exit_code::failure;
    }
    std::cerr << "login link for " << as << " (role " << role
              << "; works once, until "
              << doc->value("expires_at", std::string{"?"}) << "):\n";
    std::cout << doc->value("url", std::string{}) << "\n";
    return exit_code::ok;
  }
};

console_cli::console_cli(CLI::App& app) : state_(std::make_unique<state>()) {
  auto& s = *state_;
  s.root = app.add_subcommand("console", "The web console of a running daemon");
  s.root->require_subcommand(1);
  s.link = s.root->add_subcommand(
    "login-link", "Ask the running daemon for a one-time login link");
  s.link->add_option("--as", s.as, "The identity the link logs in")->required();
  s.link->add_option("--role", s.role, "Its role (default approver)")
    ->check(CLI::IsMember({"read_only", "ops_rw", "approver", "admin"}));
  s.link
    ->add_option("--ttl", s.ttl,
                 "Seconds the link is valid (default 600, at most 3600)")
    ->check(CLI::Range(1, 3600));
  s.link->add_option("--url", s.url,
                     "The daemon (default http:// and http.listen)");
  s.link->add_option("--token-file", s.token_file,
                     "File holding an admin API token (else "
                     "ROUTEROS_MCP_TOKEN)");
}

console_cli::~console_cli() = default;

bool console_cli::parsed() const {
  return state_->root->parsed();
}

int console_cli::run(const config::server_options& opts) {
  return state_->login_link(opts);
}

} // namespace rmcp::cli
