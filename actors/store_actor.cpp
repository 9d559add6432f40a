#include "actors/store_actor.hpp"

#include <exception>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

struct store_state {
  static inline const char* name = "rmcp.store";

  std::shared_ptr<storage::device_store> db;

  /// Runs one store call; logs failures and turns an escaping exception
  /// into store_failure (an exception must not kill the only store owner).
  template <class F>
  auto call(const char* op, std::string subject, F&& fn) -> decltype(fn()) {
    try {
      auto result = fn();
      if (auto* err = failure_of(result))
        log_failure(op, subject, *err);
      return result;
    } catch (const std::exception& e) {
      auto err = make_error(ec::store_failure,
                            std::string{"store "} + op + " failed: " + e.what());
      log_failure(op, subject, err);
      return err;
    }
  }

  /// Adapts an error-or-nothing store call to an `ok` reply.
  caf::result<atom::ok> ok_or(const caf::error& err) {
    if (err)
      return err;
    return atom::ok_v;
  }

private:
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
};

namespace {

store_actor::behavior_type
store_impl(store_actor::stateful_pointer<store_state> self,
           std::shared_ptr<storage::device_store> db) {
  self->state.db = std::move(db);
  auto& st = self->state;
  return {
    [&st](atom::get, atom::devices)
      -> caf::result<std::vector<device_record>> {
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
      return st.ok_or(st.call("put-credential", id, [&] {
        return st.db->put_credential(id, cred);
      }));
    },
    [&st](atom::put, const health_sample& sample) -> caf::result<atom::ok> {
      return st.ok_or(st.call("put-health", sample.device_id, [&] {
        return st.db->put_health(sample);
      }));
    },
    [&st](atom::get, atom::health, const std::string& id,
          uint32_t limit) -> caf::result<std::vector<health_sample>> {
      return st.call("get-health", id,
                     [&] { return st.db->health(id, limit); });
    },
    [&st](atom::put, snapshot_record& rec) -> caf::result<std::string> {
      return st.call("put-snapshot", rec.device_id, [&] {
        return st.db->put_snapshot(std::move(rec));
      });
    },
    [&st](atom::get, atom::snapshot, const std::string& id,
          const std::string& kind) -> caf::result<snapshot_record> {
      return st.call("get-snapshot", id,
                     [&] { return st.db->latest_snapshot(id, kind); });
    },
    [&st](atom::get, atom::status) -> caf::result<store_status> {
      return st.call("status", "", [&] { return st.db->status(); });
    },
  };
}

} // namespace

store_actor spawn_store_actor(caf::actor_system& sys,
                              std::shared_ptr<storage::device_store> db,
                              bool detached) {
  if (detached)
    return sys.spawn<caf::detached>(store_impl, std::move(db));
  return sys.spawn(store_impl, std::move(db));
}

} // namespace rmcp
