// Wireless and CAPsMAN reads: get_wireless_interfaces, get_wireless_clients,
// get_capsman_remote_caps, get_capsman_registrations.
//
// A router has the legacy `wireless` package (/interface/wireless), the
// newer `wifi` driver (/interface/wifi, 7.13+) or neither; CAPsMAN v1
// (/caps-man) comes with `wireless`. RouterOS answers a menu of an absent
// package with 400 "no such command or directory": these tools then try the
// other driver and finally report `driver: "none"` with no rows — an absent
// package is an answer, not an error.

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
};

void try_driver(tool_call& call, device_actor dev, std::string id,
                const driver_read& spec, size_t index) {
  if (index >= 2 || spec.paths[index] == nullptr) {
    json out{{"device_id", id},
             {"driver", "none"},
             {spec.key, json::array()},
             {"count", 0}};
    finish_with_rows(call, std::move(out),
                     "No " + std::string{spec.noun} + " on " + id
                       + ": the router has no such package");
    return;
  }
  device_ops::exec(
    call.self(), dev, get_request(spec.paths[index]),
    [&call, id, spec, index](rest_response& resp) {
      json rows = json::array();
      if (resp.body.is_array())
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
    [&call, dev, id, spec, index](caf::error err) {
      if (is_absent_menu(err))
        try_driver(call, dev, id, spec, index + 1);
      else
        call.fail(std::move(err));
    });
}

void run_driver_read(tool_call& call, const driver_read& spec) {
  with_device(call, [&call, &spec](device_handle dev) {
    try_driver(call, dev.actor, dev.view.record.id, spec, 0);
  });
}

template <size_t N>
constexpr driver_read
make_driver_read(const char* p0, const char* d0, const char* p1, const char* d1,
                 const ros::field (&fields)[N], const char* key,
                 const char* noun, bool pairs) {
  return {{p0, p1}, {d0, d1}, fields, N, key, noun, pairs};
}

constexpr auto radios_read =
  make_driver_read("/interface/wireless", "wireless", "/interface/wifi", "wifi",
                   radio_fields, "interfaces", "wireless interfaces", false);
constexpr auto clients_read =
  make_driver_read("/interface/wireless/registration-table", "wireless",
                   "/interface/wifi/registration-table", "wifi", client_fields,
                   "clients", "wireless clients", true);
constexpr auto caps_read =
  make_driver_read("/caps-man/remote-cap", "capsman", nullptr, nullptr,
                   cap_fields, "caps", "CAPsMAN remote CAPs", false);
constexpr auto cap_clients_read =
  make_driver_read("/caps-man/registration-table", "capsman", nullptr, nullptr,
                   client_fields, "clients", "CAPsMAN clients", true);

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
  {"get_wireless_interfaces", "Wireless interfaces",
   mcp::tool_tier::fundamental, read_only_router,
   "Lists a router's radios (legacy wireless or wifi driver; `driver` says "
   "which, \"none\" without radio): name, SSID, mode, band, frequency, "
   "width, TX power, security, state, client counts.",
   RMCP_DEVICE_ONLY_INPUT, nullptr,
   [](tool_call& call) { run_driver_read(call, radios_read); }, 0,
   [] { return driver_schema(radios_read); }},
  {"get_wireless_clients", "Wireless clients", mcp::tool_tier::fundamental,
   read_only_router,
   "Lists clients of a router's own radios: interface, MAC, SSID, signal "
   "(dBm), SNR (dB), TX/RX rate (bit/s), uptime (s), bytes and packets "
   "each way. CAPsMAN clients: get_capsman_registrations.",
   RMCP_DEVICE_ONLY_INPUT, nullptr,
   [](tool_call& call) { run_driver_read(call, clients_read); }, 0,
   [] { return driver_schema(clients_read); }},
  {"get_capsman_remote_caps", "CAPsMAN remote CAPs",
   mcp::tool_tier::fundamental, read_only_router,
   "Lists the access points (CAPs) a CAPsMAN controller manages: name, "
   "identity, address, board, version, state, uptime in seconds. driver is "
   "\"none\" when the router has no CAPsMAN.",
   RMCP_DEVICE_ONLY_INPUT, nullptr,
   [](tool_call& call) { run_driver_read(call, caps_read); }, 0,
   [] { return driver_schema(caps_read); }},
  {"get_capsman_registrations", "CAPsMAN clients", mcp::tool_tier::fundamental,
   read_only_router,
   "Lists the wireless clients of every CAP a CAPsMAN controller manages: "
   "interface, MAC, SSID, signal (dBm), rates (bit/s), uptime, bytes, "
   "packets. driver \"none\": no CAPsMAN.",
   RMCP_DEVICE_ONLY_INPUT, nullptr,
   [](tool_call& call) { run_driver_read(call, cap_clients_read); }, 0,
   [] { return driver_schema(cap_clients_read); }},
};

} // namespace

caf::error register_wireless_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
