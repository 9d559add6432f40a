// /ip/firewall/filter, nat, mangle, address-list: definitions, computed
// counters and the "defconf" seeds.

#include "sim/ops.hpp"
#include "sim/seed.hpp"

namespace rmcp::sim {

namespace {

constexpr const char* common_matchers =
  "address-list,address-list-timeout,chain,comment,connection-bytes,connection-"
  "limit,connection-mark,"
  "connection-rate,connection-type,content,copy-from,disabled,dscp,dst-address,"
  "dst-address-list,"
  "dst-address-type,dst-limit,dst-port,fragment,hotspot,icmp-options,in-bridge-"
  "port,in-bridge-port-list,"
  "in-interface,in-interface-list,ingress-priority,ipsec-policy,ipv4-options,"
  "jump-target,layer7-protocol,"
  "limit,log,log-prefix,nth,out-bridge-port,out-bridge-port-list,out-interface,"
  "out-interface-list,"
  "packet-mark,packet-size,per-connection-classifier,place-before,port,"
  "priority,protocol,psd,random,realm,"
  "routing-mark,src-address,src-address-list,src-address-type,src-mac-address,"
  "src-port,tcp-mss,time,tos,"
  "ttl,action";

constexpr const char* common_types =
  "log:bool;address-list-timeout:time:none-dynamic|none-static;"
  "connection-state:enums:established|related|new|invalid|untracked|!"
  "established|!related|!new|!invalid|!untracked";

void compute_rule(const router_state& st, const record& r, fields& out) {
  auto base = hash_of(st.profile.seed, st.profile.index, r.id);
  auto packets = static_cast<std::int64_t>(base % 90000)
                 + st.uptime_s() * static_cast<std::int64_t>(base % 7);
  out.set("packets", std::to_string(packets));
  out.set("bytes",
          std::to_string(packets * static_cast<std::int64_t>(60 + base % 900)));
}

std::optional<op_error> validate_rule(router_state&, const record*,
                                      fields& item) {
  auto action = item.get("action", "accept");
  if (action == "jump" && !item.has("jump-target"))
    return op_error{400, "failure: jump-target must be specified",
                    "jump-target"};
  return std::nullopt;
}

std::optional<op_error> validate_list_entry(router_state& st, const record* old,
                                            fields& item) {
  for (auto& r : st.tab("/ip/firewall/address-list").rows)
    if ((!old || r.id != old->id) && r.f.get("list") == item.get("list")
        && r.f.get("address") == item.get("address"))
      return op_error{400, "failure: already have such entry", ""};
  if (!old)
    item.set("~created", std::to_string(st.now_s()));
  if (auto* t = item.find("timeout")) {
    auto us = parse_duration_us(*t).value_or(0);
    item.set("dynamic", "true");
    item.set("~expires", std::to_string(st.now_s() + us / 1000000));
  }
  return std::nullopt;
}

void compute_list_entry(const router_state& st, const record& r, fields& out) {
  if (auto* c = r.f.find("~created"))
    out.set("creation-time", st.local_datetime(parse_int(*c).value_or(0)));
  if (auto* e = r.f.find("~expires")) {
    auto left = parse_int(*e).value_or(0) - st.now_s();
    out.set("timeout", format_duration_s(left > 0 ? left : 0));
  }
}

menu_builder rule_menu(const char* path, const char* extra_writable,
                       const char* actions) {
  return std::move(
    menu_builder(path)
      .cmds(c_add | c_set | c_remove | c_enable | c_comment | c_move | c_unset)
      .writable(common_matchers)
      .writable(extra_writable)
      .types(std::string{common_types} + ";action:enum:" + actions)
      .defaults("action=accept,dynamic=false,invalid=false")
      .required("chain")
      .validate(validate_rule)
      .compute(compute_rule));
}

} // namespace

void register_firewall_menus(menu_tree& t) {
  t.add(rule_menu("/ip/firewall/filter",
                  "connection-nat-state,connection-state,p2p,reject-with,tcp-"
                  "flags,tls-host",
                  "accept|add-dst-to-address-list|add-src-to-address-list|drop|"
                  "fasttrack-connection|jump|"
                  "log|passthrough|reject|return|tarpit")
          .words("ip firewall filter")
          .build());
  t.add(rule_menu(
          "/ip/firewall/nat",
          "randomise-ports,same-not-by-dst,socks5-port,socks5-server,socksify-"
          "service,to-addresses,to-ports",
          "accept|add-dst-to-address-list|add-src-to-address-list|dst-nat|"
          "endpoint-independent-nat|"
          "jump|log|masquerade|netmap|passthrough|redirect|return|same|src-nat")
          .words("ip firewall nat")
          .build());
  t.add(rule_menu(
          "/ip/firewall/mangle",
          "connection-nat-state,connection-state,new-connection-mark,new-dscp,"
          "new-mss,new-packet-mark,"
          "new-priority,new-routing-mark,new-ttl,p2p,passthrough,route-dst,"
          "sniff-id,sniff-target,"
          "sniff-target-port,tcp-flags,tls-host",
          "accept|add-dst-to-address-list|add-src-to-address-list|change-dscp|"
          "change-mss|change-ttl|"
          "clear-df|fasttrack-connection|jump|log|mark-connection|mark-packet|"
          "mark-routing|passthrough|"
          "return|route|set-priority|sniff-pc|sniff-tzsp|strip-ipv4-options")
          .words("ip firewall mangle")
          .build());
  t.add(menu_builder("/ip/firewall/address-list")
          .cmds(c_add | c_set | c_remove | c_enable | c_comment)
          .writable("address,comment,copy-from,disabled,dynamic,list,timeout")
          .types("timeout:time;dynamic:bool")
          .defaults("disabled=false,dynamic=false")
          .required("address,list")
          .validate(validate_list_entry)
          .compute(compute_list_entry)
          .words("ip firewall address-list")
          .build());
}

void seed_firewall(router_state& st) {
  auto& p = st.profile;
  auto rng = area_rng(p, "firewall");
  auto& f = st.tab("/ip/firewall/filter");
  auto rule = [&](std::initializer_list<fields::value_type> kv) {
    f.insert(fields(kv));
  };
  rule({{"chain", "input"},
        {"action", "accept"},
        {"connection-state", "established,related,untracked"},
        {"comment", "defconf: accept established,related,untracked"}});
  rule({{"chain", "input"},
        {"action", "drop"},
        {"connection-state", "invalid"},
        {"comment", "defconf: drop invalid"}});
  rule({{"chain", "input"},
        {"action", "accept"},
        {"protocol", "icmp"},
        {"comment", "defconf: accept ICMP"}});
  rule({{"chain", "input"},
        {"action", "accept"},
        {"dst-address", "127.0.0.1"},
        {"comment", "defconf: accept to local loopback (for CAPsMAN)"}});
  if (rng.chance(0.6))
    rule({{"chain", "input"},
          {"action", "accept"},
          {"protocol", "tcp"},
          {"dst-port", "22,443,8291"},
          {"src-address-list", "mgmt"},
          {"comment", "allow management"}});
  rule({{"chain", "input"},
        {"action", "drop"},
        {"in-interface-list", "!LAN"},
        {"comment", "defconf: drop all not coming from LAN"}});
  rule({{"chain", "forward"},
        {"action", "accept"},
        {"ipsec-policy", "in,ipsec"},
        {"comment", "defconf: accept in ipsec policy"}});
  rule({{"chain", "forward"},
        {"action", "accept"},
        {"ipsec-policy", "out,ipsec"},
        {"comment", "defconf: accept out ipsec policy"}});
  rule({{"chain", "forward"},
        {"action", "fasttrack-connection"},
        {"connection-state", "established,related"},
        {"comment", "defconf: fasttrack"}});
  rule({{"chain", "forward"},
        {"action", "accept"},
        {"connection-state", "established,related,untracked"},
        {"comment", "defconf: accept established,related, untracked"}});
  rule({{"chain", "forward"},
        {"action", "drop"},
        {"connection-state", "invalid"},
        {"comment", "defconf: drop invalid"}});
  rule({{"chain", "forward"},
        {"action", "drop"},
        {"connection-nat-state", "!dstnat"},
        {"connection-state", "new"},
        {"in-interface-list", "WAN"},
        {"comment", "defconf: drop all from WAN not DSTNATed"}});
  if (rng.chance(0.4))
    rule({{"chain", "forward"},
          {"action", "drop"},
          {"src-address-list", "blocked"},
          {"disabled", "true"},
          {"log", "true"},
          {"log-prefix", "blocked"},
          {"comment", "drop blocked hosts"}});
  auto& nat = st.tab("/ip/firewall/nat");
  nat.insert(fields{{"chain", "srcnat"},
                    {"action", "masquerade"},
                    {"out-interface-list", "WAN"},
                    {"ipsec-policy", "out,none"},
                    {"comment", "defconf: masquerade"}});
  if (rng.chance(0.5))
    nat.insert(fields{
      {"chain", "dstnat"},
      {"action", "dst-nat"},
      {"protocol", "tcp"},
      {"dst-port", "8443"},
      {"in-interface-list", "WAN"},
      {"to-addresses", "192.168." + std::to_string(lan_octet(p)) + ".250"},
      {"to-ports", "443"},
      {"comment", "nas https"}});
  auto& al = st.tab("/ip/firewall/address-list");
  auto created = std::to_string(st.boot_s + 120);
  al.insert(
    fields{{"list", "mgmt"},
           {"address", "192.168." + std::to_string(lan_octet(p)) + ".0/24"},
           {"comment", "management LAN"},
           {"~created", created}});
  al.insert(fields{
    {"list", "mgmt"}, {"address", "10.200.0.0/16"}, {"~created", created}});
  al.insert(
    fields{{"list", "blocked"},
           {"address", "198.51.100." + std::to_string(rng.range(2, 250))},
           {"~created", created}});
  al.insert(
    fields{{"list", "blocked"},
           {"address", "203.0.113." + std::to_string(rng.range(2, 250))},
           {"timeout", "1d"},
           {"dynamic", "true"},
           {"~created", std::to_string(st.now_s() - 3600)},
           {"~expires", std::to_string(st.now_s() + 82800)}});
}

} // namespace rmcp::sim
