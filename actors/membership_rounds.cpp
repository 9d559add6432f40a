// The rounds of the membership actor (see actors/membership.hpp): read the
// registry and the members and owners under the prefix at one revision,
// build the settled view, claim and release, tell the listener, then wait on etcd's
// watch for the next change.

#include "actors/detail/membership_state.hpp"

#include <algorithm>

#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/log.hpp"

namespace rmcp::detail {

namespace {

using ms = std::chrono::milliseconds;

/// The registry read of a round.
constexpr auto store_timeout = std::chrono::seconds{5};

/// Claims (or releases) per etcd transaction: each branch stays well under
/// etcd's default --max-txn-ops (128).
constexpr size_t claim_batch = 64;

/// A member's endpoint from its key's value ({"host": ..., "port": ...});
/// false for anything else (such a member is left out of the view).
bool parse_member(const std::string& node_id, const std::string& value,
                  cluster_member& out) {
  auto parsed = parse_json_bounded(value);
  if (!parsed || !parsed->is_object())
    return false;
  auto host = string_member(*parsed, "host");
  auto port = parsed->find("port");
  if (!host || host->empty() || port == parsed->end()
      || !port->is_number_unsigned() || port->get<uint64_t>() > 65535)
    return false;
  out.node_id = node_id;
  out.host = *host;
  out.port = static_cast<uint16_t>(port->get<uint64_t>());
  return true;
}

} // namespace

void membership_state::poll() {
  if (phase == member_phase::in && !round_busy && !suspended)
    start_round();
}

void membership_state::start_round() {
  if (round_busy || suspended || phase != member_phase::in)
    return;
  round_busy = true;
  auto ep = epoch;
  // The registry is read again only when the store's generation moved
  // (one key read); a round of an unchanged registry does not scan it.
  self->request(store, store_timeout, atom::get_v, atom::generation_v)
    .then(
      [this, ep](uint64_t gen) {
        if (ep != epoch)
          return;
        if (registry_known && gen == registry_generation)
          return on_registry(ep);
        self->request(store, store_timeout, atom::get_v, atom::devices_v)
          .then(
            [this, ep, gen](std::vector<device_record>& devices) {
              on_devices(ep, gen, std::move(devices));
            },
            [this, ep](caf::error& err) { round_failed(ep, err); });
      },
      [this, ep](caf::error& err) { round_failed(ep, err); });
}

void membership_state::on_devices(uint64_t ep, uint64_t gen,
                                  std::vector<device_record> devices) {
  if (ep != epoch)
    return;
  // Read after `gen` was: at least as new, so a change after it moves the
  // generation again and the next round reads the registry again.
  registry_ids.clear();
  for (auto& d : devices)
    if (cfg.environment.empty() || d.environment == cfg.environment)
      registry_ids.push_back(std::move(d.id));
  registry_known = true;
  registry_generation = gen;
  on_registry(ep);
}

void membership_state::on_registry(uint64_t ep) {
  // Members and owners only: the shared store (<prefix>/kv/) and the
  // rollout claims (<prefix>/rollouts/) are not the membership's.
  etcd_range_query q;
  q.key = members_prefix();
  q.range_end = prefix_end(owners_prefix());
  etcd->range_at(q, answer<etcd_range>([this, ep](caf::expected<etcd_range> r) {
                   on_range(ep, std::move(r));
                 }));
}

void membership_state::on_range(uint64_t ep, caf::expected<etcd_range> range) {
  if (ep != epoch)
    return;
  if (!range)
    return round_failed(ep, range.error());
  round_revision = range->revision;
  auto t = now();
  auto mp = members_prefix();
  auto op = owners_prefix();
  // -- members: who is in, and since when ------------------------------------
  std::vector<cluster_member> settled;
  std::set<std::pair<std::string, int64_t>> present;
  bool self_present = false;
  next_settle = ms{0};
  // -- claims: device → (holder node id, lease) -------------------------------
  std::map<std::string, etcd_kv> claims;
  for (auto& kv : range->kvs) {
    if (kv.key.rfind(op, 0) == 0) {
      claims.emplace(kv.key.substr(op.size()), kv);
      continue;
    }
    if (kv.key.rfind(mp, 0) != 0)
      continue;
    auto id = kv.key.substr(mp.size());
    cluster_member m;
    if (id.empty() || !parse_member(id, kv.value, m)) {
      log::warn(log::core(), "cluster-bad-member", {{"key", kv.key}});
      continue;
    }
    if (id == cfg.node_id)
      self_present = kv.lease == lease;
    auto key = std::make_pair(id, kv.create_revision);
    present.insert(key);
    auto seen = first_seen.emplace(key, t).first->second;
    auto age = std::chrono::duration_cast<ms>(t - seen);
    if (age >= cfg.settle) {
      settled.push_back(std::move(m));
    } else {
      auto left = cfg.settle - age;
      if (next_settle.count() == 0 || left < next_settle)
        next_settle = left;
    }
  }
  for (auto i = first_seen.begin(); i != first_seen.end();)
    i = present.count(i->first) ? std::next(i) : first_seen.erase(i);
  if (!self_present)
    return go_out("this node's membership key is gone from etcd (its lease "
                  "expired)",
                  true);
  std::sort(settled.begin(), settled.end(),
            [](const cluster_member& a, const cluster_member& b) {
              return a.node_id < b.node_id;
            });
  view.revision = static_cast<uint64_t>(round_revision);
  view.members = std::move(settled);
  // -- what is ours now --------------------------------------------------------
  std::set<std::string> registered(registry_ids.begin(), registry_ids.end());
  owned.clear();
  std::vector<std::string> to_claim;
  std::vector<std::string> to_release;
  for (auto& [device, kv] : claims)
    if (kv.lease == lease && lease != 0)
      owned.insert(device);
  for (auto& d : registered) {
    auto* o = owner_of(view, d);
    if (o != nullptr && o->node_id == cfg.node_id && claims.count(d) == 0)
      to_claim.push_back(d);
  }
  for (auto& d : owned) {
    auto* o = owner_of(view, d);
    if (registered.count(d) == 0 || o == nullptr || o->node_id != cfg.node_id)
      to_release.push_back(d);
  }
  // A transaction per batch of keys, not per key: at start-up a node claims
  // its whole share (1,000 keys at 3,000 devices over three nodes).
  auto batches = [](const std::vector<std::string>& ids) {
    std::vector<std::vector<std::string>> out;
    for (size_t i = 0; i < ids.size(); i += claim_batch)
      out.emplace_back(
        ids.begin() + static_cast<ptrdiff_t>(i),
        ids.begin()
          + static_cast<ptrdiff_t>(std::min(ids.size(), i + claim_batch)));
    return out;
  };
  auto claims_out = batches(to_claim);
  auto releases_out = batches(to_release);
  txns_pending = claims_out.size() + releases_out.size();
  txn_failed = false;
  for (auto& b : claims_out)
    claim(std::move(b));
  for (auto& b : releases_out)
    release(std::move(b));
  if (txns_pending == 0)
    after_txns(ep);
}

void membership_state::claim(std::vector<std::string> devices) {
  // Every key created only if absent, all of them or none; the failure
  // branch reads them.
  etcd_txn t;
  for (auto& d : devices) {
    auto key = owner_key(cfg.prefix, d);
    t.compare.push_back({etcd_compare::target::create, key, 0});
    t.success.push_back({etcd_op::kind::put, key, cfg.node_id, lease});
    t.failure.push_back({etcd_op::kind::get, key, "", 0});
  }
  auto ep = epoch;
  etcd->txn(t, answer<etcd_txn_result>(
                 [this, ep, devices](caf::expected<etcd_txn_result> r) {
                   on_claimed(ep, devices, std::move(r));
                 }));
}

void membership_state::release(std::vector<std::string> devices) {
  etcd_txn t;
  for (auto& d : devices) {
    auto key = owner_key(cfg.prefix, d);
    t.compare.push_back({etcd_compare::target::lease, key, lease});
    t.success.push_back({etcd_op::kind::remove, key, "", 0});
  }
  auto ep = epoch;
  etcd->txn(t, answer<etcd_txn_result>(
                 [this, ep, devices](caf::expected<etcd_txn_result> r) {
                   on_released(ep, devices, std::move(r));
                 }));
}

void membership_state::on_claimed(uint64_t ep,
                                  const std::vector<std::string>& devices,
                                  caf::expected<etcd_txn_result> r) {
  if (ep != epoch)
    return;
  if (!r) {
    claim_failed(devices, r.error());
  } else if (r->succeeded) {
    owned.insert(devices.begin(), devices.end());
  } else {
    // Some key existed: another node's claim, or this node's own from a
    // round whose answer was lost. Those carrying this node's lease are
    // ours; of a batch, each key found absent is claimed again on its own
    // (the same create-if-absent transaction), so one taken key does not
    // hold back the others.
    auto op = owners_prefix();
    std::set<std::string> present;
    for (auto& kv : r->read) {
      if (kv.key.rfind(op, 0) != 0)
        continue;
      auto d = kv.key.substr(op.size());
      present.insert(d);
      if (kv.lease == lease && lease != 0)
        owned.insert(d);
    }
    if (devices.size() > 1)
      for (auto& d : devices)
        if (present.count(d) == 0) {
          ++txns_pending;
          claim({d});
        }
  }
  txn_done(ep);
}

void membership_state::on_released(uint64_t ep,
                                   const std::vector<std::string>& devices,
                                   caf::expected<etcd_txn_result> r) {
  if (ep != epoch)
    return;
  if (!r) {
    claim_failed(devices, r.error());
  } else if (r->succeeded) {
    for (auto& d : devices)
      owned.erase(d);
  } else if (devices.size() > 1) {
    // A key is not ours any more: each released on its own.
    for (auto& d : devices) {
      ++txns_pending;
      release({d});
    }
  }
  txn_done(ep);
}

void membership_state::claim_failed(const std::vector<std::string>& devices,
                                    const caf::error& err) {
  txn_failed = true;
  log::warn(log::core(), "cluster-claim-failed",
            {{"node", cfg.node_id},
             {"device_id", devices.empty() ? std::string{} : devices.front()},
             {"devices", devices.size()},
             {"error", error_message(err)}});
}

void membership_state::txn_done(uint64_t ep) {
  if (txns_pending > 0 && --txns_pending == 0)
    after_txns(ep);
}

void membership_state::after_txns(uint64_t ep) {
  tell_listener();
  if (txn_failed)
    return round_failed(
      ep, make_error(ec::store_failure, "a claim transaction failed"));
  auto wait = cfg.watch_wait;
  if (next_settle.count() > 0)
    wait = std::min(wait, next_settle);
  etcd->watch_range(
    members_prefix(), prefix_end(owners_prefix()), round_revision + 1, wait,
    answer<etcd_watch_result>([this, ep](caf::expected<etcd_watch_result> r) {
      on_watch(ep, std::move(r));
    }));
}

void membership_state::on_watch(uint64_t ep,
                                caf::expected<etcd_watch_result> r) {
  if (ep != epoch)
    return;
  if (!r)
    return round_failed(ep, r.error());
  round_busy = false;
  start_round();
}

void membership_state::round_failed(uint64_t ep, const caf::error& err) {
  if (ep != epoch)
    return;
  log::debug(log::core(), "cluster-round-failed",
             {{"node", cfg.node_id}, {"error", error_message(err)}});
  round_busy = false;
  self->delayed_send(self, cfg.retry_delay, atom::poll_v);
}

void membership_state::tell_listener() {
  if (told && told_members.size() == view.members.size()
      && std::equal(
        told_members.begin(), told_members.end(), view.members.begin(),
        [](const cluster_member& a, const cluster_member& b) {
          return a.node_id == b.node_id && a.host == b.host && a.port == b.port;
        })
      && told_owned == owned)
    return;
  told = true;
  told_members = view.members;
  told_owned = owned;
  if (listener)
    self->send(listener, atom::cluster_v, view,
               std::vector<std::string>(owned.begin(), owned.end()));
}

} // namespace rmcp::detail
