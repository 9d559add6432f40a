// Diagnostics run on the router: ping, traceroute, bandwidth_test.
//
// RouterOS REST never streams: a command answers when it ends (and is cut
// after 60 s). So that a call can report progress and be cancelled, these
// tools run the command in short steps — one probe, one traceroute round,
// one bandwidth-test segment of at most 5 s per request — and report a
// progress notification after each step when the client sent a
// progressToken. notifications/cancelled kills the call actor: no further
// step is sent, so the router stops within one step. Every step is bounded
// (count/duration), never an unbounded command.

#include <algorithm>
#include <memory>
#include <optional>

#include "protocol/error.hpp"
#include "protocol/net_text.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

/// A target argument: an IP address or a host name (the router resolves it).
caf::error check_target(const std::string& target) {
  if (net::is_ip(target) || net::is_hostname(target))
    return caf::none;
  return make_error(ec::invalid_arguments,
                    "target: '" + target
                      + "' is neither an IP address nor a host name");
}

/// Milliseconds of a RouterOS duration ("5ms945us" → 5.945), or null.
json millis(const json& row, const char* key) {
  auto text = ros::text_of(row, key);
  if (!text)
    return nullptr;
  auto s = ros::to_seconds(*text);
  return s ? json(*s * 1000.0) : json(nullptr);
}

/// Runs `steps` requests one after another; `each(i, response)` after each
/// returns false to stop early; `done()` at the end.
struct stepper : std::enable_shared_from_this<stepper> {
  tool_call* call = nullptr;
  device_actor dev;
  size_t steps = 0;
  std::function<rest_request(size_t)> make;
  std::function<bool(size_t, rest_response&)> each;
  std::function<void()> done;

  void run(size_t i) {
    if (i == steps) {
      done();
      return;
    }
    auto self = shared_from_this();
    device_request(*call, dev, make(i), [self, i](rest_response& resp) {
      if (!self->each(i, resp)) {
        self->done();
        return;
      }
      self->run(i + 1);
    });
  }
};

// -- ping ---------------------------------------------------------------------------

struct ping_stats {
  std::string host;
  size_t sent = 0;
  size_t received = 0;
  std::vector<double> rtts;
  json probes = json::array();
};

void ping(tool_call& call) {
  auto target = call.arg<std::string>("target", "");
  auto count = call.arg<size_t>("count", 4);
  auto size = call.arg<int64_t>("packet_size", 56);
  if (auto err = check_target(target)) {
    call.fail(std::move(err));
    return;
  }
  with_device(call, [&call, target, count, size](device_handle dev) {
    auto st = std::make_shared<ping_stats>();
    auto s = std::make_shared<stepper>();
    s->call = &call;
    s->dev = dev.actor;
    s->steps = count;
    s->make = [target, size](size_t) {
      rest_request req;
      req.method = "POST";
      req.path = "/tool/ping";
      req.body = {
        {"address", target}, {"count", "1"}, {"size", std::to_string(size)}};
      return req;
    };
    s->each = [&call, st, count](size_t i, rest_response& resp) {
      ++st->sent;
      json probe{{"seq", i}};
      bool replied = false;
      if (resp.body.is_array() && !resp.body.empty()) {
        auto& row = resp.body.back();
        st->host = ros::text_of(row, "host").value_or(st->host);
        auto ms = millis(row, "time");
        if (!ms.is_null()) {
          replied = true;
          ++st->received;
          st->rtts.push_back(ms.get<double>());
          probe["rtt_ms"] = ms;
          if (auto ttl = ros::convert_value(row, "ttl", ros::kind::uint))
            probe["ttl"] = *ttl;
        } else {
          probe["status"] = ros::text_of(row, "status").value_or("timeout");
        }
      }
      probe["replied"] = replied;
      st->probes.push_back(probe);
      call.progress(
        static_cast<double>(i + 1), static_cast<double>(count),
        "probe " + std::to_string(i + 1) + "/" + std::to_string(count)
          + (replied ? ": " + probe["rtt_ms"].dump() + " ms" : ": no reply"));
      return true;
    };
    s->done = [&call, st, target, id{dev.view.record.id}] {
      json out{{"device_id", id},
               {"target", target},
               {"host", st->host.empty() ? json(nullptr) : json(st->host)},
               {"packets_sent", st->sent},
               {"packets_received", st->received},
               {"packet_loss_percent",
                st->sent == 0
                  ? 0.0
                  : 100.0 * double(st->sent - st->received) / double(st->sent)},
               {"probes", st->probes}};
      if (!st->rtts.empty()) {
        auto [mn, mx] = std::minmax_element(st->rtts.begin(), st->rtts.end());
        double sum = 0;
        for (auto r : st->rtts)
          sum += r;
        out["min_rtt_ms"] = *mn;
        out["avg_rtt_ms"] = sum / double(st->rtts.size());
        out["max_rtt_ms"] = *mx;
      }
      std::string text = "ping " + target + " from " + id + ": "
                         + std::to_string(st->received) + "/"
                         + std::to_string(st->sent) + " replies";
      if (out.contains("avg_rtt_ms"))
        text += ", avg " + out["avg_rtt_ms"].dump() + " ms";
      call.finish({std::move(out), std::move(text), false});
    };
    s->run(0);
  });
}

// -- traceroute ---------------------------------------------------------------------

struct hop_stats {
  std::string address;
  size_t sent = 0;
  size_t received = 0;
  std::vector<double> rtts;
};

void traceroute(tool_call& call) {
  auto target = call.arg<std::string>("target", "");
  auto max_hops = call.arg<int64_t>("max_hops", 30);
  auto rounds = call.arg<size_t>("rounds", 1);
  if (auto err = check_target(target)) {
    call.fail(std::move(err));
    return;
  }
  with_device(call, [&call, target, max_hops, rounds](device_handle dev) {
    auto hops = std::make_shared<std::vector<hop_stats>>();
    auto s = std::make_shared<stepper>();
    s->call = &call;
    s->dev = dev.actor;
    s->steps = rounds;
    s->make = [target, max_hops](size_t) {
      rest_request req;
      req.method = "POST";
      req.path = "/tool/traceroute";
      req.body = {{"address", target},
                  {"count", "1"},
                  {"max-hops", std::to_string(max_hops)}};
      return req;
    };
    s->each = [&call, hops, rounds](size_t i, rest_response& resp) {
      if (resp.body.is_array()) {
        if (hops->size() < resp.body.size())
          hops->resize(resp.body.size());
        for (size_t h = 0; h < resp.body.size(); ++h) {
          auto& row = resp.body[h];
          auto& hop = (*hops)[h];
          ++hop.sent;
          auto addr = ros::text_of(row, "address").value_or("");
          auto ms = millis(row, "last");
          if (!addr.empty())
            hop.address = addr;
          if (!ms.is_null()) {
            ++hop.received;
            hop.rtts.push_back(ms.get<double>());
          }
        }
      }
      call.progress(static_cast<double>(i + 1), static_cast<double>(rounds),
                    "round " + std::to_string(i + 1) + ": "
                      + std::to_string(hops->size()) + " hops");
      return true;
    };
    s->done = [&call, hops, target, max_hops, id{dev.view.record.id}] {
      json rows = json::array();
      for (size_t h = 0; h < hops->size(); ++h) {
        auto& hop = (*hops)[h];
        json row{
          {"hop", h + 1},
          {"address", hop.address.empty() ? json(nullptr) : json(hop.address)},
          {"loss_percent",
           hop.sent == 0
             ? 100.0
             : 100.0 * double(hop.sent - hop.received) / double(hop.sent)}};
        if (!hop.rtts.empty()) {
          auto [mn, mx] = std::minmax_element(hop.rtts.begin(), hop.rtts.end());
          double sum = 0;
          for (auto r : hop.rtts)
            sum += r;
          row["best_ms"] = *mn;
          row["avg_ms"] = sum / double(hop.rtts.size());
          row["worst_ms"] = *mx;
        }
        rows.push_back(std::move(row));
      }
      bool reached = false;
      if (!hops->empty()) {
        auto& last = hops->back();
        reached = last.received > 0
                  && (last.address == target
                      || static_cast<int64_t>(hops->size()) < max_hops);
      }
      auto n = rows.size();
      json out{{"device_id", id},
               {"target", target},
               {"reached_target", reached},
               {"hops", std::move(rows)},
               {"count", n}};
      finish_with_rows(call, std::move(out),
                       "traceroute " + target + " from " + id + ": "
                         + std::to_string(n) + " hops, "
                         + (reached ? "reached" : "target not reached"),
                       "hops");
    };
    s->run(0);
  });
}

// -- bandwidth_test -------------------------------------------------------------------

/// Longest single bandwidth-test request; longer tests run in segments.
constexpr int64_t segment_seconds = 5;

struct btest_stats {
  double tx_sum = 0;
  double rx_sum = 0;
  size_t samples = 0;
  uint64_t lost = 0;
  std::string status;
};

/// The test itself, once both devices are known.
void run_bandwidth_test(tool_call& call, const device_handle& dev,
                        const device_record& target, int64_t duration,
                        const std::string& direction) {
  const auto& target_id = target.id;
  auto address = target.host;
  auto st = std::make_shared<btest_stats>();
  auto s = std::make_shared<stepper>();
  s->call = &call;
  s->dev = dev.actor;
  s->steps =
    static_cast<size_t>((duration + segment_seconds - 1) / segment_seconds);
  s->make = [address, direction, duration](size_t i) {
    auto left = duration - static_cast<int64_t>(i) * segment_seconds;
    rest_request req;
    req.method = "POST";
    req.path = "/tool/bandwidth-test";
    req.body = {
      {"address", address},
      {"direction", direction},
      {"duration", std::to_string(std::min(left, segment_seconds)) + "s"}};
    req.timeout_ms = (segment_seconds + 15) * 1000;
    return req;
  };
  s->each = [&call, st, steps{s->steps}](size_t i, rest_response& resp) {
    if (resp.body.is_array() && !resp.body.empty()) {
      auto& last = resp.body.back();
      st->status = ros::text_of(last, "status").value_or("");
      auto rate = [&](const char* key) {
        auto v = ros::convert_value(last, key, ros::kind::bps);
        return v ? v->get<double>() : 0.0;
      };
      st->tx_sum += rate("tx-total-average");
      st->rx_sum += rate("rx-total-average");
      ++st->samples;
      if (auto lost = ros::convert_value(last, "lost-packets", ros::kind::uint))
        st->lost += lost->get<uint64_t>();
    }
    call.progress(static_cast<double>(i + 1), static_cast<double>(steps),
                  "segment " + std::to_string(i + 1) + ": " + st->status);
    // A test that cannot connect will not connect next time either.
    return st->status.rfind("ERROR", 0) != 0;
  };
  s->done = [&call, st, target_id, address, direction, duration,
             id{dev.view.record.id}] {
    if (st->status.rfind("ERROR", 0) == 0) {
      call.fail(ec::router_bad_request, "bandwidth test from " + id + " to "
                                          + address + " failed: " + st->status);
      return;
    }
    auto n = st->samples == 0 ? 1.0 : double(st->samples);
    json out{{"device_id", id},
             {"target_device_id", target_id},
             {"target_address", address},
             {"direction", direction},
             {"duration_seconds", duration},
             {"avg_tx_bps", static_cast<uint64_t>(st->tx_sum / n)},
             {"avg_rx_bps", static_cast<uint64_t>(st->rx_sum / n)},
             {"lost_packets", st->lost},
             {"status", st->status}};
    std::string text = "bandwidth test " + id + " -> " + target_id + ": tx "
                       + out["avg_tx_bps"].dump() + " bit/s, rx "
                       + out["avg_rx_bps"].dump() + " bit/s";
    call.finish({std::move(out), std::move(text), false});
  };
  s->run(0);
}

/// The source (with the tool's checks) and the target are looked up at the
/// same time through the device-access service: one fleet round trip of
/// latency, two lookups (none for the source when the session already
/// looked it up for a device-scoped caller).
void bandwidth_test(tool_call& call) {
  auto target_id = call.arg<std::string>("target_device_id", "");
  auto duration = call.arg<int64_t>("duration_seconds", 10);
  auto direction = call.arg<std::string>("direction", "both");
  if (target_id == call.arg<std::string>("device_id", "")) {
    call.fail(ec::invalid_arguments,
              "target_device_id must be another device than device_id");
    return;
  }
  struct lookups {
    std::optional<device_handle> source;
    std::optional<device_handle> target;
  };
  auto both = std::make_shared<lookups>();
  auto go = [&call, both, duration, direction] {
    if (!both->source || !both->target)
      return;
    // The target is a registered device that allows being tested (it is
    // not contacted: its actor does not matter).
    const auto& target = both->target->view.record;
    if (!target.flags.allow_bandwidth_test) {
      call.fail(capability_denied(
        "target device '" + target.id + "'", call.tool().spec.name,
        &device_flags::allow_bandwidth_test, target.id));
      return;
    }
    run_bandwidth_test(call, *both->source, target, duration, direction);
  };
  with_device(call, [both, go](device_handle dev) {
    both->source = std::move(dev);
    go();
  });
  device_ops::find(
    call.self(), call.svc().fleet, target_id,
    [both, go](device_handle h) {
      both->target = std::move(h);
      go();
    },
    [&call](caf::error err) { call.fail(std::move(err)); },
    call.wait(device_ops::fleet_timeout));
}

#define RMCP_TARGET_PROP                                                       \
  R"("target":{"type":"string","minLength":1,"maxLength":253,)"                \
  R"("description":"IP address or host name to reach."})"

// The reference project's argument names (docs/tools.md). Its
// stream_progress made up progress events; these tools report real ones.
#define RMCP_STREAM_PROGRESS                                                   \
  {                                                                            \
    "stream_progress", alias_kind::ignore, nullptr,                            \
      "progress comes as notifications/progress when the request's _meta "     \
      "carries a progressToken"                                                \
  }
const argument_alias streaming_aliases[] = {RMCP_STREAM_PROGRESS};
const argument_alias bandwidth_aliases[] = {
  {"duration", alias_kind::rename, "duration_seconds", nullptr},
  RMCP_STREAM_PROGRESS,
};
#undef RMCP_STREAM_PROGRESS

const tool_entry table[] = {
  {"ping", "Ping from router", mcp::tool_tier::fundamental, read_only_router,
   "Pings a target from the router (1-10 probes, 1 s apart): "
   "sent/received, loss %, min/avg/max RTT in ms, per probe too. Progress "
   "per probe with a progressToken; cancelling stops the probes.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP "," RMCP_TARGET_PROP
   R"(,
       "count":{"type":"integer","minimum":1,"maximum":10,"default":4,"description":"Probes to send."},
       "packet_size":{"type":"integer","minimum":28,"maximum":1500,"default":56,"description":"ICMP size in bytes."}},
     "required":["device_id","target"],"additionalProperties":false})",
   R"({"type":"object","properties":{"device_id":{"type":"string"},
       "target":{"type":"string"},"host":{"type":["string","null"]},
       "packets_sent":{"type":"integer","minimum":0},
       "packets_received":{"type":"integer","minimum":0},
       "packet_loss_percent":{"type":"number","minimum":0,"maximum":100},
       "min_rtt_ms":{"type":"number"},"avg_rtt_ms":{"type":"number"},
       "max_rtt_ms":{"type":"number"},
       "probes":{"type":"array","items":{"type":"object","properties":{
         "seq":{"type":"integer"},"replied":{"type":"boolean"},
         "rtt_ms":{"type":"number"},"ttl":{"type":"integer"},
         "status":{"type":"string"}}}}},
     "required":["device_id","target","packets_sent","packets_received",
                 "packet_loss_percent","probes"]})",
   ping, 60'000, nullptr, aliases(streaming_aliases)},
  {"traceroute", "Traceroute from router", mcp::tool_tier::fundamental,
   read_only_router,
   "Traces the path from the router to a target (max_hops 1-30, rounds "
   "1-3): per hop address, loss % and best/avg/worst ms; reached_target. "
   "Progress per round; cancelling stops after the current round.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP "," RMCP_TARGET_PROP
   R"(,
       "max_hops":{"type":"integer","minimum":1,"maximum":30,"default":30,"description":"Most hops to probe."},
       "rounds":{"type":"integer","minimum":1,"maximum":3,"default":1,"description":"Probes per hop."}},
     "required":["device_id","target"],"additionalProperties":false})",
   R"({"type":"object","properties":{"device_id":{"type":"string"},
       "target":{"type":"string"},"reached_target":{"type":"boolean"},
       "hops":{"type":"array","items":{"type":"object","properties":{
         "hop":{"type":"integer","minimum":1},"address":{"type":["string","null"]},
         "loss_percent":{"type":"number"},"best_ms":{"type":"number"},
         "avg_ms":{"type":"number"},"worst_ms":{"type":"number"}},
         "required":["hop","address","loss_percent"]}},
       "count":{"type":"integer"}},
     "required":["device_id","target","reached_target","hops"]})",
   traceroute, 120'000, nullptr, aliases(streaming_aliases)},
  {"bandwidth_test",
   "Bandwidth test",
   mcp::tool_tier::professional,
   {true, false, false, true},
   "Measures throughput between two registered routers (RouterOS "
   "bandwidth-test, 5-60 s): average TX/RX in bit/s, lost packets. Loads "
   "both links: needs allow_professional_workflows on the source and "
   "allow_bandwidth_test on the target. Progress per 5 s segment; "
   "cancelling stops after the current one.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "target_device_id":{"type":"string","pattern":"^[a-z0-9][a-z0-9_.-]{0,63}$","description":"Registered device to test against."},
       "duration_seconds":{"type":"integer","minimum":5,"maximum":60,"default":10,"description":"Test length."},
       "direction":{"type":"string","enum":["receive","transmit","both"],"default":"both","description":"Seen from device_id."}},
     "required":["device_id","target_device_id"],"additionalProperties":false})",
   R"({"type":"object","properties":{"device_id":{"type":"string"},
       "target_device_id":{"type":"string"},"target_address":{"type":"string"},
       "direction":{"type":"string"},"duration_seconds":{"type":"integer"},
       "avg_tx_bps":{"type":"integer","minimum":0},
       "avg_rx_bps":{"type":"integer","minimum":0},
       "lost_packets":{"type":"integer","minimum":0},
       "status":{"type":"string"}},
     "required":["device_id","target_device_id","avg_tx_bps","avg_rx_bps"]})",
   bandwidth_test,
   150'000,
   nullptr,
   aliases(bandwidth_aliases)},
};

#undef RMCP_TARGET_PROP

} // namespace

caf::error register_diagnostic_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
