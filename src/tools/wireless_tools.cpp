// Wireless and CAPsMAN reads: get_wireless_interfaces, get_wireless_clients,
// get_capsman_remote_caps, get_capsman_registrations.
//
// A router has the legacy `wireless` package (/interface/wireless), the
// newer `wifi` driver (/interface/wifi, 7.13+) or neither. RouterOS answers
// a menu of an absent package with 400 "no such command or directory":
// these tools then try the other driver and finally report `driver: "none"`
// with no rows — an absent package is an answer, not an error.
//
// CAPsMAN comes in two: the wifi package's (7.13+: settings in
// /interface/wifi/capsman, CAPs in /interface/wifi/capsman/remote-cap, their
// clients in /interface/wifi/registration-table) and CAPsMAN v1 of the
// `wireless` package (/caps-man). The CAPsMAN tools read the wifi one when
// the router has it switched on, else the legacy one; `driver` says which
// ("wifi" or "capsman"), and the rows have one typed shape for both. A
// router whose wifi CAPsMAN is off and that has no /caps-man answers
// `driver: "wifi"` with no rows. An answer of the wrong shape is an error
// (the device actor checks every GET against protocol/routeros_shape), never
// an empty list.

#include <memory>

#include "protocol/error.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

using ros::kind;

// Legacy and wifi spell some fields differently; a row has only one form.
constexpr ros::field radio_fields[] = {
  {".id", "id", kind::text},
  {"name", "name", kind::text},
  {"ssid", "ssid", kind::text},
  {"configuration.ssid", "ssid", kind::text},
  {"mode", "mode", kind::text},
  {"configuration.mode", "mode", kind::text},
  {"band", "band", kind::text},
  {"channel.band", "band", kind::text},
  {"frequency", "frequency", kind::text},
  {"channel.frequency", "frequency", kind::text},
  {"channel-width", "channel_width", kind::text},
  {"channel.width", "channel_width", kind::text},
  {"tx-power", "tx_power_dbm", kind::integer},
  {"tx-power-mode", "tx_power_mode", kind::text},
  {"security-profile", "security_profile", kind::text},
  {"security.authentication-types", "authentication_types", kind::list},
  {"radio-name", "radio_name", kind::text},
  {"mac-address", "mac_address", kind::text},
  {"master-interface", "master_interface", kind::text},
  {"running", "running", kind::boolean},
  {"disabled", "disabled", kind::boolean},
  {"registered-clients", "registered_clients", kind::uint},
  {"authenticated-clients", "authenticated_clients", kind::uint},
  {"comment", "comment", kind::text},
};

constexpr ros::field client_fields[] = {
  {"interface", "interface", kind::text},
  {"mac-address", "mac_address", kind::text},
  {"ssid", "ssid", kind::text},
  {"ap", "ap", kind::boolean},
  {"radio-name", "radio_name", kind::text},
  {"band", "band", kind::text},
  {"auth-type", "auth_type", kind::text},
  {"signal-strength", "signal_dbm", kind::dbm},
  {"signal", "signal_dbm", kind::dbm},
  {"rx-signal", "signal_dbm", kind::dbm},
  {"signal-to-noise", "signal_to_noise_db", kind::dbm},
  {"tx-rate", "tx_rate_bps", kind::bps},
  {"rx-rate", "rx_rate_bps", kind::bps},
  {"tx-bits-per-second", "tx_bits_per_second", kind::uint},
  {"rx-bits-per-second", "rx_bits_per_second", kind::uint},
  {"tx-ccq", "tx_ccq_percent", kind::percent},
  {"uptime", "uptime_seconds", kind::seconds},
  {"last-activity", "last_activity_seconds", kind::seconds},
  {"last-ip", "last_ip", kind::text},
};

constexpr ros::field cap_fields[] = {
  {".id", "id", kind::text},
  {"name", "name", kind::text},
  {"identity", "identity", kind::text},
  {"address", "address", kind::text},
  {"board", "board", kind::text},
  {"board-name", "board", kind::text},
  {"serial", "serial", kind::text},
  {"version", "version", kind::text},
  {"state", "state", kind::text},
  {"base-mac", "base_mac", kind::text},
  {"rx-signal", "rx_signal_dbm", kind::dbm},
  {"uptime", "uptime_seconds", kind::seconds},
};

/// "sent,received" counter pairs of registration tables.
void split_pairs(const json& raw, json& row) {
  for (auto* key : {"bytes", "packets"}) {
    auto text = ros::text_of(raw, key);
    if (!text)
      continue;
    auto parts = ros::to_list(*text);
    if (parts.size() != 2)
      continue;
    auto tx = ros::to_uint(parts[0]);
    auto rx = ros::to_uint(parts[1]);
    if (tx && rx) {
      row[std::string{key} + "_sent"] = *tx;
      row[std::string{key} + "_received"] = *rx;
    }
  }
}

/// A read over alternative menus (one per driver).
struct driver_read {
  /// Menu per driver, tried in order; nullptr ends the list.
  const char* paths[2];
  const char* drivers[2];
  const ros::field* fields;
  size_t field_count;
  const char* key;
  const char* noun;
  bool pairs;
  /// A singleton whose `enabled` decides whether paths[0] is read at all
  /// (the wifi CAPsMAN's settings); absent or off: paths[1] is read, and
  /// when that menu is absent too the answer is drivers[0] with no rows.
  const char* gate = nullptr;
};

/// The answer with no rows: `driver` none, or the driver whose CAPsMAN is
/// switched off.
void finish_empty(tool_call& call, const std::string& id,
                  const driver_read& spec, bool gated_off) {
  json out{{"device_id", id},
           {"driver", gated_off ? spec.drivers[0] : "none"},
           {spec.key, json::array()},
           {"count", 0}};
  finish_with_rows(call, std::move(out),
                   gated_off ? "No " + std::string{spec.noun} + " on " + id
                                 + ": its " + spec.drivers[0]
                                 + " CAPsMAN is disabled and it has no other"
                             : "No " + std::string{spec.noun} + " on " + id
                                 + ": the router has no such package");
}

void try_driver(tool_call& call, device_actor dev, std::string id,
                const driver_read& spec, size_t index, bool gated_off) {
  if (index >= 2 || spec.paths[index] == nullptr) {
    finish_empty(call, id, spec, gated_off);
    return;
  }
  device_ops::exec(
    call.self(), dev, call.request(get_request(spec.paths[index])),
    [&call, id, spec, index](rest_response& resp) {
      call.note_transport(resp);
      if (!resp.body.is_array()) {
        // The shape check refuses this before; never report "0 rows".
        call.fail(make_error(ec::router_bad_answer,
                             "device " + id + ": GET " + spec.paths[index]
                               + " answered no list of rows"));
        return;
      }
      json rows = json::array();
      for (auto& raw : resp.body) {
        auto row = ros::convert(raw, spec.fields, spec.field_count);
        if (spec.pairs)
          split_pairs(raw, row);
        rows.push_back(std::move(row));
      }
      auto n = rows.size();
      json out{{"device_id", id},
               {"driver", spec.drivers[index]},
               {spec.key, std::move(rows)},
               {"count", n}};
      finish_with_rows(call, std::move(out),
                       std::to_string(n) + " " + spec.noun + " on " + id + " ("
                         + spec.drivers[index] + ")",
                       spec.key);
    },
    [&call, dev, id, spec, index, gated_off](caf::error err) {
      if (is_absent_menu(err))
        try_driver(call, dev, id, spec, index + 1, gated_off);
      else
        call.fail(std::move(err));
    },
    call.wait(device_ops::device_timeout));
}

/// Reads `spec.gate` first: on → paths[0]; off → paths[1] (drivers[0]
/// with no rows when absent); absent → paths[1].
void try_gate(tool_call& call, device_actor dev, std::string id,
              const driver_read& spec) {
  device_ops::exec(
    call.self(), dev, call.request(get_request(spec.gate)),
    [&call, dev, id, spec](rest_response& resp) {
      call.note_transport(resp);
      auto on = ros::text_of(resp.body, "enabled");
      auto enabled = on ? ros::to_bool(*on) : std::nullopt;
      if (!enabled) {
        call.fail(make_error(ec::router_bad_answer,
                             "device " + id + ": GET " + spec.gate
                               + " answered no enabled yes/no"));
        return;
      }
      try_driver(call, dev, id, spec, *enabled ? 0 : 1, !*enabled);
    },
    [&call, dev, id, spec](caf::error err) {
      if (is_absent_menu(err))
        try_driver(call, dev, id, spec, 1, false);
      else
        call.fail(std::move(err));
    },
    call.wait(device_ops::device_timeout));
}

void run_driver_read(tool_call& call, const driver_read& spec) {
  with_device(call, [&call, &spec](device_handle dev) {
    if (spec.gate != nullptr)
      try_gate(call, dev.actor, dev.view.record.id, spec);
    else
      try_driver(call, dev.actor, dev.view.record.id, spec, 0, false);
  });
}

template <size_t N>
constexpr driver_read
make_driver_read(const char* p0, const char* d0, const char* p1, const char* d1,
                 const ros::field (&fields)[N], const char* key,
                 const char* noun, bool pairs, const char* gate = nullptr) {
  return {{p0, p1}, {d0, d1}, fields, N, key, noun, pairs, gate};
}

constexpr const char* wifi_capsman = "/interface/wifi/capsman";

constexpr auto radios_read =
  make_driver_read("/interface/wireless", "wireless", "/interface/wifi", "wifi",
                   radio_fields, "interfaces", "wireless interfaces", false);
constexpr auto clients_read =
  make_driver_read("/interface/wireless/registration-table", "wireless",
                   "/interface/wifi/registration-table", "wifi", client_fields,
                   "clients", "wireless clients", true);
constexpr auto caps_read = make_driver_read(
  "/interface/wifi/capsman/remote-cap", "wifi", "/caps-man/remote-cap",
  "capsman", cap_fields, "caps", "CAPsMAN remote CAPs", false, wifi_capsman);
constexpr auto cap_clients_read = make_driver_read(
  "/interface/wifi/registration-table", "wifi", "/caps-man/registration-table",
  "capsman", client_fields, "clients", "CAPsMAN clients", true, wifi_capsman);

json driver_schema(const driver_read& spec) {
  auto row = row_schema(spec.fields, spec.field_count);
  if (spec.pairs)
    for (auto* k :
         {"bytes_sent", "bytes_received", "packets_sent", "packets_received"})
      row["properties"][k] = {{"type", "integer"}, {"minimum", 0}};
  auto out =
    rows_output_schema(spec.key, std::move(row),
                       {{"driver",
                         {{"type", "string"},
                          {"enum", {"wireless", "wifi", "capsman", "none"}}}}});
  out["required"].push_back("driver");
  return out;
}

const tool_entry table[] = {
  {"get_wireless_interfaces",
   "Wireless interfaces",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's radios (legacy wireless or wifi driver; `driver` says "
   "which, \"none\" without radio): name, SSID, mode, band, frequency, "
   "width, TX power, security, state, client counts.",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   [](tool_call& call) { run_driver_read(call, radios_read); },
   0,
   [] { return driver_schema(radios_read); },
   {},
   output_check::typed},
  {"get_wireless_clients",
   "Wireless clients",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists clients of a router's own radios: interface, MAC, SSID, signal "
   "(dBm), SNR (dB), TX/RX rate (bit/s), uptime (s), bytes and packets "
   "each way. CAPsMAN clients: get_capsman_registrations.",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   [](tool_call& call) { run_driver_read(call, clients_read); },
   0,
   [] { return driver_schema(clients_read); },
   {},
   output_check::typed},
  {"get_capsman_remote_caps",
   "CAPsMAN remote CAPs",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists the access points (CAPs) a CAPsMAN controller manages: name, "
   "identity, address, board, serial, version, state, uptime in seconds. "
   "driver: \"wifi\" (the wifi package's CAPsMAN, RouterOS 7.13+), "
   "\"capsman\" (legacy CAPsMAN of the wireless package) or \"none\".",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   [](tool_call& call) { run_driver_read(call, caps_read); },
   0,
   [] { return driver_schema(caps_read); },
   {},
   output_check::typed},
  {"get_capsman_registrations",
   "CAPsMAN clients",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists the wireless clients of every CAP a CAPsMAN controller manages: "
   "interface, MAC, SSID, signal (dBm), rates (bit/s), uptime, bytes, "
   "packets. driver: \"wifi\" (the wifi package's CAPsMAN: its "
   "registration table, which also lists the controller's own radios' "
   "clients), \"capsman\" (legacy) or \"none\".",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   [](tool_call& call) { run_driver_read(call, cap_clients_read); },
   0,
   [] { return driver_schema(cap_clients_read); },
   {},
   output_check::typed},
};

} // namespace

caf::error register_wireless_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
