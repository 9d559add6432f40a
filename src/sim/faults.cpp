#include "sim/faults.hpp"

#include <cstdint>

#include <nlohmann/json.hpp>

namespace rmcp::sim {

bool fault_config::operator==(const fault_config& o) const {
  return latency_ms == o.latency_ms && jitter_ms == o.jitter_ms
         && error_rate == o.error_rate && drop_rate == o.drop_rate
         && timeout_rate == o.timeout_rate && reject_auth == o.reject_auth
         && high_cpu == o.high_cpu && high_memory == o.high_memory
         && write_fail_applied == o.write_fail_applied
         && control_bytes == o.control_bytes
         && wrong_body_count == o.wrong_body_count
         && raw_answer_path == o.raw_answer_path
         && raw_answer_body == o.raw_answer_body
         && raw_answer_count == o.raw_answer_count
         && rest_disabled == o.rest_disabled
         && ssh_wrong_host_key == o.ssh_wrong_host_key;
}

namespace {

std::string to_hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::optional<std::string> take_hex(const nlohmann::json& v,
                                    const std::string& key, std::string& out) {
  auto nibble = [](char c) {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  if (!v.is_string() || v.get_ref<const std::string&>().size() % 2 != 0)
    return key + ": expected a string of hex digit pairs";
  const auto& text = v.get_ref<const std::string&>();
  std::string bytes;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]);
    int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0)
      return key + ": expected a string of hex digit pairs";
    bytes += static_cast<char>(hi * 16 + lo);
  }
  out = std::move(bytes);
  return std::nullopt;
}

std::optional<std::string>
take_string(const nlohmann::json& v, const std::string& key, std::string& out) {
  if (!v.is_string())
    return key + ": expected a string";
  out = v.get<std::string>();
  return std::nullopt;
}

} // namespace

nlohmann::json to_json(const fault_config& f) {
  return {{"latency_ms", f.latency_ms},
          {"jitter_ms", f.jitter_ms},
          {"error_rate", f.error_rate},
          {"drop_rate", f.drop_rate},
          {"timeout_rate", f.timeout_rate},
          {"reject_auth", f.reject_auth},
          {"high_cpu", f.high_cpu},
          {"high_memory", f.high_memory},
          {"write_fail_applied", f.write_fail_applied},
          {"control_bytes", f.control_bytes},
          {"wrong_body_count", f.wrong_body_count},
          {"raw_answer_path", f.raw_answer_path},
          {"raw_answer_body_hex", to_hex(f.raw_answer_body)},
          {"raw_answer_count", f.raw_answer_count},
          {"rest_disabled", f.rest_disabled},
          {"ssh_wrong_host_key", f.ssh_wrong_host_key}};
}

namespace {

std::optional<std::string>
take_uint(const nlohmann::json& v, const std::string& key, std::uint32_t& out) {
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0
      || v.get<std::uint64_t>() > UINT32_MAX)
    return key + ": expected an integer in [0, 4294967295]";
  out = v.get<std::uint32_t>();
  return std::nullopt;
}

std::optional<std::string> take_rate(const nlohmann::json& v,
                                     const std::string& key, double& out) {
  if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1)
    return key + ": expected a number in [0, 1]";
  out = v.get<double>();
  return std::nullopt;
}

std::optional<std::string> take_bool(const nlohmann::json& v,
                                     const std::string& key, bool& out) {
  if (!v.is_boolean())
    return key + ": expected true or false";
  out = v.get<bool>();
  return std::nullopt;
}

} // namespace

std::optional<std::string> merge_json(fault_config& f,
                                      const nlohmann::json& j) {
  if (!j.is_object())
    return std::string{"expected a JSON object"};
  fault_config copy = f;
  for (auto& [key, v] : j.items()) {
    std::optional<std::string> err;
    if (key == "latency_ms")
      err = take_uint(v, key, copy.latency_ms);
    else if (key == "jitter_ms")
      err = take_uint(v, key, copy.jitter_ms);
    else if (key == "error_rate")
      err = take_rate(v, key, copy.error_rate);
    else if (key == "drop_rate")
      err = take_rate(v, key, copy.drop_rate);
    else if (key == "timeout_rate")
      err = take_rate(v, key, copy.timeout_rate);
    else if (key == "reject_auth")
      err = take_bool(v, key, copy.reject_auth);
    else if (key == "high_cpu")
      err = take_bool(v, key, copy.high_cpu);
    else if (key == "high_memory")
      err = take_bool(v, key, copy.high_memory);
    else if (key == "write_fail_applied")
      err = take_uint(v, key, copy.write_fail_applied);
    else if (key == "control_bytes")
      err = take_bool(v, key, copy.control_bytes);
    else if (key == "wrong_body_count")
      err = take_uint(v, key, copy.wrong_body_count);
    else if (key == "raw_answer_path")
      err = take_string(v, key, copy.raw_answer_path);
    else if (key == "raw_answer_body_hex")
      err = take_hex(v, key, copy.raw_answer_body);
    else if (key == "raw_answer_count")
      err = take_uint(v, key, copy.raw_answer_count);
    else if (key == "rest_disabled")
      err = take_bool(v, key, copy.rest_disabled);
    else if (key == "ssh_wrong_host_key")
      err = take_bool(v, key, copy.ssh_wrong_host_key);
    else
      err = "unknown fault " + key;
    if (err)
      return err;
  }
  f = copy;
  return std::nullopt;
}

} // namespace rmcp::sim
