// /ip/address, /ip/arp, /ip/route, /ip/dns (+cache, static), /ip/pool,
// /ip/service, /ip/neighbor: definitions, computed fields and seeds. DHCP is
// in menus_dhcp.cpp.

#include "sim/ops.hpp"
#include "sim/seed.hpp"

namespace rmcp::sim {

void register_dhcp_menus(menu_tree& t);
void seed_dhcp(router_state& st);

namespace {

bool iface_exists(const router_state& st, const std::string& name) {
  return st.tab("interface").find_by("name", name) != nullptr;
}

// -- /ip/address ----------------------------------------------------------------

std::optional<op_error> validate_address(router_state& st, const record* old,
                                         fields& item) {
  auto p = parse_prefix(item.get("address"));
  if (!p)
    return op_error{400, "invalid value for argument address", "address"};
  item.set("address", p->text());
  item.set("network", format_ipv4(p->network()));
  for (auto& r : st.tab("/ip/address").rows)
    if ((!old || r.id != old->id) && r.f.get("address") == p->text()
        && r.f.get("interface") == item.get("interface"))
      return op_error{400, "failure: already have such address", "address"};
  return std::nullopt;
}

void compute_address(const router_state& st, const record& r, fields& out) {
  auto iface = r.f.get("interface");
  out.set("actual-interface", iface);
  out.set("invalid", iface_exists(st, iface) ? "false" : "true");
  if (st.profile.version.at_least(7, 16)) {
    out.set("slave", "false");
    out.set("vrf", "main");
  }
}

// -- /ip/route ------------------------------------------------------------------

std::optional<op_error> validate_route(router_state& st, const record*,
                                       fields& item) {
  auto dst = parse_prefix(item.get("dst-address", "0.0.0.0/0"));
  if (!dst)
    return op_error{400, "invalid value for argument dst-address",
                    "dst-address"};
  item.set("dst-address", dst->network_text());
  auto gw = item.get("gateway");
  if (!gw.empty()) {
    auto host = gw.substr(0, gw.find('%'));
    if (!parse_ipv4(host) && !iface_exists(st, host))
      return op_error{400, "invalid or unexpected argument base", "gateway"};
  }
  return std::nullopt;
}

/// The connected subnet (and its interface) that holds `ip`.
std::optional<std::pair<std::string, std::string>>
connected_for(const router_state& st, std::uint32_t ip) {
  for (auto& a : st.tab("/ip/address").rows) {
    auto p = parse_prefix(a.f.get("address"));
    if (p && !a.f.is_true("disabled") && p->contains(ip))
      return std::make_pair(a.f.get("interface"), format_ipv4(p->ip));
  }
  return std::nullopt;
}

void compute_route(const router_state& st, const record& r, fields& out) {
  if (r.f.has("~connected"))
    return;
  if (r.f.is_true("disabled")) {
    fields small;
    for (auto* k : {".id", "dst-address", "gateway", "comment", "disabled",
                    "routing-table"})
      if (auto* v = out.find(k))
        small.set(k, *v);
    small.set("inactive", "false");
    small.set("static", "true");
    out = std::move(small);
    return;
  }
  auto gw = r.f.get("gateway");
  bool active = r.f.has("blackhole");
  if (auto ip = parse_ipv4(gw.substr(0, gw.find('%')))) {
    if (auto c = connected_for(st, *ip)) {
      out.set("immediate-gw", gw + "%" + c->first);
      active = true;
    }
  } else if (iface_exists(st, gw)) {
    out.set("immediate-gw", gw);
    active = true;
  }
  out.set("active", active ? "true" : "false");
  out.set("inactive", active ? "false" : "true");
  out.erase("disabled");
  if (r.f.is_true("dynamic")) {
    out.set("dhcp", "true");
    out.set("dynamic", "true");
  } else {
    out.set("dynamic", "false");
    out.set("static", "true");
  }
}

void connected_routes(const router_state& st, std::vector<record>& out) {
  for (auto& a : st.tab("/ip/address").rows) {
    auto p = parse_prefix(a.f.get("address"));
    if (!p || a.f.is_true("disabled"))
      continue;
    auto iface = a.f.get("interface");
    out.push_back(
      record{0x20180000u + a.id,
             fields{{"dst-address", p->network_text()},
                    {"gateway", iface},
                    {"immediate-gw", iface},
                    {"distance", "0"},
                    {"scope", "10"},
                    {"target-scope", "5"},
                    {"local-address", format_ipv4(p->ip) + "%" + iface},
                    {"connect", "true"},
                    {"dynamic", "true"},
                    {"active", "true"},
                    {"inactive", "false"},
                    {"~connected", "1"}}});
  }
}

// -- /ip/dns -----------------------------------------------------------------------

std::optional<op_error> validate_dns(router_state&, const record*,
                                     fields& item) {
  for (auto& s : split(item.get("servers"), ','))
    if (!parse_ipv4(s) && s.find(':') == std::string::npos)
      return op_error{400, "invalid value for argument servers", "servers"};
  return std::nullopt;
}

void compute_dns(const router_state& st, const record&, fields& out) {
  out.set("cache-used",
          std::to_string(st.tab("/ip/dns/cache").rows.size() * 3 + 11));
  out.set("dynamic-servers",
          st.tab("/ip/dhcp-client").rows.empty() ? "" : "10.155.0.1");
}

void compute_dns_cache(const router_state& st, const record& r, fields& out) {
  auto expires = parse_int(r.f.get("~expires", "0")).value_or(0);
  auto left = expires - st.now_s();
  out.set("ttl", format_duration_s(left > 0 ? left : 1));
}

cmd_result dns_flush(command_ctx& ctx) {
  ctx.st.tab("/ip/dns/cache").rows.clear();
  return {};
}

// -- /ip/service ---------------------------------------------------------------------

std::optional<op_error> validate_service(router_state& st, const record* old,
                                         fields&) {
  // RouterOS 7.19(.0) refused changes to www-ssl (fixed in 7.19.1, TF#769).
  auto& v = st.profile.version;
  if (old && old->f.get("name") == "www-ssl" && v.major == 7 && v.minor == 19
      && v.patch == 0)
    return op_error{400, "failure: this is configured elsewhere", ""};
  return std::nullopt;
}

void compute_service(const router_state& st, const record&, fields& out) {
  if (!st.profile.version.at_least(7, 16))
    out.erase("max-sessions");
}

void compute_neighbor(const router_state& st, const record& r, fields& out) {
  out.set("age", format_duration_s(
                   static_cast<std::int64_t>(r.id * 7 + st.now_s() % 60)));
  out.set("uptime", format_duration_s(
                      st.uptime_s() + static_cast<std::int64_t>(r.id) * 3600));
}

} // namespace

void register_ip_menus(menu_tree& t) {
  const auto list_cmds = c_add | c_set | c_remove | c_enable | c_comment;
  t.add(menu_builder("/ip/address")
          .cmds(list_cmds)
          .writable("address,broadcast,comment,copy-from,disabled,interface,"
                    "netmask,network")
          .types("interface:ref:/interface;broadcast:ip;netmask:ip")
          .defaults("disabled=false,dynamic=false")
          .required("address,interface")
          .validate(validate_address)
          .compute(compute_address)
          .words("ip address")
          .build());
  t.add(
    menu_builder("/ip/arp")
      .cmds(list_cmds)
      .writable(
        "address,comment,copy-from,disabled,interface,mac-address,published")
      .types(
        "address:ip;interface:ref:/interface;mac-address:mac;published:bool")
      .defaults("complete=true,dhcp=false,disabled=false,dynamic=false,invalid="
                "false,published=false")
      .required("address,interface")
      .words("ip arp")
      .build());
  t.add(menu_builder("/ip/route")
          .cmds(list_cmds | c_unset)
          .writable("blackhole,check-gateway,comment,copy-from,disabled,"
                    "distance,dst-address,gateway,pref-src,"
                    "routing-table,scope,target-scope,vrf-interface")
          .types("distance:int:1..255;scope:int:0..255;target-scope:int:0..255;"
                 "pref-src:ip;"
                 "check-gateway:enum:arp|bfd|bfd-multihop|none|ping;routing-"
                 "table:enum:main")
          .defaults("distance=1,routing-table=main,scope=30,target-scope=10")
          .validate(validate_route)
          .compute(compute_route)
          .rows(connected_routes)
          .words("ip route")
          .build());
  t.add(menu_builder("/ip/dns")
          .singleton()
          .cmds(c_set)
          .writable(
            "address-list-extra-time,allow-remote-requests,cache-max-ttl,cache-"
            "size,"
            "doh-max-concurrent-queries,doh-max-server-connections,doh-timeout,"
            "max-concurrent-queries,"
            "max-concurrent-tcp-sessions,max-udp-packet-size,mdns-repeat-"
            "ifaces,query-server-timeout,"
            "query-total-timeout,servers,use-doh-server,verify-doh-cert,vrf")
          .types("allow-remote-requests:bool;cache-max-ttl:time;cache-size:int:"
                 "64..4294967295;"
                 "max-udp-packet-size:int:50..65507;query-server-timeout:time;"
                 "query-total-timeout:time;"
                 "max-concurrent-queries:int:1..4294967295;max-concurrent-tcp-"
                 "sessions:int:1..4294967295;"
                 "verify-doh-cert:bool;doh-timeout:time")
          .defaults("allow-remote-requests=false,cache-max-ttl=1w,cache-size="
                    "2048,doh-max-concurrent-queries=50,"
                    "doh-max-server-connections=5,doh-timeout=5s,max-"
                    "concurrent-queries=100,"
                    "max-concurrent-tcp-sessions=20,max-udp-packet-size=4096,"
                    "query-server-timeout=2s,"
                    "query-total-timeout=10s,servers=,use-doh-server=,verify-"
                    "doh-cert=false,vrf=main")
          .validate(validate_dns)
          .compute(compute_dns)
          .words("ip dns")
          .build());
  t.add(menu_builder("/ip/dns/cache")
          .compute(compute_dns_cache)
          .command("flush", dns_flush)
          .defaults("static=false")
          .build());
  t.add(menu_builder("/ip/dns/static")
          .cmds(list_cmds)
          .writable("address,cname,comment,copy-from,disabled,forward-to,match-"
                    "subdomain,name,regexp,ttl,type")
          .types("address:ip;ttl:time;match-subdomain:bool;type:enum:A|AAAA|"
                 "CNAME|FWD|MX|NS|NXDOMAIN|SRV|TXT")
          .defaults("disabled=false,dynamic=false,ttl=1d")
          .unique("name", "failure: entry already exists")
          .words("ip dns static")
          .build());
  t.add(menu_builder("/ip/pool")
          .named()
          .cmds(c_add | c_set | c_remove | c_comment)
          .writable("comment,copy-from,name,next-pool,ranges")
          .types("next-pool:ref:/ip/pool|none")
          .required("name,ranges")
          .words("ip pool")
          .build());
  t.add(menu_builder("/ip/service")
          .named()
          .cmds(c_set | c_enable)
          .writable(
            "address,certificate,disabled,max-sessions,port,tls-version,vrf")
          .types("port:int:1..65535;certificate:ref:/"
                 "certificate|none;tls-version:enum:any|only-1.2|only-1.3;"
                 "max-sessions:int:1..1000")
          .defaults("address=,disabled=false,dynamic=false,invalid=false,max-"
                    "sessions=20,proto=tcp,vrf=main")
          .validate(validate_service)
          .compute(compute_service)
          .words("ip service")
          .build());
  t.add(menu_builder("/ip/neighbor").compute(compute_neighbor).build());
  register_dhcp_menus(t);
}

void seed_ip(router_state& st) {
  auto& p = st.profile;
  auto rng = area_rng(p, "ip");
  int lan = lan_octet(p);
  auto lan_net = "192.168." + std::to_string(lan);
  bool bridge = p.board != "CHR";
  auto lan_if = bridge ? std::string{"bridge"} : std::string{"ether2"};
  auto& addr = st.tab("/ip/address");
  addr.insert(fields{{"address", lan_net + ".1/24"},
                     {"network", lan_net + ".0"},
                     {"interface", lan_if},
                     {"comment", "defconf"}});
  auto wan_net = "10.155." + std::to_string(p.index % 250);
  auto wan_ip = wan_net + "." + std::to_string(10 + p.index % 200);
  addr.insert(fields{{"address", wan_ip + "/24"},
                     {"network", wan_net + ".0"},
                     {"interface", "ether1"},
                     {"dynamic", "true"}});
  if (bridge && p.index % 2 == 1)
    for (int vid : {10, 20})
      addr.insert(fields{{"address", "10." + std::to_string(vid) + "."
                                       + std::to_string(lan) + ".1/24"},
                         {"network", "10." + std::to_string(vid) + "."
                                       + std::to_string(lan) + ".0"},
                         {"interface", "vlan" + std::to_string(vid)}});
  auto& routes = st.tab("/ip/route");
  routes.insert(fields{{"dst-address", "0.0.0.0/0"},
                       {"gateway", wan_net + ".1"},
                       {"dynamic", "true"},
                       {"vrf-interface", "ether1"}});
  if (rng.chance(0.6))
    routes.insert(fields{{"dst-address", "10.200.0.0/16"},
                         {"gateway", lan_net + ".254"},
                         {"comment", "lab network"}});
  if (rng.chance(0.3))
    routes.insert(fields{{"dst-address", "172.16.0.0/12"},
                         {"gateway", wan_net + ".254"},
                         {"distance", "5"},
                         {"disabled", "true"}});
  st.tab("/ip/dns").insert_with_id(
    1, fields{{"allow-remote-requests", "true"},
              {"servers", rng.chance(0.5) ? "1.1.1.1,8.8.8.8" : "9.9.9.9"}});
  auto& cache = st.tab("/ip/dns/cache");
  static const char* names[] = {
    "upgrade.mikrotik.com", "cloud.mikrotik.com",
    "time.cloudflare.com",  "www.google.com",
    "github.com",           "api.github.com",
    "ntp.ubuntu.com",       "connectivitycheck.gstatic.com"};
  for (auto* n : names)
    if (rng.chance(0.8))
      cache.insert(fields{
        {"name", n},
        {"type", "A"},
        {"data", "142.250." + std::to_string(rng.range(1, 250)) + "."
                   + std::to_string(rng.range(1, 250))},
        {"~expires", std::to_string(st.now_s() + rng.range(60, 86400))}});
  st.tab("/ip/dns/static")
    .insert(fields{{"name", "router.lan"},
                   {"address", lan_net + ".1"},
                   {"type", "A"},
                   {"comment", "defconf"}});
  auto& svc = st.tab("/ip/service");
  auto service = [&](const char* name, const char* port, bool disabled,
                     bool tls) {
    fields f{{"name", name},
             {"port", port},
             {"disabled", disabled ? "true" : "false"}};
    if (tls) {
      f.set("certificate", "webfig");
      f.set("tls-version", "any");
    }
    svc.insert(std::move(f));
  };
  service("telnet", "23", true, false);
  service("ftp", "21", true, false);
  service("www", "80", false, false);
  service("ssh", "22", false, false);
  service("www-ssl", "443", false, true);
  service("api", "8728", true, false);
  service("winbox", "8291", false, false);
  service("api-ssl", "8729", true, true);
  auto& nb = st.tab("/ip/neighbor");
  for (int k = 1; k <= 2; ++k) {
    auto peer = make_profile(p.seed, p.index + static_cast<std::size_t>(k));
    nb.insert(
      fields{{"address", lan_net + "." + std::to_string(250 - k)},
             {"address4", lan_net + "." + std::to_string(250 - k)},
             {"board", peer.board},
             {"discovered-by", "cdp,lldp,mndp"},
             {"identity", peer.identity},
             {"interface", "ether" + std::to_string(1 + k)},
             {"interface-name", "bridge/ether" + std::to_string(k)},
             {"mac-address", router_mac(peer, 0)},
             {"platform", "MikroTik"},
             {"software-id", peer.software_id},
             {"system-caps", "bridge,router"},
             {"system-caps-enabled", "bridge,router"},
             {"system-description",
              "MikroTik RouterOS " + peer.version_text + " " + peer.board},
             {"unpack", "none"},
             {"version", peer.version_text}});
  }
  seed_dhcp(st);
}

} // namespace rmcp::sim
