#pragma once

// `routeros-mcp doctor`: checks a setup the way the daemon will use it and
// says, for every check, what is wrong and how to fix it. One finding per
// check:
//
// | check   | passes when                                                  |
// |---------|--------------------------------------------------------------|
// | config  | the file and variables parse and every value is legal        |
// | keys    | the credential and approval keys are present and distinct;   |
// |         | a key file has mode 0600 (one finding per key, one for both) |
// | store   | the store opens at the current schema, < 90 % of its map used|
// | http    | the listener address parses; a non-loopback one has auth;   |
// |         | TLS certificate and key files exist when set                 |
// | device  | each device of this environment answers GET /system/resource |
// |         | over its TLS settings (a wrong pin fails here) and has a    |
// |         | stored credential                                            |
// | clock   | each reachable router's clock is within `max_skew` of ours   |
//
// Nothing is created or changed: a missing store or lab key is reported as
// "created on first use". Devices are checked in parallel, at most
// `parallel` at a time, each request with the device.* timeouts.

#include <chrono>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/json.hpp"
#include "src/config/server_options.hpp"

namespace rmcp::storage {
class device_store;
} // namespace rmcp::storage

namespace rmcp::app::doctor {

struct finding {
  /// config, keys, store, http, device or clock.
  std::string check;
  /// What was checked: a key, a device id, a path; empty for the whole.
  std::string subject;
  bool ok = false;
  /// What was found.
  std::string detail;
  /// What to do (failures only).
  std::string fix;
};

struct report {
  std::vector<finding> findings;

  bool ok() const;

  void pass(std::string check, std::string subject, std::string detail);

  void fail(std::string check, std::string subject, std::string detail,
            std::string fix);
};

struct settings {
  /// Devices checked at the same time.
  size_t parallel = 16;
  /// Largest tolerated difference between a router's clock and ours.
  std::chrono::seconds max_skew{30};
};

/// A configuration that did not load: the one `config` finding.
void config_failed(report& out, const std::string& file,
                   const std::string& error);

/// Config, keys, store, HTTP listener and (when the store opened) every
/// device and its clock.
report run(const config::server_options& opts, const std::string& file,
           const settings& s);

/// The device and clock findings of every device in `db`.
void check_devices(const config::server_options& opts,
                   storage::device_store& db, const settings& s, report& out);

/// "PASS  keys     credential: …" / "FAIL  …  fix: …".
std::string to_text(const finding& f);

/// {"ok": bool, "checks": [{"check", "subject", "ok", "detail", "fix"}]}.
json to_json(const report& r);

// -- parts, exposed for tests ---------------------------------------------

/// A RouterOS /system/clock answer ("date" 2026-12-06 or dec/06/2026,
/// "time" HH:MM:SS, "gmt-offset" +HH:MM) as Unix seconds (UTC), or an error
/// naming the field.
caf::expected<int64_t> router_clock_utc(const json& clock);

} // namespace rmcp::app::doctor
