#include "sim/seed.hpp"

#include <array>
#include <cstdio>

namespace rmcp::sim {

namespace {

struct board_def {
  const char* board;
  const char* model;
  const char* arch;
  const char* cpu;
  int cores;
  int mhz;
  std::uint64_t mem_mib;
  std::uint64_t hdd_mib;
  int ether;
  int sfp;
  const char* sfp_prefix;
  wireless_kind wl;
  bool rb;
  const char* firmware_type;
  const char* factory;
};

constexpr std::array<board_def, 10> boards{{
  {"hAP ax^2", "C52iG-5HaxD2HaxD", "arm64", "ARM64", 4, 864, 1024, 128, 5, 0,
   "", wireless_kind::wifi, true, "ipq5000", "7.5"},
  {"hAP ax^3", "C53UiG+5HPaxD2HPaxD", "arm64", "ARM64", 4, 864, 1024, 128, 5, 0,
   "", wireless_kind::wifi, true, "ipq6000", "7.8"},
  {"hAP ac^2", "RBD52G-5HacD2HnD", "arm", "ARM", 4, 716, 128, 16, 5, 0, "",
   wireless_kind::legacy, true, "ipq4000L", "6.45.9"},
  {"cAP ac", "RBcAPGi-5acD2nD", "arm", "ARM", 4, 448, 128, 16, 2, 0, "",
   wireless_kind::legacy, true, "ipq4000L", "6.46.4"},
  {"RB5009UG+S+", "RB5009UG+S+", "arm64", "ARM64", 4, 350, 1024, 1024, 8, 1,
   "sfp-sfpplus", wireless_kind::none, true, "88F7040", "7.0.5"},
  {"CCR2004-16G-2S+", "CCR2004-16G-2S+", "arm64", "ARM64", 4, 1700, 4096, 128,
   16, 2, "sfp-sfpplus", wireless_kind::none, true, "al2", "7.1"},
  {"CRS326-24G-2S+", "CRS326-24G-2S+", "arm", "ARM", 1, 800, 512, 16, 24, 2,
   "sfp-sfpplus", wireless_kind::none, true, "dx3230L", "6.44.6"},
  {"RB4011iGS+", "RB4011iGS+", "arm", "ARM", 4, 1400, 1024, 512, 10, 1,
   "sfp-sfpplus", wireless_kind::none, true, "al2", "6.44.5"},
  {"hEX S", "RB760iGS", "mmips", "MIPS 1004Kc V2.15", 2, 880, 256, 16, 5, 1,
   "sfp", wireless_kind::none, true, "mt7621L", "6.48.3"},
  {"CHR", "", "x86_64", "Common KVM processor", 1, 2400, 1024, 128, 3, 0, "",
   wireless_kind::none, false, "", "7.1"},
}};

constexpr std::array<const char*, 15> versions{
  "7.10.2 (stable)", "7.11.3 (stable)", "7.12.1 (stable)",   "7.13.5 (stable)",
  "7.14.3 (stable)", "7.15.3 (stable)", "7.16.2 (stable)",   "7.17.2 (stable)",
  "7.18.2 (stable)", "7.19.1 (stable)", "7.19.6 (stable)",   "7.20.5 (stable)",
  "7.21.3 (stable)", "7.22.1 (stable)", "7.23.7 (long-term)"};

struct zone {
  const char* name;
  int offset;
};
constexpr std::array<zone, 5> zones{{{"Etc/UTC", 0},
                                     {"Europe/Riga", 7200},
                                     {"Europe/Berlin", 3600},
                                     {"America/New_York", -18000},
                                     {"Asia/Tokyo", 32400}}};

const char* role_of(const board_def& b) {
  std::string name = b.board;
  if (name == "CHR")
    return "chr";
  if (starts_with(name, "CCR"))
    return "core";
  if (starts_with(name, "CRS"))
    return "sw";
  if (b.wl != wireless_kind::none)
    return "ap";
  return "edge";
}

std::int64_t build_epoch_of(const ros_version& v) {
  // 7.10 was built mid 2023; a minor release every ~7 weeks.
  return 1686787200LL + (v.minor - 10) * 49LL * 86400 + v.patch * 9LL * 86400
         + 37000;
}

} // namespace

bool apply_board(router_profile& p, const std::string& board) {
  for (auto& b : boards) {
    if (board != b.board)
      continue;
    p.board = b.board;
    p.model = b.model;
    p.architecture = b.arch;
    p.cpu = b.cpu;
    p.cpu_count = b.cores;
    p.cpu_frequency = b.mhz;
    p.total_memory = b.mem_mib * 1024 * 1024;
    p.total_hdd = b.hdd_mib * 1024 * 1024;
    p.ethernet_ports = b.ether;
    p.sfp_ports = b.sfp;
    p.sfp_prefix = b.sfp_prefix;
    p.wireless = b.wl;
    p.routerboard = b.rb;
    p.firmware_type = b.firmware_type;
    p.factory_software = b.factory;
    // Every other radio board is a controller of its package's CAPsMAN.
    p.capsman = p.index % 2 != 0                ? capsman_kind::none
                : b.wl == wireless_kind::legacy ? capsman_kind::legacy
                : b.wl == wireless_kind::wifi   ? capsman_kind::wifi
                                                : capsman_kind::none;
    return true;
  }
  return false;
}

std::string board_names() {
  std::string out;
  for (auto& b : boards)
    out += (out.empty() ? "" : ", ") + std::string{b.board};
  return out;
}

router_profile make_profile(std::uint64_t seed, std::size_t index) {
  router_profile p;
  p.index = index;
  p.seed = seed;
  prng rng{hash_of(seed, index, 0x9e0)};
  // The first routers of a fleet cover the catalogue; the rest are random.
  auto& b = index < boards.size() ? boards[(index * 3 + seed) % boards.size()]
                                  : rng.pick(boards);
  apply_board(p, b.board);
  // Wifi boards need >= 7.13 (wifiwave2 was renamed wifi there).
  std::size_t lo = b.wl == wireless_kind::wifi ? 3 : 0;
  p.version_text =
    versions[lo
             + static_cast<std::size_t>(rng.range(
               0, static_cast<std::int64_t>(versions.size() - lo) - 1))];
  p.version = ros_version::parse(p.version_text);
  p.build_epoch = build_epoch_of(p.version);
  static const char* sites[] = {"lab", "staging", "branch"};
  char ident[64];
  std::snprintf(ident, sizeof ident, "%s-%s-%02zu", sites[index % 3],
                role_of(b), index + 1);
  p.identity = ident;
  char serial[16];
  std::snprintf(serial, sizeof serial, "HF%09llX",
                static_cast<unsigned long long>(rng.next() & 0xFFFFFFFFFULL));
  p.serial = serial;
  char swid[16];
  auto sw = rng.next();
  std::snprintf(swid, sizeof swid, "%04llX-%04llX",
                static_cast<unsigned long long>(sw & 0xFFFF),
                static_cast<unsigned long long>(sw >> 16 & 0xFFFF));
  p.software_id = swid;
  auto& z = rng.pick(zones);
  p.time_zone = z.name;
  p.tz_offset_s = z.offset;
  p.base_cpu_load = static_cast<int>(rng.range(1, 22));
  p.initial_uptime_s = rng.range(3600, 60 * 86400);
  return p;
}

std::string version_number(const router_profile& p) {
  return p.version_text.substr(0, p.version_text.find(' '));
}

prng area_rng(const router_profile& p, std::string_view area) {
  return prng{hash_of(p.seed, p.index, hash_str(area))};
}

int lan_octet(const router_profile& p) {
  return 10 + static_cast<int>(p.index % 240);
}

std::string router_mac(const router_profile& p, int n) {
  auto base = hash_of(p.seed, p.index, 0x3ac) & 0x0000FFFFFF00ULL;
  // MikroTik OUI 48:A9:8A, then a per-router block.
  return format_mac(0x48A98A000000ULL
                    | ((base + static_cast<std::uint64_t>(n)) & 0xFFFFFF));
}

void seed_tables(router_state& st) {
  seed_system(st);
  seed_interfaces(st);
  seed_ip(st);
  seed_firewall(st);
  seed_wireless(st);
}

void seed_boot_log(router_state& st, std::int64_t boot_s, bool power_loss) {
  auto& p = st.profile;
  std::int64_t t = boot_s;
  if (power_loss)
    st.log_at(t, "system,error,critical",
              "router rebooted without proper shutdown, probably power outage");
  if (p.version.at_least(7, 15))
    st.log_at(t + 1, "interface,info", "lo link up");
  auto rng = area_rng(p, "bootlog");
  t += 7;
  st.log_at(t, "interface,info", "ether1 link up (speed 1G, full duplex)");
  for (int i = 2; i <= std::min(p.ethernet_ports, 4); ++i)
    if (rng.chance(0.7))
      st.log_at(t + i, "interface,info",
                "ether" + std::to_string(i)
                  + " link up (speed 1G, full duplex)");
  st.log_at(t + 6, "dhcp,info",
            "dhcp-client on ether1 got IP address 10.155."
              + std::to_string(p.index % 250) + "."
              + std::to_string(10 + p.index % 200));
  if (p.wireless != wireless_kind::none)
    st.log_at(t + 9, "wireless,info",
              router_mac(p, 90) + "@"
                + (p.wireless == wireless_kind::wifi ? "wifi1" : "wlan1")
                + " connected, signal strength -"
                + std::to_string(rng.range(30, 70)));
  st.log_at(t + 12, "system,info", "router " + p.identity + " started");
}

void seed_interfaces(router_state& st) {
  auto& p = st.profile;
  auto rng = area_rng(p, "interfaces");
  auto& t = st.tab("interface");
  int slot = 0;
  auto ether = [&](const std::string& name, bool up, std::string speed) {
    t.insert(
      fields{{"name", name},
             {"default-name", name},
             {"type", "ether"},
             {"mtu", "1500"},
             {"l2mtu", p.routerboard ? "1598" : "1500"},
             {"mac-address", router_mac(p, slot++)},
             {"~link", up ? "up" : "down"},
             {"~speed", std::move(speed)},
             {"~rate", std::to_string(up ? rng.range(2000, 9000000) : 0)}});
  };
  for (int i = 1; i <= p.ethernet_ports; ++i)
    ether("ether" + std::to_string(i),
          i == 1 || (i <= 4 && rng.chance(0.75)) || rng.chance(0.3),
          i == 1 && p.board == "hAP ax^3" ? "2.5Gbps" : "1Gbps");
  for (int i = 1; i <= p.sfp_ports; ++i)
    ether(p.sfp_prefix + std::to_string(i), rng.chance(0.5),
          p.sfp_prefix == "sfp" ? "1Gbps" : "10Gbps");
  if (p.version.at_least(7, 15))
    t.insert(fields{{"name", "lo"},
                    {"type", "loopback"},
                    {"mtu", "65536"},
                    {"mac-address", "00:00:00:00:00:00"}});
  bool has_bridge = p.board != "CHR";
  if (has_bridge)
    t.insert(fields{{"name", "bridge"},
                    {"type", "bridge"},
                    {"mac-address", router_mac(p, 2)},
                    {"comment", "defconf"},
                    {"~rate", std::to_string(rng.range(10000, 4000000))}});
  auto& ports = st.tab("/interface/bridge/port");
  if (has_bridge)
    for (int i = 2; i <= p.ethernet_ports; ++i)
      ports.insert(fields{{"bridge", "bridge"},
                          {"interface", "ether" + std::to_string(i)},
                          {"comment", "defconf"}});
  if (has_bridge && p.index % 2 == 1) {
    for (int vid : {10, 20}) {
      t.insert(fields{{"name", "vlan" + std::to_string(vid)},
                      {"type", "vlan"},
                      {"interface", "bridge"},
                      {"vlan-id", std::to_string(vid)},
                      {"mac-address", router_mac(p, 2)}});
      st.tab("/interface/bridge/vlan")
        .insert(fields{{"bridge", "bridge"},
                       {"vlan-ids", std::to_string(vid)},
                       {"tagged", "bridge,ether2"}});
    }
  }
  auto& lists = st.tab("/interface/list");
  for (auto* b : {"all", "none", "dynamic", "static"})
    lists.insert(fields{{"name", b}, {"builtin", "true"}});
  lists.insert(fields{{"name", "WAN"}, {"comment", "defconf"}});
  lists.insert(fields{{"name", "LAN"}, {"comment", "defconf"}});
  auto& members = st.tab("/interface/list/member");
  members.insert(
    fields{{"list", "WAN"}, {"interface", "ether1"}, {"comment", "defconf"}});
  members.insert(fields{{"list", "LAN"},
                        {"interface", has_bridge ? "bridge" : "ether2"},
                        {"comment", "defconf"}});
}

} // namespace rmcp::sim
