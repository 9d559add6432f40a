#include "sim/state.hpp"

namespace rmcp::sim {

// -- table ----------------------------------------------------------------------

record* table::find(std::uint32_t id) {
  for (auto& r : rows)
    if (r.id == id)
      return &r;
  return nullptr;
}

const record* table::find(std::uint32_t id) const {
  return const_cast<table*>(this)->find(id);
}

record* table::find_by(std::string_view key, std::string_view value) {
  for (auto& r : rows)
    if (auto* v = r.f.find(key); v && *v == value)
      return &r;
  return nullptr;
}

const record* table::find_by(std::string_view key,
                             std::string_view value) const {
  return const_cast<table*>(this)->find_by(key, value);
}

std::uint32_t table::insert(fields f) {
  auto id = next_id++;
  rows.push_back(record{id, std::move(f)});
  return id;
}

void table::insert_with_id(std::uint32_t id, fields f) {
  erase(id);
  rows.push_back(record{id, std::move(f)});
  if (id >= next_id)
    next_id = id + 1;
}

bool table::erase(std::uint32_t id) {
  for (auto it = rows.begin(); it != rows.end(); ++it) {
    if (it->id == id) {
      rows.erase(it);
      return true;
    }
  }
  return false;
}

// -- router_state -----------------------------------------------------------------

router_state::router_state(router_profile p, const sim_clock& clock)
  : profile(std::move(p)), clock_(&clock) {
  boot_s = clock.now_s() - profile.initial_uptime_s;
}

std::int64_t router_state::uptime_s() const {
  auto up = now_s() - boot_s;
  return up < 0 ? 0 : up;
}

std::string router_state::local_datetime(std::int64_t epoch_s) const {
  return format_datetime(epoch_s + profile.tz_offset_s, profile.iso_dates());
}

std::string router_state::local_date(std::int64_t epoch_s) const {
  return format_date(epoch_s + profile.tz_offset_s, profile.iso_dates());
}

std::string router_state::local_time(std::int64_t epoch_s) const {
  return format_time(epoch_s + profile.tz_offset_s);
}

void router_state::ensure_seeded() const {
  if (!seeded_) {
    seeded_ = true;
    seed_tables(const_cast<router_state&>(*this));
  }
}

table& router_state::tab(std::string_view name) {
  ensure_seeded();
  auto it = tables_.find(name);
  if (it == tables_.end())
    it = tables_.emplace(std::string{name}, table{}).first;
  return it->second;
}

const table& router_state::tab(std::string_view name) const {
  return const_cast<router_state*>(this)->tab(name);
}

void router_state::log(std::string topics, std::string message) {
  log_at(now_s(), std::move(topics), std::move(message));
}

void router_state::log_at(std::int64_t time_s, std::string topics,
                          std::string message) {
  log_.push_back(
    log_entry{next_log_id_++, time_s, std::move(topics), std::move(message)});
  while (log_.size() > 1000)
    log_.pop_front();
}

bool router_state::note_login(const std::string& user,
                              const std::string& from) {
  auto key = user + "@" + from;
  auto now = now_s();
  auto it = logins_.find(key);
  if (it != logins_.end() && now - it->second < 600)
    return false;
  logins_[key] = now;
  return true;
}

} // namespace rmcp::sim
