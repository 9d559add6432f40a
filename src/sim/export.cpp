// /export, /import, /execute, /system/script/run and the scheduler.

#include <algorithm>
#include <cctype>

#include "sim/ops.hpp"
#include "sim/script.hpp"
#include "sim/seed.hpp"

namespace rmcp::sim {

namespace {

/// Export order: referenced items come before the items that use them.
constexpr const char* export_order[] = {"/interface/bridge",
                                        "/interface/ethernet",
                                        "/interface/vlan",
                                        "/interface/wireless/security-profiles",
                                        "/interface/wireless",
                                        "/interface/wifi/security",
                                        "/interface/wifi",
                                        "/interface/list",
                                        "/ip/pool",
                                        "/ip/dhcp-server",
                                        "/interface/bridge/port",
                                        "/interface/bridge/vlan",
                                        "/interface/list/member",
                                        "/ip/address",
                                        "/ip/dhcp-client",
                                        "/ip/dhcp-server/lease",
                                        "/ip/dhcp-server/network",
                                        "/ip/dns",
                                        "/ip/dns/static",
                                        "/ip/firewall/address-list",
                                        "/ip/firewall/filter",
                                        "/ip/firewall/nat",
                                        "/ip/firewall/mangle",
                                        "/ip/route",
                                        "/ip/service",
                                        "/system/clock",
                                        "/system/identity",
                                        "/system/logging/action",
                                        "/system/logging",
                                        "/system/ntp/client",
                                        "/system/scheduler",
                                        "/system/script",
                                        "/user/group"};

std::string export_value(const menu& m, const std::string& key,
                         const std::string& v) {
  auto* s = m.spec(key);
  if (key == "disabled" || (s && s->type == ftype::boolean))
    return v == "true" ? "yes" : v == "false" ? "no" : v;
  return script_quote(v);
}

/// The writable, non-default keys of an item as " k=v" words.
std::string item_args(const menu& m, const record& r, bool physical) {
  std::string out;
  for (auto& [k, v] : r.f) {
    if (k[0] == '~' || !m.is_writable(k)
        || (m.defaults.find(k) && *m.defaults.find(k) == v))
      continue;
    if (physical
        && (k == "mac-address" || k == "l2mtu" || (k == "mtu" && v == "1500")
            || (k == "name" && v == r.f.get("default-name"))))
      continue;
    if (k == "disabled" && v == "false")
      continue;
    out += " " + k + "=" + export_value(m, k, v);
  }
  return out;
}

/// One menu's part of the export: a "/menu words" header line and its
/// commands, or (terse) every command on one line with its full path.
std::string menu_section(const router_state& st, const menu& m, bool terse) {
  std::string body;
  auto& t = st.tab(m.table);
  if (m.kind == menu_kind::singleton) {
    if (!t.rows.empty()) {
      auto args = item_args(m, t.rows.front(), false);
      if (!args.empty())
        body += "set" + args + "\r\n";
    }
  } else {
    for (auto& r : t.rows) {
      if ((!m.type_filter.empty() && r.f.get("type") != m.type_filter)
          || r.f.is_true("dynamic") || r.f.is_true("builtin")
          || r.f.is_true("default"))
        continue;
      if (!m.has(c_add) || r.f.has("default-name")) {
        auto args = item_args(m, r, true);
        if (args.empty())
          continue;
        auto ref = r.f.has("default-name")
                     ? "[ find default-name=" + r.f.get("default-name") + " ]"
                     : export_value(m, "name", r.f.get("name"));
        body += "set " + ref + args + "\r\n";
      } else {
        body += "add" + item_args(m, r, false) + "\r\n";
      }
    }
  }
  if (body.empty())
    return {};
  if (!terse)
    return "/" + m.words + "\r\n" + body;
  std::string out;
  for (size_t i = 0; i < body.size();) {
    auto end = body.find("\r\n", i);
    out += "/" + m.words + " " + body.substr(i, end - i) + "\r\n";
    i = end + 2;
  }
  return out;
}

// -- commands -------------------------------------------------------------------------

cmd_result export_command(command_ctx& ctx) {
  for (auto& [k, v] : ctx.args)
    if (k != "file" && k != "compact" && k != "terse" && k != "verbose"
        && k != "hide-sensitive" && k != "show-sensitive" && k != "where"
        && k != "path")
      return cmd_result::error(400, "unknown parameter " + k, k);
  auto text =
    export_config(ctx.st, nullptr, find_arg(ctx.args, "terse") != nullptr);
  if (auto* file = find_arg(ctx.args, "file")) {
    auto name = ends_with(*file, ".rsc") ? *file : *file + ".rsc";
    auto& files = ctx.st.tab("/file");
    files.erase(files.find_by("name", name) ? files.find_by("name", name)->id
                                            : 0);
    files.insert(fields{{"name", name},
                        {"type", "script"},
                        {"~data", text},
                        {"~created", std::to_string(ctx.st.now_s())}});
    return {};
  }
  // Over the API the text of a plain export is not returned; scripts get it.
  if (ctx.who.via == "rest-api")
    return {};
  return cmd_result::returning(text);
}

cmd_result import_command(command_ctx& ctx) {
  auto* name = find_arg(ctx.args, "file-name");
  if (!name)
    return cmd_result::error(400, "missing =file-name=", "file-name");
  auto* row = ctx.st.tab("/file").find_by("name", *name);
  if (!row)
    return cmd_result::error(400, "failure: no such file", "file-name");
  // An imported file may import others, but not forever.
  static thread_local int depth = 0;
  if (depth >= 8)
    return cmd_result::error(400, "failure: import nested too deeply",
                             "file-name");
  ++depth;
  auto res = run_script(ctx.st, row->f.get("~data"), ctx.who);
  --depth;
  if (!res.ok)
    return cmd_result::error(400, res.error);
  return {};
}

cmd_result execute_command(command_ctx& ctx) {
  auto* script = find_arg(ctx.args, "script");
  if (!script)
    return cmd_result::error(400, "missing =script=", "script");
  origin who = ctx.who;
  who.via = "script";
  auto res = run_script(ctx.st, *script, who);
  if (find_arg(ctx.args, "as-string"))
    return cmd_result::returning(res.ok ? res.output : res.error);
  if (!res.ok)
    ctx.st.log(
      "script,error",
      "executing script from rest-api failed, please check it manually");
  return cmd_result::returning(id_text(ctx.st.next_job++));
}

cmd_result script_run(command_ctx& ctx) {
  auto* ref = find_arg(ctx.args, ".id");
  if (!ref)
    ref = find_arg(ctx.args, "number");
  if (!ref)
    return cmd_result::error(400, "missing =.id=", ".id");
  const menu* m = menu_tree::get().find("/system/script");
  std::vector<std::uint32_t> ids;
  if (auto e = resolve_ids(ctx.st, *m, *ref, ids))
    return cmd_result::error(*e);
  if (ids.empty())
    return cmd_result::error(400, "missing =.id=", ".id");
  auto& t = ctx.st.tab("/system/script");
  auto source = t.find(ids.front())->f.get("source");
  origin who = ctx.who;
  who.via = "script";
  auto res = run_script(ctx.st, source, who);
  if (auto* row = t.find(ids.front())) {
    row->f.set(
      "run-count",
      std::to_string(parse_int(row->f.get("run-count", "0")).value_or(0) + 1));
    row->f.set("last-started", ctx.st.local_datetime(ctx.st.now_s()));
  }
  if (!res.ok)
    return cmd_result::error(400, res.error);
  return {};
}

} // namespace

std::string export_config(const router_state& st, const menu* section,
                          bool terse) {
  auto& p = st.profile;
  std::string out = "# " + st.local_datetime(st.now_s()) + " by RouterOS "
                    + version_number(p) + "\r\n"
                    + "# software id = " + p.software_id + "\r\n#\r\n";
  if (p.routerboard)
    out +=
      "# model = " + p.model + "\r\n# serial number = " + p.serial + "\r\n";
  auto& tree = menu_tree::get();
  for (auto* path : export_order) {
    const menu* m = tree.find(path);
    if (!m || (section && section != m) || (m->present && !m->present(p)))
      continue;
    out += menu_section(st, *m, terse);
  }
  return out;
}

std::optional<std::int64_t> scheduler_next_run(const router_state& st,
                                               const fields& item) {
  if (item.is_true("disabled"))
    return std::nullopt;
  auto interval =
    parse_duration_us(item.get("interval", "0s")).value_or(0) / 1000000;
  auto last = parse_int(item.get("~last", "0")).value_or(0);
  std::int64_t start;
  if (item.get("start-time") == "startup") {
    start = st.boot_s + 3;
  } else {
    auto date = parse_date(item.get("start-date"));
    auto tod = parse_time_of_day(item.get("start-time", "00:00:00"));
    if (!date || !tod)
      return std::nullopt;
    start = *date + *tod - st.profile.tz_offset_s;
  }
  if (start > last)
    return start;
  if (interval <= 0)
    return std::nullopt;
  return start + ((last - start) / interval + 1) * interval;
}

void run_due_jobs(router_state& st) {
  auto now = st.now_s();
  auto& al = st.tab("/ip/firewall/address-list").rows;
  al.erase(std::remove_if(al.begin(), al.end(),
                          [&](const record& r) {
                            auto* e = r.f.find("~expires");
                            return e && parse_int(*e).value_or(now + 1) <= now;
                          }),
           al.end());
  std::vector<std::uint32_t> due;
  for (auto& r : st.tab("/system/scheduler").rows)
    if (auto next = scheduler_next_run(st, r.f); next && *next <= now)
      due.push_back(r.id);
  for (auto id : due) {
    auto* row = st.tab("/system/scheduler").find(id);
    if (!row)
      continue;
    row->f.set("~last", std::to_string(now));
    row->f.set(
      "run-count",
      std::to_string(parse_int(row->f.get("run-count", "0")).value_or(0) + 1));
    auto source = row->f.get("on-event");
    auto name = row->f.get("name");
    origin who{row->f.get("owner", "admin"), "scheduler", ""};
    auto res = run_script(st, source, who);
    if (!res.ok)
      st.log("script,error", "scheduler " + name + ": " + res.error);
  }
}

void register_script_commands(menu_tree& t) {
  t.add_command("/export", export_command);
  t.add_command("/import", import_command);
  t.add_command("/execute", execute_command);
  t.add_command("/system/script/run", script_run);
}

} // namespace rmcp::sim
