#include <unistd.h>

#include <atomic>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/version.hpp"
#include "src/app/identities.hpp"
#include "src/app/login_link.hpp"
#include "src/app/metrics_http.hpp"
#include "src/app/runtime.hpp"
#include "src/app/service_notify.hpp"
#include "src/routeros/beast_client.hpp"
#include "src/transport/stdio_transport.hpp"

namespace rmcp::app {

int serve_stdio(const config::server_options& opts,
                const serve_extras& extras) {
  runtime rt{opts};
  if (auto err = rt.start("stdio")) {
    log::critical(log::core(), "start-failed", {{"error", error_message(err)}});
    return 1;
  }
  metrics_listener metrics{rt.svc(), opts, rt.kv()};
  auto err = metrics.start();
  if (!err && !extras.login_as.empty())
    err =
      print_login_link(metrics.running() ? metrics.console().get() : nullptr,
                       metrics.address(), metrics.port(), false, extras);
  if (err) {
    log::critical(log::core(), "start-failed", {{"error", error_message(err)}});
    rt.stop();
    return error_code_of(err) == ec::invalid_params ? 2 : 1;
  }
  auto& sys = rt.system();
  auto writer = transport::spawn_stdio_writer(sys, STDOUT_FILENO);
  auto session = sys.spawn(mcp_session, caf::actor_cast<mcp_sink_actor>(writer),
                           rt.session_for(stdio_identity(opts)));
  auto reader = transport::spawn_stdio_reader(sys, STDIN_FILENO, session,
                                              opts.session.max_message_bytes,
                                              &rt.io().context());
  log::info(log::core(), "serve-started",
            {{"transport", "stdio"},
             {"version", rmcp::version},
             {"environment", opts.environment},
             {"tools", rt.svc()->tools->all().size()}});
  service_notifier systemd{sys};
  systemd.ready("serving MCP over stdio");
  // The session ends on EOF (after draining) or after a signal.
  auto ended = std::make_shared<std::atomic<bool>>(false);
  auto watcher = sys.spawn([session, ended](caf::event_based_actor* self) {
    self->monitor(session);
    self->set_down_handler([self, ended](caf::down_msg&) {
      *ended = true;
      self->quit();
    });
    return caf::behavior{[](int32_t) {}};
  });
  rt.wait([&] { return ended->load(); },
          [&](int) {
            systemd.stopping();
            caf::anon_send(reader, atom::shutdown_v);
            caf::anon_send(session, atom::shutdown_v);
          });
  systemd.stopping();
  caf::anon_send(reader, atom::shutdown_v);
  caf::anon_send(writer, atom::shutdown_v);
  metrics.stop();
  rt.stop();
  log::info(log::core(), "serve-stopped", {{"transport", "stdio"}});
  return 0;
}

} // namespace rmcp::app
