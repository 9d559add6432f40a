#include "src/app/runtime.hpp"

#include <signal.h>

#include <thread>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/config_snapshots.hpp"
#include "actors/metrics.hpp"
#include "actors/notifier.hpp"
#include "actors/plan_actor.hpp"
#include "actors/quiet_clock.hpp"
#include "actors/rollout.hpp"
#include "actors/static_membership.hpp"
#include "actors/store_actor.hpp"
#include "protocol/caf_setup.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/version.hpp"
#include "src/app/cluster_mesh.hpp"
#include "src/app/cluster_setup.hpp"
#include "src/app/cluster_tls.hpp"
#include "src/app/cluster_tls_transport.hpp"
#include "src/app/store_setup.hpp"
#include "src/prompts/prompts.hpp"
#include "src/resources/resources.hpp"
#include "src/routeros/beast_client.hpp"
#include "src/routeros/ssh_client.hpp"
#include "src/tools/change_kinds.hpp"
#include "src/tools/tools.hpp"
#include "src/tools/toolsets.hpp"

namespace rmcp::app {

void configure(caf::actor_system_config& cfg,
               const config::server_options& opts) {
  add_rmcp_types(cfg);
  // One per core but one, which the REST I/O thread and the store's
  // thread share: on 2 cores one worker and the I/O thread hand a call to
  // each other with about one thread wake-up per call instead of two, as
  // idle workers no longer steal and sleep in turn (docs/benchmarks.md,
  // "One actor worker on two cores").
  auto threads = opts.worker_threads;
  if (threads <= 0)
    threads =
      std::max<int64_t>(1, int64_t{std::thread::hardware_concurrency()} - 1);
  cfg.set("scheduler.max-threads", static_cast<size_t>(threads));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  // An idle worker polls its queue a few hundred times and then waits on
  // its condition variable, which a message from another thread (stdin,
  // HTTP, REST answers) signals. CAF's default sleeps 50 µs between those
  // polls instead, and most hops of a tools/call cross threads: bench/run
  // measured about 17 % lower latency at concurrency 1 without the sleeps
  // and the same throughput at 64 (docs/benchmarks.md).
  cfg.set("work-stealing.moderate-sleep-duration", caf::timespan{0});
  // No wake of CAF's timer thread when an actor that set no timeout ends
  // (a tool call's actor, once per call): actors/quiet_clock.hpp.
  use_quiet_clock(cfg);
  configure_cluster(cfg, opts);
}

namespace {

/// Threads of the SSH clients: bounded, since each runs one blocking libssh
/// conversation at a time (each bounded by its request's deadline); REST,
/// on its own I/O threads, is never held up by SSH.
constexpr size_t ssh_worker_threads = 4;

} // namespace

namespace {

/// Fills a fresh registry with `fill`, then freezes it.
template <class Registry>
caf::expected<std::shared_ptr<const Registry>>
build_frozen(caf::error (*fill)(Registry&)) {
  auto reg = std::make_shared<Registry>();
  if (auto err = fill(*reg))
    return err;
  reg->freeze();
  return std::shared_ptr<const Registry>{std::move(reg)};
}

} // namespace

caf::expected<std::shared_ptr<const tool_registry>>
build_tools(const std::string& toolsets) {
  auto offered = tools::select_toolsets(toolsets);
  if (!offered)
    return offered.error();
  auto reg = std::make_shared<tool_registry>();
  if (auto err = tools::register_all_tools(*reg))
    return err;
  if (auto err = reg->set_toolsets(tools::toolset_table(), *offered))
    return err;
  reg->freeze();
  return std::shared_ptr<const tool_registry>{std::move(reg)};
}

caf::expected<std::shared_ptr<const resource_registry>> build_resources() {
  return build_frozen<resource_registry>(resources::register_all);
}

caf::expected<std::shared_ptr<const prompt_registry>> build_prompts() {
  return build_frozen<prompt_registry>(prompts::register_all);
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
  auto s = opts.session;
  s.instructions = instructions_text();
  return s;
}

fleet_settings make_fleet_settings(const config::server_options& opts) {
  auto f = opts.fleet;
  f.environment = opts.environment;
  f.cluster.node_id = opts.cluster_node_id;
  return f;
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

// -- runtime --------------------------------------------------------------------

runtime::runtime(config::server_options opts) : opts_(std::move(opts)) {
  configure(cfg_, opts_);
  sys_ = std::make_unique<caf::actor_system>(cfg_);
}

runtime::~runtime() {
  stop();
}

caf::error runtime::start(std::string transports) {
  if (auto err = check_cluster_options(opts_))
    return err;
  auto tools = build_tools(opts_.toolsets);
  if (!tools)
    return tools.error();
  auto resources = build_resources();
  if (!resources)
    return resources.error();
  resources_ = std::move(*resources);
  auto prompts = build_prompts();
  if (!prompts)
    return prompts.error();
  prompts_ = std::move(*prompts);
  // The membership's live lease, created before the store: the shared
  // store compares it for a plan step's rollout claim.
  if (shared_store_mode(opts_))
    lease_ = std::make_shared<std::atomic<int64_t>>(0);
  auto db = open_store(opts_, lease_);
  if (!db)
    return db.error();
  kv_ = (*db)->kv();
  // Without an approval key (staging/prod need one configured) the service
  // runs without plans: plan tools answer unsupported, naming the cause.
  auto plan_db = open_plan_store(opts_, (*db)->kv());
  if (!plan_db)
    log::warn(log::rollout(), "plans-disabled",
              {{"reason", error_message(plan_db.error())}});
  io_ = std::make_shared<routeros::io_runtime>(
    static_cast<size_t>(opts_.device_io_threads));
  ssh_ = std::make_shared<routeros::ssh_workers>(ssh_worker_threads);
  rest_factory_ = routeros::make_transport_factory(
    routeros::make_rest_client_factory(io_,
                                       std::string{"routeros-mcp/"} + version),
    ssh_, opts_.device_rest_retry_after);
  auto svc = std::make_shared<services>();
  svc->system = sys_.get();
  svc->environment = opts_.environment;
  svc->transports = std::move(transports);
  svc->tools = *tools;
  svc->metrics = std::make_shared<metrics>();
  svc->audit_read_flush_interval = opts_.audit_read_flush_interval;
  svc->audit_read_batch = static_cast<size_t>(opts_.audit_read_batch);
  svc->notifier = spawn_notifier(*sys_);
  // Detached: an LMDB commit waits for the disk, never on a worker thread.
  store_audit_settings audit;
  audit.read_flush_interval = opts_.audit_read_flush_interval;
  audit.read_batch = static_cast<size_t>(opts_.audit_read_batch);
  audit.metrics = svc->metrics;
  svc->store = spawn_store_actor(*sys_, std::move(*db), true, audit);
  auto fleet_cfg = make_fleet_settings(opts_);
  if (cluster_mode(opts_)) {
    // The connections to the other members, shown in /health; with
    // cluster TLS made by our TLS middleman actor (mutual TLS, the cluster
    // CA; src/app/cluster_tls_transport.hpp).
    auto links = std::make_shared<cluster_links>(cluster_tls(opts_));
    fleet_cfg.cluster.links = links;
    svc->links = links;
    if (cluster_tls(opts_)) {
      tls_middleman_ = spawn_cluster_tls_middleman(*sys_);
      fleet_cfg.cluster.connector = tls_middleman_;
    }
  }
  svc->fleet = spawn_fleet(*sys_, svc->store, rest_factory_,
                           std::move(fleet_cfg), svc->metrics);
  if (cluster_mode(opts_)) {
    auto port = publish_fleet(*sys_, svc->fleet, opts_, tls_middleman_);
    if (!port) {
      caf::anon_send_exit(svc->fleet, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(svc->store, caf::exit_reason::user_shutdown);
      if (tls_middleman_)
        caf::anon_send_exit(tls_middleman_, caf::exit_reason::kill);
      return port.error();
    }
    // Port 0 lets the kernel pick: the membership key must advertise the
    // port bound, not the one asked for.
    auto colon = opts_.cluster_listen.rfind(':');
    opts_.cluster_listen =
      opts_.cluster_listen.substr(0, colon + 1) + std::to_string(*port);
    log::info(log::fleet(), "cluster-listening",
              {{"node", opts_.cluster_node_id}, {"port", *port}});
    // check_cluster_options proved that static members parse.
    if (!opts_.cluster_members.empty())
      membership_ = spawn_static_membership(
        *sys_, svc->fleet, svc->store, *parse_members(opts_.cluster_members),
        opts_.cluster_node_id, opts_.fleet.poll_interval);
  }
  // Ends with the fleet; none when snapshots.interval is 0.
  snapshot_deps snaps;
  snaps.fleet = svc->fleet;
  snaps.store = svc->store;
  snaps.notifier = svc->notifier;
  snaps.metrics = svc->metrics;
  snaps.settings.interval = opts_.snapshots_interval;
  spawn_config_snapshots(*sys_, std::move(snaps));
  svc->rollout = opts_.rollout;
  if (plan_db) {
    // Detached for the same reason as the store actor (same environment).
    // Its approvals and rejections are audited through the store actor.
    svc->plans = spawn_plan_actor(*sys_, std::move(*plan_db), true, svc->store);
    rollout_deps deps;
    deps.plans = svc->plans;
    deps.fleet = svc->fleet;
    deps.kinds = tools::find_change_kind;
    deps.settings = svc->rollout;
    deps.metrics = svc->metrics;
    // A shared store: plans are coordinated under a claim in etcd, and
    // those of a lost node are taken over (docs/cluster.md).
    if (shared_store_mode(opts_)) {
      auto claims = spawn_claims(*sys_, opts_, lease_);
      if (!claims) {
        caf::anon_send_exit(svc->plans, caf::exit_reason::user_shutdown);
        caf::anon_send_exit(svc->fleet, caf::exit_reason::user_shutdown);
        caf::anon_send_exit(svc->store, caf::exit_reason::user_shutdown);
        return claims.error();
      }
      claims_ = *claims;
      deps.claims = claims_;
    }
    svc->rollouts = spawn_rollout_manager(*sys_, std::move(deps));
    // Plans a crash or kill left executing or rolling back: resumed or
    // rolled back now (rollout.on_restart), before any session starts.
    caf::anon_send(svc->rollouts, atom::recover_v);
  }
  install_log_forwarder(svc->notifier);
  svc_ = svc;
  // After svc_ is set: a refused cluster configuration still stops the
  // actors started above. Members from etcd: the membership actor tells
  // the fleet which devices this node owns, and the sessions (through
  // svc->membership, set before the first session starts) whether this
  // node may take writes.
  if (!cluster_mode(opts_) || !opts_.cluster_members.empty())
    return caf::none;
  if (auto err = start_cluster(
        *sys_, opts_, svc->store,
        caf::actor_cast<cluster_listener_actor>(svc->fleet), lease_))
    return err;
  svc->membership = cluster_of(*sys_);
  return caf::none;
}

session_context runtime::session_for(identity who) const {
  return session_context{
    svc_->tools,    svc_,       make_session_settings(opts_),
    std::move(who), resources_, prompts_};
}

void runtime::wait(const std::function<bool()>& done,
                   const std::function<void(int)>& on_signal) {
  caf::scoped_actor self{*sys_};
  int signals = 0;
  while (!done()) {
    self->receive(caf::after(std::chrono::milliseconds{100}) >> [] {});
    auto sig = take_shutdown_signal();
    if (sig == 0)
      continue;
    if (++signals > 1) {
      log::warn(log::core(), "shutdown-forced", {{"signal", sig}});
      std::_Exit(1);
    }
    log::info(log::core(), "shutdown-requested", {{"signal", sig}});
    on_signal(sig);
  }
}

void runtime::stop() {
  if (stopped_ || !svc_)
    return;
  stopped_ = true;
  log::set_forwarder({});
  // Rollouts stop where they are; their plans stay executing in the journal
  // and are taken over at the next start, or (shared store) by another
  // node once the lease below is revoked: so they stop first.
  if (svc_->rollouts)
    caf::anon_send_exit(svc_->rollouts, caf::exit_reason::user_shutdown);
  // Then the cluster, so the others take over this node's devices at once.
  stop_cluster(*sys_);
  if (claims_)
    caf::anon_send_exit(claims_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(svc_->notifier, caf::exit_reason::user_shutdown);
  if (svc_->plans)
    caf::anon_send_exit(svc_->plans, caf::exit_reason::user_shutdown);
  if (membership_)
    caf::anon_send_exit(membership_, caf::exit_reason::user_shutdown);
  // The fleet stops its device actors; the store goes last.
  caf::anon_send_exit(svc_->fleet, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(svc_->store, caf::exit_reason::user_shutdown);
  // A detached actor: the actor system waits for its thread.
  if (tls_middleman_)
    caf::anon_send_exit(tls_middleman_, caf::exit_reason::kill);
}

} // namespace rmcp::app
