#pragma once

// The state of one simulated router: its hardware/software profile, its
// tables (one per RouterOS menu, or shared by several menus such as the
// interface views), its memory log and bookkeeping for the scheduler.
// Not thread-safe: `router` guards it with a mutex.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/clock.hpp"
#include "sim/fields.hpp"
#include "sim/util.hpp"

namespace rmcp::sim {

enum class wireless_kind : std::uint8_t {
  none,   ///< no radio
  legacy, ///< `wireless` package: /interface/wireless, /caps-man
  wifi,   ///< `wifi-qcom` package: /interface/wifi
};

/// Which CAPsMAN a router runs as a controller, if any.
enum class capsman_kind : std::uint8_t {
  none,
  legacy, ///< CAPsMAN v1 of the `wireless` package: /caps-man
  wifi,   ///< CAPsMAN of the `wifi` package (7.13+): /interface/wifi/capsman
};

/// What a router is: fixed at start (seeded, or overridden by options).
struct router_profile {
  std::size_t index = 0;
  std::uint64_t seed = 0;
  std::string identity;
  std::string board;        ///< board-name, e.g. "hAP ax^2"
  std::string model;        ///< routerboard model, e.g. "C52iG-5HaxD2HaxD"
  std::string version_text; ///< "7.16.2 (stable)"
  ros_version version;
  std::string architecture; ///< "arm64"
  std::string cpu;          ///< "ARM64"
  int cpu_count = 1;
  int cpu_frequency = 800;
  std::uint64_t total_memory = 0;
  std::uint64_t total_hdd = 0;
  bool routerboard = true; ///< false on CHR: no /system/routerboard
  wireless_kind wireless = wireless_kind::none;
  /// A controller needs its package: `legacy` the `wireless` one, `wifi`
  /// the `wifi` one (a radio-less router gets the package's menus, no radio).
  capsman_kind capsman = capsman_kind::none;
  int ethernet_ports = 5;
  int sfp_ports = 0;
  std::string sfp_prefix; ///< "sfp" or "sfp-sfpplus"
  std::string serial;
  std::string software_id;
  std::string factory_software;
  std::string firmware_type;
  std::int64_t build_epoch = 0;
  std::string time_zone = "Etc/UTC";
  int tz_offset_s = 0;
  int base_cpu_load = 5; ///< typical cpu-load in percent
  std::int64_t initial_uptime_s = 3600;

  bool iso_dates() const {
    return version.at_least(7, 10);
  }
};

/// Rows of one table in print order; ids allocated per table.
class table {
public:
  std::vector<record> rows;
  std::uint32_t next_id = 1;

  record* find(std::uint32_t id);
  const record* find(std::uint32_t id) const;
  record* find_by(std::string_view key, std::string_view value);
  const record* find_by(std::string_view key, std::string_view value) const;
  /// Appends a row with the next id; returns the id.
  std::uint32_t insert(fields f);
  /// Appends a row with a chosen id (tests, seeding); bumps next_id past it.
  void insert_with_id(std::uint32_t id, fields f);
  bool erase(std::uint32_t id);
};

struct log_entry {
  std::uint32_t id = 0;
  std::int64_t time_s = 0;
  std::string topics;
  std::string message;
};

/// Runtime facts the printing code needs besides the tables.
struct runtime_flags {
  bool high_cpu = false;
  bool high_memory = false;
  bool control_bytes = false;
};

class router_state {
public:
  router_state(router_profile profile, const sim_clock& clock);

  router_profile profile;
  runtime_flags flags;
  /// Simulated epoch second of the last boot.
  std::int64_t boot_s = 0;
  /// Passwords per user name (never printed).
  std::map<std::string, std::string> passwords;
  /// Next job id of /execute and scheduler runs.
  std::uint32_t next_job = 1;

  // -- time -------------------------------------------------------------------

  std::int64_t now_s() const {
    return clock_->now_s();
  }
  std::int64_t now_ms() const {
    return clock_->now_ms();
  }
  std::int64_t uptime_s() const;
  /// Local (router time zone) date-time text in the version's format.
  std::string local_datetime(std::int64_t epoch_s) const;
  std::string local_date(std::int64_t epoch_s) const;
  std::string local_time(std::int64_t epoch_s) const;
  const sim_clock& clock() const {
    return *clock_;
  }

  // -- tables -----------------------------------------------------------------

  /// The table `name`, seeding the router's data on first use.
  table& tab(std::string_view name);
  const table& tab(std::string_view name) const;
  bool seeded() const {
    return seeded_;
  }
  void ensure_seeded() const;

  // -- log --------------------------------------------------------------------

  /// Appends to the memory log (1000 entries kept, like RouterOS).
  void log(std::string topics, std::string message);
  void log_at(std::int64_t time_s, std::string topics, std::string message);
  const std::deque<log_entry>& log_entries() const {
    return log_;
  }
  void clear_log() {
    log_.clear();
  }

  // -- logins (REST caches a login for about 10 minutes) ----------------------

  /// True when `user@from` has not logged in during the last 10 minutes;
  /// records the login.
  bool note_login(const std::string& user, const std::string& from);

private:
  const sim_clock* clock_;
  mutable bool seeded_ = false;
  mutable std::map<std::string, table, std::less<>> tables_;
  std::deque<log_entry> log_;
  std::uint32_t next_log_id_ = 0;
  std::map<std::string, std::int64_t> logins_;
};

/// Fills a router's tables (defined in seed.cpp).
void seed_tables(router_state& st);

/// Writes the log lines of a boot at `boot_s` (after a power loss when
/// `power_loss`).
void seed_boot_log(router_state& st, std::int64_t boot_s, bool power_loss);

} // namespace rmcp::sim
