// /interface and its typed views (ethernet, bridge, vlan), bridge ports,
// VLANs and hosts, interface lists, monitor-traffic and ethernet monitor.
// All interface views share the table "interface" (same `.id`s).

#include "sim/ops.hpp"
#include "sim/seed.hpp"

namespace rmcp::sim {

void register_wireless_menus(menu_tree& t);

namespace {

const char* const iface_table = "interface";

bool link_up(const router_state& st, const record& r) {
  if (r.f.is_true("disabled"))
    return false;
  auto type = r.f.get("type");
  if (type == "ether")
    return r.f.get("~link") == "up";
  if (type == "vlan") {
    auto* parent = st.tab(iface_table).find_by("name", r.f.get("interface"));
    return parent && link_up(st, *parent);
  }
  if (type == "bridge") {
    for (auto& p : st.tab("/interface/bridge/port").rows)
      if (p.f.get("bridge") == r.f.get("name") && !p.f.is_true("disabled"))
        if (auto* m = st.tab(iface_table).find_by("name", p.f.get("interface"));
            m && link_up(st, *m))
          return true;
    return false;
  }
  return true; // loopback, wlan, wifi
}

std::int64_t rate_of(const record& r) {
  return parse_int(r.f.get("~rate", "0")).value_or(0);
}

/// Traffic counters: rate * uptime, deterministic.
void counters(const router_state& st, const record& r, fields& out,
              bool ethernet_names) {
  auto up = st.uptime_s();
  auto rx = rate_of(r) * up + static_cast<std::int64_t>(r.id) * 7919;
  auto tx = rx * 2 / 5 + static_cast<std::int64_t>(r.id) * 3331;
  out.set(ethernet_names ? "rx-bytes" : "rx-byte", std::to_string(rx));
  out.set(ethernet_names ? "tx-bytes" : "tx-byte", std::to_string(tx));
  out.set("rx-packet", std::to_string(rx / 812));
  out.set("tx-packet", std::to_string(tx / 640));
  if (ethernet_names) {
    out.set("rx-broadcast", std::to_string(rx / 81200));
    out.set("tx-broadcast", std::to_string(tx / 96000));
    out.set("rx-multicast", std::to_string(rx / 40600));
    out.set("tx-multicast", std::to_string(tx / 64000));
    return;
  }
  for (auto* k :
       {"rx-drop", "tx-drop", "tx-queue-drop", "rx-error", "tx-error"})
    out.set(k, "0");
  out.set("fp-rx-byte", std::to_string(rx / 3));
  out.set("fp-tx-byte", "0");
  out.set("fp-rx-packet", std::to_string(rx / 3 / 812));
  out.set("fp-tx-packet", "0");
}

std::string max_l2mtu(const std::string& type) {
  if (type == "ether")
    return "9578";
  if (type == "wifi" || type == "wlan")
    return "2290";
  return "65535";
}

bool is_slave(const router_state& st, const std::string& name) {
  return st.tab("/interface/bridge/port").find_by("interface", name) != nullptr;
}

void compute_interface(const router_state& st, const record& r, fields& out) {
  auto type = r.f.get("type");
  bool up = link_up(st, r);
  out.set("running", up ? "true" : "false");
  out.set("actual-mtu",
          r.f.get("mtu", "1500") == "auto" ? "1500" : r.f.get("mtu", "1500"));
  if (type != "loopback") {
    out.set("max-l2mtu", max_l2mtu(type));
    if (!out.has("l2mtu"))
      out.set("l2mtu", type == "vlan" ? "1594" : "1598");
  }
  if (is_slave(st, r.f.get("name")))
    out.set("slave", "true");
  if (up) {
    out.set("last-link-up-time", st.local_datetime(st.boot_s + 7 + r.id));
    out.set("link-downs", "0");
  }
  counters(st, r, out, false);
}

void compute_ethernet(const router_state& st, const record& r, fields& out) {
  out.set("running", link_up(st, r) ? "true" : "false");
  out.set("orig-mac-address", r.f.get("mac-address"));
  counters(st, r, out, true);
}

void compute_link(const router_state& st, const record& r, fields& out) {
  out.set("running", link_up(st, r) ? "true" : "false");
  if (r.f.get("type") == "bridge") {
    out.set("actual-mtu", "1500");
    out.set("l2mtu", "1598");
  } else {
    out.set("l2mtu", "1594");
  }
}

std::string next_free_name(const router_state& st, const std::string& base) {
  for (int n = 1;; ++n) {
    auto name = base + std::to_string(n);
    if (!st.tab(iface_table).find_by("name", name))
      return name;
  }
}

std::optional<op_error> validate_bridge(router_state& st, const record* old,
                                        fields& item) {
  if (!item.has("name"))
    item.set("name", next_free_name(st, "bridge"));
  if (!old)
    item.set("mac-address",
             router_mac(st.profile,
                        40 + static_cast<int>(st.tab(iface_table).next_id)));
  return std::nullopt;
}

std::optional<op_error> validate_vlan(router_state& st, const record* old,
                                      fields& item) {
  if (!item.has("name"))
    item.set("name", next_free_name(st, "vlan"));
  if (item.get("interface") == item.get("name"))
    return op_error{400, "failure: can not add vlan to itself", "interface"};
  if (!old || old->f.get("interface") != item.get("interface"))
    if (auto* parent =
          st.tab(iface_table).find_by("name", item.get("interface")))
      item.set("mac-address", parent->f.get("mac-address"));
  return std::nullopt;
}

// -- bridge ports -------------------------------------------------------------------

std::optional<op_error> validate_port(router_state& st, const record* old,
                                      fields& item) {
  auto iface = item.get("interface");
  if (iface == item.get("bridge"))
    return op_error{400, "failure: can not add bridge to itself", "interface"};
  for (auto& r : st.tab("/interface/bridge/port").rows)
    if ((!old || r.id != old->id) && r.f.get("interface") == iface)
      return op_error{400, "failure: device already added as bridge port",
                      "interface"};
  return std::nullopt;
}

void compute_port(const router_state& st, const record& r, fields& out) {
  auto& rows = st.tab("/interface/bridge/port").rows;
  if (st.profile.version.at_least(7, 20)) {
    std::string next = "*FFFFFFFF";
    for (std::size_t i = 0; i + 1 < rows.size(); ++i)
      if (rows[i].id == r.id)
        next = id_text(rows[i + 1].id);
    out.set(".nextid", next);
  }
  auto* member = st.tab(iface_table).find_by("name", r.f.get("interface"));
  bool active = member && link_up(st, *member) && !r.f.is_true("disabled");
  out.set("inactive", active ? "false" : "true");
  out.set("status", active ? "in-bridge" : "inactive");
  if (!active)
    return;
  auto* bridge = st.tab(iface_table).find_by("name", r.f.get("bridge"));
  auto mac =
    bridge ? bridge->f.get("mac-address") : std::string{"00:00:00:00:00:00"};
  auto num = std::to_string(r.id + 1);
  out.set("debug-info", " prio 0x80 num " + num
                          + "\n role:Designated (Disabled) pathcost 20000 "
                            "20000 learn 1 forward 1\n");
  out.set("designated-bridge-id", "0x8000." + mac);
  out.set("designated-cost", "0");
  out.set("designated-port-id", "0x80." + num);
  out.set("discard-transitions", "0");
  out.set("edge-port", "true");
  out.set("edge-port-discovery", "true");
  out.set("external-fdb-status", "false");
  out.set("forward-transitions", "1");
  out.set("forwarding", "true");
  out.set("learning", "true");
  out.set("point-to-point-port", "true");
  out.set("port-id", "0x80." + num);
  out.set("role", "designated-port");
  out.set("rx-bpdu", "0");
  out.set("rx-tc", "0");
  out.set("sending-rstp", "true");
  out.set("topology-changes", "0");
  out.set("tx-bpdu", std::to_string(st.uptime_s() / 2));
  out.set("tx-tc", "0");
}

void compute_bridge_vlan(const router_state&, const record& r, fields& out) {
  out.set("current-tagged", r.f.get("tagged"));
  out.set("current-untagged", r.f.get("untagged"));
}

void bridge_hosts(const router_state& st, std::vector<record>& out) {
  std::uint32_t id = 1;
  for (auto& r : st.tab(iface_table).rows) {
    if (r.f.get("type") != "bridge")
      continue;
    auto bridge = r.f.get("name");
    out.push_back(
      record{id++, fields{{"bridge", bridge},
                          {"interface", bridge},
                          {"on-interface", bridge},
                          {"local", "true"},
                          {"mac-address", r.f.get("mac-address")}}});
    std::string port;
    for (auto& p : st.tab("/interface/bridge/port").rows)
      if (auto* m = st.tab(iface_table).find_by("name", p.f.get("interface"));
          p.f.get("bridge") == bridge && m && link_up(st, *m) && port.empty())
        port = p.f.get("interface");
    if (port.empty())
      continue;
    for (auto& a : st.tab("/ip/arp").rows)
      if (a.f.get("interface") == bridge && a.f.has("mac-address"))
        out.push_back(
          record{id++, fields{{"bridge", bridge},
                              {"interface", port},
                              {"on-interface", port},
                              {"local", "false"},
                              {"mac-address", a.f.get("mac-address")}}});
  }
}

// -- monitors ---------------------------------------------------------------------------

/// once / duration handling shared by monitor commands.
struct monitor_plan {
  bool once = false;
  std::int64_t rounds = 0;
  std::int64_t interval_us = 1000000;
  std::optional<op_error> err;
};

monitor_plan plan_monitor(const arg_list& args) {
  monitor_plan p;
  if (auto* o = find_arg(args, "once"))
    p.once = *o != "false" && *o != "no";
  if (auto* iv = find_arg(args, "interval")) {
    auto us = parse_duration_us(*iv);
    if (!us || *us <= 0)
      p.err =
        op_error{400, "invalid time value for argument interval", "interval"};
    else
      p.interval_us = *us;
  }
  if (auto* d = find_arg(args, "duration")) {
    auto us = parse_duration_us(*d);
    if (!us)
      p.err =
        op_error{400, "invalid time value for argument duration", "duration"};
    else
      p.rounds = std::max<std::int64_t>(1, *us / p.interval_us);
  }
  return p;
}

cmd_result monitor_traffic(command_ctx& ctx) {
  auto* names = find_arg(ctx.args, "interface");
  if (!names)
    names = find_arg(ctx.args, "numbers");
  if (!names)
    return cmd_result::error(400, "missing =interface=", "interface");
  for (auto& [k, v] : ctx.args)
    if (k != "interface" && k != "numbers" && k != "once" && k != "duration"
        && k != "interval" && k != "without-paging" && k != ".proplist"
        && k != "as-value" && k != "freeze-frame-interval")
      return cmd_result::error(400, "unknown parameter " + k, k);
  auto plan = plan_monitor(ctx.args);
  if (plan.err)
    return cmd_result::error(*plan.err);
  std::vector<const record*> rows;
  for (auto& n : split(*names, ',')) {
    auto* r = ctx.st.tab(iface_table).find_by("name", n);
    if (!r)
      return cmd_result::error(
        400, "input does not match any value of interface", "interface");
    rows.push_back(r);
  }
  auto proplist = find_arg(ctx.args, ".proplist");
  cmd_result res;
  res.k = cmd_result::kind::records;
  auto rounds = plan.once ? 1 : plan.rounds;
  for (std::int64_t round = 0; round < rounds; ++round) {
    for (auto* r : rows) {
      bool up = link_up(ctx.st, *r);
      auto w =
        static_cast<double>(
          hash_of(r->id, static_cast<std::uint64_t>(ctx.st.now_s() + round))
          % 600)
          / 1000.0
        + 0.7;
      auto rx_bps =
        up ? static_cast<std::int64_t>(static_cast<double>(rate_of(*r)) * 8 * w)
           : 0;
      auto tx_bps = rx_bps * 2 / 5;
      fields f;
      if (!plan.once)
        f.set(".section", std::to_string(round));
      f.set("name", r->f.get("name"));
      f.set("rx-bits-per-second", std::to_string(rx_bps));
      f.set("rx-packets-per-second", std::to_string(rx_bps / 6500));
      f.set("tx-bits-per-second", std::to_string(tx_bps));
      f.set("tx-packets-per-second", std::to_string(tx_bps / 5100));
      f.set("fp-rx-bits-per-second", std::to_string(rx_bps / 3));
      f.set("fp-rx-packets-per-second", std::to_string(rx_bps / 3 / 6500));
      f.set("fp-tx-bits-per-second", "0");
      f.set("fp-tx-packets-per-second", "0");
      for (auto* k : {"rx-drops-per-second", "rx-errors-per-second",
                      "tx-drops-per-second", "tx-queue-drops-per-second",
                      "tx-errors-per-second"})
        f.set(k, "0");
      if (proplist) {
        print_options o;
        o.has_proplist = true;
        o.proplist = split(*proplist, ',');
        f = project(std::move(f), o, false);
      }
      res.records.push_back(std::move(f));
    }
  }
  if (!plan.once && plan.rounds == 0) {
    res.unbounded = true;
    return res;
  }
  res.duration_us = plan.once ? 0 : plan.rounds * plan.interval_us;
  return res;
}

cmd_result ethernet_monitor(command_ctx& ctx) {
  auto* names = find_arg(ctx.args, "numbers");
  if (!names)
    names = find_arg(ctx.args, ".id");
  if (!names)
    return cmd_result::error(400, "missing =numbers=", "numbers");
  std::vector<std::uint32_t> ids;
  if (auto e = resolve_ids(ctx.st, *ctx.m, *names, ids))
    return cmd_result::error(*e);
  auto plan = plan_monitor(ctx.args);
  if (!plan.once && plan.rounds == 0) {
    cmd_result r;
    r.unbounded = true;
    return r;
  }
  cmd_result res;
  res.k = cmd_result::kind::records;
  for (auto id : ids) {
    auto* r = ctx.st.tab(iface_table).find(id);
    bool up = link_up(ctx.st, *r);
    fields f{{"name", r->f.get("name")},
             {"status", up ? "link-ok" : "no-link"},
             {"auto-negotiation", "done"},
             {"advertising", "10M-baseT-half,10M-baseT-full,100M-baseT-half,"
                             "100M-baseT-full,1G-baseT-full"},
             {"supported", "10M-baseT-half,10M-baseT-full,100M-baseT-half,100M-"
                           "baseT-full,1G-baseT-full"},
             {"rx-flow-control", "false"},
             {"tx-flow-control", "false"}};
    if (up) {
      f.set("rate", r->f.get("~speed", "1Gbps"));
      f.set("full-duplex", "true");
      f.set("link-partner-advertising",
            "10M-baseT-half,10M-baseT-full,100M-baseT-half,100M-baseT-full,1G-"
            "baseT-full");
    }
    res.records.push_back(std::move(f));
  }
  res.duration_us = plan.once ? 0 : plan.rounds * plan.interval_us;
  return res;
}

} // namespace

void register_interface_menus(menu_tree& t) {
  const auto iface_cmds = c_set | c_enable | c_comment;
  t.add(menu_builder("/interface")
          .table(iface_table)
          .named()
          .cmds(iface_cmds)
          .writable("comment,disabled,l2mtu,mtu,name")
          .types("mtu:int:0..65535;l2mtu:int:0..65535")
          .view("name,default-name,type,mtu,l2mtu,mac-address,disabled,comment")
          .defaults("disabled=false,dynamic=false")
          .compute(compute_interface)
          .unique("name", "failure: already have interface with such name")
          .command("monitor-traffic", monitor_traffic)
          .words("interface")
          .build());
  t.add(
    menu_builder("/interface/ethernet")
      .table(iface_table, "ether")
      .named()
      .cmds(iface_cmds | c_unset)
      .writable("advertise,arp,arp-timeout,auto-negotiation,comment,disabled,"
                "l2mtu,loop-protect,"
                "loop-protect-disable-time,loop-protect-send-interval,mac-"
                "address,mtu,name,"
                "rx-flow-control,speed,tx-flow-control,disable-running-check")
      .types(
        "mtu:int:0..65535;l2mtu:int:0..65535;auto-negotiation:bool;mac-address:"
        "mac;"
        "arp:enum:disabled|enabled|local-proxy-arp|proxy-arp|reply-only;"
        "rx-flow-control:enum:on|off|auto;tx-flow-control:enum:on|off|auto;"
        "loop-protect:enum:default|on|off;loop-protect-disable-time:time;"
        "loop-protect-send-interval:time;disable-running-check:bool")
      .view("name,default-name,mtu,l2mtu,mac-address,disabled,comment")
      .dflt("advertise", "10M-baseT-half,10M-baseT-full,100M-baseT-half,100M-"
                         "baseT-full,1G-baseT-half,1G-baseT-full")
      .defaults(
        "arp=enabled,arp-timeout=auto,auto-negotiation=true,cable-settings="
        "default,"
        "disable-running-check=true,disabled=false,loop-protect=default,"
        "loop-protect-disable-time=5m,loop-protect-send-interval=5s,loop-"
        "protect-status=off,"
        "mtu=1500,rx-flow-control=off,tx-flow-control=off")
      .compute(compute_ethernet)
      .unique("name", "failure: already have interface with such name")
      .command("monitor", ethernet_monitor)
      .words("interface ethernet")
      .build());
  t.add(menu_builder("/interface/bridge")
          .table(iface_table, "bridge")
          .named()
          .cmds(c_add | c_set | c_remove | c_enable | c_comment | c_unset)
          .on_add(new_row("/interface/bridge"))
          .writable("admin-mac,ageing-time,arp,arp-timeout,auto-mac,comment,"
                    "copy-from,dhcp-snooping,disabled,"
                    "ether-type,fast-forward,forward-delay,frame-types,igmp-"
                    "snooping,ingress-filtering,"
                    "max-message-age,mtu,multicast-querier,multicast-router,"
                    "mvrp,name,port-cost-mode,"
                    "priority,protocol-mode,pvid,vlan-filtering")
          .types("ageing-time:time;auto-mac:bool;dhcp-snooping:bool;fast-"
                 "forward:bool;forward-delay:time;"
                 "igmp-snooping:bool;ingress-filtering:bool;max-message-age:"
                 "time;mvrp:bool;"
                 "protocol-mode:enum:none|rstp|stp|mstp;pvid:int:1..4094;vlan-"
                 "filtering:bool;"
                 "frame-types:enum:admit-all|admit-only-untagged-and-priority-"
                 "tagged|admit-only-vlan-tagged")
          .view("name,mac-address,disabled,comment")
          .defaults("ageing-time=5m,arp=enabled,arp-timeout=auto,auto-mac=true,"
                    "dhcp-snooping=false,"
                    "disabled=false,fast-forward=true,forward-delay=15s,frame-"
                    "types=admit-all,"
                    "igmp-snooping=false,ingress-filtering=true,max-message-"
                    "age=20s,mtu=auto,"
                    "multicast-router=temporary-query,mvrp=false,priority="
                    "0x8000,protocol-mode=rstp,"
                    "pvid=1,transmit-hold-count=6,vlan-filtering=false")
          .fixed("type", "bridge")
          .validate(validate_bridge)
          .compute(compute_link)
          .unique("name", "failure: already have interface with such name")
          .words("interface bridge")
          .build());
  t.add(
    menu_builder("/interface/bridge/port")
      .cmds(c_add | c_set | c_remove | c_enable | c_comment | c_move | c_unset)
      .on_add(new_row("/interface/bridge/port"))
      .writable(
        "auto-isolate,bpdu-guard,bridge,broadcast-flood,comment,copy-from,"
        "disabled,edge,fast-leave,"
        "frame-types,horizon,hw,ingress-filtering,interface,internal-path-cost,"
        "learn,"
        "multicast-router,path-cost,place-before,point-to-point,priority,pvid,"
        "restricted-role,restricted-tcn,tag-stacking,trusted,unknown-multicast-"
        "flood,"
        "unknown-unicast-flood")
      .types(
        "bridge:ref:/interface/bridge;interface:ref:/"
        "interface;pvid:int:1..4094;"
        "auto-isolate:bool;bpdu-guard:bool;broadcast-flood:bool;fast-leave:"
        "bool;hw:bool;"
        "ingress-filtering:bool;restricted-role:bool;restricted-tcn:bool;tag-"
        "stacking:bool;"
        "trusted:bool;unknown-multicast-flood:bool;unknown-unicast-flood:bool;"
        "edge:enum:auto|no|no-discover|yes|yes-discover;learn:enum:auto|no|yes;"
        "point-to-point:enum:auto|no|yes;"
        "frame-types:enum:admit-all|admit-only-untagged-and-priority-tagged|"
        "admit-only-vlan-tagged")
      .defaults(
        "auto-isolate=false,bpdu-guard=false,broadcast-flood=true,disabled="
        "false,dynamic=false,"
        "edge=auto,fast-leave=false,frame-types=admit-all,horizon=none,ingress-"
        "filtering=true,"
        "learn=auto,multicast-router=temporary-query,mvrp-applicant-state="
        "normal-participant,"
        "mvrp-registrar-state=normal,point-to-point=auto,priority=0x80,pvid=1,"
        "restricted-role=false,restricted-tcn=false,tag-stacking=false,trusted="
        "false,"
        "unknown-multicast-flood=true,unknown-unicast-flood=true")
      .required("bridge,interface")
      .validate(validate_port)
      .compute(compute_port)
      .words("interface bridge port")
      .build());
  t.add(menu_builder("/interface/bridge/vlan")
          .cmds(c_add | c_set | c_remove | c_enable | c_comment)
          .on_add(new_row("/interface/bridge/vlan"))
          .writable("bridge,comment,copy-from,disabled,mvrp-forbidden,tagged,"
                    "untagged,vlan-ids")
          .types("bridge:ref:/interface/bridge")
          .defaults(
            "disabled=false,dynamic=false,mvrp-forbidden=,tagged=,untagged=")
          .required("bridge,vlan-ids")
          .compute(compute_bridge_vlan)
          .words("interface bridge vlan")
          .build());
  t.add(menu_builder("/interface/bridge/host")
          .rows(bridge_hosts)
          .defaults("disabled=false,dynamic=true,external=false,invalid=false")
          .build());
  t.add(
    menu_builder("/interface/vlan")
      .table(iface_table, "vlan")
      .named()
      .cmds(c_add | c_set | c_remove | c_enable | c_comment)
      .on_add(new_row("/interface/vlan"))
      .writable(
        "arp,arp-timeout,comment,copy-from,disabled,interface,loop-protect,"
        "loop-protect-disable-time,"
        "loop-protect-send-interval,mtu,mvrp,name,use-service-tag,vlan-id")
      .types("interface:ref:/"
             "interface;vlan-id:int:1..4094;mtu:int:0..65535;mvrp:bool;use-"
             "service-tag:bool;"
             "arp:enum:disabled|enabled|local-proxy-arp|proxy-arp|reply-only")
      .view("name,mac-address,disabled,comment")
      .defaults(
        "arp=enabled,arp-timeout=auto,disabled=false,loop-protect=default,"
        "loop-protect-disable-time=5m,loop-protect-send-interval=5s,loop-"
        "protect-status=off,"
        "mtu=1500,mvrp=false,use-service-tag=false")
      .required("interface,vlan-id")
      .fixed("type", "vlan")
      .validate(validate_vlan)
      .compute(compute_link)
      .unique("name", "failure: already have interface with such name")
      .words("interface vlan")
      .build());
  t.add(menu_builder("/interface/list")
          .named()
          .cmds(c_add | c_set | c_remove | c_comment)
          .writable("comment,copy-from,exclude,include,name")
          .defaults("builtin=false,dynamic=false")
          .required("name")
          .words("interface list")
          .build());
  t.add(menu_builder("/interface/list/member")
          .cmds(c_add | c_set | c_remove | c_enable | c_comment)
          .on_add(new_row("/interface/list/member"))
          .writable("comment,copy-from,disabled,interface,list")
          .types("interface:ref:/interface;list:ref:/interface/list")
          .defaults("disabled=false,dynamic=false")
          .required("interface,list")
          .words("interface list member")
          .build());
  register_wireless_menus(t);
}

} // namespace rmcp::sim
