#include "src/console/console_events.hpp"

#include <chrono>
#include <map>
#include <set>

#include <caf/typed_event_based_actor.hpp>

#include "actors/notifier.hpp"
#include "protocol/authz.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "src/console/console_api.hpp"
#include "src/tools/device_report.hpp"

namespace rmcp::console {

namespace {

constexpr auto read_timeout = std::chrono::seconds{10};

/// How often the stream compares the plan list with what it sent.
constexpr auto poll_period = std::chrono::seconds{2};

bool moving(plan_state s) {
  return s == plan_state::approved || s == plan_state::executing
         || s == plan_state::rolling_back;
}

std::string version_of(const plan_record& p) {
  return to_string(p.state) + " " + std::to_string(p.journal_seq) + " "
         + std::to_string(p.updated_at);
}

int64_t unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

struct stream_state {
  static inline const char* name = "rmcp.console-events";

  mcp_session_actor::pointer self = nullptr;
  services_ptr svc;
  identity who;
  transport::channel_ptr ch;
  std::shared_ptr<std::atomic<size_t>> open;
  /// Devices in the caller's scope, by id (refreshed on an unknown id).
  std::map<std::string, device_record> devices;
  /// Plans being re-read, and those to read again once that ends.
  std::set<std::string> reading;
  std::set<std::string> dirty;
  /// What the client last got of each plan (state, journal position,
  /// update time): an unchanged plan is not sent again.
  std::map<std::string, std::string> sent;
  /// When the stream opened (Unix ms): plans changed since are followed.
  int64_t opened_ms = unix_ms();

  ~stream_state() {
    if (open)
      --*open;
    if (ch)
      ch->close();
  }

  bool visible(const std::string& device_id) const {
    auto i = devices.find(device_id);
    return i != devices.end();
  }

  void load_devices() {
    self->request(svc->fleet, read_timeout, atom::get_v, atom::devices_v)
      .then(
        [this](std::vector<device_view>& views) {
          devices.clear();
          for (auto& v : views)
            if (authz::in_scope(who.scope, authz::facts_of(v.record)))
              devices.emplace(v.record.id, v.record);
        },
        [](caf::error&) {});
  }

  bool plan_visible(const plan_record& p) const {
    if (who.scope.everything())
      return true;
    for (auto& d : p.devices)
      if (!visible(d.id))
        return false;
    return true;
  }

  void on_health(const health_sample& s) {
    if (!who.scope.everything() && !visible(s.device_id))
      return;
    ch->event("health", dump_json(tools::health_json(s)));
  }

  void on_rollout_log(const std::string& text) {
    auto id = plan_id_of_log(text);
    if (id.empty() || !svc->plans)
      return;
    if (reading.count(id)) {
      dirty.insert(id);
      return;
    }
    reading.insert(id);
    auto finish = [this, id] {
      reading.erase(id);
      if (dirty.erase(id))
        on_rollout_log("plan_id=" + id);
    };
    self->request(svc->plans, read_timeout, atom::get_v, atom::plan_v, id)
      .then([this, finish](plan_record& p) { send_plan(std::move(p), finish); },
            [finish](caf::error&) { finish(); });
  }

  void send_plan(plan_record p, std::function<void()> finish) {
    if (!plan_visible(p))
      return finish();
    auto version = version_of(p);
    if (sent[p.id] == version)
      return finish();
    sent[p.id] = version;
    auto id = p.id;
    self->request(svc->plans, read_timeout, atom::get_v, atom::journal_v, id)
      .then(
        [this, p, finish](std::vector<plan_step>& steps) {
          json journal = json::array();
          for (auto& s : steps)
            journal.push_back(to_json(s));
          ch->event("plan", dump_json(json{{"plan", plan_json(p)},
                                           {"journal", std::move(journal)}}));
          finish();
        },
        [finish](caf::error&) { finish(); });
  }

  /// The poll: the rollout's log records carry every step at once when
  /// the daemon logs at info; comparing the plan list with what was sent
  /// keeps the view moving at any log level (and after a missed record),
  /// at most `poll_period` late.
  void poll() {
    self->request(svc->plans, read_timeout, atom::get_v, atom::plans_v)
      .then(
        [this](std::vector<plan_record>& plans) {
          for (auto& p : plans)
            if ((moving(p.state) || p.updated_at >= opened_ms)
                && sent[p.id] != version_of(p) && plan_visible(p))
              on_rollout_log("plan_id=" + p.id);
        },
        [](caf::error&) {});
    self->delayed_send(self, poll_period, atom::deadline_v);
  }

  void stop() {
    if (svc->notifier)
      self->send(svc->notifier, atom::leave_v, mcp_session_actor{self});
    if (svc->fleet)
      self->send(svc->fleet, atom::unsubscribe_v,
                 caf::actor_cast<health_listener_actor>(self));
    self->quit();
  }
};

mcp_session_actor::behavior_type
event_stream(mcp_session_actor::stateful_pointer<stream_state> self,
             services_ptr svc, identity who, transport::channel_ptr ch,
             std::shared_ptr<std::atomic<size_t>> open) {
  auto& st = self->state;
  st.self = self;
  st.svc = std::move(svc);
  st.who = std::move(who);
  st.ch = std::move(ch);
  st.open = std::move(open);
  // The service stopping ends the stream (its actors must all finish).
  self->set_down_handler([self](const caf::down_msg&) { self->state.stop(); });
  if (st.svc->fleet) {
    self->monitor(st.svc->fleet);
    st.load_devices();
    self->send(st.svc->fleet, atom::subscribe_v,
               caf::actor_cast<health_listener_actor>(self));
  }
  if (st.svc->notifier) {
    self->monitor(st.svc->notifier);
    mcp_session_actor me{self};
    self->send(st.svc->notifier, atom::join_v, me);
    self->send(st.svc->notifier, atom::level_v, me,
               mcp_rank_of(spdlog::level::info));
  }
  if (st.svc->plans)
    self->delayed_send(self, poll_period, atom::deadline_v);
  return {
    [](atom::rpc_in, const std::string&) {},
    [self](atom::eof) { self->state.stop(); },
    [self](atom::shutdown) { self->state.stop(); },
    [self](atom::deadline) { self->state.poll(); },
    [self](atom::log, const std::string&, const std::string& logger,
           const std::string& text) {
      if (logger == "rollout")
        self->state.on_rollout_log(text);
    },
    [](atom::progress, const std::string&, const json&, double, const json&,
       const std::string&) {},
    [self](atom::health, const health_sample& s) { self->state.on_health(s); },
    // A device's configuration or drift changed: the device view reads
    // them when it is opened, so the stream has nothing to push.
    [](atom::update, const std::string&) {},
  };
}

} // namespace

std::string plan_id_of_log(const std::string& text) {
  constexpr std::string_view key = "plan_id=";
  auto at = text.find(key);
  if (at == std::string::npos || (at > 0 && text[at - 1] != ' '))
    return {};
  at += key.size();
  auto end = text.find(' ', at);
  auto id = text.substr(at, end == std::string::npos ? end : end - at);
  if (id.empty() || id.size() > 128
      || id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.")
           != std::string::npos)
    return {};
  return id;
}

void open_event_stream(services_ptr svc, identity who,
                       transport::channel_ptr ch,
                       std::shared_ptr<std::atomic<size_t>> open, size_t max) {
  if (++*open > max) {
    --*open;
    respond_error(ch, 503, ec::unsupported,
                  "too many console event streams are open (at most "
                    + std::to_string(max) + "); close another tab");
    return;
  }
  auto stream =
    svc->system->spawn(event_stream, svc, std::move(who), ch, std::move(open));
  ch->open_stream([stream] { caf::anon_send(stream, atom::eof_v); });
  ch->event("ready", "{}");
}

} // namespace rmcp::console
