#include "src/cluster/etcd_json.hpp"

#include <charconv>
#include <optional>

#include "protocol/error.hpp"
#include "storage/encoding.hpp"

namespace rmcp::cluster {

namespace {

std::string b64(std::string_view bytes) {
  return storage::to_base64(bytes);
}

std::string text_of(int64_t n) {
  return std::to_string(n);
}

caf::error bad(std::string what) {
  return make_error(ec::store_failure, "etcd answered " + what);
}

/// An optional 64-bit member: absent (proto3 leaves zero out) → 0.
caf::expected<int64_t> int_member(const json& obj, const char* key,
                                  const char* where) {
  auto i = obj.find(key);
  if (i == obj.end() || i->is_null())
    return int64_t{0};
  if (auto n = int64_of(*i))
    return *n;
  return bad(std::string{where} + "." + key + " that is not an integer");
}

caf::expected<std::string> bytes_member(const json& obj, const char* key,
                                        const char* where) {
  auto i = obj.find(key);
  if (i == obj.end() || i->is_null())
    return std::string{};
  if (!i->is_string())
    return bad(std::string{where} + "." + key + " that is not a string");
  auto decoded = storage::from_base64(i->get_ref<const std::string&>());
  if (!decoded)
    return bad(std::string{where} + "." + key + " that is not base64");
  return std::move(*decoded);
}

caf::expected<etcd_kv> read_kv(const json& v, const char* where) {
  if (!v.is_object())
    return bad(std::string{where} + " that is not an object");
  etcd_kv kv;
  auto key = bytes_member(v, "key", where);
  if (!key)
    return key.error();
  if (key->empty())
    return bad(std::string{where} + " without a key");
  kv.key = std::move(*key);
  auto value = bytes_member(v, "value", where);
  if (!value)
    return value.error();
  kv.value = std::move(*value);
  auto cr = int_member(v, "create_revision", where);
  auto mr = int_member(v, "mod_revision", where);
  auto lease = int_member(v, "lease", where);
  if (!cr)
    return cr.error();
  if (!mr)
    return mr.error();
  if (!lease)
    return lease.error();
  kv.create_revision = *cr;
  kv.mod_revision = *mr;
  kv.lease = *lease;
  return kv;
}

caf::expected<std::vector<etcd_kv>> read_kvs(const json& obj,
                                             const char* where) {
  std::vector<etcd_kv> out;
  auto i = obj.find("kvs");
  if (i == obj.end() || i->is_null())
    return out;
  if (!i->is_array())
    return bad(std::string{where} + ".kvs that is not an array");
  for (auto& v : *i) {
    auto kv = read_kv(v, where);
    if (!kv)
      return kv.error();
    out.push_back(std::move(*kv));
  }
  return out;
}

json op_json(const etcd_op& op) {
  switch (op.what) {
    case etcd_op::kind::put: {
      json put{{"key", b64(op.key)}, {"value", b64(op.value)}};
      if (op.lease != 0)
        put["lease"] = text_of(op.lease);
      return {{"request_put", std::move(put)}};
    }
    case etcd_op::kind::remove:
      return {{"request_delete_range", {{"key", b64(op.key)}}}};
    case etcd_op::kind::get:
      return {{"request_range", {{"key", b64(op.key)}}}};
  }
  return json::object();
}

json compare_json(const etcd_compare& c) {
  json out{{"key", b64(c.key)}, {"result", "EQUAL"}};
  switch (c.what) {
    case etcd_compare::target::create:
      out["target"] = "CREATE";
      out["create_revision"] = text_of(c.revision);
      break;
    case etcd_compare::target::mod:
      out["target"] = "MOD";
      out["mod_revision"] = text_of(c.revision);
      break;
    case etcd_compare::target::lease:
      out["target"] = "LEASE";
      out["lease"] = text_of(c.revision);
      break;
  }
  return out;
}

} // namespace

std::optional<int64_t> int64_of(const json& v) {
  if (v.is_number_integer())
    return v.get<int64_t>();
  if (!v.is_string())
    return std::nullopt;
  auto& s = v.get_ref<const std::string&>();
  int64_t n = 0;
  auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (err != std::errc{} || end != s.data() + s.size() || s.empty())
    return std::nullopt;
  return n;
}

json grant_body(int64_t ttl) {
  return {{"TTL", text_of(ttl)}};
}

json lease_id_body(int64_t id) {
  return {{"ID", text_of(id)}};
}

json put_body(const std::string& key, const std::string& value, int64_t lease) {
  json out{{"key", b64(key)}, {"value", b64(value)}};
  if (lease != 0)
    out["lease"] = text_of(lease);
  return out;
}

json range_body(const std::string& key, bool prefix) {
  json out{{"key", b64(key)}};
  if (prefix)
    out["range_end"] = b64(prefix_end(key));
  return out;
}

json range_query_body(const etcd_range_query& q) {
  json out{{"key", b64(q.key)}};
  if (!q.range_end.empty())
    out["range_end"] = b64(q.range_end);
  if (q.revision != 0)
    out["revision"] = text_of(q.revision);
  if (q.limit != 0)
    out["limit"] = text_of(q.limit);
  if (q.count_only)
    out["count_only"] = true;
  return out;
}

json txn_body(const etcd_txn& t) {
  json out{{"compare", json::array()},
           {"success", json::array()},
           {"failure", json::array()}};
  for (auto& c : t.compare)
    out["compare"].push_back(compare_json(c));
  for (auto& op : t.success)
    out["success"].push_back(op_json(op));
  for (auto& op : t.failure)
    out["failure"].push_back(op_json(op));
  return out;
}

json watch_body(const std::string& prefix, int64_t start_revision) {
  return watch_range_body(prefix, prefix_end(prefix), start_revision);
}

json watch_range_body(const std::string& key, const std::string& range_end,
                      int64_t start_revision) {
  return {{"create_request",
           {{"key", b64(key)},
            {"range_end", b64(range_end)},
            {"start_revision", text_of(start_revision)}}}};
}

std::string gateway_error(const json& body) {
  if (!body.is_object())
    return {};
  auto i = body.find("error");
  if (i == body.end())
    return {};
  auto message = body.find("message");
  if (message != body.end() && message->is_string())
    return message->get<std::string>();
  if (i->is_string())
    return i->get<std::string>();
  return i->dump();
}

caf::expected<int64_t> read_revision(const json& body) {
  if (!body.is_object())
    return bad("a body that is not an object");
  auto h = body.find("header");
  if (h == body.end() || !h->is_object())
    return bad("without a header");
  return int_member(*h, "revision", "header");
}

caf::expected<int64_t> read_grant(const json& body) {
  auto rev = read_revision(body);
  if (!rev)
    return rev.error();
  auto id = int_member(body, "ID", "grant");
  if (!id)
    return id.error();
  if (*id == 0)
    return bad("a lease grant without a lease id");
  return *id;
}

caf::expected<int64_t> read_keep_alive(const json& body) {
  if (!body.is_object())
    return bad("a keep-alive that is not an object");
  auto r = body.find("result");
  if (r == body.end() || !r->is_object())
    return bad("a keep-alive without a result");
  return int_member(*r, "TTL", "keep-alive");
}

caf::expected<etcd_range> read_range(const json& body) {
  auto rev = read_revision(body);
  if (!rev)
    return rev.error();
  auto kvs = read_kvs(body, "range");
  if (!kvs)
    return kvs.error();
  auto count = int_member(body, "count", "range");
  if (!count)
    return count.error();
  bool more = false;
  if (auto m = body.find("more"); m != body.end() && !m->is_null()) {
    if (!m->is_boolean())
      return bad("range.more that is not a boolean");
    more = m->get<bool>();
  }
  return etcd_range{*rev, std::move(*kvs), *count, more};
}

caf::expected<int64_t> read_deleted(const json& body) {
  auto rev = read_revision(body);
  if (!rev)
    return rev.error();
  return int_member(body, "deleted", "deleterange");
}

caf::expected<etcd_txn_result> read_txn(const json& body) {
  auto rev = read_revision(body);
  if (!rev)
    return rev.error();
  etcd_txn_result out;
  out.revision = *rev;
  auto ok = body.find("succeeded");
  if (ok != body.end() && !ok->is_null()) {
    if (!ok->is_boolean())
      return bad("txn.succeeded that is not a boolean");
    out.succeeded = ok->get<bool>();
  }
  auto rs = body.find("responses");
  if (rs == body.end() || rs->is_null())
    return out;
  if (!rs->is_array())
    return bad("txn.responses that is not an array");
  for (auto& r : *rs) {
    if (!r.is_object())
      return bad("a txn response that is not an object");
    auto range = r.find("response_range");
    if (range == r.end())
      continue;
    if (!range->is_object())
      return bad("a txn response_range that is not an object");
    auto kvs = read_kvs(*range, "txn.response_range");
    if (!kvs)
      return kvs.error();
    for (auto& kv : *kvs)
      out.read.push_back(std::move(kv));
  }
  return out;
}

caf::expected<etcd_watch_result> read_watch_message(const json& body,
                                                    bool& created) {
  if (!body.is_object())
    return bad("a watch message that is not an object");
  if (auto err = gateway_error(body); !err.empty())
    return bad("a watch error: " + err);
  auto r = body.find("result");
  if (r == body.end() || !r->is_object())
    return bad("a watch message without a result");
  auto rev = read_revision(*r);
  if (!rev)
    return rev.error();
  etcd_watch_result out;
  out.revision = *rev;
  auto c = r->find("created");
  if (c != r->end() && c->is_boolean() && c->get<bool>())
    created = true;
  auto canceled = r->find("canceled");
  if (canceled != r->end() && canceled->is_boolean() && canceled->get<bool>()) {
    auto reason = r->find("cancel_reason");
    std::string why;
    if (reason != r->end() && reason->is_string())
      why = ": " + reason->get<std::string>();
    return bad("a cancelled watch" + why);
  }
  auto es = r->find("events");
  if (es == r->end() || es->is_null())
    return out;
  if (!es->is_array())
    return bad("watch.events that is not an array");
  for (auto& e : *es) {
    if (!e.is_object())
      return bad("a watch event that is not an object");
    etcd_event ev;
    auto type = e.find("type");
    if (type != e.end() && !type->is_null()) {
      if (!type->is_string())
        return bad("a watch event type that is not a string");
      ev.deleted = type->get_ref<const std::string&>() == "DELETE";
    }
    auto kv_it = e.find("kv");
    if (kv_it == e.end())
      return bad("a watch event without kv");
    auto kv = read_kv(*kv_it, "watch.kv");
    if (!kv)
      return kv.error();
    ev.kv = std::move(*kv);
    out.events.push_back(std::move(ev));
  }
  return out;
}

} // namespace rmcp::cluster
