#include "actors/store_actor.hpp"

#include <exception>
#include <vector>

#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/detail/group_commit.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

namespace {

/// The implementation's interface: the public protocol plus the internal
/// `(flush)` it sends itself to group-commit health samples. Others only
/// ever see the `store_actor` handle.
using store_impl_actor = store_actor::extend<caf::reacts_to<atom::flush>>;

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
    flush_audit();
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
  // buffered and written in order in one transaction each; an audit caller
  // gets its sequence number after that commit.

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
    if (audit_.add(std::move(rec), promise))
      flush_audit();
    else
      queue_flush();
    return promise;
  }

  void on_flush() {
    flush_queued_ = false;
    flush_health();
    flush_audit();
  }

  void flush_audit() {
    audit_.flush([this](std::vector<audit_record> records) {
      auto what = std::to_string(records.size()) + " records";
      return guarded("put-audit", what,
                     [&] { return audit->append_all(std::move(records)); });
    });
  }

  void flush_health() {
    health_.flush([this](std::vector<health_sample> samples) {
      auto what = std::to_string(samples.size()) + " samples";
      return guarded("put-health", what,
                     [&] { return db->put_health(samples); });
    });
  }

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
      log::store()->debug("store-op-refused op={} subject={} error={} what={}",
                          op, subject, to_string(code), error_message(err));
    else
      log::store()->warn("store-op-failed op={} subject={} error={} what={}",
                         op, subject, to_string(code), error_message(err));
  }

  store_impl_actor::pointer self_;
  detail::group_commit<health_sample, atom::ok> health_;
  detail::group_commit<audit_record, uint64_t> audit_;
  bool flush_queued_ = false;
};

namespace {

store_impl_actor::behavior_type
store_impl(store_impl_actor::stateful_pointer<store_state> self,
           std::shared_ptr<storage::device_store> db) {
  self->state.audit =
    std::make_unique<storage::audit_log>(db->kv(), db->options().clock);
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
    [&st](atom::put, const std::string& id,
          const credential& cred) -> caf::result<atom::ok> {
      return st.ok_or(st.call("put-credential", id,
                              [&] { return st.db->put_credential(id, cred); }));
    },
    [&st](atom::put, health_sample& sample) -> caf::result<atom::ok> {
      return st.buffer_health(std::move(sample));
    },
    [&st](atom::flush) { st.on_flush(); },
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
    [&st](atom::get, atom::audit, const std::string& id,
          uint32_t limit) -> caf::result<std::vector<audit_record>> {
      return st.call("get-audit", id,
                     [&] { return st.audit->recent(id, limit); });
    },
  };
}

} // namespace

store_actor spawn_store_actor(caf::actor_system& sys,
                              std::shared_ptr<storage::device_store> db,
                              bool detached) {
  store_impl_actor impl;
  if (detached)
    impl = sys.spawn<caf::detached>(store_impl, std::move(db));
  else
    impl = sys.spawn(store_impl, std::move(db));
  return impl;
}

} // namespace rmcp
