#include "sim/fleet.hpp"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "sim/control.hpp"
#include "sim/schema.hpp"
#include "sim/seed.hpp"
#include "sim/server.hpp"
#include "sim/ssh_server.hpp"
#include "sim/tls.hpp"

namespace rmcp::sim {

struct fleet::impl {
  fleet_options opts;
  sim_clock clock;
  router_settings settings;
  std::optional<tls_identity> tls;
  std::vector<std::unique_ptr<sim::router>> routers;
  std::unique_ptr<http_server> server;
  std::unique_ptr<ssh_server> ssh;
  std::vector<std::uint16_t> ssh_ports;
  std::uint16_t control_port = 0;

  explicit impl(fleet_options o)
    : opts(std::move(o)), clock(opts.start_time_ms, opts.time_scale) {}
};

namespace {

router_profile profile_for(const fleet_options& opts, std::size_t i) {
  auto p = make_profile(opts.seed, i);
  auto it = opts.overrides.find(i);
  if (it == opts.overrides.end())
    return p;
  auto& o = it->second;
  if (o.board && !apply_board(p, *o.board))
    throw std::invalid_argument("unknown board " + *o.board
                                + " (known: " + board_names() + ")");
  if (o.version) {
    p.version_text = o.version->find(' ') == std::string::npos
                       ? *o.version + " (stable)"
                       : *o.version;
    p.version = ros_version::parse(p.version_text);
  }
  if (o.identity)
    p.identity = *o.identity;
  if (o.capsman) {
    p.capsman = *o.capsman;
    if (p.capsman == capsman_kind::legacy && p.wireless == wireless_kind::wifi)
      throw std::invalid_argument("router " + std::to_string(i)
                                  + ": legacy CAPsMAN needs the wireless "
                                    "package, and "
                                  + p.board + " runs the wifi one");
    if (p.capsman == capsman_kind::wifi && p.wireless == wireless_kind::legacy)
      throw std::invalid_argument("router " + std::to_string(i)
                                  + ": wifi CAPsMAN needs the wifi "
                                    "package, and "
                                  + p.board + " runs legacy wireless");
  }
  if (p.capsman == capsman_kind::wifi && !p.version.at_least(7, 13))
    throw std::invalid_argument("router " + std::to_string(i)
                                + ": wifi CAPsMAN needs RouterOS 7.13 or "
                                  "later, not "
                                + p.version_text);
  return p;
}

} // namespace

fleet::fleet(fleet_options opts)
  : impl_(std::make_unique<impl>(std::move(opts))) {
  auto& d = *impl_;
  menu_tree::get(); // build the schema before any io thread runs
  d.settings.username = d.opts.username;
  d.settings.password = d.opts.password;
  d.settings.session_limit_ms = d.opts.session_limit_ms;
  d.settings.reboot_downtime_s = d.opts.reboot_downtime_s;
  if (d.opts.tls)
    d.tls = make_self_signed();
  d.server =
    std::make_unique<http_server>(d.opts.io_threads, d.tls ? &*d.tls : nullptr);
  if (d.opts.ssh)
    d.ssh = std::make_unique<ssh_server>();
  d.routers.reserve(d.opts.routers);
  for (std::size_t i = 0; i < d.opts.routers; ++i) {
    auto p = profile_for(d.opts, i);
    d.routers.push_back(
      std::make_unique<sim::router>(std::move(p), d.clock, d.settings));
    auto& r = *d.routers.back();
    auto f = d.opts.router_faults.count(i) ? d.opts.router_faults.at(i)
                                           : d.opts.faults;
    if (!(f == fault_config{}))
      r.set_faults(f);
    auto port = d.opts.base_port == 0
                  ? std::uint16_t{0}
                  : static_cast<std::uint16_t>(d.opts.base_port + i);
    auto downtime = d.opts.reboot_downtime_s;
    r.set_port(d.server->listen_router(r, port, [downtime] {
      return std::chrono::milliseconds{downtime * 1000};
    }));
    d.ssh_ports.push_back(d.ssh ? d.ssh->listen_router(r, 0) : 0);
  }
  d.control_port = d.server->listen_control(
    [this](const std::string& method, const std::string& target,
           const std::string& body) {
      return handle_control(*this, method, target, body);
    },
    d.opts.control_port);
  // Scheduler tick: one simulated second, between 10 ms and 1 s of real time.
  auto period = std::clamp<std::int64_t>(
    static_cast<std::int64_t>(1000 * d.opts.time_scale), 10, 1000);
  d.server->every(std::chrono::milliseconds{period},
                  [this] { run_scheduler(); });
  d.server->start();
}

fleet::~fleet() {
  stop();
}

void fleet::stop() {
  if (impl_ && impl_->ssh)
    impl_->ssh->stop();
  if (impl_ && impl_->server)
    impl_->server->stop();
}

std::uint16_t fleet::ssh_port(std::size_t i) const {
  return impl_->ssh_ports.at(i);
}

const std::string& fleet::ssh_host_key_sha256() const {
  static const std::string none;
  return impl_->ssh ? impl_->ssh->host_key_sha256() : none;
}

std::size_t fleet::size() const {
  return impl_->routers.size();
}

std::vector<router_info> fleet::routers() const {
  std::vector<router_info> out;
  for (auto& r : impl_->routers) {
    auto& p = r->profile();
    out.push_back(router_info{p.index, r->port(), ssh_port(p.index), p.identity,
                              p.board, p.version_text});
  }
  return out;
}

std::uint16_t fleet::port(std::size_t i) const {
  return impl_->routers.at(i)->port();
}

std::uint16_t fleet::control_port() const {
  return impl_->control_port;
}

bool fleet::tls() const {
  return impl_->tls.has_value();
}

const std::string& fleet::fingerprint_sha256() const {
  static const std::string none;
  return impl_->tls ? impl_->tls->fingerprint_sha256 : none;
}

const std::string& fleet::certificate_pem() const {
  static const std::string none;
  return impl_->tls ? impl_->tls->certificate_pem : none;
}

const std::string& fleet::username() const {
  return impl_->opts.username;
}

sim::router& fleet::router(std::size_t i) {
  return *impl_->routers.at(i);
}

const sim_clock& fleet::clock() const {
  return impl_->clock;
}

void fleet::advance_clock(std::chrono::milliseconds d) {
  impl_->clock.advance(d);
  run_scheduler();
}

void fleet::run_scheduler() {
  for (auto& r : impl_->routers)
    r->run_scheduler();
}

std::string fleet::startup_json() const {
  nlohmann::json routers = nlohmann::json::array();
  for (auto& r : this->routers())
    routers.push_back({{"index", r.index},
                       {"port", r.port},
                       {"ssh_port", r.ssh_port},
                       {"identity", r.identity},
                       {"board", r.board},
                       {"version", r.version}});
  nlohmann::json j{
    {"routers", routers},
    {"control_port", control_port()},
    {"tls", tls()},
    {"fingerprint_sha256",
     tls() ? nlohmann::json(fingerprint_sha256()) : nlohmann::json(nullptr)},
    {"ssh_host_key_sha256", ssh_host_key_sha256().empty()
                              ? nlohmann::json(nullptr)
                              : nlohmann::json(ssh_host_key_sha256())},
    {"username", username()}};
  return j.dump();
}

} // namespace rmcp::sim
