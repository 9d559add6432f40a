// routeros-crash-loop: SIGKILL of the daemon at random points, repeated.
//
//   routeros-crash-loop --binary build/routeros-mcp [--iterations 50]
//                       [--seed 1] [--kill-min-ms 50] [--kill-max-ms 1500]
//                       [--markdown]
//
// Starts 8 simulated routers (HTTPS, pinned certificate) in this process
// and registers them in a store on disk. Each iteration starts the daemon
// over stdio on that store and runs, at once, single-device writes on
// routers 0-3 (set_system_identity, one call in flight per router, a new
// name each time) and a DNS rollout on routers 4-7 (plan, approval by the
// CLI, apply; one device per batch, no pause), then kills the daemon with
// SIGKILL at a random moment. The next start must leave everything in a
// known state:
//   - the store opens (the daemon answers initialize);
//   - every plan reaches a state that is not executing or rolling_back;
//   - `routeros-mcp audit verify` passes;
//   - every write answered as applied has its audit record (same seq, tool,
//     device, name) and its effect: the router holds that name or one sent
//     after it;
//   - no router holds a change the journal does not know about: each
//     router's identity is one the audit trail names (or its original one),
//     and the trail names at least as many of the iteration's identities as
//     the simulator's request log shows writes that reached the router; a
//     router of the rollout that received a DNS write has a journaled
//     device-applying or device-rolling-back step of the iteration's plan,
//     and its DNS servers are what the plan's end state says (completed:
//     the intended ones; rolled back, or never started: the ones before).
// Restarts alternate between rollout.on_restart rollback and resume.
// Exits 1 on the first violation, printing it; prints the figures (a
// Markdown table with --markdown). Not a test: scripts/crash-loop runs it.

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/mcp/crash_daemon.hpp"
#include "bench/mcp/daemons.hpp"
#include "protocol/json.hpp"
#include "sim/fleet.hpp"
#include "tests/support/child_process.hpp"

namespace {

using namespace rmcp;
using clock_type = std::chrono::steady_clock;
using bench::run_cli;
using bench::settings;
using bench::stdio_daemon;
using bench::violation;
using std::chrono::milliseconds;

constexpr size_t routers = 8;
constexpr size_t writers = 4; // routers 0-3: identity writes
const std::vector<size_t> rollout_devices{4, 5, 6, 7};

// -- one iteration's workload ---------------------------------------------------

/// What the client saw before the kill.
struct iteration {
  int n = 0;
  /// Names sent per writer router, in order.
  std::map<size_t, std::vector<std::string>> sent;
  /// Names answered as applied, with their audit seq.
  std::map<size_t, std::vector<std::pair<std::string, uint64_t>>> applied;
  size_t writes_in_flight = 0;
  std::string plan_id;
  json dns_before; // per rollout router, the servers before the plan
  json dns_intended;
  std::string phase = "writes only";
  /// Unix milliseconds of the kill.
  int64_t kill_ms = 0;
  /// Request-log lengths at the start, per router.
  std::vector<size_t> log_start;
};

std::string name_of(int n, size_t router, int k) {
  return "cl-" + std::to_string(n) + "-" + std::to_string(router) + "-"
         + std::to_string(k);
}

std::string dns_of(sim::fleet& f, size_t i) {
  auto r = f.router(i).request("GET", "/rest/ip/dns");
  return parse_json(r.body).value_or(json::object()).value("servers", "");
}

std::string identity_of(sim::fleet& f, size_t i) {
  auto r = f.router(i).request("GET", "/rest/system/identity");
  return parse_json(r.body).value_or(json::object()).value("name", "");
}

/// Runs the workload until `kill_at`, then kills the daemon; with
/// `in_rollout`, `in_rollout` after the apply call went out instead.
void run_workload(const settings& s, stdio_daemon& d, sim::fleet& f,
                  iteration& it, clock_type::time_point kill_at,
                  std::optional<milliseconds> in_rollout) {
  std::map<int64_t, std::pair<size_t, std::string>> writes; // id → router
  std::map<size_t, int> next_k;
  auto send_write = [&](size_t r) {
    auto name = name_of(it.n, r, next_k[r]++);
    it.sent[r].push_back(name);
    writes[d.send("set_system_identity", {{"device_id", bench::device_id(r)},
                                          {"identity", name}})] = {r, name};
  };
  for (size_t r = 0; r < writers; ++r)
    send_write(r);

  json servers = {"192.0.2." + std::to_string(it.n % 250 + 1), "198.51.100.53"};
  it.dns_intended = servers;
  json ids = json::array();
  for (auto r : rollout_devices) {
    ids.push_back(bench::device_id(r));
    it.dns_before[bench::device_id(r)] = dns_of(f, r);
  }
  int64_t plan_call =
    d.send("config_plan_dns_ntp_rollout", {{"device_ids", ids},
                                           {"dns_servers", servers},
                                           {"batch_size", 1},
                                           {"pause_seconds", 0},
                                           {"description", "crash loop"}});
  int64_t apply_call = -1;
  it.phase = "plan creation";
  while (clock_type::now() < kill_at) {
    auto left =
      std::chrono::duration_cast<milliseconds>(kill_at - clock_type::now());
    auto a = d.next(std::max(milliseconds{1}, left));
    if (!a)
      continue;
    auto& [id, msg] = *a;
    auto result = msg.value("result", json::object());
    bool ok = !msg.contains("error") && !result.value("isError", false);
    if (auto w = writes.find(id); w != writes.end()) {
      auto [r, name] = w->second;
      writes.erase(w);
      if (ok
          && result.value("structuredContent", json::object())
               .value("changed", false))
        it.applied[r].emplace_back(
          name, result.value("structuredContent", json::object())
                  .value("audit_seq", uint64_t{0}));
      send_write(r);
    } else if (id == plan_call) {
      if (!ok)
        throw violation("the rollout plan failed: " + msg.dump());
      it.plan_id =
        result.value("structuredContent", json::object()).value("plan_id", "");
      it.phase = "approval";
      auto approved = run_cli(
        s, {"plan", "approve", it.plan_id, "--as", "crash-approver", "--json"});
      auto token = parse_json(approved.out).value_or(json::object());
      if (approved.code != 0 || !token.contains("approval_token"))
        throw violation("plan approve failed: " + approved.out + approved.err);
      apply_call = d.send(
        "config_apply_dns_ntp_rollout",
        {{"plan_id", it.plan_id}, {"approval_token", token["approval_token"]}});
      it.phase = "rollout running";
      if (in_rollout)
        kill_at = clock_type::now() + *in_rollout;
    } else if (id == apply_call) {
      it.phase = "rollout ended";
    }
  }
  it.writes_in_flight = writes.size();
  it.kill_ms = std::chrono::duration_cast<milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  d.kill();
}

// -- checks after the restart -----------------------------------------------------

struct totals {
  int iterations = 0;
  std::map<std::string, int> kill_phase;
  std::map<std::string, int> plan_end;
  std::map<std::string, int> last_step; // the plan's last step before a kill
  size_t writes_applied = 0;
  size_t writes_in_flight_at_kill = 0;
  size_t records_checked = 0;
  size_t router_writes_seen = 0;
  size_t intents_only = 0; // names in the trail only as started
  double recovery_ms_max = 0;
  size_t audit_records = 0;
};

json plans_of(const settings& s) {
  auto r = run_cli(s, {"plan", "list", "--json"});
  auto j = parse_json(r.out);
  if (r.code != 0 || !j || !j->is_array())
    throw violation("plan list failed: " + r.out + r.err);
  return *j;
}

/// Waits until no plan is executing or rolling back; returns the plans.
json settled_plans(const settings& s, totals& t) {
  auto t0 = clock_type::now();
  while (true) {
    auto plans = plans_of(s);
    bool busy = false;
    for (auto& p : plans) {
      auto st = p.value("state", "");
      busy = busy || st == "executing" || st == "rolling_back";
    }
    auto ms =
      std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    if (!busy) {
      t.recovery_ms_max = std::max(t.recovery_ms_max, ms);
      return plans;
    }
    if (ms > 60'000)
      throw violation("a plan is still executing or rolling back 60 s after "
                      "the restart: "
                      + plans.dump());
    std::this_thread::sleep_for(milliseconds{100});
  }
}

void check(const settings& s, sim::fleet& f, const iteration& it, totals& t,
           const std::map<size_t, std::string>& original) {
  auto plans = settled_plans(s, t);
  static const std::set<std::string> known{
    "pending",   "approved", "completed",   "failed",
    "cancelled", "rejected", "rolled_back", "expired"};
  for (auto& p : plans)
    if (!known.count(p.value("state", "")))
      throw violation("plan " + p.value("id", "") + " in state "
                      + p.value("state", ""));

  auto verified = run_cli(s, {"audit", "verify"});
  if (verified.code != 0)
    throw violation("audit verify failed: " + verified.out + verified.err);

  auto exported = run_cli(s, {"audit", "export"});
  if (exported.code != 0)
    throw violation("audit export failed: " + exported.err);
  std::map<uint64_t, json> by_seq;
  // Per router: names the trail knows, and of which outcome.
  std::map<std::string, std::map<std::string, std::set<std::string>>> names;
  size_t pos = 0;
  while (pos < exported.out.size()) {
    auto end = exported.out.find('\n', pos);
    if (end == std::string::npos)
      end = exported.out.size();
    if (auto rec = parse_json(exported.out.substr(pos, end - pos))) {
      by_seq[rec->value("seq", uint64_t{0})] = *rec;
      if (rec->value("kind", "") == "change"
          && rec->value("tool", "") == "set_system_identity")
        names[rec->value("device_id", "")]
             [(*rec)["arguments"].value("identity", "")]
               .insert(rec->value("outcome", ""));
    }
    pos = end + 1;
  }
  t.audit_records = by_seq.size();

  for (size_t r = 0; r < writers; ++r) {
    auto dev = bench::device_id(r);
    // Every write answered as applied: its record, and its effect.
    const std::vector<std::pair<std::string, uint64_t>> none;
    auto applied = it.applied.count(r) ? it.applied.at(r) : none;
    for (auto& [name, seq] : applied) {
      auto rec = by_seq.find(seq);
      if (rec == by_seq.end() || rec->second.value("device_id", "") != dev
          || rec->second.value("outcome", "") != "applied"
          || rec->second["arguments"].value("identity", "") != name)
        throw violation("iteration " + std::to_string(it.n) + ": the write "
                        + name + " on " + dev + " was answered with audit_seq "
                        + std::to_string(seq)
                        + " but the trail does not hold that record");
      ++t.records_checked;
    }
    t.writes_applied += applied.size();
    auto now = identity_of(f, r);
    auto& sent = it.sent.at(r);
    if (!applied.empty()) {
      auto last = std::find(sent.begin(), sent.end(), applied.back().first);
      if (std::find(last, sent.end(), now) == sent.end())
        throw violation(dev + " holds '" + now
                        + "', not its last applied name '"
                        + applied.back().first + "' or a later one");
    }
    auto& known_names = names[dev];
    if (now != original.at(r) && !known_names.count(now))
      throw violation("iteration " + std::to_string(it.n) + ": " + dev
                      + " holds the identity '" + now
                      + "', which the audit trail does not name: a change the "
                        "journal does not know about");
    if (known_names.count(now)
        && known_names[now] == std::set<std::string>{"started"})
      ++t.intents_only;
    // Each write that reached the router has its name in the trail.
    auto log = f.router(r).request_log();
    size_t reached = 0;
    for (size_t i = it.log_start[r]; i < log.size(); ++i)
      if (log[i].write && log[i].status >= 200 && log[i].status < 300)
        ++reached;
    size_t named = 0;
    for (auto& name : sent)
      named += known_names.count(name);
    t.router_writes_seen += reached;
    if (named < reached)
      throw violation("iteration " + std::to_string(it.n) + ": " + dev
                      + " received " + std::to_string(reached)
                      + " identity writes; the trail names "
                      + std::to_string(named) + " of the names sent");
  }

  // The rollout: the plan's end state against the routers and the journal.
  std::string state = "not created";
  json journal = json::array();
  if (!it.plan_id.empty()) {
    auto shown = run_cli(s, {"plan", "show", it.plan_id, "--json"});
    auto j = parse_json(shown.out);
    if (shown.code != 0 || !j)
      throw violation("plan show failed: " + shown.out + shown.err);
    state = j->value("state", "");
    journal = j->value("journal", json::array());
    std::string last = "none";
    for (auto& step : journal)
      if (step.value("timestamp", int64_t{0}) <= it.kill_ms)
        last = step.value("event", "?");
    if (it.phase == "rollout running")
      ++t.last_step[last];
  }
  ++t.plan_end[state];
  std::string intended;
  for (auto& x : it.dns_intended)
    intended += (intended.empty() ? "" : ",") + x.get<std::string>();
  for (auto r : rollout_devices) {
    auto dev = bench::device_id(r);
    auto now = dns_of(f, r);
    auto before = it.dns_before.value(dev, "");
    auto want = state == "completed" ? intended : before;
    if (state == "failed")
      want = now; // a failed rollback is reported, not hidden: counted
    if (now != want)
      throw violation("iteration " + std::to_string(it.n) + ": " + dev
                      + " has DNS '" + now + "' but its plan ended " + state
                      + " (expected '" + want + "')");
    auto log = f.router(r).request_log();
    bool written = false;
    for (size_t i = it.log_start[r]; i < log.size(); ++i)
      written = written
                || (log[i].write && log[i].target == "/rest/ip/dns/set"
                    && log[i].status >= 200 && log[i].status < 300);
    bool journaled = false;
    for (auto& step : journal)
      journaled = journaled
                  || (step.value("device_id", "") == dev
                      && (step.value("event", "") == "device-applying"
                          || step.value("event", "") == "device-rolling-back"));
    if (written && !journaled)
      throw violation("iteration " + std::to_string(it.n) + ": " + dev
                      + " received a DNS write the plan's journal does not "
                        "know about");
  }
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"routeros-mcp crash loop"};
  settings s;
  int iterations = 50;
  uint64_t seed = 1;
  int kill_min = 50;
  int kill_max = 1500;
  int rollout_ms = 500;
  bool markdown = false;
  app.add_option("--binary", s.binary, "routeros-mcp executable")->required();
  app.add_option("--iterations", iterations, "Kills")
    ->check(CLI::Range(1, 100000));
  app.add_option("--seed", seed, "Seed of the kill times");
  app.add_option("--kill-min-ms", kill_min, "Earliest kill after the start");
  app.add_option("--kill-max-ms", kill_max, "Latest kill after the start");
  app.add_option("--rollout-kill-ms", rollout_ms,
                 "Every other kill: at most this long after the apply call");
  app.add_flag("--markdown", markdown, "Print a Markdown table on stdout");
  CLI11_PARSE(app, argc, argv);

  totals t;
  s.dir = bench::bench_dir(true);
  int code = 0;
  std::string found;
  try {
    sim::fleet_options so;
    so.routers = routers;
    so.tls = true;
    so.seed = 11;
    so.time_scale = 0.001;
    sim::fleet f{so};
    std::vector<uint16_t> ports;
    for (size_t i = 0; i < f.size(); ++i)
      ports.push_back(f.port(i));
    device_flags flags;
    flags.allow_advanced_writes = true;
    flags.allow_professional_workflows = true;
    bench::register_devices(s.dir, routers, ports, f.fingerprint_sha256(),
                            flags);
    std::map<size_t, std::string> original;
    for (size_t r = 0; r < writers; ++r)
      original[r] = identity_of(f, r);

    std::mt19937_64 rng{seed};
    std::uniform_int_distribution<int> kill_after{kill_min, kill_max};
    std::optional<iteration> last;
    for (int n = 1; n <= iterations + 1; ++n) {
      stdio_daemon d{s, n % 2 == 0};
      if (last)
        check(s, f, *last, t, original);
      if (n > iterations) {
        if (auto rc = d.stop(); rc != 0)
          throw violation("the last daemon exited with " + std::to_string(rc));
        break;
      }
      iteration it;
      it.n = n;
      for (size_t r = 0; r < routers; ++r)
        it.log_start.push_back(f.router(r).request_log().size());
      // Every other round is killed while its rollout runs (a rollout of
      // four routers takes a few hundred milliseconds).
      std::optional<milliseconds> in_rollout;
      auto at = clock_type::now() + milliseconds{kill_after(rng)};
      if (n % 2 == 0) {
        in_rollout = milliseconds{rng() % static_cast<uint64_t>(rollout_ms)};
        at = clock_type::now() + std::chrono::seconds{30};
      }
      run_workload(s, d, f, it, at, in_rollout);
      ++t.iterations;
      ++t.kill_phase[it.phase];
      t.writes_in_flight_at_kill += it.writes_in_flight;
      for (size_t r = 0; r < routers; ++r)
        if (f.router(r).request_log().size() >= 10'000)
          throw std::runtime_error("the simulator's request log is full: "
                                   "run fewer iterations");
      std::fprintf(stderr, "kill %d: %s, %zu writes in flight\n", n,
                   it.phase.c_str(), it.writes_in_flight);
      last = std::move(it);
    }
  } catch (const violation& v) {
    std::fprintf(stderr, "VIOLATION: %s\n", v.what());
    found = v.what();
    code = 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crash loop failed: %s\n", e.what());
    code = 2;
  }
  std::filesystem::remove_all(s.dir);

  auto join = [](const std::map<std::string, int>& m) {
    std::string out;
    for (auto& [k, v] : m)
      out += (out.empty() ? "" : ", ") + k + " " + std::to_string(v);
    return out;
  };
  std::fprintf(stderr,
               "%d kills; at the kill: %s; writes answered applied %zu (all "
               "records and effects found: %zu), in flight at the kill %zu; "
               "identity writes that reached a router %zu; routers left with "
               "a name known only from a started record %zu; plans after the "
               "restart: %s; slowest recovery %.0f ms; %zu audit records\n",
               t.iterations, join(t.kill_phase).c_str(), t.writes_applied,
               t.records_checked, t.writes_in_flight_at_kill,
               t.router_writes_seen, t.intents_only, join(t.plan_end).c_str(),
               t.recovery_ms_max, t.audit_records);
  if (markdown) {
    std::printf("| figure | value |\n|---|---|\n");
    std::printf("| kills (SIGKILL at a random moment: odd rounds %d–%d ms "
                "into the round, even rounds 0–%d ms after the apply call) "
                "| %d |\n",
                kill_min, kill_max, rollout_ms, t.iterations);
    std::printf("| what was running at the kill | %s |\n",
                join(t.kill_phase).c_str());
    std::printf("| identity writes in flight at the kills | %zu |\n",
                t.writes_in_flight_at_kill);
    std::printf("| writes answered applied / their audit records and effects "
                "found | %zu / %zu |\n",
                t.writes_applied, t.records_checked);
    std::printf("| identity writes that reached a router / names the trail "
                "lacks | %zu / 0 |\n",
                t.router_writes_seen);
    std::printf("| routers whose name the trail holds only as `started` | %zu "
                "|\n",
                t.intents_only);
    std::printf("| last journaled step before the kills during a rollout "
                "| %s |\n",
                join(t.last_step).c_str());
    std::printf("| plans after each restart | %s |\n",
                join(t.plan_end).c_str());
    std::printf("| slowest recovery (restart to no plan executing) | %.0f ms "
                "|\n",
                t.recovery_ms_max);
    std::printf("| `audit verify` after each restart | passed %d times (%zu "
                "records at the end) |\n",
                t.iterations, t.audit_records);
    std::printf("| result | %s |\n",
                code == 0 ? "no violation"
                          : ("stopped at a violation: " + found).c_str());
  }
  return code;
}
