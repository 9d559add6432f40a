#include "storage/audit_log.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "protocol/error.hpp"
#include "storage/codecs.hpp"
#include "storage/encoding.hpp"
#include "storage/record_table.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

namespace {

const record_table<audit_record> audit_table{tables::audit};

/// Records `recent` with a limit reads at most, newest first.
constexpr uint64_t recent_scan_bound = 100'000;

/// meta key of the chain head {"seq": n, "hash": "…"}.
constexpr std::string_view head_key = "audit_head";

std::string seq_key(uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu",
                static_cast<unsigned long long>(seq));
  return buf;
}

struct head {
  uint64_t seq = 0;
  std::string hash;
};

caf::expected<head> read_head(read_txn& txn) {
  auto raw = txn.get(tables::meta, head_key);
  if (!raw)
    return raw.error();
  head h;
  if (!*raw)
    return h;
  auto doc = parse_json(**raw);
  if (!doc || !doc->is_object() || !(*doc)["seq"].is_number_unsigned()
      || !(*doc)["hash"].is_string())
    return make_error(ec::store_failure,
                      "corrupt record meta/audit_head: expected "
                      "{\"seq\": n, \"hash\": \"…\"}");
  h.seq = (*doc)["seq"].get<uint64_t>();
  h.hash = (*doc)["hash"].get<std::string>();
  return h;
}

caf::error write_head(write_txn& txn, uint64_t seq, const std::string& hash) {
  return txn.put(tables::meta, head_key,
                 dump_json(json{{"seq", seq}, {"hash", hash}}));
}

} // namespace

std::string audit_hash(const json& encoded) {
  auto copy = encoded;
  if (copy.is_object())
    copy.erase("hash");
  return sha256_hex(dump_json(copy));
}

sealed_audit_record seal_audit_record(const audit_record& x) {
  // encode(x) as dump_json writes it (its members in key order), without
  // building the tree; the test compares the two.
  std::string text;
  auto member = [&text](const char* key) {
    text += text.empty() ? '{' : ',';
    text += '"';
    text += key;
    text += "\":";
  };
  auto str = [&](const char* key, const std::string& value) {
    member(key);
    append_json_string(text, value);
  };
  auto doc = [&](const char* key, const json& value) {
    member(key);
    append_json(text, value);
  };
  str("actor", x.actor);
  doc("after", x.after);
  doc("arguments", x.arguments);
  doc("before", x.before);
  str("device_id", x.device_id);
  member("devices");
  text += '[';
  for (size_t i = 0; i < x.devices.size(); ++i) {
    if (i > 0)
      text += ',';
    append_json_string(text, x.devices[i]);
  }
  text += ']';
  member("duration_ms");
  text += std::to_string(x.duration_ms);
  str("error", x.error);
  auto hash_at = text.size();
  str("kind", x.kind);
  str("outcome", x.outcome);
  str("plan_id", x.plan_id);
  str("prev_hash", x.prev_hash);
  if (!x.request_id.empty())
    str("request_id", x.request_id);
  str("role", x.role);
  member("seq");
  text += std::to_string(x.seq);
  member("timestamp");
  text += std::to_string(x.timestamp);
  str("tool", x.tool);
  str("transport", x.transport);
  text += '}';
  sealed_audit_record out{sha256_hex(text), {}};
  out.text = std::move(text.insert(hash_at, ",\"hash\":\"" + out.hash + '"'));
  return out;
}

caf::error rechain_audit(write_txn& txn) {
  std::vector<std::pair<std::string, json>> rows;
  auto err = txn.scan(
    tables::audit, "", [&](std::string_view key, std::string_view value) {
      rows.emplace_back(std::string{key}, parse_json(value).value_or(json{}));
      return true;
    });
  if (err)
    return err;
  std::string prev;
  uint64_t seq = 0;
  for (auto& [key, doc] : rows) {
    if (!doc.is_object())
      return make_error(ec::store_failure,
                        "corrupt record audit/" + key + ": not a JSON object");
    doc["prev_hash"] = prev;
    doc["hash"] = audit_hash(doc);
    prev = doc["hash"].get<std::string>();
    seq = doc.value("seq", uint64_t{0});
    if (auto e = txn.put(tables::audit, key, dump_json(doc)))
      return e;
  }
  if (rows.empty())
    return caf::none;
  return write_head(txn, seq, prev);
}

audit_log::audit_log(std::shared_ptr<kv_store> kv,
                     std::function<int64_t()> clock)
  : kv_(std::move(kv)), clock_(std::move(clock)) {
  if (!clock_)
    clock_ = [] {
      using namespace std::chrono;
      return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
        .count();
    };
}

caf::expected<uint64_t> audit_log::append(audit_record rec) {
  std::vector<audit_record> one;
  one.push_back(std::move(rec));
  auto seqs = append_all(std::move(one));
  if (!seqs)
    return seqs.error();
  return seqs->front();
}

caf::expected<std::vector<uint64_t>>
audit_log::append_all(std::vector<audit_record> recs) {
  std::vector<uint64_t> seqs;
  auto err = write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    seqs.clear();
    // Append-only: the record count is the last sequence number.
    auto n = txn.count(tables::audit);
    if (!n)
      return n.error();
    auto h = read_head(txn);
    if (!h)
      return h.error();
    auto seq = *n;
    auto prev = h->hash;
    for (auto& rec : recs) {
      if (rec.timestamp == 0)
        rec.timestamp = clock_();
      if (rec.kind.empty())
        rec.kind = audit_kind::change;
      rec.seq = ++seq;
      rec.prev_hash = prev;
      auto sealed = seal_audit_record(rec);
      rec.hash = std::move(sealed.hash);
      if (auto e = txn.put(tables::audit, seq_key(seq), sealed.text))
        return e;
      prev = rec.hash;
      seqs.push_back(seq);
    }
    return write_head(txn, seq, prev);
  });
  if (err)
    return err;
  return seqs;
}

caf::expected<std::vector<audit_record>>
audit_log::recent(const std::string& device_id, uint32_t limit) {
  auto txn = kv_->begin_read();
  if (!txn)
    return txn.error();
  auto matches = [&](const audit_record& rec) {
    return device_id.empty() || rec.device_id == device_id
           || std::find(rec.devices.begin(), rec.devices.end(), device_id)
                != rec.devices.end();
  };
  std::vector<audit_record> all;
  if (limit > 0) {
    // Newest first by sequence number: reads only the tail of the trail
    // (at most recent_scan_bound records), not the whole table.
    auto n = (*txn)->count(tables::audit);
    if (!n)
      return n.error();
    for (uint64_t seq = *n, read = 0;
         seq > 0 && all.size() < limit && read < recent_scan_bound;
         --seq, ++read) {
      auto rec = audit_table.get(**txn, seq_key(seq));
      if (!rec)
        return rec.error();
      if (*rec && matches(**rec))
        all.push_back(std::move(**rec));
    }
    return all;
  }
  auto err =
    audit_table.scan(**txn, "", [&](std::string_view, audit_record& rec) {
      if (matches(rec))
        all.push_back(std::move(rec));
      return true;
    });
  if (err)
    return err;
  std::reverse(all.begin(), all.end());
  return all;
}

caf::expected<std::vector<json>> audit_log::since(int64_t since_ms) {
  auto txn = kv_->begin_read();
  if (!txn)
    return txn.error();
  std::vector<json> out;
  auto err = (*txn)->scan(
    tables::audit, "", [&](std::string_view, std::string_view value) {
      auto doc = parse_json(value);
      if (doc && doc->is_object()
          && doc->value("timestamp", int64_t{0}) >= since_ms)
        out.push_back(std::move(*doc));
      return true;
    });
  if (err)
    return err;
  return out;
}

caf::expected<audit_verdict> audit_log::verify() {
  auto txn = kv_->begin_read();
  if (!txn)
    return txn.error();
  audit_verdict v;
  auto h = read_head(**txn);
  if (!h)
    return h.error();
  v.head_seq = h->seq;
  v.head_hash = h->hash;
  std::string prev;
  uint64_t expected_seq = 1;
  auto broken = [&](uint64_t seq, std::string why) {
    if (v.ok) {
      v.ok = false;
      v.first_broken = seq;
      v.problem = std::move(why);
    }
  };
  auto err = (*txn)->scan(
    tables::audit, "", [&](std::string_view key, std::string_view value) {
      ++v.records;
      auto doc = parse_json(value);
      if (!doc || !doc->is_object()) {
        broken(expected_seq,
               "record " + std::string{key} + " is not a JSON object");
        return false;
      }
      auto seq = doc->value("seq", uint64_t{0});
      if (key != seq_key(seq)) {
        broken(expected_seq, "record under key " + std::string{key}
                               + " says seq " + std::to_string(seq));
        return false;
      }
      if (seq != expected_seq) {
        broken(expected_seq, "record " + std::to_string(expected_seq)
                               + " is missing (next is " + std::to_string(seq)
                               + ")");
        return false;
      }
      if (doc->value("prev_hash", "") != prev) {
        broken(seq, "prev_hash does not match the hash of record "
                      + std::to_string(seq - 1)
                      + " (a record before it was changed or removed)");
        return false;
      }
      auto stored = doc->value("hash", "");
      if (stored != audit_hash(*doc)) {
        broken(seq, "its content does not match its hash (the record was "
                    "changed)");
        return false;
      }
      prev = stored;
      ++expected_seq;
      return true;
    });
  if (err)
    return err;
  if (v.ok && (v.head_seq != expected_seq - 1 || v.head_hash != prev)) {
    v.ok = false;
    v.first_broken = expected_seq - 1 < v.head_seq ? expected_seq : 0;
    v.problem = "the chain ends at record " + std::to_string(expected_seq - 1)
                + " but the head says " + std::to_string(v.head_seq)
                + " (the newest records were removed or the head was "
                  "changed)";
  }
  return v;
}

} // namespace rmcp::storage
