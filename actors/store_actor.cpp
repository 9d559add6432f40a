#include "actors/store_actor.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <vector>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/detail/group_commit.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

namespace {

/// The implementation's interface: the public protocol plus the internal
/// `(flush)` it sends itself to group-commit health samples and durable
/// audit records, and the `(flush, audit)` timer that writes the records of
/// reads. Others only ever see the `store_actor` handle.
using store_impl_actor =
  batching_store_actor::extend<caf::reacts_to<atom::flush>,
                               caf::reacts_to<atom::flush, atom::audit>>;

} // namespace

struct store_state {
  static inline const char* name = "rmcp.store";

  store_state(store_impl_actor::pointer self) : self_(self) {
    // nop
  }

  std::shared_ptr<storage::device_store> db;

  /// The audit trail over the same kv store.
  std::unique_ptr<storage::audit_log> audit;

  /// Runs one store call after writing buffered health samples (so every
  /// request observes the effects of the requests before it); logs
  /// failures and turns an escaping exception into store_failure (an
  /// exception must not kill the only store owner).
  template <class F>
  auto call(const char* op, std::string subject, F&& fn) -> decltype(fn()) {
    flush_health();
    flush_durable_audit();
    return guarded(op, subject, std::forward<F>(fn));
  }

  /// Adapts an error-or-nothing store call to an `ok` reply.
  static caf::result<atom::ok> ok_or(const caf::error& err) {
    if (err)
      return err;
    return atom::ok_v;
  }

  // -- group commit (see actors/detail/group_commit.hpp) ----------------------
  //
  // Health samples arrive in bursts (many device actors finish their checks
  // at once); every tools/call appends an audit record, and one transaction
  // per record would make the disk the limit of the whole service. Both are
  // buffered and written in order in one transaction each.
  //
  // Audit records share one queue, in arrival order, so the chain is the
  // order the store saw them. A durable record's caller is answered with
  // its sequence number after the commit that holds it (and every record
  // queued before it); such a record is written by the next `(flush)`. A
  // read's record has no caller waiting: it is written with the next
  // durable record, when `read_batch` records wait, at the latest
  // `read_flush_interval` after the first of them arrived, before any
  // `(get, audit)` and on a regular exit. A crash loses only those.

  caf::result<atom::ok> buffer_health(health_sample sample) {
    auto promise = self_->make_response_promise<atom::ok>();
    if (health_.add(std::move(sample), promise))
      flush_health();
    else
      queue_flush();
    return promise;
  }

  caf::result<uint64_t> buffer_audit(audit_record rec) {
    auto promise = self_->make_response_promise<uint64_t>();
    enqueue_audit(std::move(rec));
    audit_waiting_.push_back({audit_queue_.size() - 1, promise});
    if (audit_queue_.size() >= max_audit_batch)
      flush_audit();
    else
      queue_flush();
    return promise;
  }

  /// `read_batch` records (or more) wait to be written.
  bool read_batch_full() const {
    return audit_queue_.size() >= std::max<size_t>(settings.read_batch, 1);
  }

  void buffer_read_audit(audit_record rec) {
    enqueue_audit(std::move(rec));
    if (read_batch_full())
      flush_audit();
    else if (settings.read_flush_interval.count() <= 0)
      queue_flush();
    else if (!read_timer_armed_) {
      read_timer_armed_ = true;
      self_->delayed_send(self_, settings.read_flush_interval, atom::flush_v,
                          atom::audit_v);
    }
  }

  /// Reads a session held back (their time to wait is spent): written
  /// with the next group commit.
  void buffer_held_reads(std::vector<audit_record> recs) {
    for (auto& rec : recs)
      enqueue_audit(std::move(rec));
    held_reads_ = true;
    if (read_batch_full())
      flush_audit();
    else
      queue_flush();
  }

  void on_flush() {
    flush_queued_ = false;
    flush_health();
    if (!audit_waiting_.empty() || held_reads_
        || settings.read_flush_interval.count() <= 0)
      flush_audit();
  }

  void on_read_timer() {
    read_timer_armed_ = false;
    flush_audit();
  }

  /// Writes durable records someone waits for (and the reads before them).
  void flush_durable_audit() {
    if (!audit_waiting_.empty())
      flush_audit();
  }

  /// Writes every queued audit record in one transaction and answers the
  /// callers of the durable ones.
  void flush_audit() {
    held_reads_ = false;
    if (audit_queue_.empty())
      return;
    auto records = std::move(audit_queue_);
    auto waiting = std::move(audit_waiting_);
    audit_queue_.clear();
    audit_waiting_.clear();
    if (settings.metrics)
      settings.metrics->audit_queue_depth(0);
    auto what = std::to_string(records.size()) + " records";
    auto seqs = guarded("put-audit", what,
                        [&] { return audit->append_all(std::move(records)); });
    for (auto& w : waiting) {
      if (!seqs)
        w.promise.deliver(seqs.error());
      else if (w.index < seqs->size())
        w.promise.deliver((*seqs)[w.index]);
      else
        w.promise.deliver(make_error(ec::store_failure,
                                     "store answered fewer results than "
                                     "writes"));
    }
  }

  void flush_health() {
    health_.flush([this](std::vector<health_sample> samples) {
      auto what = std::to_string(samples.size()) + " samples";
      return guarded("put-health", what,
                     [&] { return db->put_health(samples); });
    });
  }

  store_audit_settings settings;

  /// Unix milliseconds (the store's clock, for tests; else the system's).
  std::function<int64_t()> clock = [] {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
      .count();
  };

private:
  void queue_flush() {
    if (!flush_queued_) {
      flush_queued_ = true;
      self_->send(self_, atom::flush_v);
    }
  }

  template <class F>
  auto guarded(const char* op, const std::string& subject, F&& fn)
    -> decltype(fn()) {
    try {
      auto result = fn();
      if (auto* err = failure_of(result))
        log_failure(op, subject, *err);
      return result;
    } catch (const std::exception& e) {
      auto err = make_error(ec::store_failure, std::string{"store "} + op
                                                 + " failed: " + e.what());
      log_failure(op, subject, err);
      return err;
    }
  }

  static const caf::error* failure_of(const caf::error& err) {
    return err ? &err : nullptr;
  }

  template <class T>
  static const caf::error* failure_of(const caf::expected<T>& x) {
    return x ? nullptr : &x.error();
  }

  static void log_failure(const char* op, const std::string& subject,
                          const caf::error& err) {
    auto code = error_code_of(err);
    // Lookups of unknown ids are the caller's business, not the store's.
    if (code == ec::device_not_found || code == ec::resource_not_found
        || code == ec::invalid_arguments)
      log::debug(log::store(), "store-op-refused",
                 {{"op", op},
                  {"subject", subject},
                  {"error", to_string(code)},
                  {"what", error_message(err)}});
    else
      log::warn(log::store(), "store-op-failed",
                {{"op", op},
                 {"subject", subject},
                 {"error", to_string(code)},
                 {"what", error_message(err)}});
  }

  /// Stamped on arrival: a read's record may be written up to
  /// `read_flush_interval` later.
  void enqueue_audit(audit_record rec) {
    if (rec.timestamp == 0)
      rec.timestamp = clock();
    audit_queue_.push_back(std::move(rec));
    if (settings.metrics)
      settings.metrics->audit_queue_depth(audit_queue_.size());
  }

  /// Durable records in one transaction at most.
  static constexpr size_t max_audit_batch = 1000;

  struct audit_waiter {
    /// Position of the caller's record in audit_queue_.
    size_t index;
    caf::typed_response_promise<uint64_t> promise;
  };

  store_impl_actor::pointer self_;
  detail::group_commit<health_sample, atom::ok> health_;
  std::vector<audit_record> audit_queue_;
  std::vector<audit_waiter> audit_waiting_;
  bool flush_queued_ = false;
  bool read_timer_armed_ = false;
  /// audit_queue_ holds reads a session held back (buffer_held_reads).
  bool held_reads_ = false;
};

namespace {

store_impl_actor::behavior_type
store_impl(store_impl_actor::stateful_pointer<store_state> self,
           std::shared_ptr<storage::device_store> db,
           store_audit_settings audit) {
  self->state.settings = audit;
  self->state.audit =
    std::make_unique<storage::audit_log>(db->kv(), db->options().clock);
  if (auto c = db->options().clock)
    self->state.clock = c;
  self->state.db = std::move(db);
  auto& st = self->state;
  // A regular shutdown writes buffered samples before the actor goes.
  self->set_exit_handler([self, &st](caf::exit_msg& msg) {
    st.flush_health();
    st.flush_audit();
    self->quit(msg.reason);
  });
  return {
    [&st](atom::get, atom::devices) -> caf::result<std::vector<device_record>> {
      return st.call("list-devices", "", [&] { return st.db->devices(); });
    },
    [&st](atom::put, device_record& rec) -> caf::result<atom::ok> {
      return st.ok_or(st.call("put-device", rec.id, [&] {
        return st.db->put_device(std::move(rec));
      }));
    },
    [&st](atom::put, device_record& rec,
          const credential& cred) -> caf::result<atom::ok> {
      return st.ok_or(st.call("put-device", rec.id, [&] {
        return st.db->put_device(std::move(rec), cred);
      }));
    },
    [&st](atom::remove, atom::devices,
          const std::string& id) -> caf::result<atom::ok> {
      return st.ok_or(
        st.call("remove-device", id, [&] { return st.db->remove_device(id); }));
    },
    [&st](atom::get, atom::generation) -> caf::result<uint64_t> {
      return st.call("generation", "", [&] { return st.db->generation(); });
    },
    [&st](atom::get, atom::credential,
          const std::string& id) -> caf::result<credential> {
      return st.call("get-credential", id,
                     [&] { return st.db->get_credential(id); });
    },
    [&st](atom::get, atom::devices, atom::credential,
          const std::string& environment) -> caf::result<fleet_registry> {
      return st.call("get-registry", environment,
                     [&] { return st.db->registry(environment); });
    },
    [&st](atom::put, const std::string& id,
          const credential& cred) -> caf::result<atom::ok> {
      return st.ok_or(st.call("put-credential", id,
                              [&] { return st.db->put_credential(id, cred); }));
    },
    [&st](atom::put, health_sample& sample) -> caf::result<atom::ok> {
      return st.buffer_health(std::move(sample));
    },
    [&st](atom::flush) { st.on_flush(); },
    [&st](atom::flush, atom::audit) { st.on_read_timer(); },
    [&st](atom::get, atom::health, const std::string& id,
          uint32_t limit) -> caf::result<std::vector<health_sample>> {
      return st.call("get-health", id,
                     [&] { return st.db->health(id, limit); });
    },
    [&st](atom::put, snapshot_record& rec) -> caf::result<std::string> {
      return st.call("put-snapshot", rec.device_id,
                     [&] { return st.db->put_snapshot(std::move(rec)); });
    },
    [&st](atom::get, atom::snapshot, const std::string& id,
          const std::string& kind) -> caf::result<snapshot_record> {
      return st.call("get-snapshot", id,
                     [&] { return st.db->latest_snapshot(id, kind); });
    },
    [&st](atom::get, atom::status) -> caf::result<store_status> {
      return st.call("status", "", [&] { return st.db->status(); });
    },
    [&st](atom::put, audit_record& rec) -> caf::result<uint64_t> {
      return st.buffer_audit(std::move(rec));
    },
    [&st](atom::put, atom::audit, audit_record& rec) {
      st.buffer_read_audit(std::move(rec));
    },
    [&st](atom::put, atom::audit, std::vector<audit_record>& recs) {
      st.buffer_held_reads(std::move(recs));
    },
    [&st](atom::get, atom::audit, const std::string& id,
          uint32_t limit) -> caf::result<std::vector<audit_record>> {
      // Every record the store has seen, reads included.
      st.flush_audit();
      return st.call("get-audit", id,
                     [&] { return st.audit->recent(id, limit); });
    },
  };
}

} // namespace

void audit_read(const store_actor& store, audit_record rec) {
  caf::anon_send(caf::actor_cast<batching_store_actor>(store), atom::put_v,
                 atom::audit_v, std::move(rec));
}

void audit_reads(const store_actor& store, std::vector<audit_record> recs) {
  caf::anon_send(caf::actor_cast<batching_store_actor>(store), atom::put_v,
                 atom::audit_v, std::move(recs));
}

store_actor spawn_store_actor(caf::actor_system& sys,
                              std::shared_ptr<storage::device_store> db,
                              bool detached, store_audit_settings audit) {
  store_impl_actor impl;
  if (detached)
    impl = sys.spawn<caf::detached>(store_impl, std::move(db), audit);
  else
    impl = sys.spawn(store_impl, std::move(db), audit);
  return impl;
}

} // namespace rmcp
