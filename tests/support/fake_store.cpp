#include "tests/support/fake_store.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/store_actor.hpp"
#include "protocol/error.hpp"
#include "storage/encoding.hpp"

namespace rmcp::test {

namespace {

/// Appends the record of a read with its sequence number.
void append_read(fake_store_data& d, audit_record rec) {
  rec.seq = d.audit.size() + 1;
  d.read_audits.push_back(rec.seq);
  d.audit.push_back(std::move(rec));
}

batching_store_actor::behavior_type
fake_store(batching_store_actor::pointer, std::shared_ptr<fake_store_data> d) {
  auto broken = [] { return make_error(ec::store_failure, "fake failure"); };
  return {
    [d, broken](atom::get,
                atom::devices) -> caf::result<std::vector<device_record>> {
      if (d->fail)
        return broken();
      ++d->device_reads;
      std::vector<device_record> result;
      for (auto& [_, r] : d->devices)
        result.push_back(r);
      return result;
    },
    [d, broken](atom::put, device_record& r) -> caf::result<atom::ok> {
      if (d->fail)
        return broken();
      d->devices[r.id] = r;
      ++d->generation;
      return atom::ok_v;
    },
    [d, broken](atom::put, device_record& r,
                credential& c) -> caf::result<atom::ok> {
      if (d->fail)
        return broken();
      d->devices[r.id] = r;
      d->creds[r.id] = c;
      ++d->generation;
      return atom::ok_v;
    },
    [d, broken](atom::remove, atom::devices,
                const std::string& id) -> caf::result<atom::ok> {
      if (d->fail)
        return broken();
      if (d->devices.erase(id) == 0)
        return make_error(ec::device_not_found, "no device " + id);
      d->creds.erase(id);
      ++d->generation;
      return atom::ok_v;
    },
    [d, broken](atom::get, atom::generation) -> caf::result<uint64_t> {
      if (d->fail)
        return broken();
      ++d->generation_reads;
      return d->generation;
    },
    [d, broken](atom::get, atom::credential,
                const std::string& id) -> caf::result<credential> {
      if (d->fail)
        return broken();
      ++d->credential_reads;
      auto i = d->creds.find(id);
      if (i == d->creds.end())
        return make_error(ec::device_not_found, "no credential for " + id);
      return i->second;
    },
    [d, broken](atom::get, atom::devices, atom::credential,
                const std::string& env) -> caf::result<fleet_registry> {
      if (d->fail)
        return broken();
      ++d->registry_reads;
      fleet_registry out;
      out.generation = d->generation;
      for (auto& [id, r] : d->devices) {
        out.devices.push_back(r);
        auto c = d->creds.find(id);
        if (r.environment == env && c != d->creds.end())
          out.credentials.emplace(id, c->second);
      }
      return out;
    },
    [d, broken](atom::put, const std::string& id,
                credential& c) -> caf::result<atom::ok> {
      if (d->fail)
        return broken();
      d->creds[id] = c;
      return atom::ok_v;
    },
    [d, broken](atom::put, health_sample& s) -> caf::result<atom::ok> {
      if (d->fail)
        return broken();
      d->health.push_back(s);
      return atom::ok_v;
    },
    [d](atom::get, atom::health, const std::string& id,
        uint32_t limit) -> std::vector<health_sample> {
      std::vector<health_sample> result;
      for (auto i = d->health.rbegin();
           i != d->health.rend() && result.size() < limit; ++i)
        if (i->device_id == id)
          result.push_back(*i);
      return result;
    },
    [d, broken](atom::put, snapshot_record& rec) -> caf::result<std::string> {
      if (d->fail)
        return broken();
      rec.id = "snap-" + std::to_string(d->snapshots.size() + 1);
      rec.sha256 = storage::sha256_hex(rec.content);
      d->snapshots.push_back(rec);
      return rec.id;
    },
    [d, broken](atom::get, atom::snapshot, const std::string& id,
                const std::string& kind) -> caf::result<snapshot_record> {
      if (d->fail)
        return broken();
      for (auto i = d->snapshots.rbegin(); i != d->snapshots.rend(); ++i)
        if (i->device_id == id && i->kind == kind)
          return *i;
      return make_error(ec::resource_not_found,
                        "device '" + id + "' has no snapshot of kind '" + kind
                          + "'");
    },
    [d](atom::put, audit_record& rec) -> caf::result<uint64_t> {
      if (d->fail || d->fail_audit)
        return make_error(ec::store_failure, "fake store failure");
      if (d->on_durable_audit)
        d->on_durable_audit(rec);
      rec.seq = d->audit.size() + 1;
      d->audit.push_back(std::move(rec));
      return d->audit.back().seq;
    },
    [d](atom::put, atom::audit, audit_record& rec) {
      if (!d->fail)
        append_read(*d, std::move(rec));
    },
    [d](atom::put, atom::audit, std::vector<audit_record>& recs) {
      if (d->fail)
        return;
      d->read_batches.push_back(recs.size());
      for (auto& rec : recs)
        append_read(*d, std::move(rec));
    },
    [d](atom::get, atom::audit, const std::string& id,
        uint32_t limit) -> std::vector<audit_record> {
      std::vector<audit_record> out;
      for (auto i = d->audit.rbegin(); i != d->audit.rend(); ++i)
        if ((id.empty() || i->device_id == id)
            && (limit == 0 || out.size() < limit))
          out.push_back(*i);
      return out;
    },
    [d](atom::get, atom::status) -> store_status {
      store_status s;
      s.backend = "fake";
      s.devices = d->devices.size();
      return s;
    },
  };
}

} // namespace

store_actor spawn_fake_store(caf::actor_system& sys,
                             std::shared_ptr<fake_store_data> data) {
  return sys.spawn(fake_store, std::move(data));
}

} // namespace rmcp::test
