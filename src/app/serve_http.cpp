// `routeros-mcp serve --http`: MCP over Streamable HTTP (/mcp) and legacy
// HTTP+SSE (/sse, /messages), plus /health and /metrics, on one listener.

#include <cstdio>
#include <fstream>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/net_text.hpp"
#include "protocol/version.hpp"
#include "src/app/admin_http.hpp"
#include "src/app/http_frontend.hpp"
#include "src/app/login_link.hpp"
#include "src/app/metrics_http.hpp"
#include "src/app/ops_http.hpp"
#include "src/app/runtime.hpp"
#include "src/app/service_notify.hpp"
#include "src/auth/http_auth.hpp"
#include "src/console/console_http.hpp"
#include "src/transport/http_server.hpp"
#include "src/transport/mcp_http.hpp"

namespace rmcp::app {

caf::error parse_listen(const std::string& text, std::string& address,
                        uint16_t& port, const std::string& key) {
  auto bad = [&](const std::string& why) {
    return make_error(ec::invalid_params,
                      key + ": '" + text + "': " + why
                        + " (expected 127.0.0.1:8080, [::1]:8080 or "
                          "0.0.0.0:8080)");
  };
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size()
        || text[close + 1] != ':')
      return bad("an IPv6 address needs brackets and a port");
    address = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos)
      return bad("missing port");
    address = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (!net::is_ip(address))
    return bad("'" + address + "' is not an IP address");
  if (port_text.empty() || port_text.size() > 5
      || port_text.find_first_not_of("0123456789") != std::string::npos
      || std::stoul(port_text) > 65535)
    return bad("the port must be a number 0..65535");
  port = static_cast<uint16_t>(std::stoul(port_text));
  return caf::none;
}

namespace {

bool is_wildcard(const std::string& address) {
  return address == "0.0.0.0" || address == "::";
}

bool is_loopback_address(const std::string& address) {
  return address == "::1" || address.compare(0, 4, "127.") == 0;
}

/// Writes the port so tests and scripts can find an ephemeral port
/// (write to a temporary name, then rename: readers never see half a file).
void write_ports_file(const std::string& path, uint16_t port) {
  auto tmp = path + ".tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << "http=" << port << "\n";
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    log::warn(log::core(), "ports-file-failed", {{"path", path}});
}

transport::mcp_http_settings mcp_settings_of(const config::server_options& o,
                                             const std::string& address) {
  transport::mcp_http_settings s;
  s.origins = transport::origin_policy::from_lists(o.http_allowed_hosts,
                                                   o.http_allowed_origins);
  if (!is_wildcard(address))
    s.origins.allow_host(net::is_ip(address)
                             && address.find(':') != std::string::npos
                           ? "[" + address + "]"
                           : address);
  s.rate_limit = static_cast<double>(o.http_rate_limit);
  s.rate_burst = static_cast<double>(o.http_rate_burst);
  s.max_sessions = static_cast<size_t>(o.http_max_sessions);
  s.session_idle_timeout = o.http_session_idle_timeout;
  s.sse_keepalive = o.http_sse_keepalive;
  s.role = o.http_role;
  return s;
}

} // namespace

// -- http_frontend ------------------------------------------------------------

http_frontend::http_frontend(runtime& rt) : rt_(rt) {
  const auto& opts = rt.options();
  transport::http_server_settings hs;
  setup_error_ = parse_listen(opts.http_listen, hs.address, hs.port);
  hs.io_threads = static_cast<size_t>(opts.http_io_threads);
  hs.body_limit = opts.session.max_message_bytes;
  hs.idle_timeout = opts.http_idle_timeout;
  hs.tls_cert_file = opts.http_tls_cert_file;
  hs.tls_key_file = opts.http_tls_key_file;
  auto svc = rt.svc();
  auto settings = mcp_settings_of(opts, hs.address);
  settings.tls = !hs.tls_cert_file.empty() && !hs.tls_key_file.empty();
  std::shared_ptr<auth::bearer_auth> bearer;
  if (auth::auth_configured(opts)) {
    auto made = auth::bearer_auth::make(opts, rt.kv());
    if (made)
      bearer = std::move(*made);
    else if (!setup_error_)
      setup_error_ = made.error();
  } else if (!setup_error_ && !is_loopback_address(hs.address)) {
    setup_error_ = make_error(
      ec::invalid_params,
      "refusing to serve MCP on " + opts.http_listen
        + " without authentication: anyone who can reach it could manage "
          "the routers. Set auth.api_tokens=true (and create tokens with "
          "routeros-mcp token create) or auth.oauth_issuer and "
          "auth.oauth_audience; or listen on "
          "127.0.0.1 (docs/security.md)");
  }
  auth::apply_auth(settings, opts, bearer);
  console_ = std::make_shared<console::console_http>(
    svc, console::settings_from(settings));
  mcp_ = std::make_shared<transport::mcp_http>(
    rt.system(), std::move(settings),
    [&rt](identity who) { return rt.session_for(std::move(who)); },
    svc->metrics);
  auto mcp = mcp_;
  auto admin = std::make_shared<admin_http>(mcp, svc, console_->codes(),
                                            !hs.tls_cert_file.empty()
                                              && !hs.tls_key_file.empty());
  auto console = console_;
  server_ = std::make_unique<transport::http_server>(
    hs,
    [mcp, svc, admin, console](transport::http_request&& req,
                               transport::channel_ptr ch) {
      if (mcp->handle(req, ch))
        return;
      if (admin->handle(req, ch))
        return;
      if (console->handle(req, ch))
        return;
      // /metrics names devices: same DNS-rebinding guard as MCP. /health
      // stays open for load balancers and probes that use bare IPs.
      if (req.path == "/metrics" && !mcp->admit(req, ch))
        return;
      if (handle_ops(svc, req, ch))
        return;
      ch->respond_json(
        404, transport::error_body(ec::invalid_request,
                                   "no route for " + req.path
                                     + "; MCP is served at /mcp (Streamable "
                                       "HTTP) and /sse (HTTP+SSE), the web "
                                       "console at /ui/"));
    },
    svc->metrics);
}

http_frontend::~http_frontend() {
  stop();
}

caf::error http_frontend::start() {
  if (setup_error_)
    return setup_error_;
  return server_->start();
}

uint16_t http_frontend::port() const {
  return server_->port();
}

bool http_frontend::tls() const {
  return server_->tls();
}

void http_frontend::begin_drain() {
  server_->stop_accepting();
  mcp_->shutdown_all();
}

size_t http_frontend::sessions() const {
  return mcp_->sessions();
}

void http_frontend::stop() {
  server_->stop();
}

// -- serve_http -----------------------------------------------------------------

int serve_http(const config::server_options& opts, const serve_extras& extras) {
  runtime rt{opts};
  if (auto err = rt.start("http")) {
    log::critical(log::core(), "start-failed", {{"error", error_message(err)}});
    return 1;
  }
  http_frontend http{rt};
  metrics_listener metrics{rt.svc(), opts, rt.kv(), http.console()};
  auto err = http.start();
  if (!err)
    err = metrics.start();
  if (!err && !extras.login_as.empty()) {
    std::string address;
    uint16_t ignored = 0;
    parse_listen(opts.http_listen, address, ignored);
    err = print_login_link(http.console().get(), address, http.port(),
                           http.tls(), extras);
  }
  if (err) {
    log::critical(log::core(), "start-failed", {{"error", error_message(err)}});
    rt.stop();
    return error_code_of(err) == ec::invalid_params ? 2 : 1;
  }
  log::info(log::core(), "serve-started",
            {{"transport", "http"},
             {"listen", opts.http_listen},
             {"port", http.port()},
             {"tls", http.tls()},
             {"version", rmcp::version},
             {"environment", opts.environment},
             {"tools", rt.svc()->tools->all().size()}});
  if (!opts.http_ports_file.empty())
    write_ports_file(opts.http_ports_file, http.port());
  service_notifier systemd{rt.system()};
  systemd.ready("serving MCP over HTTP on port " + std::to_string(http.port()));
  bool draining = false;
  auto deadline = std::chrono::steady_clock::now();
  rt.wait(
    [&] {
      return draining
             && (http.sessions() == 0
                 || std::chrono::steady_clock::now() > deadline);
    },
    [&](int) {
      systemd.stopping();
      draining = true;
      deadline = std::chrono::steady_clock::now() + opts.session.drain_timeout
                 + std::chrono::seconds{2};
      http.begin_drain();
    });
  systemd.stopping();
  http.stop();
  metrics.stop();
  rt.stop();
  log::info(log::core(), "serve-stopped", {{"transport", "http"}});
  return 0;
}

} // namespace rmcp::app
