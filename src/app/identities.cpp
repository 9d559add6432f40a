#include "src/app/identities.hpp"

#include <pwd.h>
#include <unistd.h>

namespace rmcp::app {

namespace {

std::string login_name() {
  if (auto* pw = getpwuid(geteuid()); pw && pw->pw_name)
    return pw->pw_name;
  return "uid-" + std::to_string(geteuid());
}

} // namespace

identity stdio_identity(const config::server_options& opts) {
  identity who;
  who.subject = "local-operator";
  who.role = opts.stdio_role;
  who.transport = "stdio";
  return who;
}

identity cli_identity(const config::server_options& opts,
                      const std::string& as) {
  identity who;
  auto login = login_name();
  who.subject = "cli:" + login;
  who.credential = "os:" + login;
  who.claimed_as = as;
  who.role = opts.cli_role;
  who.transport = "cli";
  return who;
}

} // namespace rmcp::app
