// /system/*, /user, /log, /file, /certificate: definitions, computed
// fields and seeds.

#include <cstdio>
#include <cstdlib>

#include "sim/ops.hpp"
#include "sim/script.hpp"
#include "sim/seed.hpp"

namespace rmcp::sim {

namespace {

std::string pct_of(std::uint64_t total, double share) {
  return std::to_string(
    static_cast<std::uint64_t>(static_cast<double>(total) * share));
}

/// A value in [0, 1) that changes every 10 simulated seconds.
double wobble(const router_state& st, std::uint64_t salt) {
  auto bucket = static_cast<std::uint64_t>(st.now_s() / 10);
  return static_cast<double>(
           hash_of(st.profile.seed ^ salt, st.profile.index, bucket) % 10000)
         / 10000.0;
}

// -- /system/resource ------------------------------------------------------------------

void compute_resource(const router_state& st, const record&, fields& out) {
  auto& p = st.profile;
  int load = p.base_cpu_load + static_cast<int>(wobble(st, 1) * 12) - 4;
  if (st.flags.high_cpu)
    load = 95 + static_cast<int>(wobble(st, 2) * 5);
  if (load < 0)
    load = 0;
  double free_share = 0.45 + wobble(st, 3) * 0.2;
  if (st.flags.high_memory)
    free_share = 0.01 + wobble(st, 4) * 0.015;
  out.set("architecture-name", p.architecture);
  out.set("board-name", p.board);
  out.set("build-time", st.local_datetime(p.build_epoch));
  out.set("cpu", p.cpu);
  out.set("cpu-count", std::to_string(p.cpu_count));
  out.set("cpu-frequency", std::to_string(p.cpu_frequency));
  out.set("cpu-load", std::to_string(load));
  out.set("factory-software", p.factory_software);
  out.set("free-hdd-space", pct_of(p.total_hdd, 0.62 + (p.index % 7) * 0.01));
  out.set("free-memory", pct_of(p.total_memory, free_share));
  out.set("platform", "MikroTik");
  out.set("total-hdd-space", std::to_string(p.total_hdd));
  out.set("total-memory", std::to_string(p.total_memory));
  out.set("uptime", format_duration_s(st.uptime_s()));
  out.set("version", p.version_text);
  if (p.routerboard) {
    out.set("bad-blocks", "0");
    out.set("write-sect-since-reboot", std::to_string(st.uptime_s() / 97 + 23));
    out.set("write-sect-total",
            std::to_string(91274 + p.index * 131 + st.uptime_s() / 97));
  }
}

// -- /system/routerboard, /system/license, /system/package/update --------------------------

void compute_routerboard(const router_state& st, const record&, fields& out) {
  auto& p = st.profile;
  out.set("board-name", p.board);
  out.set("current-firmware", version_number(p));
  out.set("factory-firmware", p.factory_software);
  out.set("firmware-type", p.firmware_type);
  out.set("model", p.model);
  out.set("revision", "r2");
  out.set("routerboard", "true");
  out.set("serial-number", p.serial);
  out.set("upgrade-firmware", version_number(p));
}

void compute_license(const router_state& st, const record&, fields& out) {
  auto& p = st.profile;
  if (!p.routerboard) {
    out.set("level", "free");
    out.set("system-id", p.software_id);
    return;
  }
  out.set("features", "");
  out.set("nlevel", p.board.rfind("CCR", 0) == 0 ? "6" : "4");
  out.set("software-id", p.software_id);
}

void compute_package_update(const router_state& st, const record&,
                            fields& out) {
  out.set("installed-version", version_number(st.profile));
}

// -- /system/clock -------------------------------------------------------------------------

void compute_clock(const router_state& st, const record& r, fields& out) {
  auto now = st.now_s();
  out.set("date", st.local_date(now));
  out.set("time", st.local_time(now));
  out.set("time-zone-name", r.f.get("time-zone-name", st.profile.time_zone));
  int off = st.profile.tz_offset_s;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+',
                std::abs(off) / 3600, std::abs(off) / 60 % 60);
  out.set("gmt-offset", buf);
}

// -- /system/health ---------------------------------------------------------------------------

void health_rows(const router_state& st, std::vector<record>& out) {
  auto& p = st.profile;
  if (!p.routerboard || p.board == "cAP ac")
    return;
  auto temp =
    38
    + static_cast<int>(
      hash_of(p.seed, p.index, static_cast<std::uint64_t>(st.now_s() / 30))
      % 12);
  auto add = [&](std::uint32_t id, std::string name, std::string value,
                 std::string type) {
    out.push_back(record{id, fields{{"name", std::move(name)},
                                    {"value", std::move(value)},
                                    {"type", std::move(type)}}});
  };
  add(0x11, "cpu-temperature", std::to_string(temp), "C");
  if (p.board.rfind("CCR", 0) == 0 || p.board.rfind("CRS", 0) == 0) {
    add(0x12, "fan1-speed", std::to_string(3000 + temp * 4), "RPM");
    add(0x13, "fan2-speed", std::to_string(2980 + temp * 4), "RPM");
    add(0x14, "psu1-state", "ok", "");
    add(0x15, "psu2-state", "ok", "");
  }
  add(0xD, "voltage", p.board.rfind("hAP", 0) == 0 ? "24.3" : "23.9", "V");
  add(0xE, "board-temperature1", std::to_string(temp - 6), "C");
}

// -- /system/ntp/client -------------------------------------------------------------------------

void compute_ntp(const router_state& st, const record& r, fields& out) {
  bool on = r.f.get("enabled", "true") == "true" && !r.f.get("servers").empty();
  if (!on) {
    out.set("status",
            r.f.get("enabled", "true") == "true" ? "waiting" : "stopped");
    return;
  }
  auto server = split(r.f.get("servers"), ',').front();
  out.set("status", "synchronized");
  out.set("synced-server", server);
  out.set("synced-stratum", "2");
  out.set("system-offset",
          std::to_string(static_cast<int>(
                           hash_of(st.profile.index,
                                   static_cast<std::uint64_t>(st.now_s() / 60))
                           % 4000)
                         - 2000)
            + "us");
  out.set("freq-drift", "3.109 PPM");
}

// -- /system/scheduler ----------------------------------------------------------------------------

void compute_scheduler(const router_state& st, const record& r, fields& out) {
  if (auto next = scheduler_next_run(st, r.f))
    out.set("next-run", st.local_datetime(*next));
}

std::optional<op_error> validate_scheduler(router_state& st, const record* old,
                                           fields& item) {
  if (!old) {
    auto now = st.now_s();
    if (!item.has("start-date"))
      item.set("start-date", st.local_date(now));
    if (!item.has("start-time"))
      item.set("start-time", st.local_time(now));
    item.set("~last", std::to_string(now));
    item.set("run-count", "0");
  }
  return std::nullopt;
}

// -- /log ---------------------------------------------------------------------------------------

void log_rows(const router_state& st, std::vector<record>& out) {
  for (auto& e : st.log_entries())
    out.push_back(record{e.id, fields{{"message", e.message},
                                      {"time", st.local_datetime(e.time_s)},
                                      {"topics", e.topics}}});
}

cmd_result log_message(command_ctx& ctx, const char* level) {
  auto* msg = find_arg(ctx.args, "message");
  if (!msg)
    return cmd_result::error(400, "missing =message=", "message");
  ctx.st.log(std::string{"script,"} + level, *msg);
  return {};
}

cmd_result log_info(command_ctx& ctx) {
  return log_message(ctx, "info");
}
cmd_result log_warning(command_ctx& ctx) {
  return log_message(ctx, "warning");
}
cmd_result log_error(command_ctx& ctx) {
  return log_message(ctx, "error");
}

// -- /user ------------------------------------------------------------------------------------

std::optional<op_error> validate_user(router_state& st, const record* old,
                                      fields& item) {
  auto name = item.get("name");
  if (auto* pw = item.find("password")) {
    st.passwords[name] = *pw;
    item.erase("password");
  } else if (old && old->f.get("name") != name) {
    st.passwords[name] = st.passwords[old->f.get("name")];
  }
  return std::nullopt;
}

// -- /file ------------------------------------------------------------------------------------

void compute_file(const router_state& st, const record& r, fields& out) {
  auto* data = r.f.find("~data");
  if (data && r.f.get("type") != "directory")
    out.set("size", std::to_string(data->size()));
  if (auto* t = r.f.find("~created")) {
    out.set("creation-time", st.local_datetime(*parse_int(*t)));
    if (st.profile.version.at_least(7, 13))
      out.set("last-modified", st.local_datetime(*parse_int(*t)));
  }
}

cmd_result file_read(command_ctx& ctx) {
  auto* name = find_arg(ctx.args, "file");
  if (!name)
    return cmd_result::error(400, "missing =file=", "file");
  auto* row = ctx.st.tab("/file").find_by("name", *name);
  if (!row)
    return cmd_result::error(400, "input does not match any value of file",
                             "file");
  auto data = row->f.get("~data");
  std::int64_t chunk = 32768, offset = 0;
  if (auto* c = find_arg(ctx.args, "chunk-size"))
    chunk = parse_int(*c).value_or(32768);
  if (auto* o = find_arg(ctx.args, "offset"))
    offset = parse_int(*o).value_or(0);
  if (offset < 0 || offset > static_cast<std::int64_t>(data.size()))
    return cmd_result::error(400, "failure: chunk out of file bounds");
  return cmd_result::list(
    {fields{{"data", data.substr(static_cast<std::size_t>(offset),
                                 static_cast<std::size_t>(chunk))}}});
}

// -- commands -----------------------------------------------------------------------------------

cmd_result system_reboot(command_ctx&) {
  cmd_result r;
  r.reboot = true;
  return r;
}

} // namespace

void register_system_menus(menu_tree& t) {
  t.add(menu_builder("/system/resource")
          .singleton()
          .profile_only()
          .compute(compute_resource)
          .build());
  t.add(menu_builder("/system/identity")
          .singleton()
          .cmds(c_set)
          .writable("name")
          .words("system identity")
          .build());
  t.add(menu_builder("/system/routerboard")
          .singleton()
          .profile_only()
          .present(has_routerboard)
          .compute(compute_routerboard)
          .build());
  t.add(menu_builder("/system/license")
          .singleton()
          .profile_only()
          .compute(compute_license)
          .build());
  t.add(menu_builder("/system/package")
          .cmds(c_enable)
          .named()
          .defaults("available=false,disabled=false,scheduled=")
          .build());
  t.add(menu_builder("/system/package/update")
          .singleton()
          .cmds(c_set)
          .writable("channel")
          .types("channel:enum:stable|long-term|testing|development")
          .defaults("channel=stable")
          .compute(compute_package_update)
          .build());
  t.add(menu_builder("/system/clock")
          .singleton()
          .cmds(c_set)
          .writable("date,time,time-zone-autodetect,time-zone-name")
          .types("time-zone-autodetect:bool;date:date;time:tod")
          .defaults("dst-active=false,time-zone-autodetect=true")
          .compute(compute_clock)
          .words("system clock")
          .build());
  t.add(
    menu_builder("/system/health").profile_only().rows(health_rows).build());
  t.add(menu_builder("/system/ntp/client")
          .singleton()
          .cmds(c_set)
          .writable("enabled,mode,servers,vrf")
          .types("enabled:bool;mode:enum:unicast|broadcast|multicast|manycast")
          .defaults("enabled=false,mode=unicast,servers=,vrf=main")
          .compute(compute_ntp)
          .words("system ntp client")
          .build());
  t.add(menu_builder("/system/logging")
          .cmds(c_add | c_set | c_remove | c_enable | c_comment | c_move)
          .writable("action,comment,copy-from,disabled,prefix,regex,topics")
          .types("action:ref:/system/logging/action")
          .defaults("disabled=false,invalid=false,prefix=,default=false")
          .required("topics")
          .words("system logging")
          .build());
  t.add(menu_builder("/system/logging/action")
          .named()
          .cmds(c_add | c_set | c_remove)
          .writable("name,target,remote,remote-port,disk-file-name,disk-lines-"
                    "per-file,memory-lines,remember")
          .types("target:enum:memory|disk|echo|remote|email|syslog")
          .defaults("default=false")
          .required("name,target")
          .words("system logging action")
          .build());
  t.add(
    menu_builder("/system/scheduler")
      .named()
      .cmds(c_add | c_set | c_remove | c_enable | c_comment | c_unset)
      .writable("comment,copy-from,disabled,interval,name,on-event,policy,"
                "start-date,start-time")
      .types("interval:time;start-date:date;start-time:tod")
      .defaults("disabled=false,interval=0s,on-event=,owner=admin")
      .dflt("policy",
            "ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon")
      .required("name")
      .compute(compute_scheduler)
      .validate(validate_scheduler)
      .words("system scheduler")
      .build());
  t.add(
    menu_builder("/system/script")
      .named()
      .cmds(c_add | c_set | c_remove | c_comment)
      .writable(
        "comment,copy-from,dont-require-permissions,name,owner,policy,source")
      .types("dont-require-permissions:bool")
      .defaults("dont-require-permissions=false,invalid=false,owner=admin,run-"
                "count=0,source=")
      .dflt("policy",
            "ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon")
      .required("name")
      .words("system script")
      .build());
  t.add(menu_builder("/user")
          .named()
          .cmds(c_add | c_set | c_remove | c_enable | c_comment)
          .writable("address,comment,copy-from,disabled,group,inactivity-"
                    "policy,inactivity-timeout,name,password")
          .types("group:ref:/user/group;inactivity-timeout:time")
          .defaults("address=,disabled=false,expired=false")
          .required("name,group")
          .validate(validate_user)
          .unique("name", "failure: user with the same name already exists")
          .words("user")
          .build());
  t.add(menu_builder("/user/group")
          .named()
          .cmds(c_add | c_set | c_remove | c_comment)
          .writable("comment,copy-from,name,policy,skin")
          .defaults("skin=default")
          .required("name,policy")
          .words("user group")
          .build());
  t.add(menu_builder("/log")
          .rows(log_rows)
          .command("info", log_info)
          .command("warning", log_warning)
          .command("error", log_error)
          .build());
  t.add(menu_builder("/file")
          .named()
          .cmds(c_remove)
          .writable("contents,name")
          .compute(compute_file)
          .command("read", file_read)
          .build());
  t.add(menu_builder("/certificate")
          .named()
          .cmds(c_add | c_set | c_remove)
          .writable("name,common-name,country,days-valid,key-size,key-usage,"
                    "locality,organization,subject-alt-name,trusted")
          .types("trusted:bool;days-valid:int:1..36500")
          .defaults("days-valid=365,key-size=2048,trusted=true,invalid-before=,"
                    "private-key=true")
          .required("name,common-name")
          .words("certificate")
          .build());
  t.add_command("/system/reboot", system_reboot);
}

void seed_system(router_state& st) {
  auto& p = st.profile;
  auto now = st.now_s();
  st.tab("/system/identity").insert_with_id(1, fields{{"name", p.identity}});
  auto& pk = st.tab("/system/package");
  auto build = st.local_datetime(p.build_epoch);
  auto ver = version_number(p);
  auto pkg = [&](std::string name, std::string size) {
    pk.insert(fields{{"name", std::move(name)},
                     {"version", ver},
                     {"build-time", build},
                     {"size", std::move(size)}});
  };
  pkg("routeros", p.architecture == "x86_64" ? "17825792" : "13893632");
  if (p.wireless == wireless_kind::legacy && p.version.at_least(7, 13))
    pkg("wireless", "1937408");
  if (p.wireless == wireless_kind::wifi)
    pkg(p.board == "hAP ax^2" ? "wifi-qcom" : "wifi-qcom", "3883008");
  if (p.architecture == "x86_64") {
    pk.insert(fields{{"name", "container"},
                     {"version", ""},
                     {"available", "true"},
                     {"disabled", "true"}});
  }
  st.tab("/system/ntp/client")
    .insert_with_id(1, fields{{"enabled", "true"},
                              {"servers", "162.159.200.1,162.159.200.123"}});
  auto& act = st.tab("/system/logging/action");
  act.insert(fields{{"name", "memory"},
                    {"target", "memory"},
                    {"memory-lines", "1000"},
                    {"default", "true"}});
  act.insert(fields{{"name", "disk"},
                    {"target", "disk"},
                    {"disk-file-name", "log"},
                    {"default", "true"}});
  act.insert(fields{{"name", "echo"}, {"target", "echo"}, {"default", "true"}});
  act.insert(fields{{"name", "remote"},
                    {"target", "remote"},
                    {"remote", "0.0.0.0"},
                    {"remote-port", "514"},
                    {"default", "true"}});
  auto& lg = st.tab("/system/logging");
  for (auto* topic : {"info", "error", "warning"})
    lg.insert(
      fields{{"topics", topic}, {"action", "memory"}, {"default", "true"}});
  lg.insert(
    fields{{"topics", "critical"}, {"action", "echo"}, {"default", "true"}});
  auto& groups = st.tab("/user/group");
  groups.insert(fields{
    {"name", "read"},
    {"policy", "local,telnet,ssh,reboot,read,test,winbox,password,web,sniff,"
               "sensitive,api,romon,rest-api,!ftp,!write,!policy"}});
  groups.insert(
    fields{{"name", "write"},
           {"policy", "local,telnet,ssh,reboot,read,write,test,winbox,password,"
                      "web,sniff,sensitive,api,romon,rest-api,!ftp,!policy"}});
  groups.insert(fields{
    {"name", "full"},
    {"policy", "local,telnet,ssh,ftp,reboot,read,write,policy,test,winbox,"
               "password,web,sniff,sensitive,api,romon,rest-api"}});
  auto& users = st.tab("/user");
  for (auto& [name, pw] : st.passwords) {
    fields u{{"name", name}, {"group", name == "readonly" ? "read" : "full"}};
    if (name == "admin")
      u.set("comment", "system default user");
    users.insert(std::move(u));
  }
  auto& files = st.tab("/file");
  files.insert(fields{{"name", "pub"},
                      {"type", "directory"},
                      {"~created", std::to_string(st.boot_s - 86400 * 30)}});
  files.insert(fields{{"name", "skins"},
                      {"type", "directory"},
                      {"~created", std::to_string(st.boot_s - 86400 * 30)}});
  files.insert(fields{{"name", "auto-before-reset.backup"},
                      {"type", "backup"},
                      {"~data", std::string(27 * 1024, '\x5a')},
                      {"~created", std::to_string(st.boot_s - 86400 * 20)}});
  st.tab("/certificate")
    .insert(
      fields{{"name", "webfig"},
             {"common-name", p.identity},
             {"key-usage", "digital-signature,key-encipherment,tls-server"},
             {"fingerprint", format_mac(hash_of(p.seed, p.index))},
             {"invalid-after", st.local_datetime(now + 300 * 86400)}});
  if (p.index % 3 == 0) {
    st.tab("/system/scheduler")
      .insert(fields{{"name", "nightly-export"},
                     {"start-date", st.local_date(st.boot_s)},
                     {"start-time", "03:00:00"},
                     {"interval", "1d"},
                     {"on-event", "/export file=nightly"},
                     {"run-count", "0"},
                     {"~last", std::to_string(now)}});
  }
}

} // namespace rmcp::sim
