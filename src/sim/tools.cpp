// /tool/ping (and /ping on <= 7.22), /tool/traceroute, /tool/bandwidth-test.
//
// Reachability rule: targets in 203.0.113.0/24 (TEST-NET-3) never answer;
// everything else does. Round-trip times are deterministic per (router,
// target, probe): a few hundred microseconds inside a connected subnet,
// 4-60 ms elsewhere. Host names resolve to a stable address derived from the
// name; names ending in ".invalid" do not resolve.

#include <algorithm>
#include <cmath>

#include "sim/ops.hpp"
#include "sim/seed.hpp"

namespace rmcp::sim {

namespace {

bool unreachable(std::uint32_t ip) {
  return (ip & 0xFFFFFF00u) == 0xCB007100u; // 203.0.113.0/24
}

bool is_local(const router_state& st, std::uint32_t ip) {
  for (auto& a : st.tab("/ip/address").rows)
    if (auto p = parse_prefix(a.f.get("address")); p && p->contains(ip))
      return true;
  return false;
}

std::optional<std::uint32_t> resolve(const std::string& host) {
  if (auto ip = parse_ipv4(host))
    return ip;
  if (host.empty() || ends_with(host, ".invalid"))
    return std::nullopt;
  return 0x5DB80000u
         | static_cast<std::uint32_t>(hash_str(host) & 0xFFFF); // 93.184.x.y
}

/// Round-trip time of probe `seq` in microseconds.
std::int64_t rtt_us(const router_state& st, std::uint32_t ip,
                    std::int64_t seq) {
  auto h = hash_of(st.profile.seed ^ ip, st.profile.index,
                   static_cast<std::uint64_t>(seq));
  std::int64_t base =
    is_local(st, ip) ? 300 + static_cast<std::int64_t>(hash_of(ip) % 600)
                     : 4000 + static_cast<std::int64_t>(hash_of(ip, 1) % 56000);
  return base
         + static_cast<std::int64_t>(h
                                     % static_cast<std::uint64_t>(base / 4 + 1))
         - base / 8;
}

std::optional<op_error>
check_args(const arg_list& args,
           std::initializer_list<std::string_view> allowed) {
  for (auto& [k, v] : args)
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      return op_error{400, "unknown parameter " + k, k};
  return std::nullopt;
}

/// Checks the argument names, then resolves `address` into `ip`.
std::optional<op_error>
address_arg(const command_ctx& ctx,
            std::initializer_list<std::string_view> allowed,
            std::uint32_t& ip) {
  if (auto e = check_args(ctx.args, allowed))
    return e;
  auto* addr = find_arg(ctx.args, "address");
  if (!addr)
    return op_error{400, "missing =address=", "address"};
  auto resolved = resolve(*addr);
  if (!resolved)
    return op_error{400, "failure: could not resolve dns name", "address"};
  ip = *resolved;
  return std::nullopt;
}

std::optional<std::int64_t> int_arg(const arg_list& args, const char* key,
                                    std::int64_t dflt, std::int64_t lo,
                                    std::int64_t hi, op_error& err) {
  auto* v = find_arg(args, key);
  if (!v)
    return dflt;
  auto n = parse_int(*v);
  if (!n) {
    err = op_error{400, std::string{"invalid value for argument "} + key, key};
    return std::nullopt;
  }
  if (*n < lo || *n > hi) {
    err = op_error{400,
                   "value of " + std::string{key} + " out of range ("
                     + std::to_string(lo) + ".." + std::to_string(hi) + ")",
                   key};
    return std::nullopt;
  }
  return n;
}

std::optional<std::int64_t> time_arg(const arg_list& args, const char* key,
                                     std::int64_t dflt_us, op_error& err) {
  auto* v = find_arg(args, key);
  if (!v)
    return dflt_us;
  auto us = parse_duration_us(*v);
  if (!us)
    err =
      op_error{400, std::string{"invalid time value for argument "} + key, key};
  return us;
}

// -- ping -------------------------------------------------------------------------

cmd_result ping(command_ctx& ctx) {
  std::uint32_t ip = 0;
  if (auto e = address_arg(ctx,
                           {"address", "count", "interval", "size",
                            "src-address", "interface", "ttl", "vrf", "dscp",
                            "do-not-fragment", "arp-ping", "as-value",
                            ".proplist", "without-paging", "routing-table"},
                           ip))
    return cmd_result::error(*e);
  op_error err;
  auto count = int_arg(ctx.args, "count", 0, 0, 4294967295LL, err);
  auto size = int_arg(ctx.args, "size", 56, 14, 65535, err);
  auto ttl_arg = int_arg(ctx.args, "ttl", 0, 0, 255, err);
  auto interval = time_arg(ctx.args, "interval", 1000000, err);
  if (!count || !size || !ttl_arg || !interval)
    return cmd_result::error(err);
  if (*interval < 10000 || *interval > 5000000)
    return cmd_result::error(400, "value of interval out of range (10ms..5s)",
                             "interval");
  cmd_result res;
  res.k = cmd_result::kind::records;
  if (*count == 0) {
    res.unbounded = true;
    return res;
  }
  bool dead = unreachable(ip);
  bool local = is_local(ctx.st, ip);
  std::int64_t received = 0, min = 0, max = 0, sum = 0, last = 0;
  for (std::int64_t seq = 0; seq < *count; ++seq) {
    fields f{{"seq", std::to_string(seq)},
             {"host", format_ipv4(ip)},
             {"sent", std::to_string(seq + 1)}};
    if (dead) {
      f.set("status", "timeout");
    } else {
      last = std::max<std::int64_t>(rtt_us(ctx.st, ip, seq), 50);
      ++received;
      min = received == 1 ? last : std::min(min, last);
      max = std::max(max, last);
      sum += last;
      f.set("size", std::to_string(*size));
      f.set("ttl", std::to_string(
                     local ? 64 : 52 + static_cast<int>(hash_of(ip) % 6)));
      f.set("time", format_duration_us(last));
    }
    f.set("received", std::to_string(received));
    f.set("packet-loss",
          std::to_string((seq + 1 - received) * 100 / (seq + 1)));
    if (received > 0) {
      f.set("min-rtt", format_duration_us(min));
      f.set("avg-rtt", format_duration_us(sum / received));
      f.set("max-rtt", format_duration_us(max));
    }
    res.records.push_back(std::move(f));
  }
  res.duration_us = (*count - 1) * *interval + (dead ? *interval : last);
  return res;
}

// -- traceroute ---------------------------------------------------------------------

cmd_result traceroute(command_ctx& ctx) {
  std::uint32_t ip = 0;
  if (auto e = address_arg(ctx,
                           {"address", "count", "duration", "max-hops",
                            "timeout", "use-dns", "protocol", "port", "size",
                            "src-address", "interface", "vrf", "dscp",
                            "as-value", ".proplist", "without-paging",
                            "do-not-fragment", "freeze-frame-interval"},
                           ip))
    return cmd_result::error(*e);
  op_error err;
  auto count = int_arg(ctx.args, "count", 0, 0, 4294967295LL, err);
  auto max_hops = int_arg(ctx.args, "max-hops", 30, 1, 255, err);
  auto duration = time_arg(ctx.args, "duration", 0, err);
  if (!count || !max_hops || !duration)
    return cmd_result::error(err);
  cmd_result res;
  res.k = cmd_result::kind::records;
  std::int64_t rounds = *count > 0 ? *count : *duration / 1000000;
  if (rounds <= 0) {
    res.unbounded = true;
    return res;
  }
  // The path: the WAN gateway, the ISP, a few transit hops, the target.
  auto& p = ctx.st.profile;
  std::vector<std::uint32_t> path;
  if (!is_local(ctx.st, ip)) {
    path.push_back(
      *parse_ipv4("10.155." + std::to_string(p.index % 250) + ".1"));
    path.push_back(0x64400001u
                   | static_cast<std::uint32_t>((p.index % 250) << 8));
    auto transit = 2 + hash_of(ip, 2) % 5;
    for (std::uint64_t k = 0; k < transit; ++k)
      path.push_back(0xC3000000u
                     | static_cast<std::uint32_t>(hash_of(ip, k) & 0xFFFFFF));
  }
  bool dead = unreachable(ip);
  if (!dead)
    path.push_back(ip);
  auto hops = dead ? static_cast<std::size_t>(*max_hops)
                   : std::min(path.size(), static_cast<std::size_t>(*max_hops));
  for (std::int64_t round = 0; round < rounds; ++round) {
    for (std::size_t h = 0; h < hops; ++h) {
      fields f{{".section", std::to_string(round)},
               {"sent", std::to_string(round + 1)}};
      if (h < path.size()) {
        auto base = rtt_us(ctx.st, path[h], round)
                    * static_cast<std::int64_t>(h + 1)
                    / static_cast<std::int64_t>(path.size());
        base = std::max<std::int64_t>(base, 200);
        f.set("address", format_ipv4(path[h]));
        f.set("loss", "0");
        f.set("last", format_duration_us(base));
        f.set("avg", format_duration_us(base));
        f.set("best", format_duration_us(base * 9 / 10));
        f.set("worst", format_duration_us(base * 11 / 10));
        f.set("std-dev", format_duration_us(base / 20 + 1));
        f.set("status", "");
      } else {
        f.set("address", "");
        f.set("loss", "100");
        f.set("status", "timeout");
      }
      res.records.push_back(std::move(f));
    }
  }
  res.duration_us = rounds * 1000000;
  return res;
}

// -- bandwidth-test -------------------------------------------------------------------

cmd_result bandwidth_test(command_ctx& ctx) {
  std::uint32_t ip = 0;
  if (auto e = address_arg(
        ctx,
        {"address", "duration", "direction", "protocol", "user", "password",
         "connection-count", "local-tx-speed", "remote-tx-speed", "random-data",
         "local-udp-tx-size", "remote-udp-tx-size", "interval", "as-value",
         ".proplist", "without-paging", "append", "file", "once"},
        ip))
    return cmd_result::error(*e);
  auto direction = find_arg(ctx.args, "direction")
                     ? *find_arg(ctx.args, "direction")
                     : std::string{"receive"};
  if (direction != "receive" && direction != "transmit" && direction != "both")
    return cmd_result::error(400, "input does not match any value of direction",
                             "direction");
  op_error err;
  auto duration = time_arg(ctx.args, "duration", 0, err);
  auto conns = int_arg(ctx.args, "connection-count", 20, 1, 255, err);
  if (!duration || !conns)
    return cmd_result::error(err);
  cmd_result res;
  res.k = cmd_result::kind::records;
  auto seconds = *duration / 1000000;
  if (seconds <= 0) {
    res.unbounded = true;
    return res;
  }
  auto random = find_arg(ctx.args, "random-data")
                  ? *find_arg(ctx.args, "random-data")
                  : std::string{"false"};
  bool dead = unreachable(ip);
  auto capacity =
    800000000LL
    + static_cast<std::int64_t>(hash_of(ip, ctx.st.profile.index) % 150000000);
  std::int64_t total = 0;
  for (std::int64_t s = 0; s <= seconds; ++s) {
    fields f{{".section", std::to_string(s)},
             {"connection-count", std::to_string(*conns)},
             {"direction", direction},
             {"random-data", normalize_bool(random).value_or("false")}};
    std::int64_t current = 0;
    if (s > 1 && !dead)
      current = capacity
                - static_cast<std::int64_t>(
                  hash_of(ip, static_cast<std::uint64_t>(s)) % 60000000);
    total += current;
    auto avg = s > 1 ? total / (s - 1) : 0;
    if (s > 0)
      f.set("duration", std::to_string(s) + "s");
    for (auto* side : {"rx", "tx"}) {
      if ((direction == "receive" && side[0] == 't')
          || (direction == "transmit" && side[0] == 'r'))
        continue;
      std::string pre = side;
      f.set(pre + "-current", std::to_string(current));
      f.set(pre + "-10-second-average", std::to_string(avg));
      f.set(pre + "-total-average", std::to_string(avg));
      f.set(pre + "-size", "1500");
    }
    f.set("lost-packets", std::to_string(s > 1 ? current / 1500 / 100 : 0));
    f.set("status", dead
                      ? (s == seconds ? "ERROR: can not connect" : "connecting")
                    : s == 0       ? "connecting"
                    : s == seconds ? "done testing"
                                   : "running");
    res.records.push_back(std::move(f));
  }
  res.duration_us = *duration;
  return res;
}

bool has_root_ping(const router_profile& p) {
  return !p.version.at_least(7, 23);
}

} // namespace

void register_tool_commands(menu_tree& t) {
  t.add_command("/tool/ping", ping);
  t.add_command("/ping", ping, has_root_ping);
  t.add_command("/tool/traceroute", traceroute);
  t.add_command("/tool/bandwidth-test", bandwidth_test);
}

} // namespace rmcp::sim
