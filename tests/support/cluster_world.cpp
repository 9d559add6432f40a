#include "tests/support/cluster_world.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"
#include "src/cluster/etcd_http_client.hpp"
#include "tests/support/etcd_sync.hpp"
#include "tests/support/http_test_client.hpp"

namespace rmcp::test {

namespace {

using namespace std::chrono_literals;

const http_headers mcp_headers{
  {"Content-Type", "application/json"},
  {"Accept", "application/json, text/event-stream"}};

/// The JSON-RPC message of an answer (an SSE answer's last event).
std::optional<json> message_of(const http_reply& reply) {
  auto body = reply.body;
  if (reply.header("content-type").rfind("text/event-stream", 0) == 0) {
    auto events = parse_sse(reply.body);
    body = events.empty() ? std::string{} : events.back().data;
  }
  return parse_json(body);
}

bool retryable(const json& result) {
  if (result.contains("transport_error"))
    return true;
  if (!result.value("isError", false))
    return false;
  return result.value("_meta", json::object()).value("retryable", false);
}

} // namespace

std::string error_kind(const json& result) {
  if (!result.is_object() || !result.value("isError", false))
    return {};
  return result.value("_meta", json::object()).value("error_kind", "");
}

cluster_world::cluster_world(cluster_world_options opts)
  : opts_(std::move(opts)) {
  // nop
}

cluster_world::~cluster_world() {
  for (auto& n : nodes)
    if (n.process) {
      n.process->kill(SIGKILL);
      n.process->wait(5s);
    }
  nodes.clear();
}

std::string cluster_world::device(size_t i) {
  return "sim-" + std::to_string(i);
}

std::string cluster_world::start() {
  if (auto err = prepare(); !err.empty())
    return err;
  for (size_t k = 0; k < nodes.size(); ++k)
    if (auto err = start_node(k); !err.empty())
      return err;
  return {};
}

std::string cluster_world::prepare() {
  if (!etcd.ready())
    return "etcd did not start: " + etcd.log();
  sim::fleet_options so;
  so.routers = opts_.routers;
  so.io_threads = 2;
  sims = std::make_unique<sim::fleet>(so);
  for (size_t k = 0; k < opts_.nodes; ++k) {
    cluster_node n;
    n.id = "node" + std::to_string(k + 1);
    n.data = std::make_unique<temp_dir>();
    n.relay = std::make_unique<tcp_relay>(etcd.client_port());
    nodes.push_back(std::move(n));
  }
  return register_routers();
}

std::string cluster_world::register_routers() {
  // One `device import` into the first node's data dir: one process and one
  // shared-store transaction for the whole fleet (300 `device add`
  // processes took seconds each under ASan on a loaded machine).
  const auto& dir = nodes.front().data->path();
  std::string flags = "allow-advanced-writes";
  for (auto& f : opts_.device_flags)
    flags += ";" + f.substr(f.rfind("--", 0) == 0 ? 2 : 0);
  auto csv = std::filesystem::path{dir} / "fleet.csv";
  {
    std::ofstream out{csv};
    out << "id,host,port,scheme,username,flags\n";
    for (size_t i = 0; i < opts_.routers; ++i)
      out << device(i) << ",127.0.0.1," << sims->port(i) << ",http,admin,"
          << flags << "\n";
    if (!out)
      return "writing " + csv.string() + " failed";
  }
  child_process import{std::vector<std::string>{
                         opts_.binary, "--data-dir", dir, "--log-level", "warn",
                         "--set", "cluster.node_id=" + nodes.front().id,
                         "--set", "cluster.etcd=" + etcd.endpoint(), "--set",
                         "cluster.prefix=" + opts_.prefix, "device", "import",
                         csv.string(), "--password-env",
                         "ROUTEROS_MCP_DEVICE_PASSWORD"},
                       std::map<std::string, std::string>{
                         {"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}}};
  auto code = import.wait(60s);
  if (code != 0)
    return "device import failed ("
           + (code ? "exit " + std::to_string(*code)
                   : std::string{"no exit in 60 s"})
           + "): " + import.stderr_text();
  // The registry is in etcd (the shared store); every node needs the same
  // credential key, so the first node's data dir is copied.
  namespace fs = std::filesystem;
  for (size_t k = 1; k < nodes.size(); ++k) {
    std::error_code err;
    fs::copy(dir, nodes[k].data->path(),
             fs::copy_options::recursive | fs::copy_options::overwrite_existing,
             err);
    if (err)
      return "copying the registry failed: " + err.message();
  }
  return {};
}

std::string cluster_world::start_node(size_t k) {
  auto& n = nodes[k];
  auto ports = *n.data / "ports";
  std::filesystem::remove(ports);
  std::vector<std::string> argv{opts_.binary, "--data-dir", n.data->path(),
                                "serve",      "--http",     "--listen",
                                "127.0.0.1:0"};
  std::vector<std::string> sets{
    "http.ports_file=" + ports, "http.role=ops_rw", "server.toolsets=all",
    "device.health_checks=false", "cluster.node_id=" + n.id,
    "cluster.etcd=127.0.0.1:" + std::to_string(n.relay->port()),
    // The kernel's pick, advertised through etcd: a port chosen ahead
    // could be taken by the time a (re)started node binds it.
    "cluster.listen=127.0.0.1:0", "cluster.prefix=" + opts_.prefix,
    "cluster.lease_ttl=" + opts_.lease_ttl, "cluster.settle=" + opts_.settle};
  sets.insert(sets.end(), opts_.sets.begin(), opts_.sets.end());
  if (opts_.node_sets) {
    auto own = opts_.node_sets(k);
    sets.insert(sets.end(), own.begin(), own.end());
  }
  for (auto& s : sets) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  n.process = std::make_unique<child_process>(argv);
  n.session.clear();
  n.http_port = 0;
  auto found = eventually(
    [&] {
      std::ifstream in{ports};
      std::string line;
      if (std::getline(in, line) && line.rfind("http=", 0) == 0) {
        n.http_port = static_cast<uint16_t>(std::stoi(line.substr(5)));
        return true;
      }
      return !running(k);
    },
    30s);
  if (!found || n.http_port == 0)
    return n.id + " did not start: " + n.process->stderr_text();
  return {};
}

void cluster_world::kill_node(size_t k) {
  auto& n = nodes[k];
  n.process->kill(SIGKILL);
  n.process->wait(5s);
  n.session.clear();
}

bool cluster_world::running(size_t k) const {
  const auto& n = nodes[k];
  if (!n.process)
    return false;
  siginfo_t info{};
  // WNOWAIT: look without reaping; the child_process reaps it.
  return ::waitid(P_PID, static_cast<id_t>(n.process->pid()), &info,
                  WEXITED | WNOHANG | WNOWAIT)
           == 0
         && info.si_pid == 0;
}

bool cluster_world::eventually(const std::function<bool()>& pred,
                               std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return pred();
}

std::pair<unsigned, json> cluster_world::health(size_t k) {
  auto reply = http_exchange(nodes[k].http_port, "GET", "/health", {}, {}, 5s);
  auto parsed = parse_json_bounded(reply.body);
  return {reply.status, parsed ? *parsed : json{}};
}

bool cluster_world::formed() {
  std::set<std::string> live;
  for (size_t k = 0; k < nodes.size(); ++k)
    if (running(k))
      live.insert(nodes[k].id);
  for (size_t k = 0; k < nodes.size(); ++k) {
    if (!running(k))
      continue;
    auto [status, report] = health(k);
    auto c = report.is_object() ? report.value("checks", json::object())
                                    .value("cluster", json::object())
                                : json::object();
    if (status != 200 || !c.value("member", false)
        || c.value("members", json::array()).size() != live.size())
      return false;
  }
  auto claims = owners();
  if (claims.size() != opts_.routers)
    return false;
  for (auto& [device, owner] : claims)
    if (live.count(owner) == 0)
      return false;
  return true;
}

std::map<std::string, std::string> cluster_world::owners() {
  std::map<std::string, std::string> out;
  auto client = cluster::make_etcd_client({{etcd.endpoint()}, 2000ms});
  if (!client)
    return out;
  auto prefix = opts_.prefix + "/owners/";
  auto range =
    await<etcd_range>([&](auto cb) { (*client)->range(prefix, true, cb); }, 5s);
  (*client)->close();
  if (!range)
    return out;
  for (auto& kv : range->kvs)
    out[kv.key.substr(prefix.size())] = kv.value;
  return out;
}

std::optional<std::string> cluster_world::etcd_value(const std::string& key) {
  auto client = cluster::make_etcd_client({{etcd.endpoint()}, 2000ms});
  if (!client)
    return std::nullopt;
  auto range = await<etcd_range>(
    [&](auto cb) { (*client)->range(opts_.prefix + "/" + key, false, cb); },
    5s);
  (*client)->close();
  if (!range || range->kvs.empty())
    return std::nullopt;
  return range->kvs.front().value;
}

cluster_world::cli_outcome
cluster_world::cli(size_t k, const std::vector<std::string>& args) {
  std::vector<std::string> argv{opts_.binary,
                                "--data-dir",
                                nodes[k].data->path(),
                                "--log-level",
                                "warn",
                                "--set",
                                "cluster.node_id=" + nodes[k].id,
                                "--set",
                                "cluster.etcd=" + etcd.endpoint(),
                                "--set",
                                "cluster.prefix=" + opts_.prefix};
  argv.insert(argv.end(), args.begin(), args.end());
  child_process p{argv};
  p.close_stdin();
  cli_outcome o;
  o.out = p.drain_stdout();
  o.code = p.wait(60s).value_or(-1);
  o.err = p.stderr_text();
  return o;
}

std::string cluster_world::claims_never_overlapped(size_t* events) {
  auto client = cluster::make_etcd_client({{etcd.endpoint()}, 2000ms});
  if (!client)
    return "no etcd client: " + error_message(client.error());
  auto& c = **client;
  auto prefix = opts_.prefix + "/owners/";
  auto now = await<etcd_range>(
    [&](auto cb) { c.range(opts_.prefix + "/", true, cb); }, 5s);
  if (!now)
    return "reading etcd failed: " + error_message(now.error());
  std::map<std::string, int64_t> holder; // key → lease
  int64_t next = 1;
  size_t seen = 0;
  std::string violation;
  while (next <= now->revision && violation.empty()) {
    auto round = await<etcd_watch_result>(
      [&](auto cb) { c.watch(prefix, next, 300ms, cb); }, 10s);
    if (!round) {
      violation = "watching etcd failed: " + error_message(round.error());
      break;
    }
    if (round->events.empty())
      break;
    for (auto& e : round->events) {
      ++seen;
      next = std::max(next, e.kv.mod_revision + 1);
      if (e.deleted) {
        holder.erase(e.kv.key);
        continue;
      }
      auto h = holder.find(e.kv.key);
      if (h != holder.end() && h->second != e.kv.lease && violation.empty())
        violation = e.kv.key + " changed hands (lease "
                    + std::to_string(h->second) + " to "
                    + std::to_string(e.kv.lease)
                    + ") without a delete at revision "
                    + std::to_string(e.kv.mod_revision);
      holder[e.kv.key] = e.kv.lease;
    }
  }
  c.close();
  if (events != nullptr)
    *events = seen;
  return violation;
}

json cluster_world::rpc(size_t k, const std::string& method, json params,
                        std::chrono::milliseconds timeout) {
  auto& n = nodes[k];
  if (n.session.empty()) {
    json init{{"jsonrpc", "2.0"},
              {"id", n.next_id++},
              {"method", "initialize"},
              {"params",
               {{"protocolVersion", "2025-11-25"},
                {"capabilities", json::object()},
                {"clientInfo", {{"name", "cluster-e2e"}, {"version", "1"}}}}}};
    auto reply =
      http_exchange(n.http_port, "POST", "/mcp", mcp_headers, init.dump(), 5s);
    if (reply.status != 200)
      return json{{"transport_error", "initialize answered "
                                        + std::to_string(reply.status) + " "
                                        + reply.error}};
    n.session = reply.header("mcp-session-id");
    auto h = mcp_headers;
    h.emplace_back("Mcp-Session-Id", n.session);
    h.emplace_back("MCP-Protocol-Version", "2025-11-25");
    http_exchange(n.http_port, "POST", "/mcp", h,
                  R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                  5s);
  }
  auto h = mcp_headers;
  h.emplace_back("Mcp-Session-Id", n.session);
  h.emplace_back("MCP-Protocol-Version", "2025-11-25");
  json msg{{"jsonrpc", "2.0"},
           {"id", n.next_id++},
           {"method", method},
           {"params", std::move(params)}};
  auto reply =
    http_exchange(n.http_port, "POST", "/mcp", h, msg.dump(), timeout);
  if (reply.status != 200) {
    n.session.clear();
    return json{
      {"transport_error", std::to_string(reply.status) + " " + reply.error}};
  }
  auto answer = message_of(reply);
  if (!answer)
    return json{{"transport_error", "not JSON: " + reply.body}};
  if (answer->contains("error"))
    return (*answer)["error"];
  return answer->value("result", json{});
}

json cluster_world::call(size_t k, const std::string& tool, json args,
                         std::chrono::milliseconds timeout) {
  return rpc(k, "tools/call", {{"name", tool}, {"arguments", std::move(args)}},
             timeout);
}

json cluster_world::call_until_settled(size_t k, const std::string& tool,
                                       json args,
                                       std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  json res;
  for (;;) {
    res = call(k, tool, args);
    if (!retryable(res) || std::chrono::steady_clock::now() >= deadline)
      return res;
    std::this_thread::sleep_for(50ms);
  }
}

size_t cluster_world::requests(size_t i) {
  return sims->router(i).stats().requests;
}

size_t cluster_world::writes(size_t i) {
  size_t n = 0;
  for (auto& r : sims->router(i).request_log())
    n += r.write ? 1 : 0;
  return n;
}

std::string cluster_world::log(size_t k) const {
  return nodes[k].process ? nodes[k].process->stderr_text() : std::string{};
}

size_t cluster_world::rss_kib(size_t k) const {
  if (!nodes[k].process)
    return 0;
  std::ifstream in{"/proc/" + std::to_string(nodes[k].process->pid())
                   + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return static_cast<size_t>(std::stoul(line.substr(6)));
  return 0;
}

} // namespace rmcp::test
