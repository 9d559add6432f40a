#include "storage/audit_log.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "storage/record_table.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

namespace {

const record_table<audit_record> audit_table{tables::audit};

std::string seq_key(uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(seq));
  return buf;
}

} // namespace

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
  if (rec.timestamp == 0)
    rec.timestamp = clock_();
  uint64_t seq = 0;
  auto err = write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    // Append-only: the record count is the last sequence number.
    auto n = txn.count(tables::audit);
    if (!n)
      return n.error();
    seq = *n + 1;
    rec.seq = seq;
    return audit_table.put(txn, seq_key(seq), rec);
  });
  if (err)
    return err;
  return seq;
}

caf::expected<std::vector<audit_record>>
audit_log::recent(const std::string& device_id, uint32_t limit) {
  auto txn = kv_->begin_read();
  if (!txn)
    return txn.error();
  std::vector<audit_record> all;
  auto err = audit_table.scan(**txn, "",
                              [&](std::string_view, audit_record& rec) {
                                if (device_id.empty()
                                    || rec.device_id == device_id)
                                  all.push_back(std::move(rec));
                                return true;
                              });
  if (err)
    return err;
  std::reverse(all.begin(), all.end());
  if (limit > 0 && all.size() > limit)
    all.resize(limit);
  return all;
}

} // namespace rmcp::storage
