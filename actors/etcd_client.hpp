#pragma once

// The seam between the membership actor and etcd.
//
// An etcd v3 client over etcd's JSON gateway (HTTP/1.1; keys and values
// travel base64-encoded, 64-bit numbers as decimal strings). The Boost.Beast
// implementation lives in src/cluster/; tests run it against a private etcd.
// Like `rest_client`, it never blocks: every call returns at once and runs
// `done` exactly once, on an I/O thread, with the answer or an error; every
// call has a finite deadline. Answers are untrusted input: a body of the
// wrong shape is an error (`ec::store_failure` naming what is wrong),
// never an exception. Failures to reach etcd (refused, timeout, HTTP 5xx)
// are `ec::store_failure` too; the caller decides what they mean.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace rmcp {

/// One key as etcd stores it (revisions are etcd's, lease 0 = none).
struct etcd_kv {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t lease = 0;
};

/// The keys of a range and the store revision it was read at. `count` is
/// the number of keys in the range (all of them, also when `more`: a limit
/// cut the answer short).
struct etcd_range {
  int64_t revision = 0;
  std::vector<etcd_kv> kvs;
  int64_t count = 0;
  bool more = false;
};

/// A range read with its options: the keys in [key, range_end) (only `key`
/// when range_end is empty), at store revision `revision` (0: the latest),
/// at most `limit` keys (0: all), or only their number.
struct etcd_range_query {
  std::string key;
  std::string range_end;
  int64_t revision = 0;
  int64_t limit = 0;
  bool count_only = false;
};

/// A compare of a transaction: the key's create or mod revision equals
/// `revision` (create revision 0: the key does not exist), or, with
/// `target == lease`, the key carries lease `revision`.
struct etcd_compare {
  enum class target { create, mod, lease };
  target what = target::create;
  std::string key;
  int64_t revision = 0;
};

/// One operation of a transaction branch: a put (with lease), a delete of
/// one key, or a read of one key.
struct etcd_op {
  enum class kind { put, remove, get };
  kind what = kind::get;
  std::string key;
  std::string value;
  int64_t lease = 0;
};

struct etcd_txn {
  std::vector<etcd_compare> compare;
  std::vector<etcd_op> success;
  std::vector<etcd_op> failure;
};

/// Which branch ran, the revision after it, and the keys its reads found
/// (all `get` operations of that branch, in order, flattened).
struct etcd_txn_result {
  bool succeeded = false;
  int64_t revision = 0;
  std::vector<etcd_kv> read;
};

/// A change under a watched prefix. A delete carries only key and
/// mod_revision.
struct etcd_event {
  bool deleted = false;
  etcd_kv kv;
};

/// The events of one watch round: those after the start revision, up to
/// the first batch etcd sent (none when the round's time ran out), and the
/// revision etcd reported last.
struct etcd_watch_result {
  int64_t revision = 0;
  std::vector<etcd_event> events;
};

class etcd_client {
public:
  template <class T>
  using callback = std::function<void(caf::expected<T>)>;

  virtual ~etcd_client() = default;

  /// Grants a lease of `ttl` seconds; the answer is its id.
  virtual void lease_grant(int64_t ttl, callback<int64_t> done) = 0;

  /// Renews lease `id`; the answer is its remaining TTL in seconds, 0 when
  /// the lease no longer exists (expired or revoked).
  virtual void lease_keep_alive(int64_t id, callback<int64_t> done) = 0;

  /// Revokes lease `id` (and deletes its keys); the answer is the revision.
  virtual void lease_revoke(int64_t id, callback<int64_t> done) = 0;

  /// Puts `key` = `value`, attached to `lease` unless 0; the answer is the
  /// revision of the write.
  virtual void put(const std::string& key, const std::string& value,
                   int64_t lease, callback<int64_t> done) = 0;

  /// Reads `key`, or every key starting with it when `prefix`.
  virtual void range(const std::string& key, bool prefix,
                     callback<etcd_range> done) = 0;

  /// A range read with options (revision, limit, count only): how the
  /// shared store (src/cluster/etcd_kv.hpp) reads a consistent snapshot.
  virtual void range_at(const etcd_range_query& q,
                        callback<etcd_range> done) = 0;

  /// Deletes `key` (or the prefix); the answer is the number deleted.
  virtual void remove(const std::string& key, bool prefix,
                      callback<int64_t> done) = 0;

  /// Runs a transaction (compare → success or failure branch).
  virtual void txn(const etcd_txn& t, callback<etcd_txn_result> done) = 0;

  /// Waits for changes under `prefix` from `start_revision` on, for at most
  /// `wait`: the answer is the first batch of events, or none when `wait`
  /// passed quietly (a long poll on etcd's watch stream).
  virtual void watch(const std::string& prefix, int64_t start_revision,
                     std::chrono::milliseconds wait,
                     callback<etcd_watch_result> done) = 0;

  /// `watch` over the keys in [key, range_end).
  virtual void watch_range(const std::string& key, const std::string& range_end,
                           int64_t start_revision,
                           std::chrono::milliseconds wait,
                           callback<etcd_watch_result> done) = 0;

  /// Aborts every call (their callbacks run with ec::cancelled); none runs
  /// after close returns.
  virtual void close() = 0;
};

using etcd_client_ptr = std::shared_ptr<etcd_client>;

/// The first key after every key starting with `prefix` (etcd's
/// `range_end` for a prefix read): `prefix` with its last byte below 0xff
/// incremented and the bytes after it dropped; "\0" when there is none.
std::string prefix_end(const std::string& prefix);

} // namespace rmcp
