// Radios: legacy /interface/wireless (+registration-table, security-profiles)
// and /caps-man on routers with the `wireless` package; /interface/wifi
// (+registration-table, security profiles, capsman, capsman/remote-cap) on
// routers with `wifi-qcom` (defconf keeps the passphrase inline in
// security.passphrase). A menu of an absent package answers "no such command
// or directory (<name>)". A CAPsMAN controller (profile `capsman`) has
// remote CAPs in its package's menus; a radio-less controller has the
// package's menus and no radio.
//
// Fields of /interface/wifi/capsman (the controller's settings, default
// disabled) and /interface/wifi/capsman/remote-cap (identity, address,
// board-name, serial, version, base-mac, state) are those of the RouterOS
// manual's WiFi page, CAPsMAN section; the reference lists neither menu.

#include "sim/ops.hpp"
#include "sim/seed.hpp"

namespace rmcp::sim {

void register_wireless_menus(menu_tree& t);

namespace {

void compute_radio(const router_state& st, const record& r, fields& out) {
  out.set("running", r.f.is_true("disabled") ? "false" : "true");
  if (r.f.get("type") == "wifi") {
    out.set(
      ".about",
      "mode: AP, SSID: " + r.f.get("configuration.ssid") + ", channel: "
        + (r.f.get("default-name") == "wifi1" ? "5180/ax/Ceee" : "2412/ax"));
    out.set("bound", "true");
    out.set("inactive", "false");
  } else {
    int clients = 0;
    for (auto& c : st.tab("/interface/wireless/registration-table").rows)
      if (c.f.get("interface") == r.f.get("name"))
        ++clients;
    out.set("interface-type", "IPQ4019");
    out.set("registered-clients", std::to_string(clients));
    out.set("authenticated-clients", std::to_string(clients));
  }
}

void compute_client(const router_state& st, const record& r, fields& out) {
  auto seconds = st.uptime_s() / 3 + static_cast<std::int64_t>(r.id) * 97;
  out.set("uptime", format_duration_s(seconds));
  out.set("last-activity", std::to_string(r.id * 10 % 990) + "ms");
  auto bytes = seconds * 5300;
  if (st.profile.wireless == wireless_kind::legacy) {
    out.set("bytes", std::to_string(bytes) + "," + std::to_string(bytes / 3));
    out.set("packets",
            std::to_string(bytes / 900) + "," + std::to_string(bytes / 2700));
  } else {
    out.set("bytes", std::to_string(bytes) + "," + std::to_string(bytes / 3));
    out.set("packets",
            std::to_string(bytes / 900) + "," + std::to_string(bytes / 2700));
    out.set("tx-bits-per-second",
            std::to_string(r.id * 12000 + st.now_s() % 50 * 100));
    out.set("rx-bits-per-second",
            std::to_string(r.id * 4000 + st.now_s() % 30 * 100));
  }
}

void compute_cap(const router_state& st, const record& r, fields& out) {
  out.set("uptime", format_duration_s(st.uptime_s() - 40
                                      - static_cast<std::int64_t>(r.id)));
}

} // namespace

void register_wireless_menus(menu_tree& t) {
  const auto cmds = c_add | c_set | c_remove | c_enable | c_comment;
  t.add(
    menu_builder("/interface/wireless")
      .table("interface", "wlan")
      .named()
      .cmds(cmds)
      .on_add(new_row("/interface/wireless"))
      .present(has_legacy_wireless)
      .writable("band,channel-width,comment,country,disabled,frequency,hide-"
                "ssid,installation,l2mtu,"
                "mac-address,master-interface,mode,mtu,name,radio-name,"
                "security-profile,ssid,tx-power,"
                "tx-power-mode,wireless-protocol,wps-mode")
      .types("band:enum:2ghz-b|2ghz-b/g|2ghz-b/g/n|2ghz-g/"
             "n|2ghz-onlyg|2ghz-onlyn|5ghz-a|5ghz-a/n|5ghz-a/n/ac|"
             "5ghz-n/ac|5ghz-onlyac|5ghz-onlyn;security-profile:ref:/interface/"
             "wireless/security-profiles;"
             "mode:enum:alignment-only|ap-bridge|bridge|nstreme-dual-slave|"
             "station|station-bridge|"
             "station-pseudobridge|station-pseudobridge-clone|station-wds|wds-"
             "slave;hide-ssid:bool;"
             "tx-power:int:-30..40;tx-power-mode:enum:all-rates-fixed|card-"
             "rates|default|manual-table;"
             "master-interface:ref:/interface/wireless;mac-address:mac")
      .view(
        "name,default-name,mtu,l2mtu,mac-address,disabled,comment,radio-name")
      .defaults("arp=enabled,arp-timeout=auto,country=etsi,disabled=false,"
                "frequency=auto,hide-ssid=false,"
                "installation=indoor,mode=ap-bridge,mtu=1500,security-profile="
                "default,tx-power-mode=default,"
                "wireless-protocol=802.11,wps-mode=push-button")
      .compute(compute_radio)
      .fixed("type", "wlan")
      .required("master-interface")
      .unique("name", "failure: already have interface with such name")
      .words("interface wireless")
      .build());
  t.add(menu_builder("/interface/wireless/registration-table")
          .present(has_legacy_wireless)
          .cmds(c_remove)
          .defaults("ap=false,wds=false,bridge=false,authentication-type=wpa2-"
                    "psk,encryption=aes-ccm,"
                    "group-encryption=aes-ccm,management-protection=false")
          .compute(compute_client)
          .build());
  t.add(
    menu_builder("/interface/wireless/security-profiles")
      .named()
      .cmds(cmds)
      .present(has_legacy_wireless)
      .writable("authentication-types,comment,copy-from,group-ciphers,mode,"
                "name,unicast-ciphers,"
                "wpa-pre-shared-key,wpa2-pre-shared-key,management-protection")
      .types(
        "mode:enum:dynamic-keys|none|static-keys-optional|static-keys-required;"
        "authentication-types:enums:wpa-psk|wpa2-psk|wpa-eap|wpa2-eap")
      .defaults(
        "authentication-types=,group-ciphers=aes-ccm,management-protection="
        "disabled,mode=none,"
        "unicast-ciphers=aes-ccm,wpa-pre-shared-key=,wpa2-pre-shared-key=")
      .required("name")
      .words("interface wireless security-profiles")
      .build());
  t.add(
    menu_builder("/interface/wifi")
      .table("interface", "wifi")
      .named()
      .cmds(cmds | c_unset)
      .on_add(new_row("/interface/wifi"))
      .present(has_wifi)
      .writable("channel,channel.band,channel.frequency,channel.width,comment,"
                "configuration,configuration.country,"
                "configuration.hide-ssid,configuration.mode,configuration.ssid,"
                "configuration.tx-power,datapath,"
                "datapath.bridge,disabled,l2mtu,mac-address,master-interface,"
                "mtu,name,security,"
                "security.authentication-types,security.passphrase,security."
                "connect-priority")
      .types(
        "configuration.mode:enum:ap|station|station-bridge;configuration.hide-"
        "ssid:bool;"
        "configuration.tx-power:int:0..40;security:ref:/interface/wifi/"
        "security;"
        "channel.band:enum:2ghz-ax|2ghz-g|2ghz-n|5ghz-a|5ghz-ac|5ghz-ax|5ghz-n;"
        "channel.width:enum:20mhz|20/40mhz|20/40mhz-Ce|20/40mhz-eC|20/40/"
        "80mhz|20/40/80/160mhz;"
        "security.authentication-types:enums:wpa2-psk|wpa3-psk|wpa2-eap|wpa3-"
        "eap|owe;"
        "master-interface:ref:/interface/wifi;mac-address:mac")
      .view(
        "name,default-name,mtu,l2mtu,mac-address,disabled,comment,radio-mac")
      .defaults("arp=enabled,arp-timeout=auto,configuration.mode=ap,disabled="
                "false,master=true,"
                "security.connect-priority=0")
      .compute(compute_radio)
      .fixed("type", "wifi")
      .required("master-interface")
      .unique("name", "failure: already have interface with such name")
      .words("interface wifi")
      .build());
  t.add(menu_builder("/interface/wifi/security")
          .named()
          .cmds(cmds | c_unset)
          .present(has_wifi)
          .writable("authentication-types,comment,encryption,management-"
                    "protection,name,passphrase,wps")
          .types("authentication-types:enums:wpa-psk|wpa2-psk|wpa3-psk|wpa-eap|"
                 "wpa2-eap|wpa3-eap|owe")
          .required("name")
          .words("interface wifi security")
          .build());
  t.add(menu_builder("/interface/wifi/registration-table")
          .present(has_wifi)
          .cmds(c_remove)
          .compute(compute_client)
          .build());
  t.add(menu_builder("/interface/wifi/capsman")
          .singleton()
          .cmds(c_set)
          .present(has_wifi)
          .writable("ca-certificate,certificate,enabled,interfaces,package-"
                    "path,require-peer-certificate,upgrade-policy")
          .types("enabled:bool;require-peer-certificate:bool;upgrade-policy:"
                 "enum:none|require-same-version|suggest-same-version")
          .defaults("ca-certificate=,certificate=,enabled=false,interfaces="
                    "all,package-path=,require-peer-certificate=false,"
                    "upgrade-policy=none")
          .words("interface wifi capsman")
          .build());
  t.add(menu_builder("/interface/wifi/capsman/remote-cap")
          .present(has_wifi)
          .build());
  t.set_present("/caps-man", has_legacy_wireless);
  t.add(menu_builder("/caps-man/remote-cap").compute(compute_cap).build());
  t.add(menu_builder("/caps-man/registration-table")
          .compute(compute_client)
          .build());
}

namespace {

/// The remote CAPs of a wifi-package CAPsMAN controller.
void seed_wifi_capsman(router_state& st) {
  auto& p = st.profile;
  st.tab("/interface/wifi/capsman")
    .insert_with_id(1, fields{{"enabled", "true"}, {"interfaces", "bridge"}});
  auto& caps = st.tab("/interface/wifi/capsman/remote-cap");
  for (int i = 1; i <= 3; ++i) {
    auto h = hash_of(p.seed, p.index, 0xca96 + static_cast<std::uint64_t>(i));
    auto base = format_mac(h & 0xFEFFFFFFFFFFULL);
    caps.insert(fields{{"identity", "cap-ax-" + std::to_string(i)},
                       {"address", "192.168." + std::to_string(lan_octet(p))
                                     + "." + std::to_string(20 + i)},
                       {"board-name", i == 3 ? "wAP ax" : "cAP ax"},
                       {"serial", "HF" + std::to_string(h % 100000000)},
                       {"version", version_number(p)},
                       {"base-mac", base},
                       {"state", "Ok"}});
  }
}

/// The remote CAPs and their clients of a legacy (/caps-man) controller.
void seed_legacy_capsman(router_state& st, prng& rng, const std::string& ssid) {
  auto& p = st.profile;
  auto& caps = st.tab("/caps-man/remote-cap");
  auto& creg = st.tab("/caps-man/registration-table");
  for (int i = 1; i <= 2; ++i) {
    auto base = format_mac(
      hash_of(p.seed, p.index, 0xca95 + static_cast<std::uint64_t>(i))
      & 0xFEFFFFFFFFFFULL);
    caps.insert(fields{{"name", "[" + base + "]"},
                       {"address", base + "/" + "bridge"},
                       {"identity", "cap-" + std::to_string(i)},
                       {"version", version_number(p)},
                       {"state", "Run"},
                       {"base-mac", base},
                       {"radio-mac", base},
                       {"board", "cAP ac"},
                       {"rx-signal", ""}});
    creg.insert(fields{
      {"interface", "cap" + std::to_string(i)},
      {"mac-address",
       format_mac(hash_of(p.seed, 77, static_cast<std::uint64_t>(i))
                  & 0xFEFFFFFFFFFFULL)},
      {"ssid", ssid},
      {"ap", "false"},
      {"radio-name", "cap-" + std::to_string(i)},
      {"rx-signal", std::to_string(-static_cast<int>(rng.range(40, 75)))},
      {"tx-signal", "-52"},
      {"tx-rate", "144.4Mbps"},
      {"rx-rate", "130Mbps"}});
  }
}

} // namespace

void seed_wireless(router_state& st) {
  auto& p = st.profile;
  if (p.capsman == capsman_kind::wifi)
    seed_wifi_capsman(st);
  auto rng = area_rng(p, "wireless");
  auto ssid = std::string{p.index % 3 == 0   ? "lab"
                          : p.index % 3 == 1 ? "staging"
                                             : "branch"}
              + "-wifi";
  if (p.wireless == wireless_kind::none) {
    // A radio-less controller: the package's menus, no radio.
    if (p.capsman == capsman_kind::legacy) {
      st.tab("/interface/wireless/security-profiles")
        .insert(fields{{"name", "default"}});
      seed_legacy_capsman(st, rng, ssid);
    }
    return;
  }
  auto& t = st.tab("interface");
  bool legacy = p.wireless == wireless_kind::legacy;
  std::vector<std::string> radios;
  for (int i = 1; i <= 2; ++i) {
    auto name = (legacy ? "wlan" : "wifi") + std::to_string(i);
    radios.push_back(name);
    auto mac = router_mac(p, 20 + i);
    fields f{{"name", name},
             {"default-name", name},
             {"mac-address", mac},
             {"mtu", "1500"},
             {"~rate", "250000"}};
    if (legacy) {
      f.set("type", "wlan");
      f.set("l2mtu", "1600");
      f.set("band", i == 1 ? "2ghz-b/g/n" : "5ghz-a/n/ac");
      f.set("channel-width", i == 1 ? "20/40mhz-XX" : "20/40/80mhz-XXXX");
      f.set("ssid", ssid);
      f.set("radio-name", p.identity);
      f.set("tx-power-mode", "default");
    } else {
      f.set("type", "wifi");
      f.set("l2mtu", "1560");
      f.set("radio-mac", mac);
      f.set("configuration.ssid", ssid);
      f.set("configuration.country", "Latvia");
      f.set("channel.band", i == 1 ? "5ghz-ax" : "2ghz-ax");
      f.set("channel.width", i == 1 ? "20/40/80mhz" : "20/40mhz");
      f.set("security.authentication-types", "wpa2-psk,wpa3-psk");
      f.set("security.passphrase",
            "defconf-" + p.serial); // inline, as defconf sets it
    }
    t.insert(std::move(f));
    st.tab("/interface/bridge/port")
      .insert(fields{
        {"bridge", "bridge"}, {"interface", name}, {"comment", "defconf"}});
  }
  if (legacy) {
    auto& sp = st.tab("/interface/wireless/security-profiles");
    sp.insert(fields{{"name", "default"}});
    sp.insert(fields{{"name", "office"},
                     {"mode", "dynamic-keys"},
                     {"authentication-types", "wpa2-psk"},
                     {"wpa2-pre-shared-key", "office-" + p.serial}});
  }
  if (!legacy)
    st.tab("/interface/wifi/security")
      .insert(fields{{"name", "office"},
                     {"authentication-types", "wpa2-psk,wpa3-psk"},
                     {"passphrase", "office-" + p.serial}});
  auto& reg = st.tab(legacy ? "/interface/wireless/registration-table"
                            : "/interface/wifi/registration-table");
  auto clients = rng.range(1, 6);
  for (int i = 0; i < clients; ++i) {
    auto mac = format_mac(
      hash_of(p.seed, p.index, 0xc11e47 + static_cast<std::uint64_t>(i))
      & 0xFEFFFFFFFFFFULL);
    auto signal = -static_cast<int>(rng.range(38, 82));
    fields c{{"interface", radios[static_cast<std::size_t>(i) % 2]},
             {"mac-address", mac}};
    if (legacy) {
      c.set("signal-strength", std::to_string(signal) + "dBm@6Mbps");
      c.set("signal-to-noise", std::to_string(signal + 105) + "dB");
      c.set("tx-rate", "144.4Mbps-20MHz/2S/SGI");
      c.set("rx-rate", "130Mbps-20MHz/2S");
      c.set("tx-ccq", std::to_string(rng.range(60, 99)));
      c.set("last-ip", "192.168." + std::to_string(lan_octet(p)) + "."
                         + std::to_string(250 - i * 3));
    } else {
      c.set("ssid", ssid);
      c.set("signal", std::to_string(signal));
      c.set("band", i % 2 == 0 ? "5ghz-ax" : "2ghz-ax");
      c.set("auth-type", "wpa2-psk");
      c.set("tx-rate", "1200.9Mbps-80MHz/2S/SGI");
      c.set("rx-rate", "864.6Mbps-80MHz/2S");
    }
    reg.insert(std::move(c));
  }
  if (p.capsman == capsman_kind::legacy)
    seed_legacy_capsman(st, rng, ssid);
}

} // namespace rmcp::sim
