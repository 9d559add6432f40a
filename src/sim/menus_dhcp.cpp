// /ip/dhcp-server (+lease, network), /ip/dhcp-client and the seeds of the
// LAN clients (pool, leases, ARP entries).

#include "sim/ops.hpp"
#include "sim/seed.hpp"

namespace rmcp::sim {

namespace {

std::optional<op_error> validate_server(router_state& st, const record*,
                                        fields& item) {
  if (!item.has("name")) {
    for (int n = 1;; ++n) {
      auto name = "dhcp" + std::to_string(n);
      if (!st.tab("/ip/dhcp-server").find_by("name", name)) {
        item.set("name", name);
        break;
      }
    }
  }
  return std::nullopt;
}

std::optional<op_error> validate_lease(router_state& st, const record* old,
                                       fields& item) {
  auto mac = item.get("mac-address");
  auto server = item.get("server", "all");
  for (auto& r : st.tab("/ip/dhcp-server/lease").rows)
    if ((!old || r.id != old->id) && !r.f.is_true("dynamic") && !mac.empty()
        && r.f.get("mac-address") == mac && r.f.get("server", "all") == server)
      return op_error{400, "failure: already have static lease for this client",
                      "mac-address"};
  if (item.get("server") == "all")
    item.erase("server");
  return std::nullopt;
}

void compute_lease(const router_state& st, const record& r, fields& out) {
  if (r.f.get("status") != "bound")
    return;
  auto expires = parse_int(r.f.get("~expires", "0")).value_or(0);
  auto now = st.now_s();
  // Leases renew themselves: keep the remaining time within the lease time.
  auto left = (expires - now) % 1800;
  if (left <= 0)
    left += 1800;
  out.set("expires-after", format_duration_s(left));
  out.set("last-seen", format_duration_s(1800 - left));
  out.set("age", format_duration_s(st.uptime_s() % 86400 + 60));
  for (auto* k : {"address", "mac-address", "client-id", "server"})
    if (auto* v = r.f.find(k))
      out.set(std::string{"active-"} + k, *v);
  if (st.flags.control_bytes
      && r.id == st.tab("/ip/dhcp-server/lease").rows.front().id)
    out.set("host-name", out.get("host-name") + "\x1b");
}

std::optional<op_error> validate_network(router_state& st, const record* old,
                                         fields& item) {
  auto p = parse_prefix(item.get("address"));
  if (!p)
    return op_error{400, "invalid value for argument address", "address"};
  item.set("address", p->network_text());
  for (auto& r : st.tab("/ip/dhcp-server/network").rows)
    if ((!old || r.id != old->id) && r.f.get("address") == item.get("address"))
      return op_error{400, "failure: such network already exists", "address"};
  return std::nullopt;
}

void compute_client(const router_state& st, const record& r, fields& out) {
  if (r.f.is_true("disabled")) {
    out.set("status", "stopped");
    return;
  }
  auto wan = "10.155." + std::to_string(st.profile.index % 250);
  out.set("status", "bound");
  out.set("address",
          wan + "." + std::to_string(10 + st.profile.index % 200) + "/24");
  out.set("gateway", wan + ".1");
  out.set("dhcp-server", wan + ".1");
  out.set("primary-dns", wan + ".1");
  out.set("expires-after", format_duration_s(3600 - st.now_s() % 3600));
}

} // namespace

void register_dhcp_menus(menu_tree& t) {
  const auto list_cmds = c_add | c_set | c_remove | c_enable | c_comment;
  t.add(
    menu_builder("/ip/dhcp-server")
      .named()
      .cmds(list_cmds)
      .writable(
        "add-arp,add-dns-entries-suffix,address-lists,address-pool,allow-dual-"
        "stack-queue,"
        "always-broadcast,authoritative,bootp-lease-time,bootp-support,client-"
        "mac-limit,comment,"
        "conflict-detection,copy-from,delay-threshold,dhcp-option-set,disabled,"
        "dynamic-lease-identifiers,insert-queue-before,interface,lease-script,"
        "lease-time,name,"
        "parent-queue,relay,server-address,support-broadband-tr101,use-framed-"
        "as-classless,"
        "use-radius,use-reconfigure")
      .types(
        "address-pool:ref:/ip/pool|static-only;interface:ref:/"
        "interface;lease-time:time;add-arp:bool;"
        "always-broadcast:bool;conflict-detection:bool;use-reconfigure:bool;"
        "authoritative:enum:after-10sec-delay|after-2sec-delay|no|yes;"
        "bootp-support:enum:dynamic|none|static;use-radius:enum:accounting|no|"
        "yes")
      .defaults("address-lists=,address-pool=static-only,authoritative=yes,"
                "bootp-support=static,disabled=false,"
                "dynamic=false,invalid=false,lease-script=,lease-time=30m,use-"
                "radius=no,use-reconfigure=false")
      .dflt("dynamic-lease-identifiers", "client-mac,client-id")
      .required("interface")
      .validate(validate_server)
      .unique("name", "failure: server with such name already exists")
      .words("ip dhcp-server")
      .build());
  t.add(menu_builder("/ip/dhcp-server/lease")
          .cmds(list_cmds | c_unset)
          .writable("address,address-lists,agent-circuit-id,agent-remote-id,"
                    "allow-dual-stack-queue,"
                    "always-broadcast,block-access,client-id,comment,copy-from,"
                    "dhcp-option,dhcp-option-set,"
                    "disabled,insert-queue-before,lease-time,mac-address,"
                    "parent-queue,queue-type,rate-limit,"
                    "routes,server,use-src-mac")
          .types("mac-address:mac;server:ref:/ip/"
                 "dhcp-server|all;lease-time:time;block-access:bool;"
                 "always-broadcast:bool;use-src-mac:bool")
          .defaults("address-lists=,blocked=false,dhcp-option=,disabled=false,"
                    "dynamic=false,last-seen=never,"
                    "radius=false,status=waiting")
          .required("address")
          .validate(validate_lease)
          .compute(compute_lease)
          .words("ip dhcp-server lease")
          .build());
  t.add(
    menu_builder("/ip/dhcp-server/network")
      .cmds(c_add | c_set | c_remove | c_comment)
      .writable(
        "address,boot-file-name,caps-manager,comment,copy-from,dhcp-option,"
        "dhcp-option-set,dns-none,"
        "dns-server,domain,gateway,netmask,next-server,ntp-server,wins-server")
      .types("gateway:ip;netmask:int:0..32;dns-none:bool")
      .defaults("caps-manager=,dhcp-option=,dns-server=,gateway=,ntp-server=,"
                "wins-server=")
      .required("address")
      .validate(validate_network)
      .words("ip dhcp-server network")
      .build());
  t.add(menu_builder("/ip/dhcp-client")
          .cmds(list_cmds)
          .writable("add-default-route,comment,copy-from,default-route-"
                    "distance,dhcp-options,disabled,interface,"
                    "script,use-peer-dns,use-peer-ntp")
          .types("interface:ref:/"
                 "interface;use-peer-dns:bool;use-peer-ntp:bool;default-route-"
                 "distance:int:0..255;"
                 "add-default-route:enum:no|special-classless|yes")
          .defaults(
            "add-default-route=yes,default-route-distance=1,disabled=false,"
            "dynamic=false,invalid=false,use-peer-dns=true,use-peer-ntp=true")
          .dflt("dhcp-options", "hostname,clientid")
          .required("interface")
          .compute(compute_client)
          .unique("interface",
                  "failure: dhcp-client on that interface already exists")
          .words("ip dhcp-client")
          .build());
}

void seed_dhcp(router_state& st) {
  auto& p = st.profile;
  auto rng = area_rng(p, "dhcp");
  int lan = lan_octet(p);
  auto lan_net = "192.168." + std::to_string(lan);
  auto lan_if =
    p.board != "CHR" ? std::string{"bridge"} : std::string{"ether2"};
  st.tab("/ip/dhcp-client")
    .insert(fields{{"interface", "ether1"}, {"comment", "defconf"}});
  st.tab("/ip/pool")
    .insert(fields{{"name", "default-dhcp"},
                   {"ranges", lan_net + ".10-" + lan_net + ".254"}});
  st.tab("/ip/dhcp-server")
    .insert(fields{{"name", "defconf"},
                   {"interface", lan_if},
                   {"address-pool", "default-dhcp"},
                   {"lease-time", "30m"}});
  st.tab("/ip/dhcp-server/network")
    .insert(fields{{"address", lan_net + ".0/24"},
                   {"gateway", lan_net + ".1"},
                   {"dns-server", lan_net + ".1"},
                   {"comment", "defconf"}});
  static const char* hosts[] = {"laptop-anna", "iphone-ben",  "printer-hp",
                                "nas-01",      "tv-living",   "android-7f3a",
                                "desk-pc-02",  "raspberrypi", "voip-phone"};
  auto& leases = st.tab("/ip/dhcp-server/lease");
  auto& arp = st.tab("/ip/arp");
  auto clients = rng.range(3, 8);
  for (int i = 0; i < clients; ++i) {
    auto ip = lan_net + "." + std::to_string(250 - i * 3);
    auto mac = format_mac(
      hash_of(p.seed, p.index, 0x1ea5e + static_cast<std::uint64_t>(i))
      & 0xFEFFFFFFFFFFULL);
    leases.insert(
      fields{{"address", ip},
             {"mac-address", mac},
             {"client-id", "1:" + to_lower(mac)},
             {"host-name", hosts[i % 9]},
             {"server", "defconf"},
             {"status", "bound"},
             {"dynamic", "true"},
             {"~expires", std::to_string(st.now_s() + rng.range(60, 1800))}});
    arp.insert(fields{{"address", ip},
                      {"mac-address", mac},
                      {"interface", lan_if},
                      {"dynamic", "true"},
                      {"dhcp", "true"},
                      {"status", rng.chance(0.7) ? "reachable" : "stale"}});
  }
  leases.insert(fields{{"address", lan_net + ".5"},
                       {"mac-address", format_mac(hash_of(p.seed, p.index, 5)
                                                  & 0xFEFFFFFFFFFFULL)},
                       {"server", "defconf"},
                       {"comment", "static: printer"}});
  arp.insert(
    fields{{"address", "10.155." + std::to_string(p.index % 250) + ".1"},
           {"interface", "ether1"},
           {"mac-address",
            format_mac(hash_of(p.seed, p.index, 0x9a7e) & 0xFEFFFFFFFFFFULL)},
           {"dynamic", "true"},
           {"status", "reachable"}});
}

} // namespace rmcp::sim
