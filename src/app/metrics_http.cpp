#include "src/app/metrics_http.hpp"

#include "actors/metrics.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/net_text.hpp"
#include "src/app/ops_http.hpp"
#include "src/app/runtime.hpp"
#include "src/auth/http_auth.hpp"
#include "src/transport/http_guard.hpp"
#include "src/transport/http_server.hpp"

namespace rmcp::app {

metrics_listener::metrics_listener(
  services_ptr svc, const config::server_options& opts,
  std::shared_ptr<storage::kv_store> kv,
  std::shared_ptr<console::console_http> console)
  : svc_(std::move(svc)), opts_(opts), kv_(std::move(kv)),
    console_(std::move(console)) {}

metrics_listener::~metrics_listener() {
  stop();
}

caf::error metrics_listener::start() {
  if (opts_.metrics_listen.empty() || server_)
    return caf::none;
  transport::http_server_settings hs;
  if (auto err = parse_listen(opts_.metrics_listen, hs.address, hs.port,
                              "metrics.listen"))
    return err;
  // Scrapes and probes are small and rare: one I/O thread, small bodies.
  hs.io_threads = 1;
  hs.body_limit = 16 * 1024;
  hs.idle_timeout = opts_.http_idle_timeout;
  auto hosts =
    transport::origin_policy::from_lists(opts_.http_allowed_hosts, "");
  if (hs.address != "0.0.0.0" && hs.address != "::")
    hosts.allow_host(hs.address.find(':') != std::string::npos
                       ? "[" + hs.address + "]"
                       : hs.address);
  if (!console_) {
    console::console_settings cs;
    cs.origins = transport::origin_policy::from_lists(
      opts_.http_allowed_hosts, opts_.http_allowed_origins);
    cs.origins.allow_host(hs.address.find(':') != std::string::npos
                            ? "[" + hs.address + "]"
                            : hs.address);
    cs.role = opts_.http_role;
    if (auth::auth_configured(opts_)) {
      auto bearer = auth::bearer_auth::make(opts_, kv_);
      if (!bearer)
        return make_error(ec::invalid_params,
                          "metrics.listen: " + error_message(bearer.error()));
      cs.auth = [b{*bearer}](std::string_view token) {
        return b->check(token);
      };
    }
    // Without authentication the console is served on loopback only (a
    // scrape address open to the network keeps serving metrics).
    if (cs.auth || hs.address.compare(0, 4, "127.") == 0 || hs.address == "::1")
      console_ = std::make_shared<console::console_http>(svc_, std::move(cs));
  }
  auto svc = svc_;
  auto console = console_;
  auto server = std::make_unique<transport::http_server>(
    hs,
    [svc, hosts, console](transport::http_request&& req,
                          transport::channel_ptr ch) {
      if (console && console->handle(req, ch))
        return;
      if (!console && (req.path == "/ui" || req.path.rfind("/ui/", 0) == 0)) {
        ch->respond_json(
          404, transport::error_body(
                 ec::unsupported,
                 "the web console is not served on this listener: off "
                 "loopback it needs authentication (auth.api_tokens or "
                 "auth.oauth_issuer)"));
        return;
      }
      if (req.path == "/metrics") {
        if (auto why = hosts.check_host(req.host); !why.empty()) {
          log::warn(log::http(), "http-host-refused",
                    {{"peer", req.peer}, {"host", req.host}});
          if (svc->metrics)
            svc->metrics->http_rejected("host");
          ch->respond_json(403, transport::error_body(ec::forbidden, why));
          return;
        }
      }
      if (handle_ops(svc, req, ch))
        return;
      ch->respond_json(404, transport::error_body(
                              ec::invalid_request,
                              "no route for " + req.path
                                + "; this listener (metrics.listen) serves "
                                  "/metrics, /health and the console at "
                                  "/ui/"));
    },
    svc_->metrics);
  if (auto err = server->start())
    return make_error(ec::invalid_params,
                      "metrics.listen: " + error_message(err));
  server_ = std::move(server);
  address_ = hs.address;
  log::info(log::core(), "metrics-listening",
            {{"listen", opts_.metrics_listen}, {"port", server_->port()}});
  return caf::none;
}

uint16_t metrics_listener::port() const {
  return server_ ? server_->port() : 0;
}

void metrics_listener::stop() {
  if (server_) {
    server_->stop();
    server_.reset();
  }
}

} // namespace rmcp::app
