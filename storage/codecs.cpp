#include "storage/codecs.hpp"

#include "protocol/error.hpp"
#include "storage/encoding.hpp"
#include "storage/record_table.hpp"

namespace rmcp::storage {

namespace {

template <class T>
void read(const json& j, const char* name, T& out) {
  if (auto i = j.find(name); i != j.end() && !i->is_null())
    i->get_to(out);
}

/// Stored as an object of every flag by its table name (records written
/// before a flag existed decode it as false).
json encode_flags(const device_flags& x) {
  json out = json::object();
  for (auto& def : device_flag_table)
    out[def.name] = x.*def.member;
  return out;
}

void decode_flags(const json& j, device_flags& x) {
  for (auto& def : device_flag_table)
    read(j, def.name, x.*def.member);
}

} // namespace

json encode(const device_record& x) {
  return {
    {"id", x.id},
    {"name", x.name},
    {"host", x.host},
    {"port", x.port},
    {"scheme", x.scheme},
    {"tls",
     {{"mode", x.tls.mode},
      {"ca_file", x.tls.ca_file},
      {"fingerprint_sha256", x.tls.fingerprint_sha256},
      {"server_name", x.tls.server_name}}},
    {"ssh",
     {{"transport", x.ssh.transport},
      {"port", x.ssh.port},
      {"host_key_sha256", x.ssh.host_key_sha256}}},
    {"username", x.username},
    {"environment", x.environment},
    {"tags", x.tags},
    {"flags", encode_flags(x.flags)},
    {"management_path", x.management_path},
    {"created_at", x.created_at},
    {"updated_at", x.updated_at},
  };
}

bool decode(const json& j, device_record& x) {
  read(j, "id", x.id);
  read(j, "name", x.name);
  read(j, "host", x.host);
  read(j, "port", x.port);
  read(j, "scheme", x.scheme);
  if (auto i = j.find("tls"); i != j.end() && i->is_object()) {
    read(*i, "mode", x.tls.mode);
    read(*i, "ca_file", x.tls.ca_file);
    read(*i, "fingerprint_sha256", x.tls.fingerprint_sha256);
    read(*i, "server_name", x.tls.server_name);
  }
  // Records written before the SSH transport have no "ssh": REST only.
  if (auto i = j.find("ssh"); i != j.end() && i->is_object()) {
    read(*i, "transport", x.ssh.transport);
    read(*i, "port", x.ssh.port);
    read(*i, "host_key_sha256", x.ssh.host_key_sha256);
  }
  read(j, "username", x.username);
  read(j, "environment", x.environment);
  read(j, "tags", x.tags);
  if (auto i = j.find("flags"); i != j.end() && i->is_object())
    decode_flags(*i, x.flags);
  read(j, "management_path", x.management_path);
  read(j, "created_at", x.created_at);
  read(j, "updated_at", x.updated_at);
  return true;
}

json encode(const health_sample& x) {
  return {
    {"device_id", x.device_id},
    {"timestamp", x.timestamp},
    {"status", to_string(x.status)},
    {"cpu_percent", x.cpu_percent},
    {"memory_total_bytes", x.memory_total_bytes},
    {"memory_used_bytes", x.memory_used_bytes},
    {"uptime_seconds", x.uptime_seconds},
    {"latency_ms", x.latency_ms},
    {"routeros_version", x.routeros_version},
    {"board_name", x.board_name},
    {"identity", x.identity},
    {"issues", x.issues},
    {"error_kind", x.error_kind},
  };
}

bool decode(const json& j, health_sample& x) {
  read(j, "device_id", x.device_id);
  read(j, "timestamp", x.timestamp);
  std::string status;
  read(j, "status", status);
  if (!from_string(status, x.status))
    x.status = device_status::unknown;
  read(j, "cpu_percent", x.cpu_percent);
  read(j, "memory_total_bytes", x.memory_total_bytes);
  read(j, "memory_used_bytes", x.memory_used_bytes);
  read(j, "uptime_seconds", x.uptime_seconds);
  read(j, "latency_ms", x.latency_ms);
  read(j, "routeros_version", x.routeros_version);
  read(j, "board_name", x.board_name);
  read(j, "identity", x.identity);
  read(j, "issues", x.issues);
  read(j, "error_kind", x.error_kind);
  return true;
}

json encode(const snapshot_record& x) {
  json result{
    {"id", x.id},         {"device_id", x.device_id},
    {"kind", x.kind},     {"timestamp", x.timestamp},
    {"sha256", x.sha256},
  };
  // RouterOS exports may carry non-UTF-8 bytes (comments typed in a legacy
  // code page); JSON strings cannot, so such content is kept as base64.
  if (is_valid_utf8(x.content))
    result["content"] = x.content;
  else
    result["content_b64"] = to_base64(x.content);
  return result;
}

bool decode(const json& j, snapshot_record& x) {
  read(j, "id", x.id);
  read(j, "device_id", x.device_id);
  read(j, "kind", x.kind);
  read(j, "timestamp", x.timestamp);
  read(j, "content", x.content);
  if (auto i = j.find("content_b64"); i != j.end() && i->is_string()) {
    auto raw = from_base64(i->get<std::string>());
    if (!raw)
      return false;
    x.content = std::move(*raw);
  }
  read(j, "sha256", x.sha256);
  return true;
}

json encode(const audit_record& x) {
  json out{{"seq", x.seq},
           {"timestamp", x.timestamp},
           {"actor", x.actor},
           {"tool", x.tool},
           {"device_id", x.device_id},
           {"outcome", x.outcome},
           {"arguments", x.arguments},
           {"before", x.before},
           {"after", x.after},
           {"error", x.error},
           {"kind", x.kind},
           {"role", x.role},
           {"transport", x.transport},
           {"devices", x.devices},
           {"duration_ms", x.duration_ms},
           {"plan_id", x.plan_id},
           {"prev_hash", x.prev_hash},
           {"hash", x.hash}};
  // Only when set: records of older versions keep their encoding.
  if (!x.request_id.empty())
    out["request_id"] = x.request_id;
  return out;
}

bool decode(const json& j, audit_record& x) {
  read(j, "seq", x.seq);
  read(j, "timestamp", x.timestamp);
  read(j, "actor", x.actor);
  read(j, "tool", x.tool);
  read(j, "device_id", x.device_id);
  read(j, "outcome", x.outcome);
  x.arguments = j.value("arguments", json{});
  x.before = j.value("before", json{});
  x.after = j.value("after", json{});
  read(j, "error", x.error);
  read(j, "kind", x.kind);
  read(j, "role", x.role);
  read(j, "transport", x.transport);
  if (auto d = j.find("devices"); d != j.end() && d->is_array())
    x.devices = d->get<std::vector<std::string>>();
  read(j, "duration_ms", x.duration_ms);
  read(j, "plan_id", x.plan_id);
  read(j, "request_id", x.request_id);
  read(j, "prev_hash", x.prev_hash);
  read(j, "hash", x.hash);
  if (x.kind.empty())
    x.kind = audit_kind::change;
  return true;
}

json encode(const credential& x) {
  json j{{"username", x.username}, {"password", x.password}};
  if (!x.ssh_private_key.empty())
    j["ssh_private_key"] = x.ssh_private_key;
  return j;
}

bool decode(const json& j, credential& x) {
  read(j, "username", x.username);
  read(j, "password", x.password);
  read(j, "ssh_private_key", x.ssh_private_key);
  return true;
}

} // namespace rmcp::storage

namespace rmcp::storage {

caf::error corrupt_record(std::string_view table, std::string_view key,
                          std::string_view why) {
  std::string printable;
  for (char c : key)
    printable += c == '\0' ? '/' : c;
  return make_error(ec::store_failure, "corrupt record " + std::string{table}
                                         + "/" + printable + ": "
                                         + std::string{why});
}

json encode(const plan_record& x) {
  return to_json(x);
}

bool decode(const json& j, plan_record& x) {
  return from_json(j, x);
}

json encode(const plan_device& x) {
  return to_json(x);
}

bool decode(const json& j, plan_device& x) {
  return from_json(j, x);
}

json encode(const plan_step& x) {
  return to_json(x);
}

bool decode(const json& j, plan_step& x) {
  return from_json(j, x);
}

} // namespace rmcp::storage
