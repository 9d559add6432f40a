// Replays the recorded RouterOS exchanges of tests/sim/golden/ against the
// in-process simulator: same status code, same body shape (keys and JSON
// value types of every object) and the same error texts.
//
// Recorded data carries the state of the router it came from, so each case
// may pick the router's version/board and set up equivalent state first
// (documented per case below). Out of scope: doc-get-system-resource.json
// (7.1beta4 wrapped the singleton in an array and used pre-7.10 dates; the
// simulator covers 7.10 and later, see miklink-get-system-resource.json).

#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "sim_fixture.hpp"

namespace rmcp::sim::test {
namespace {

struct golden_case {
  std::string file;
  std::string version = "7.12.1";
  std::string board;
  /// Replaces a path with a `<...>` placeholder.
  std::string path;
  /// Keys that may be present or absent on either side (e.g. `comment`,
  /// which RouterOS omits when empty).
  std::set<std::string> optional;
  /// Puts the router into a state equivalent to the recorded one.
  std::function<void(fleet&, http_client&)> setup;
  std::string password = "routeros-sim";
};

const char* type_name(const json& j) {
  return j.is_string()   ? "string"
         : j.is_number() ? "number"
         : j.is_object() ? "object"
         : j.is_array()  ? "array"
         : j.is_null()   ? "null"
                         : "bool";
}

/// Empty when `actual` has the shape of `expected`; else what differs.
std::string shape_diff(const json& expected, const json& actual,
                       const std::set<std::string>& optional) {
  if (std::string{type_name(expected)} != type_name(actual))
    return std::string{"type "} + type_name(actual) + " instead of "
           + type_name(expected);
  if (expected.is_object()) {
    for (auto& [k, v] : expected.items()) {
      if (!actual.contains(k)) {
        if (!optional.count(k))
          return "missing key " + k;
        continue;
      }
      if (std::string{type_name(v)} != type_name(actual[k]))
        return "key " + k + ": " + type_name(actual[k]) + " instead of "
               + type_name(v);
      bool error_body = expected.contains("error");
      if (error_body && (k == "detail" || k == "message" || k == "error")
          && v != actual[k])
        return "key " + k + ": " + actual[k].dump() + " instead of " + v.dump();
    }
    for (auto& [k, v] : actual.items())
      if (!expected.contains(k) && !optional.count(k))
        return "extra key " + k;
    return {};
  }
  if (expected.is_array()) {
    if (expected.empty() != actual.empty())
      return "array emptiness differs: " + actual.dump().substr(0, 200);
    for (auto& a : actual) {
      std::string first_diff;
      bool any = false;
      for (auto& e : expected) {
        auto d = shape_diff(e, a, optional);
        if (d.empty()) {
          any = true;
          break;
        }
        if (first_diff.empty())
          first_diff = d;
      }
      if (!any)
        return "element " + a.dump().substr(0, 300) + ": " + first_diff;
    }
  }
  return {};
}

json load(const std::string& file) {
  std::ifstream in(std::string{RMCP_SIM_GOLDEN_DIR} + "/" + file);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

void put(http_client& c, const std::string& path, const json& body) {
  auto r = c.request("PUT", path, body.dump());
  ASSERT_EQ(r.status, 201u) << path << " " << r.body;
}

void insert(fleet& f, const std::string& table, std::uint32_t id, fields item) {
  f.router(0).with_state(
    [&](router_state& s) { s.tab(table).insert_with_id(id, std::move(item)); });
}

void dummy_bridge(fleet&, http_client& c) {
  put(c, "/rest/interface/bridge", {{"name", "dummy"}});
}

void ssl_certificate(fleet&, http_client& c) {
  put(c, "/rest/certificate", {{"name", "ssl"}, {"common-name", "router"}});
}

std::vector<golden_case> cases() {
  auto address9 = [](fleet& f, http_client&) {
    insert(f, "/ip/address", 9,
           fields{{"address", "10.0.0.9/24"},
                  {"network", "10.0.0.0"},
                  {"interface", "ether2"}});
  };
  return {
    {"doc-delete-ip-address-again-404.json",
     "7.12.1",
     "",
     "",
     {},
     [address9](fleet& f, http_client& c) {
       address9(f, c);
       ASSERT_EQ(c.request("DELETE", "/rest/ip/address/*9").status, 204u);
     }},
    {"doc-delete-ip-address.json", "7.12.1", "", "", {}, address9},
    {"doc-error-delete-interface-406.json",
     "7.12.1",
     "",
     "/rest/interface/ether1",
     {},
     nullptr},
    {"doc-get-ip-address-by-id.json", "7.12.1", "", "", {"comment"}, nullptr},
    {"doc-get-ip-address-filter-comment-interface.json",
     "7.12.1",
     "",
     "",
     {},
     [](fleet& f, http_client& c) {
       dummy_bridge(f, c);
       put(c, "/rest/ip/address",
           {{"address", "192.168.99.2/24"},
            {"interface", "dummy"},
            {"comment", "test"}});
     }},
    // The recorded dynamic address sits on sfp12; ours on ether1 of the same network.
    {"doc-get-ip-address-filter-network-dynamic.json",
     "7.12.1",
     "",
     "",
     {},
     [](fleet& f, http_client&) {
       insert(f, "/ip/address", 8,
              fields{{"address", "10.155.101.214/24"},
                     {"network", "10.155.101.0"},
                     {"interface", "ether1"},
                     {"dynamic", "true"}});
     }},
    {"doc-get-ip-address-list.json", "7.12.1", "", "", {"comment"}, nullptr},
    {"doc-get-ip-address-proplist.json", "7.12.1", "", "", {}, nullptr},
    {"doc-patch-ip-address-comment.json",
     "7.12.1",
     "",
     "",
     {},
     [](fleet& f, http_client& c) {
       dummy_bridge(f, c);
       insert(f, "/ip/address", 3,
              fields{{"address", "192.168.99.2/24"},
                     {"network", "192.168.99.0"},
                     {"interface", "dummy"}});
     }},
    {"doc-post-bandwidth-test-duration.json", "7.12.1", "", "", {}, nullptr},
    {"doc-post-ip-address-print-proplist-query.json",
     "7.12.1",
     "",
     "",
     {},
     nullptr},
    {"doc-post-ip-address-print-proplist.json", "7.12.1", "", "", {}, nullptr},
    {"doc-post-ping-count-4.json", "7.12.1", "", "", {}, nullptr},
    {"doc-post-ping-no-count-timeout.json", "7.12.1", "", "", {}, nullptr},
    {"doc-put-ip-address.json", "7.12.1", "", "", {}, dummy_bridge},
    {"lab723-get-unknown-id-404.json",
     "7.23.7 (long-term)",
     "",
     "",
     {},
     [](fleet&, http_client& c) {
       ASSERT_EQ(c.request("DELETE", "/rest/ip/firewall/filter/*1").status,
                 204u);
     }},
    {"lab723-get-unknown-path-400.json",
     "7.23.7 (long-term)",
     "",
     "",
     {},
     nullptr},
    {"lab723-get-wrong-credentials-401.json",
     "7.23.7 (long-term)",
     "",
     "/rest/system/resource",
     {},
     nullptr,
     "wrong"},
    // The lab router had rules *C and *F; ours gets rules with those ids.
    {"lab723-post-firewall-filter-move.json",
     "7.23.7 (long-term)",
     "",
     "",
     {},
     [](fleet& f, http_client&) {
       insert(f, "/ip/firewall/filter", 0xC,
              fields{{"chain", "forward"}, {"action", "accept"}});
       insert(f, "/ip/firewall/filter", 0xF,
              fields{{"chain", "forward"}, {"action", "drop"}});
     }},
    {"miklink-get-interface-bridge-host.json",
     "7.20.5",
     "hAP ax^2",
     "",
     {},
     nullptr},
    {"miklink-get-interface-bridge-port.json",
     "7.20.5",
     "hAP ax^2",
     "",
     {"comment"},
     nullptr},
    {"miklink-get-ip-neighbor.json", "7.20.5", "hAP ax^2", "", {}, nullptr},
    {"miklink-get-log-proplist.json", "7.20.5", "hAP ax^2", "", {}, nullptr},
    {"miklink-get-system-resource.json", "7.20.5", "hAP ax^2", "", {}, nullptr},
    {"tf769-get-ip-service-filter.json", "7.19.1", "", "", {}, nullptr},
    // The 7.19 routers had a certificate named "ssl".
    {"tf769-post-ip-service-set-7.19-failure.json",
     "7.19",
     "",
     "",
     {},
     ssl_certificate},
    {"tf769-post-ip-service-set-7.19.1-ok.json",
     "7.19.1",
     "",
     "",
     {},
     ssl_certificate},
  };
}

class golden : public ::testing::TestWithParam<golden_case> {};

TEST_P(golden, replays_with_same_status_and_shape) {
  auto& c = GetParam();
  auto file = load(c.file);
  auto opts = fast_options();
  router_overrides ov;
  ov.version = c.version;
  if (!c.board.empty())
    ov.board = c.board;
  opts.overrides[0] = ov;
  fleet f{opts};
  http_client client{f.port(0)};
  if (c.setup)
    c.setup(f, client);
  ASSERT_FALSE(HasFatalFailure());
  auto& req = file["request"];
  auto path = c.path.empty() ? req["path"].get<std::string>() : c.path;
  auto body = req["body"].is_null() ? std::string{} : req["body"].dump();
  if (c.password != "routeros-sim")
    client.set_credentials("admin", c.password);
  auto res = client.request(req["method"].get<std::string>(), path, body);
  auto& expected = file["response"];
  ASSERT_EQ(res.status, expected["status"].get<unsigned>())
    << res.body << res.error;
  if (expected["body"].is_null()) {
    EXPECT_TRUE(res.body.empty()) << res.body;
    return;
  }
  auto actual = parse(res.body);
  ASSERT_FALSE(actual.is_discarded()) << res.body;
  EXPECT_EQ(shape_diff(expected["body"], actual, c.optional), "")
    << res.body.substr(0, 2000);
}

INSTANTIATE_TEST_SUITE_P(files, golden, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<golden_case>& info) {
                           auto name = info.param.file.substr(
                             0, info.param.file.size() - 5);
                           for (auto& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch)))
                               ch = '_';
                           return name;
                         });

TEST(golden_files, every_file_is_replayed_or_listed_out_of_scope) {
  std::set<std::string> covered{"doc-get-system-resource.json"};
  for (auto& c : cases())
    covered.insert(c.file);
  EXPECT_EQ(covered.size(), 28u);
}

} // namespace
} // namespace rmcp::sim::test
