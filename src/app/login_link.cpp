#include "src/app/login_link.hpp"

#include <chrono>
#include <iostream>

#include "protocol/error.hpp"
#include "src/console/console_http.hpp"
#include "storage/encoding.hpp"

namespace rmcp::app {

caf::error print_login_link(const console::console_http* console,
                            const std::string& address, uint16_t port, bool tls,
                            const serve_extras& extras) {
  if (extras.login_as.empty())
    return caf::none;
  const auto& role = extras.login_role;
  if (role != "read_only" && role != "ops_rw" && role != "approver"
      && role != "admin")
    return make_error(ec::invalid_params,
                      "--console-login-role: read_only, ops_rw, approver or "
                      "admin, got '"
                        + role + "'");
  if (console == nullptr)
    return make_error(ec::invalid_params,
                      "--console-login-as: no web console is served (serve "
                      "--http, or metrics.listen on loopback or with "
                      "authentication)");
  identity who;
  who.subject = extras.login_as;
  who.role = role;
  who.credential = "login-link";
  auto ttl = console::default_login_code_ttl;
  auto code = console->codes()->mint(std::move(who), ttl);
  if (!code)
    return make_error(ec::invalid_params,
                      "--console-login-as: " + error_message(code.error()));
  // A wildcard bind is reached on loopback from this machine.
  auto host = address == "0.0.0.0" ? std::string{"127.0.0.1"}
              : address == "::"    ? std::string{"[::1]"}
              : address.find(':') != std::string::npos ? "[" + address + "]"
                                                       : address;
  auto base = std::string{tls ? "https://" : "http://"} + host + ":"
              + std::to_string(port);
  auto until = std::chrono::system_clock::now() + ttl;
  auto until_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    until.time_since_epoch())
                    .count();
  std::cerr << "Web console login link for " << extras.login_as << " (role "
            << role << "; works once, until " << storage::iso_utc(until_ms)
            << "):\n  " << console::login_link(base, *code) << "\n"
            << std::flush;
  return caf::none;
}

} // namespace rmcp::app
