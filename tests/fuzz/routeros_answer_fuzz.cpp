// RouterOS REST answers: what a router (or anything answering in its place)
// sends back is untrusted. The input is "<status> <METHOD> <path>" on the
// first line and the raw body after it (tests/fuzz/corpus/routeros_answer
// holds the recorded answers of real routers in this form). The answer goes
// the way the device actor takes it: the status and body are mapped to a
// response or an error, a GET's body is checked against its menu's shape,
// and a body of the right shape is converted by field tables covering
// every kind.

#include "fuzz_target.hpp"

#include <charconv>

#include "protocol/json.hpp"
#include "protocol/routeros.hpp"
#include "protocol/routeros_shape.hpp"
#include "protocol/routeros_value.hpp"
#include "protocol/system_resource.hpp"

using namespace rmcp;

namespace {

constexpr ros::field fields[] = {
  {".id", "id", ros::kind::text},
  {"name", "name", ros::kind::text},
  {"mtu", "mtu", ros::kind::uint},
  {"distance", "distance", ros::kind::integer},
  {"running", "running", ros::kind::boolean},
  {"disabled", "disabled", ros::kind::boolean},
  {"uptime", "uptime", ros::kind::seconds},
  {"timeout", "timeout", ros::kind::whole_seconds},
  {"free-memory", "free_memory", ros::kind::bytes},
  {"cpu-load", "cpu_load", ros::kind::percent},
  {"tx-rate", "tx_rate", ros::kind::bps},
  {"signal-strength", "signal", ros::kind::dbm},
  {"frequency", "frequency", ros::kind::number},
  {"topics", "topics", ros::kind::list},
  {"time", "time", ros::kind::time},
  {"build-time", "build_time", ros::kind::time},
  {"date", "date", ros::kind::date},
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view head;
  auto body = fuzz::split_first(fuzz::as_text(data, size), '\n', head);
  int status = 0;
  auto [end, err] =
    std::from_chars(head.data(), head.data() + head.size(), status);
  if (err != std::errc{} || status < 100 || status > 599)
    return 0;
  head.remove_prefix(static_cast<size_t>(end - head.data()));
  std::string_view rest;
  auto path = fuzz::split_first(head.substr(head.empty() ? 0 : 1), ' ', rest);
  rest_request req =
    make_request(std::string{rest}, std::string{path}, nullptr);

  bool json_body = parse_rest_body(body).has_value();
  auto answer = map_rest_answer("fuzz: " + req.method, status, body);
  if (!answer) {
    // A success is refused only for a body that is not JSON.
    FUZZ_CHECK(status < 200 || status >= 300 || !json_body);
    (void)is_absent_menu(answer.error());
    return 0;
  }
  FUZZ_CHECK(status >= 200 && status < 300);
  const json& doc = answer->body;
  (void)dump_json(doc);
  bool item = false;
  (void)ros::find_menu_shape(req.path, item);
  if (auto bad = ros::check_answer("fuzz", req, doc))
    return 0;
  (void)dump_json(ros::convert_rows(doc, fields, "2025-12-09"));
  (void)dump_json(ros::convert(doc, fields));
  if (auto res = parse_system_resource(doc))
    FUZZ_CHECK(!res->version.empty());
  (void)parse_system_identity(doc);
  return 0;
}
