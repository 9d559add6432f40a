#include "src/app/metrics_http.hpp"

#include "actors/metrics.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/net_text.hpp"
#include "src/app/ops_http.hpp"
#include "src/app/runtime.hpp"
#include "src/transport/http_guard.hpp"
#include "src/transport/http_server.hpp"

namespace rmcp::app {

metrics_listener::metrics_listener(services_ptr svc,
                                   const config::server_options& opts)
  : svc_(std::move(svc)), opts_(opts) {}

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
  auto svc = svc_;
  auto server = std::make_unique<transport::http_server>(
    hs,
    [svc, hosts](transport::http_request&& req, transport::channel_ptr ch) {
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
                                  "/metrics and /health only"));
    },
    svc_->metrics);
  if (auto err = server->start())
    return make_error(ec::invalid_params,
                      "metrics.listen: " + error_message(err));
  server_ = std::move(server);
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
