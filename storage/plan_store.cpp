#include "storage/plan_store.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>

#include "protocol/error.hpp"
#include "storage/encoding.hpp"
#include "storage/record_table.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

namespace {

constexpr record_table<plan_record> plans_table{tables::plans};
constexpr record_table<plan_step> journal_table{tables::plan_journal};
constexpr record_table<plan_device> devices_table{tables::plan_devices};

std::string device_key(const std::string& plan_id,
                       const std::string& device_id) {
  return plan_id + '\0' + device_id;
}

/// A device entry with only its id (how the head stores it).
plan_device bare(const std::string& id) {
  plan_device d;
  d.id = id;
  return d;
}

/// The stored head of `plan`: no preview, device entries reduced to ids.
plan_record head_of(const plan_record& plan) {
  plan_record head = plan;
  head.preview = json::array();
  for (auto& d : head.devices)
    d = bare(d.id);
  return head;
}

// -- the status row (tables::plan_status) ------------------------------------

/// Writes the head fields a step changes into the plan's status row.
caf::error put_status(write_txn& txn, const plan_record& plan) {
  json row{{"state", to_string(plan.state)},
           {"journal_seq", plan.journal_seq},
           {"updated_at", plan.updated_at},
           {"cancel_requested", plan.cancel_requested},
           {"closed_by", plan.closed_by},
           {"reason", plan.reason}};
  return txn.put(tables::plan_status, plan.id, dump_json(row));
}

/// Takes the status row of `plan.id` into `plan`; false when the plan has
/// none (a record written before tables::plan_status).
caf::expected<bool> take_status(read_txn& txn, plan_record& plan) {
  auto raw = txn.get(tables::plan_status, plan.id);
  if (!raw)
    return raw.error();
  if (!*raw)
    return false;
  auto doc = parse_json(**raw);
  plan_state state;
  if (!doc || !doc->is_object() || !from_string(doc->value("state", ""), state))
    return corrupt_record(tables::plan_status, plan.id, "malformed status");
  plan.state = state;
  plan.journal_seq = doc->value("journal_seq", uint64_t{0});
  plan.updated_at = doc->value("updated_at", int64_t{0});
  plan.cancel_requested = doc->value("cancel_requested", false);
  plan.closed_by = doc->value("closed_by", "");
  plan.reason = doc->value("reason", "");
  return true;
}

/// Writes a head and its status row.
caf::error put_head(write_txn& txn, const plan_record& head) {
  if (auto e = put_status(txn, head))
    return e;
  return plans_table.put(txn, head.id, head);
}

/// Writes a whole plan: its head, its preview and one row per device.
caf::error put_whole(write_txn& txn, const plan_record& plan) {
  for (auto& d : plan.devices)
    if (auto e = devices_table.put(txn, device_key(plan.id, d.id), d))
      return e;
  if (auto e = txn.put(tables::plan_previews, plan.id,
                       dump_json(json{{"preview", plan.preview}})))
    return e;
  return put_head(txn, head_of(plan));
}

/// The head of plan `id` with its status row; plan_not_found when there is
/// none.
caf::expected<plan_record> get_head(read_txn& txn, const std::string& id) {
  auto found = plans_table.get(txn, id);
  if (!found)
    return found.error();
  if (!*found)
    return make_error(ec::plan_not_found, "no plan " + id);
  if (auto had = take_status(txn, **found); !had)
    return had.error();
  return std::move(**found);
}

/// Completes a head with its device rows and preview (a record written
/// before those tables keeps what it holds inline).
caf::error fill(read_txn& txn, plan_record& plan) {
  std::map<std::string, plan_device*> by_id;
  for (auto& d : plan.devices)
    by_id.emplace(d.id, &d);
  auto err = devices_table.scan(
    txn, plan.id + '\0', [&](std::string_view, plan_device& row) {
      if (auto i = by_id.find(row.id); i != by_id.end())
        *i->second = std::move(row);
      return true;
    });
  if (err)
    return err;
  auto raw = txn.get(tables::plan_previews, plan.id);
  if (!raw)
    return raw.error();
  if (*raw) {
    auto doc = parse_json(**raw);
    if (!doc || !doc->is_object())
      return corrupt_record(tables::plan_previews, plan.id,
                            "not a JSON object");
    plan.preview = doc->value("preview", json::array());
  }
  return caf::none;
}

caf::expected<plan_record> get_whole(read_txn& txn, const std::string& id) {
  auto plan = get_head(txn, id);
  if (!plan)
    return plan.error();
  if (auto e = fill(txn, *plan))
    return e;
  return plan;
}

constexpr std::string_view token_prefix = "rmcp-approval.v1";

std::string journal_key(const std::string& plan_id, uint64_t seq) {
  char digits[21];
  std::snprintf(digits, sizeof(digits), "%020llu",
                static_cast<unsigned long long>(seq));
  return plan_id + '\0' + digits;
}

/// Journals `st` as the next entry of `plan` at time `ts`: its sequence
/// number, its timestamp and the plan's update time.
caf::error append_journal(write_txn& txn, plan_record& plan, plan_step& st,
                          int64_t ts) {
  st.plan_id = plan.id;
  st.seq = plan.journal_seq++;
  st.timestamp = ts;
  plan.updated_at = ts;
  return journal_table.put(txn, journal_key(plan.id, st.seq), st);
}

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()),
             static_cast<int>(raw.size()));
  return to_hex(raw);
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    auto pos = text.find(sep, start);
    out.emplace_back(text.substr(start, pos - start));
    if (pos == std::string_view::npos)
      return out;
    start = pos + 1;
  }
}

} // namespace

std::string make_plan_id(int64_t now_ms) {
  auto t = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%d%H%M%S", &tm);
  return std::string{"plan-"} + buf + "-" + random_hex(4);
}

std::string params_hash(const plan_record& plan) {
  return sha256_hex(plan.kind + "\n" + dump_json(plan.params));
}

plan_store::plan_store(std::shared_ptr<kv_store> kv,
                       credential_key approval_key, plan_store_options opts)
  : kv_(std::move(kv)), key_(std::move(approval_key)), opts_(std::move(opts)) {
  // nop
}

int64_t plan_store::now() const {
  if (opts_.clock)
    return opts_.clock();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

std::string plan_store::sign(const plan_record& plan,
                             const std::string& approver, int64_t expires,
                             const std::string& nonce) const {
  auto msg = std::string{token_prefix} + "\n" + plan.id + "\n"
             + params_hash(plan) + "\n" + approver + "\n"
             + std::to_string(expires) + "\n" + nonce;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(credential_key::size),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac,
       &len);
  return to_hex({reinterpret_cast<const char*>(mac), len});
}

caf::expected<plan_record> plan_store::create(plan_record plan) {
  if (plan.id.empty())
    plan.id = make_plan_id(now());
  auto ts = now();
  plan.state = plan_state::pending;
  plan.created_at = ts;
  plan.updated_at = ts;
  plan.approved_by.clear();
  plan.approval_nonce.clear();
  plan.token_used = false;
  plan.journal_seq = 0;
  plan_step st;
  st.plan_id = plan.id;
  st.event = "plan-created";
  st.to_state = to_string(plan_state::pending);
  st.detail = {{"created_by", plan.created_by},
               {"devices", plan.devices.size()},
               {"risk", plan.risk}};
  plan_record result;
  // Copies per attempt: a commit that conflicts runs the lambda again.
  auto err = write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    result = plan;
    auto step = st;
    auto existing = plans_table.get(txn, result.id);
    if (!existing)
      return existing.error();
    if (*existing)
      return make_error(ec::conflict, "plan " + result.id + " already exists");
    if (auto e = append_journal(txn, result, step, ts))
      return e;
    return put_whole(txn, result);
  });
  if (err)
    return err;
  return result;
}

caf::expected<plan_record> plan_store::get(const std::string& id) {
  auto txn = kv_->begin_read();
  if (!txn)
    return txn.error();
  return get_whole(**txn, id);
}

caf::expected<std::vector<plan_record>> plan_store::list() {
  auto txn = kv_->begin_read();
  if (!txn)
    return txn.error();
  auto all = plans_table.collect(**txn, "");
  if (!all)
    return all.error();
  for (auto& plan : *all) {
    if (auto had = take_status(**txn, plan); !had)
      return had.error();
    if (auto e = fill(**txn, plan))
      return e;
  }
  std::sort(all->begin(), all->end(), [](const auto& a, const auto& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at
                                        : a.id > b.id;
  });
  return all;
}

caf::error plan_store::change(
  write_txn& txn, const std::string& id, plan_step& st,
  const std::function<caf::error(plan_record&, plan_step&)>& fn,
  plan_record& head) {
  auto found = get_head(txn, id);
  if (!found)
    return found.error();
  head = std::move(*found);
  // The one device row a step changes (a record from before plan_devices
  // keeps the entry inline: no row).
  plan_device* dev = nullptr;
  if (!st.device_id.empty() && !st.device_state.empty()) {
    dev = find_device(head, st.device_id);
    if (dev) {
      auto row = devices_table.get(txn, device_key(id, st.device_id));
      if (!row)
        return row.error();
      if (*row)
        *dev = std::move(**row);
    }
  }
  if (auto e = fn(head, st))
    return e;
  if (auto e = apply_step(head, st))
    return e;
  if (auto e = append_journal(txn, head, st, now()))
    return e;
  if (dev) {
    if (auto e = devices_table.put(txn, device_key(id, dev->id), *dev))
      return e;
    *dev = bare(dev->id);
  }
  return put_head(txn, head);
}

caf::expected<plan_record> plan_store::change(
  const std::string& id, plan_step st,
  const std::function<caf::error(plan_record&, plan_step&)>& fn) {
  plan_record result;
  auto err = write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    auto step = st; // a conflicting commit runs the lambda again
    if (auto e = change(txn, id, step, fn, result))
      return e;
    return fill(txn, result);
  });
  if (err)
    return err;
  return result;
}

caf::expected<std::string> plan_store::approve(const std::string& id,
                                               const std::string& approver) {
  if (approver.empty())
    return make_error(ec::invalid_arguments, "the approver is empty");
  std::string token;
  plan_step st;
  st.event = "plan-approved";
  st.to_state = to_string(plan_state::approved);
  auto res = change(id, st, [&](plan_record& plan, plan_step& s) -> caf::error {
    if (plan.state != plan_state::pending)
      return check_transition(plan.id, plan.state, plan_state::approved);
    if (approver == plan.created_by && !opts_.allow_self_approval)
      return make_error(ec::forbidden,
                        "plan " + plan.id + " was created by " + approver
                          + "; another person must approve it (self-approval "
                            "is allowed only with plans.allow_self_approval)");
    plan.approved_by = approver;
    plan.approved_at = now();
    plan.approval_expires_at = plan.approved_at + opts_.approval_ttl_ms;
    plan.approval_nonce = random_hex(8);
    // A plan made to hand its approval to the apply call never has a
    // token: nothing outside the daemon could replay one.
    if (plan.hand_to_apply) {
      s.detail = {{"handed_to_apply", true}};
      return caf::none;
    }
    token =
      std::string{token_prefix} + "." + std::to_string(plan.approval_expires_at)
      + "." + plan.approval_nonce + "."
      + sign(plan, approver, plan.approval_expires_at, plan.approval_nonce);
    return caf::none;
  });
  if (!res)
    return res.error();
  return token;
}

caf::expected<plan_record> plan_store::reject(const std::string& id,
                                              const std::string& who,
                                              const std::string& reason) {
  plan_step st;
  st.event = "plan-rejected";
  st.to_state = to_string(plan_state::cancelled);
  st.detail = {{"by", who}, {"reason", reason}};
  return change(id, st, [&](plan_record& plan, plan_step&) -> caf::error {
    if (plan.state == plan_state::executing)
      return make_error(ec::plan_state_invalid,
                        "plan " + plan.id
                          + " is executing; it cannot be rejected");
    if (plan.state != plan_state::pending && plan.state != plan_state::approved)
      return make_error(ec::plan_state_invalid,
                        "plan " + plan.id + " is " + to_string(plan.state)
                          + "; only a pending or approved plan can be "
                            "rejected");
    plan.closed_by = who;
    plan.reason = reason;
    return caf::none;
  });
}

caf::expected<plan_record> plan_store::cancel(const std::string& id,
                                              const std::string& who,
                                              const std::string& reason) {
  if (who.empty())
    return make_error(ec::invalid_arguments, "who cancels is empty");
  plan_step st;
  return change(id, st, [&](plan_record& plan, plan_step& s) -> caf::error {
    s.detail = {{"by", who}, {"reason", reason}};
    switch (plan.state) {
      case plan_state::pending:
      case plan_state::approved:
        s.event = "plan-cancelled";
        s.to_state = to_string(plan_state::cancelled);
        break;
      case plan_state::executing:
      case plan_state::rolling_back:
        s.event = "cancel-requested";
        plan.cancel_requested = true;
        break;
      default:
        return make_error(ec::plan_state_invalid,
                          "plan " + plan.id + " is " + to_string(plan.state)
                            + ", which is final; nothing to cancel (undo a "
                              "completed change with a new plan)");
    }
    plan.closed_by = who;
    plan.reason = reason;
    return caf::none;
  });
}

caf::expected<plan_record> plan_store::start(const std::string& id,
                                             const std::string& token) {
  plan_step st;
  st.event = "plan-executing";
  st.to_state = to_string(plan_state::executing);
  return change(id, st, [&](plan_record& plan, plan_step& s) -> caf::error {
    if (token.empty())
      return start_handed(plan, s);
    auto invalid = [&](const std::string& why) {
      return make_error(ec::approval_invalid, "approval token refused for plan "
                                                + plan.id + ": " + why);
    };
    if (plan.hand_to_apply)
      return invalid("it was made with hand_to_apply: its approval is handed "
                     "to the creator's apply call without a token");
    auto parts = split(token, '.');
    // rmcp-approval . v1 . expires . nonce . mac
    if (parts.size() != 5 || parts[0] + "." + parts[1] != token_prefix
        || parts[2].empty() || parts[3].size() != 16 || parts[4].size() != 64)
      return invalid("malformed token (expected " + std::string{token_prefix}
                     + ".<expiry>.<nonce>.<signature>)");
    int64_t expires = 0;
    try {
      size_t used = 0;
      expires = std::stoll(parts[2], &used);
      if (used != parts[2].size())
        return invalid("malformed expiry");
    } catch (const std::exception&) {
      return invalid("malformed expiry");
    }
    if (plan.approved_by.empty())
      return invalid("the plan is " + to_string(plan.state)
                     + " and has never been approved");
    auto expected = sign(plan, plan.approved_by, expires, parts[3]);
    if (CRYPTO_memcmp(expected.data(), parts[4].data(), expected.size()) != 0)
      return invalid("the signature does not match this plan's approval "
                     "(a token of another plan, changed parameters or a "
                     "tampered token)");
    if (parts[3] != plan.approval_nonce)
      return invalid("the token belongs to an earlier approval");
    if (plan.token_used)
      return make_error(ec::approval_used,
                        "approval token of plan " + plan.id
                          + " was already used; a token is single use");
    if (now() >= expires)
      return make_error(ec::approval_expired,
                        "approval token of plan " + plan.id + " expired at "
                          + iso_utc(expires) + "; approve the plan again");
    if (plan.state != plan_state::approved)
      return check_transition(plan.id, plan.state, plan_state::executing);
    plan.token_used = true;
    return caf::none;
  });
}

namespace {

/// Takes a step through the plan's status row and its device's row alone,
/// neither reading nor writing the head, whose size grows with the plan's
/// devices. False when the plan has no status row or the device no row
/// (records from before those tables, an unknown plan or device): the
/// caller then goes through the whole head.
caf::expected<bool> step_by_rows(write_txn& txn, plan_step& st, int64_t ts,
                                 plan_record& status) {
  status.id = st.plan_id;
  auto had = take_status(txn, status);
  if (!had || !*had)
    return had;
  bool device_step = !st.device_id.empty() && !st.device_state.empty();
  auto key = device_key(status.id, st.device_id);
  if (device_step) {
    auto row = devices_table.get(txn, key);
    if (!row)
      return row.error();
    if (!*row)
      return false;
    status.devices.push_back(std::move(**row));
  }
  if (auto e = apply_step(status, st))
    return e;
  if (auto e = append_journal(txn, status, st, ts))
    return e;
  if (device_step)
    if (auto e = devices_table.put(txn, key, status.devices.front()))
      return e;
  if (auto e = put_status(txn, status))
    return e;
  return true;
}

} // namespace

std::string rollout_claim_name(const std::string& plan_id) {
  return "rollouts/" + plan_id;
}

caf::expected<step_receipt> plan_store::step(plan_step st) {
  std::vector<plan_step> one;
  one.push_back(std::move(st));
  return std::move(step_all(std::move(one)).front());
}

std::vector<caf::expected<step_receipt>>
plan_store::step_all(std::vector<plan_step> steps) {
  std::vector<caf::expected<step_receipt>> out;
  auto noop = [](plan_record&, plan_step&) { return caf::error{}; };
  auto err = write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    out.clear();
    // Copies: a conflicting commit runs the lambda again.
    auto attempt = steps;
    // In a cluster only the holder of a plan's rollout claim may journal
    // its steps: a coordinator cut off from the cluster whose plan was
    // taken over commits nothing.
    for (auto& st : attempt)
      if (auto e = txn.require_claim(rollout_claim_name(st.plan_id)))
        return e;
    for (auto& st : attempt) {
      plan_record head;
      auto id = st.plan_id;
      auto quick = step_by_rows(txn, st, now(), head);
      auto e = !quick   ? quick.error()
               : *quick ? caf::error{}
                        : change(txn, id, st, noop, head);
      if (e) {
        // A refused step wrote nothing: the others go on. A failing
        // store fails them all.
        if (error_code_of(e) == ec::store_failure)
          return e;
        out.emplace_back(std::move(e));
        continue;
      }
      step_receipt r;
      r.step = st;
      r.state = head.state;
      r.cancel_requested = head.cancel_requested;
      r.closed_by = head.closed_by;
      r.reason = head.reason;
      out.emplace_back(std::move(r));
    }
    return caf::none;
  });
  if (err)
    out.assign(steps.size(), caf::expected<step_receipt>{err});
  return out;
}

caf::expected<std::vector<plan_step>>
plan_store::journal(const std::string& id) {
  auto txn = kv_->begin_read();
  if (!txn)
    return txn.error();
  return journal_table.collect(**txn, id + '\0');
}

} // namespace rmcp::storage
