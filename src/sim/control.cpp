#include "sim/control.hpp"

#include <nlohmann/json.hpp>

#include "sim/fleet.hpp"
#include "sim/util.hpp"

namespace rmcp::sim {

namespace {

using json = nlohmann::json;

std::pair<unsigned, std::string> fail(unsigned status,
                                      const std::string& text) {
  return {status, json{{"error", text}}.dump()};
}

json describe(fleet& f, std::size_t i) {
  auto& r = f.router(i);
  auto& p = r.profile();
  auto s = r.stats();
  return {{"index", i},
          {"port", r.port()},
          {"identity", p.identity},
          {"board", p.board},
          {"version", p.version_text},
          {"up", r.is_up()},
          {"faults", to_json(r.faults())},
          {"stats",
           {{"connections", s.connections},
            {"requests", s.requests},
            {"reboots", s.reboots}}}};
}

} // namespace

std::pair<unsigned, std::string> handle_control(fleet& f,
                                                const std::string& method,
                                                const std::string& target,
                                                const std::string& body) {
  auto segs = split(target.substr(0, target.find('?')), '/');
  json args = json::object();
  if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
    args = json::parse(body, nullptr, false);
    if (args.is_discarded() || !args.is_object())
      return fail(400, "body must be a JSON object");
  }
  if (segs.size() == 1 && segs[0] == "routers" && method == "GET") {
    json all = json::array();
    for (std::size_t i = 0; i < f.size(); ++i)
      all.push_back(describe(f, i));
    return {200, all.dump()};
  }
  if (!segs.empty() && segs[0] == "clock") {
    if (segs.size() == 1 && method == "GET")
      return {200, json{{"epoch_ms", f.clock().now_ms()},
                        {"time_scale", f.clock().scale()}}
                     .dump()};
    if (segs.size() == 2 && segs[1] == "advance" && method == "POST") {
      if (!args.contains("seconds") || !args["seconds"].is_number()
          || args["seconds"].get<double>() < 0)
        return fail(400, "seconds: expected a non-negative number");
      f.advance_clock(std::chrono::milliseconds{
        static_cast<std::int64_t>(args["seconds"].get<double>() * 1000)});
      return {200, json{{"epoch_ms", f.clock().now_ms()}}.dump()};
    }
    return fail(404, "no such route");
  }
  if (segs.size() < 2 || segs[0] != "routers")
    return fail(404, "no such route");
  std::vector<std::size_t> idx;
  if (segs[1] == "all") {
    for (std::size_t i = 0; i < f.size(); ++i)
      idx.push_back(i);
  } else {
    auto n = parse_int(segs[1]);
    if (!n || *n < 0 || static_cast<std::size_t>(*n) >= f.size())
      return fail(404, "no such router " + segs[1]);
    idx.push_back(static_cast<std::size_t>(*n));
  }
  if (segs.size() == 2 && method == "GET" && idx.size() == 1)
    return {200, describe(f, idx[0]).dump()};
  if (segs.size() == 3 && segs[2] == "faults") {
    if (method == "GET" && idx.size() == 1)
      return {200, to_json(f.router(idx[0]).faults()).dump()};
    if (method == "DELETE") {
      for (auto i : idx)
        f.router(i).set_faults(fault_config{});
      return {200, to_json(fault_config{}).dump()};
    }
    if (method == "PUT" || method == "POST" || method == "PATCH") {
      for (auto i : idx) {
        auto cur = f.router(i).faults();
        if (auto err = merge_json(cur, args))
          return fail(400, *err);
        f.router(i).set_faults(cur);
      }
      return {200, to_json(f.router(idx[0]).faults()).dump()};
    }
  }
  if (segs.size() == 3 && segs[2] == "reboot" && method == "POST") {
    double seconds = 20;
    if (args.contains("downtime_s")) {
      if (!args["downtime_s"].is_number()
          || args["downtime_s"].get<double>() < 0)
        return fail(400, "downtime_s: expected a non-negative number");
      seconds = args["downtime_s"].get<double>();
    }
    for (auto i : idx)
      f.router(i).reboot(
        std::chrono::milliseconds{static_cast<std::int64_t>(seconds * 1000)});
    return {200, json{{"rebooting", idx.size()}}.dump()};
  }
  if (segs.size() == 3 && segs[2] == "credentials" && method == "POST") {
    if (!args.contains("username") || !args["username"].is_string()
        || !args.contains("password") || !args["password"].is_string())
      return fail(400, "username and password: expected strings");
    for (auto i : idx)
      f.router(i).set_credentials(args["username"].get<std::string>(),
                                  args["password"].get<std::string>());
    return {200, json{{"updated", idx.size()}}.dump()};
  }
  return fail(404, "no such route");
}

} // namespace rmcp::sim
