// RouterOS value normalisation (protocol/routeros_value): every value a
// router sends is untrusted text. The input is one value; every scalar
// parser and every field kind must answer a value or nullopt, and whatever
// they answer must keep the promises of routeros_value.hpp.

#include "fuzz_target.hpp"

#include <cmath>

#include "protocol/json.hpp"
#include "protocol/routeros_value.hpp"

using namespace rmcp;

namespace {

constexpr ros::kind all_kinds[] = {
  ros::kind::text,          ros::kind::uint,    ros::kind::integer,
  ros::kind::number,        ros::kind::boolean, ros::kind::seconds,
  ros::kind::whole_seconds, ros::kind::bytes,   ros::kind::percent,
  ros::kind::bps,           ros::kind::dbm,     ros::kind::list,
  ros::kind::time,          ros::kind::date,
};

bool iso_shaped(const std::string& s, size_t len) {
  return s.size() == len && s[4] == '-' && s[7] == '-';
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  (void)ros::to_uint(text);
  (void)ros::to_int(text);
  if (auto d = ros::to_double(text))
    FUZZ_CHECK(!std::isnan(*d));
  (void)ros::to_bool(text);
  (void)ros::to_seconds(text);
  (void)ros::to_whole_seconds(text);
  (void)ros::to_bytes(text);
  (void)ros::to_percent(text);
  (void)ros::to_bps(text);
  (void)ros::to_dbm(text);
  for (auto& item : ros::to_list(text))
    FUZZ_CHECK(!item.empty() && item.find(',') == std::string::npos);
  if (auto t = ros::to_iso_time(text))
    FUZZ_CHECK(iso_shaped(*t, 19) && (*t)[10] == 'T');
  if (auto t = ros::to_iso_time(text, "2025-12-09"))
    FUZZ_CHECK(iso_shaped(*t, 19) && (*t)[10] == 'T');
  if (auto d = ros::to_iso_date(text))
    FUZZ_CHECK(iso_shaped(*d, 10));
  // The same text as a field of a row, as tools convert it; the result
  // must serialise (it goes into structuredContent).
  json row{{"k", std::string{text}}};
  for (auto k : all_kinds)
    if (auto v = ros::convert_value(row, "k", k, "2025-12-09"))
      (void)dump_json(*v);
  return 0;
}
