#include "actors/request_id.hpp"

#include <cstdint>
#include <random>

#include "protocol/error.hpp"

namespace rmcp::request_ids {

namespace {

bool is_hex(const std::string& s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

bool is_id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':'
         || c == '-';
}

/// The trace id of `00-<32 hex>-<16 hex>-<2 hex>`; none when malformed or
/// all zero (invalid by the Trace Context rules).
std::optional<std::string> trace_id_of(const std::string& tp) {
  if (tp.size() != 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-')
    return std::nullopt;
  auto version = tp.substr(0, 2);
  auto trace = tp.substr(3, 32);
  auto parent = tp.substr(36, 16);
  auto flags = tp.substr(53, 2);
  if (!is_hex(version) || version == "ff" || !is_hex(trace) || !is_hex(parent)
      || !is_hex(flags) || trace == std::string(32, '0'))
    return std::nullopt;
  return trace;
}

} // namespace

std::string make() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  auto n = gen();
  std::string out(16, '0');
  for (size_t i = 0; i < out.size(); ++i, n >>= 4)
    out[i] = digits[n & 0xf];
  return out;
}

caf::expected<std::optional<std::string>> from_meta(const json& meta) {
  if (!meta.is_object())
    return std::optional<std::string>{};
  if (auto id = meta.find("requestId"); id != meta.end()) {
    bool ok = id->is_string() && !id->get_ref<const std::string&>().empty()
              && id->get_ref<const std::string&>().size() <= 128;
    if (ok)
      for (char c : id->get_ref<const std::string&>())
        ok = ok && is_id_char(c);
    if (!ok)
      return make_error(ec::invalid_params,
                        "\"_meta.requestId\" must be a string of 1 to 128 "
                        "characters from A-Z a-z 0-9 . _ : -");
    return std::optional<std::string>{id->get<std::string>()};
  }
  if (auto tp = meta.find("traceparent"); tp != meta.end() && tp->is_string())
    return trace_id_of(tp->get<std::string>());
  return std::optional<std::string>{};
}

} // namespace rmcp::request_ids
