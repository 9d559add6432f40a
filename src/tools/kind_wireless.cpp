// Wireless SSIDs and radios as plans: the change kinds
// wireless_create|modify|remove|rf, planned by the tools of
// wireless_plan_tools.cpp and applied by apply_wireless_plan.
//
// A router has the legacy `wireless` package (/interface/wireless, keys in
// /interface/wireless/security-profiles) or the `wifi` driver
// (/interface/wifi with dotted fields, keys in /interface/wifi/security or
// inline in security.passphrase); the other menu answers "no such command
// or directory". The kinds read both (absent_menus_null) and `state` says
// which one the router has; everything else follows from a `driver` table.
//
// An SSID is a virtual AP: an interface with a master-interface (a radio).
// Creating one adds a virtual AP on the radio of the band asked for; band,
// channel and TX power are the radio's, so they are changed on radios only
// (a virtual AP named for them is refused, pointing at its radio).
//
// Fixed against the reference (§12.19): a new SSID has its master-interface,
// a channel is written as its frequency in MHz (not the channel number),
// and channel changes of a modification are applied.
//
// Secrets: no passphrase is ever taken as an argument or read into a state.
// Keys stay on the router, in security profiles that the plans name; the
// state keeps of a profile only its name and whether it is open. A wifi
// interface whose passphrase is inline is not removed (its rollback would
// need the passphrase).
//
// State: {"driver": "wireless"|"wifi"|"none", "<menu>": [rows]} with the
// rows (kind::row_state) the plan names — for a creation every radio and
// the new interface's name — and planning context that is not compared:
// "radios" (name and band of every radio), "profiles" (name, open) and
// "inline_passphrase" (names of wifi interfaces with an inline key).

#include <algorithm>

#include "protocol/error.hpp"
#include "src/tools/change_kinds.hpp"
#include "src/tools/kind_helpers.hpp"
#include "src/tools/kind_wireless.hpp"

namespace rmcp::tools {

std::string wireless::family(const std::string& band) {
  auto f = band.substr(0, 4);
  return f == "2ghz" || f == "5ghz" ? f : "";
}

namespace {

using kind::request;
using wireless::family;

/// How one driver spells what the wireless kinds change.
struct driver {
  const char* name;
  std::string path;
  std::string profiles;
  const char* ssid;
  const char* security;
  const char* band;
  const char* frequency;
  const char* mode;
  const char* ap_mode;
  const char* name_prefix;
  /// Fields of a radio (no master-interface) and of a virtual AP.
  std::vector<std::string> radio_fields;
  std::vector<std::string> vap_fields;
  /// Plan band (the tools' enum) → this driver's band value.
  std::vector<std::pair<std::string, std::string>> bands;
};

const driver legacy{
  "wireless",
  "/interface/wireless",
  "/interface/wireless/security-profiles",
  "ssid",
  "security-profile",
  "band",
  "frequency",
  "mode",
  "ap-bridge",
  "wlan-",
  {"name", "ssid", "mode", "security-profile", "band", "frequency",
   "channel-width", "tx-power-mode", "tx-power", "hide-ssid", "disabled"},
  {"name", "master-interface", "ssid", "mode", "security-profile", "hide-ssid",
   "comment", "disabled"},
  {{"2ghz-b", "2ghz-b"},
   {"2ghz-g", "2ghz-b/g"},
   {"2ghz-n", "2ghz-b/g/n"},
   {"5ghz-a", "5ghz-a"},
   {"5ghz-n", "5ghz-a/n"},
   {"5ghz-ac", "5ghz-a/n/ac"}},
};

const driver wifi{
  "wifi",
  "/interface/wifi",
  "/interface/wifi/security",
  "configuration.ssid",
  "security",
  "channel.band",
  "channel.frequency",
  "configuration.mode",
  "ap",
  "wifi-",
  {"name", "configuration.ssid", "configuration.mode", "security",
   "channel.band", "channel.frequency", "channel.width",
   "configuration.tx-power", "configuration.hide-ssid", "disabled"},
  {"name", "master-interface", "configuration.ssid", "configuration.mode",
   "security", "configuration.hide-ssid", "datapath.bridge", "comment",
   "disabled"},
  {{"2ghz-g", "2ghz-g"},
   {"2ghz-n", "2ghz-n"},
   {"2ghz-ax", "2ghz-ax"},
   {"5ghz-a", "5ghz-a"},
   {"5ghz-n", "5ghz-n"},
   {"5ghz-ac", "5ghz-ac"},
   {"5ghz-ax", "5ghz-ax"}},
};

const driver* driver_named(const std::string& name) {
  return name == legacy.name ? &legacy : name == wifi.name ? &wifi : nullptr;
}

caf::error refuse(const std::string& text) {
  return make_error(ec::guard_refused, text);
}

std::string family_text(const std::string& f) {
  return f == "2ghz" ? "2.4 GHz" : "5 GHz";
}

// -- state --------------------------------------------------------------------------

std::vector<std::string> reads(const json&) {
  return {legacy.path, wifi.path, legacy.profiles, wifi.profiles};
}

/// The name the plan's interface has on a router with driver `d`.
std::string target_name(const json& params, const driver& d) {
  for (auto* key : {"ssid_id", "interface", "name"})
    if (params.contains(key))
      return params[key].get<std::string>();
  std::string out = d.name_prefix;
  for (char c : params.value("ssid", "")) {
    if (out.size() >= 24)
      break;
    auto ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_';
    out += ok ? c : '-';
  }
  return out;
}

bool is_vap(const json& row) {
  return !row.value("master-interface", "").empty();
}

/// Legacy radios use tx-power only with a fixed tx-power-mode.
void normalise(const driver& d, json& row) {
  if (&d == &legacy && row.value("tx-power-mode", "default") == "default")
    row.erase("tx-power");
}

json state(const json& params, const std::vector<json>& bodies) {
  const bool has_legacy = bodies.at(0).is_array();
  const driver* d = has_legacy                ? &legacy
                    : bodies.at(1).is_array() ? &wifi
                                              : nullptr;
  json out{{"driver", d ? d->name : "none"}};
  if (d == nullptr)
    return out;
  auto& rows = bodies[has_legacy ? 0 : 1];
  auto& profiles = bodies[has_legacy ? 2 : 3];
  auto target = target_name(params, *d);
  bool creating = params["op"] == "create";
  json table = json::array(), radios = json::array(),
       inline_keys = json::array(), open = json::array();
  for (auto& r : rows) {
    auto name = r.value("name", "");
    if (!is_vap(r))
      radios.push_back({{"name", name}, {"band", r.value(d->band, "")}});
    if (d == &wifi && !r.value("security.passphrase", "").empty())
      inline_keys.push_back(name);
    if (name != target && r.value(".id", "") != target
        && !(creating && !is_vap(r)))
      continue;
    auto row = kind::row_state(r, is_vap(r) ? d->vap_fields : d->radio_fields);
    normalise(*d, row);
    table.push_back(std::move(row));
  }
  if (profiles.is_array())
    for (auto& p : profiles) {
      // Legacy: mode none is open; wifi: no authentication type is open.
      bool is_open = d == &legacy ? p.value("mode", "none") == "none"
                                  : p.value("authentication-types", "").empty();
      open.push_back({{"name", p.value("name", "")}, {"open", is_open}});
    }
  out[d->path] = std::move(table);
  out["radios"] = std::move(radios);
  out["profiles"] = std::move(open);
  out["inline_passphrase"] = std::move(inline_keys);
  return out;
}

// -- planning -------------------------------------------------------------------------

size_t find_row(const json& rows, const std::string& key) {
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].value("name", "") == key || rows[i].value("id", "") == key)
      return i;
  return rows.size();
}

/// Sets `body` into the state row `row` (false and empty values are the
/// defaults row_state drops).
void apply_body(const driver& d, json& row, const json& body) {
  for (auto& [k, v] : body.items()) {
    if (v == "false" || v == "")
      row.erase(k);
    else
      row[k] = v;
  }
  normalise(d, row);
}

/// The security profile the plan names: checked to exist; an open one is a
/// warning. Returns its name ("" when the plan names none).
caf::expected<std::string> security(const json& params, const json& current,
                                    const driver& d, const std::string& ssid,
                                    const std::string& fallback,
                                    std::vector<std::string>& warnings) {
  auto name = params.value("security_profile", fallback);
  if (name.empty()) {
    warnings.push_back("SSID '" + ssid
                       + "' will be open (no encryption): no "
                         "security_profile given");
    return name;
  }
  for (auto& p : current.value("profiles", json::array()))
    if (p.value("name", "") == name) {
      if (p.value("open", false))
        warnings.push_back("SSID '" + ssid
                           + "' will be open (no "
                             "encryption): security profile '"
                           + name + "' has no key");
      return name;
    }
  return refuse("security_profile: no security profile '" + name
                + "' on this router (" + d.profiles + ")");
}

/// Band, channel and TX power of the plan on radio `row`, into `body`.
caf::error radio_changes(const json& params, const driver& d, const json& row,
                         json& body) {
  auto radio = row.value("name", "");
  auto band = row.value(d.band, "");
  if (params.contains("band")) {
    auto want = params["band"].get<std::string>();
    auto i = std::find_if(d.bands.begin(), d.bands.end(),
                          [&](auto& b) { return b.first == want; });
    if (i == d.bands.end()) {
      std::string legal;
      for (auto& b : d.bands)
        legal += (legal.empty() ? "" : ", ") + b.first;
      return refuse("band: " + want + " is not supported by the " + d.name
                    + " driver of " + radio + " (use one of " + legal + ")");
    }
    if (!band.empty() && family(band) != family(i->second))
      return refuse("band: " + radio + " is a " + family_text(family(band))
                    + " radio (band " + band + "), it cannot use " + want);
    band = i->second;
    body[d.band] = band;
  }
  if (params.contains("frequency")) {
    auto ch = params["channel"].get<int>();
    auto want = ch <= 14 ? "2ghz" : "5ghz";
    if (!band.empty() && family(band) != want)
      return refuse("channel: " + std::to_string(ch) + " is a "
                    + family_text(want) + " channel, but " + radio + " is a "
                    + family_text(family(band)) + " radio (band " + band + ")");
    body[d.frequency] = params["frequency"];
  }
  if (params.contains("tx_power")) {
    if (&d == &legacy)
      body["tx-power-mode"] = "all-rates-fixed";
    body[&d == &legacy ? "tx-power" : "configuration.tx-power"] =
      params["tx_power"];
  }
  auto planned = body;
  for (auto& [k, v] : planned.items())
    if (row.value(k, "") == v)
      body.erase(k);
  return caf::none;
}

/// PATCHes row `i` of `rows` with `body` (in state and requests).
void patch(const driver& d, json& rows, size_t i, const json& body,
           change_step& step) {
  if (body.empty())
    return;
  apply_body(d, rows[i], body);
  step.requests.push_back(
    request("PATCH", d.path + "/" + rows[i].value("id", ""), body));
}

caf::expected<change_step> plan_create(const json& params, const driver& d,
                                       const json& current, change_step step) {
  auto& rows = step.intended[d.path];
  auto name = target_name(params, d);
  auto ssid = params["ssid"].get<std::string>();
  if (auto i = find_row(rows, name); i < rows.size()) {
    auto& have = rows[i];
    if (is_vap(have) && have.value(d.ssid, "") == ssid
        && have.value("master-interface", "")
             == params.value("master_interface",
                             have.value("master-interface", "")))
      return step; // already there
    return refuse("name: an interface named " + name
                  + " already exists on this router; give another name");
  }
  // The radio: named, else the first of the band (or channel) asked for.
  std::string want_family = family(params.value("band", ""));
  if (want_family.empty() && params.contains("channel"))
    want_family = params["channel"].get<int>() <= 14 ? "2ghz" : "5ghz";
  size_t radio = rows.size();
  for (size_t i = 0; i < rows.size() && radio == rows.size(); ++i) {
    if (is_vap(rows[i]))
      continue;
    if (params.contains("master_interface"))
      radio =
        rows[i].value("name", "") == params["master_interface"] ? i : radio;
    else if (want_family.empty()
             || family(rows[i].value(d.band, "")) == want_family)
      radio = i;
  }
  if (radio == rows.size()) {
    std::string radios;
    for (auto& r : current.value("radios", json::array()))
      radios += (radios.empty() ? "" : ", ") + r.value("name", "") + " ("
                + r.value("band", "?") + ")";
    if (params.contains("master_interface"))
      return refuse("master_interface: no radio "
                    + params["master_interface"].get<std::string>()
                    + " on this router (radios: " + radios + ")");
    auto what = want_family.empty()
                  ? std::string{"no radio"}
                  : "band: no " + family_text(want_family) + " radio";
    return refuse(what + " on this router (radios: " + radios + ")");
  }
  json body = json::object();
  if (auto err = radio_changes(params, d, rows[radio], body))
    return err;
  auto master = rows[radio].value("name", "");
  if (!body.empty())
    step.warnings.push_back("changes radio " + master
                            + " itself: every SSID on it moves with it");
  patch(d, rows, radio, body, step);
  auto profile = security(params, current, d, ssid,
                          &d == &legacy ? "default" : "", step.warnings);
  if (!profile)
    return profile.error();
  json row{{"id", ""},
           {"name", name},
           {"master-interface", master},
           {d.ssid, ssid},
           {d.mode, d.ap_mode}};
  if (!profile->empty())
    row[d.security] = *profile;
  rows.push_back(row);
  step.requests.push_back(request("PUT", d.path, kind::creation(row)));
  return step;
}

caf::expected<change_step> plan_change(const json& params, const driver& d,
                                       const json& current, change_step step) {
  auto& rows = step.intended[d.path];
  auto op = params["op"].get<std::string>();
  auto arg = op == "rf" ? "interface" : "ssid_id";
  auto name = params[arg].get<std::string>();
  auto i = find_row(rows, name);
  if (i == rows.size())
    return refuse(std::string{arg} + ": no wireless interface " + name
                  + " on this router (" + d.path + ")");
  auto& row = rows[i];
  auto master = row.value("master-interface", "");
  if (op == "remove") {
    if (master.empty())
      return refuse("ssid_id: " + name
                    + " is a radio, not a virtual SSID; "
                      "a radio cannot be removed (change its SSID with "
                      "plan_modify_wireless_ssid)");
    for (auto& n : current.value("inline_passphrase", json::array()))
      if (n == row.value("name", ""))
        return refuse("ssid_id: " + name
                      + " keeps its passphrase inline "
                        "(security.passphrase); this server never stores "
                        "passphrases, so the removal could not be rolled back: "
                        "move the key into a /interface/wifi/security profile "
                        "first");
    step.requests.push_back(
      request("DELETE", d.path + "/" + row.value("id", "")));
    rows.erase(i);
    return step;
  }
  json body = json::object();
  auto radio_args = params.contains("band") || params.contains("channel")
                    || params.contains("tx_power");
  if (radio_args && !master.empty())
    return refuse(std::string{arg} + ": " + name + " is a virtual AP on "
                  + master + ": band, channel and TX power are " + master
                  + "'s; plan them with plan_wireless_rf_settings on "
                  + master);
  if (auto err = radio_changes(params, d, row, body))
    return err;
  auto ssid = params.value("ssid", row.value(d.ssid, ""));
  if (params.contains("ssid") && row.value(d.ssid, "") != ssid)
    body[d.ssid] = ssid;
  if (params.contains("security_profile")) {
    auto profile = security(params, current, d, ssid, "", step.warnings);
    if (!profile)
      return profile.error();
    if (row.value(d.security, "") != *profile)
      body[d.security] = *profile;
  }
  patch(d, rows, i, body, step);
  return step;
}

caf::expected<change_step> plan(const json& params, const json& current,
                                const device_record&) {
  auto* d = driver_named(current.value("driver", ""));
  if (d == nullptr)
    return refuse("the router has no wireless package: neither "
                  "/interface/wireless nor /interface/wifi exists");
  change_step step;
  step.intended = current;
  if (params["op"] == "create")
    return plan_create(params, *d, current, std::move(step));
  return plan_change(params, *d, current, std::move(step));
}

std::string risk(const json& params, const std::vector<device_record>&,
                 std::vector<std::string>&) {
  auto op = params["op"].get<std::string>();
  return op == "create" || op == "rf" ? "medium" : "high";
}

std::string compare(const json&, const json& expected, const json& actual) {
  if (expected.value("driver", "") != actual.value("driver", ""))
    return "the wireless driver is now " + actual.value("driver", "") + ", was "
           + expected.value("driver", "");
  return kind::compare_tables(expected, actual);
}

std::vector<rest_request> restore(const json&, const json& snapshot,
                                  const json& now) {
  auto* d = driver_named(snapshot.value("driver", ""));
  if (d == nullptr)
    return {};
  auto out = kind::restore_tables(snapshot, now, {d->path}, {d->path});
  // Legacy wireless has no unset; tx-power is hidden from its state once
  // tx-power-mode is back to default, so nothing is lost.
  if (d == &legacy)
    out.erase(std::remove_if(out.begin(), out.end(),
                             [](const rest_request& r) {
                               return r.method == "POST" && r.body.is_object()
                                      && r.body.value("value-name", "")
                                           == "tx-power";
                             }),
              out.end());
  return out;
}

} // namespace

#define RMCP_WIRELESS_KIND(name, validate)                                     \
  change_kind {                                                                \
    name, "apply_wireless_plan", &device_flags::allow_wireless_writes, false,  \
      1, wireless::validate, risk, reads, state, plan, compare, restore,       \
      nullptr, true,                                                           \
  }

const change_kind wireless_create_kind =
  RMCP_WIRELESS_KIND("wireless_create", validate_create);
const change_kind wireless_modify_kind =
  RMCP_WIRELESS_KIND("wireless_modify", validate_modify);
const change_kind wireless_remove_kind =
  RMCP_WIRELESS_KIND("wireless_remove", validate_remove);
const change_kind wireless_rf_kind =
  RMCP_WIRELESS_KIND("wireless_rf", validate_rf);

} // namespace rmcp::tools
