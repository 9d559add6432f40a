#include "src/app/runtime.hpp"

#include <signal.h>
#include <unistd.h>

#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/notifier.hpp"
#include "protocol/caf_setup.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/type_ids.hpp"
#include "protocol/version.hpp"
#include "src/tools/tools.hpp"
#include "src/transport/stdio_transport.hpp"

namespace rmcp::app {

void configure(caf::actor_system_config& cfg,
               const config::server_options& opts) {
  add_rmcp_types(cfg);
  auto threads = opts.worker_threads;
  if (threads <= 0)
    threads = std::max<int64_t>(2, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", static_cast<size_t>(threads));
  cfg.set("logger.verbosity", caf::atom("quiet"));
}

caf::expected<std::shared_ptr<const tool_registry>> build_tools() {
  auto reg = std::make_shared<tool_registry>();
  if (auto err = tools::register_all_tools(*reg))
    return err;
  reg->freeze();
  return std::shared_ptr<const tool_registry>{std::move(reg)};
}

std::string instructions_text() {
  return "routeros-mcp manages a fleet of MikroTik RouterOS v7 routers. "
         "Every router tool takes a device_id: call list_devices first to "
         "learn the ids, environments and capabilities. Read tools are safe. "
         "Single-device write tools accept dry_run=true to preview the "
         "change; use it first. Multi-device and risky changes go through "
         "plan_* tools, which return a plan id that a human must approve out "
         "of band before an apply tool can run it. Errors name the argument "
         "or the router condition to fix; retry only errors marked "
         "retryable.";
}

session_settings make_session_settings(const config::server_options& opts) {
  session_settings s;
  s.tool_timeout = opts.tool_timeout;
  s.drain_timeout = opts.drain_timeout;
  s.page_size = static_cast<size_t>(opts.tools_page_size);
  s.max_message_bytes = static_cast<size_t>(opts.max_message_bytes);
  s.instructions = instructions_text();
  return s;
}

namespace {

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

/// Forwards log records to the notifier (which fans them out to sessions).
void install_log_forwarder(notifier_actor notifier) {
  log::set_forwarder([notifier](spdlog::level::level_enum level,
                                const std::string& logger,
                                const std::string& text) {
    // Transport chatter is not for clients (and must never loop back).
    if (logger == "mcp" || logger == "http")
      return;
    caf::anon_send(notifier, atom::log_v, mcp_rank_of(level), logger, text);
  });
}

} // namespace

void block_shutdown_signals() {
  auto set = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int take_shutdown_signal() {
  auto set = shutdown_signals();
  timespec zero{0, 0};
  siginfo_t info;
  auto sig = sigtimedwait(&set, &info, &zero);
  return sig > 0 ? sig : 0;
}

int serve_stdio(const config::server_options& opts) {
  auto tools = build_tools();
  if (!tools) {
    log::core()->critical("tool-catalog-invalid error={}",
                          error_message(tools.error()));
    return 1;
  }
  caf::actor_system_config cfg;
  configure(cfg, opts);
  caf::actor_system sys{cfg};
  auto svc = std::make_shared<services>();
  svc->system = &sys;
  svc->environment = opts.environment;
  svc->transports = "stdio";
  svc->tools = *tools;
  svc->notifier = spawn_notifier(sys);
  install_log_forwarder(svc->notifier);
  session_context ctx{*tools, svc, make_session_settings(opts),
                      identity{"local-operator", opts.stdio_role, "stdio"}};
  auto writer = transport::spawn_stdio_writer(sys, STDOUT_FILENO);
  auto session = sys.spawn(mcp_session, caf::actor_cast<mcp_sink_actor>(writer),
                           std::move(ctx));
  auto reader = transport::spawn_stdio_reader(
    sys, STDIN_FILENO, session, static_cast<size_t>(opts.max_message_bytes));
  log::core()->info("serve-started transport=stdio version={} environment={} "
                    "tools={}",
                    rmcp::version, opts.environment, (*tools)->all().size());
  {
    caf::scoped_actor self{sys};
    self->monitor(session);
    bool done = false;
    int signals = 0;
    while (!done) {
      self->receive([&](caf::down_msg&) { done = true; },
                    caf::after(std::chrono::milliseconds{100}) >> [&] {
                      auto sig = take_shutdown_signal();
                      if (sig == 0)
                        return;
                      if (++signals > 1) {
                        log::core()->warn("shutdown-forced signal={}", sig);
                        std::_Exit(1);
                      }
                      log::core()->info("shutdown-requested signal={}", sig);
                      self->send(reader, atom::shutdown_v);
                      self->send(session, atom::shutdown_v);
                    });
    }
    self->send(reader, atom::shutdown_v);
    self->send(writer, atom::shutdown_v);
  }
  log::set_forwarder({});
  caf::anon_send_exit(svc->notifier, caf::exit_reason::user_shutdown);
  log::core()->info("serve-stopped transport=stdio");
  return 0;
}

} // namespace rmcp::app
