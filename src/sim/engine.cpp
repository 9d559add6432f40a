#include "sim/engine.hpp"

#include <cctype>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "sim/json_out.hpp"
#include "sim/ops.hpp"

namespace rmcp::sim {

rest_reply error_reply(unsigned status, const std::string& detail) {
  rest_reply r;
  r.status = status;
  r.body =
    json_error(status, status == 404 || status == 401 ? std::string{} : detail);
  return r;
}

namespace {

using json = nlohmann::json;

struct parsed_target {
  std::vector<std::string> raw;  ///< path segments after /rest, not decoded
  std::vector<std::string> segs; ///< decoded
  std::vector<std::pair<std::string, std::string>> query;
};

parsed_target parse_target(const std::string& target) {
  parsed_target p;
  auto qpos = target.find('?');
  auto path = target.substr(0, qpos);
  for (auto& s : split(path.substr(5), '/')) {
    p.raw.push_back(s);
    p.segs.push_back(url_decode(s));
  }
  if (qpos != std::string::npos) {
    for (auto& item : split(target.substr(qpos + 1), '&')) {
      auto eq = item.find('=');
      p.query.emplace_back(url_decode(item.substr(0, eq)),
                           eq == std::string::npos
                             ? std::string{}
                             : url_decode(item.substr(eq + 1)));
    }
  }
  return p;
}

std::string scalar_text(const json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_boolean())
    return v.get<bool>() ? "true" : "false";
  if (v.is_number_unsigned())
    return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer())
    return std::to_string(v.get<std::int64_t>());
  if (v.is_number_float()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v.get<double>());
    return buf;
  }
  return {};
}

/// A number with an exponent somewhere in the body (RouterOS refuses those).
bool has_exponent(const std::string& body) {
  for (std::size_t i = 1; i + 1 < body.size(); ++i)
    if ((body[i] == 'e' || body[i] == 'E')
        && std::isdigit(static_cast<unsigned char>(body[i - 1]))
        && (std::isdigit(static_cast<unsigned char>(body[i + 1]))
            || body[i + 1] == '+' || body[i + 1] == '-'))
      return true;
  return false;
}

/// Body -> arguments; false when it is not a JSON object of scalars/arrays.
bool body_args(const std::string& body, arg_list& args) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return true;
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return false;
  // Exponents are refused by RouterOS.
  for (auto& [k, v] : j.items()) {
    if (v.is_number_float() && has_exponent(body))
      return false;
    if (v.is_object())
      return false;
    if (v.is_array()) {
      std::vector<std::string> parts;
      for (auto& e : v)
        parts.push_back(scalar_text(e));
      args.emplace_back(k, join(parts, k == ".query" ? "\n" : ","));
    } else {
      args.emplace_back(k, scalar_text(v));
    }
  }
  return true;
}

rest_reply from_result(const cmd_result& r, bool raw_controls) {
  rest_reply out;
  out.duration_us = r.duration_us;
  out.unbounded = r.unbounded;
  out.reboot = r.reboot;
  switch (r.k) {
    case cmd_result::kind::empty:
      out.body = "[]";
      break;
    case cmd_result::kind::records:
      out.body = json_array(r.records, raw_controls);
      break;
    case cmd_result::kind::ret:
      out.body = json_object(fields{{"ret", r.ret}});
      break;
    case cmd_result::kind::error: {
      auto e = error_reply(r.err.status, r.err.detail);
      e.duration_us = r.duration_us;
      return e;
    }
  }
  return out;
}

// -- print -----------------------------------------------------------------------

rest_reply print_list(const router_state& st, const menu& m,
                      const print_options& o, bool keep_id, bool as_command) {
  std::vector<fields> out;
  std::size_t count = 0;
  for_each_item(st, m, [&](const record&, fields&& item) {
    if (!matches(item, o))
      return;
    ++count;
    if (!o.count_only)
      out.push_back(project(std::move(item), o, keep_id));
  });
  if (o.count_only && as_command)
    return from_result(cmd_result::returning(std::to_string(count)), false);
  rest_reply r;
  r.body = json_array(out, st.flags.control_bytes);
  return r;
}

/// POST .../print: `.proplist`, `.query`, `count-only` and display flags.
rest_reply print_command(const router_state& st, const menu& m,
                         const arg_list& args) {
  print_options o;
  for (auto& [k, v] : args) {
    if (k == ".proplist") {
      o.has_proplist = true;
      o.proplist = split(v, ',');
    } else if (k == ".query") {
      o.query = split(v, '\n');
    } else if (k == "count-only") {
      o.count_only = true;
    } else if (k != "detail" && k != "without-paging" && k != "terse"
               && k != "brief" && k != "show-ids" && k != "as-value") {
      return error_reply(400, "unknown parameter " + k);
    }
  }
  if (auto e = check_query(o.query))
    return error_reply(e->status, e->detail);
  if (m.kind == menu_kind::singleton) {
    rest_reply r;
    r.body = json_array({project(singleton_item(st, m), o, false)});
    return r;
  }
  return print_list(st, m, o, false, true);
}

rest_reply get_item(const router_state& st, const menu& m,
                    const std::string& ref, const print_options& o) {
  auto item = find_item(st, m, ref);
  if (!item)
    return error_reply(404, "");
  rest_reply r;
  r.body =
    json_object(project(std::move(*item), o, false), st.flags.control_bytes);
  return r;
}

// -- dispatch --------------------------------------------------------------------------

bool is_id_like(const std::string& raw) {
  return raw.find("%2A") != std::string::npos
         || raw.find("%2a") != std::string::npos;
}

rest_reply run_command(router_state& st, const path_node& node,
                       const std::string& name, const arg_list& args,
                       const origin& who) {
  const menu* m = node.m;
  command_ctx ctx{st, m, args, who};
  rest_reply out;
  if (m) {
    if (auto it = m->commands.find(name); it != m->commands.end()) {
      out = from_result(it->second(ctx), st.flags.control_bytes);
      return out;
    }
    if (name == "print")
      return print_command(st, *m, args);
    if (node.has_command(name, st.profile) && !node.commands.count(name)) {
      out = from_result(run_generic(ctx, name), false);
      out.write = is_write_command(name);
      return out;
    }
  }
  auto it = node.commands.find(name);
  out = from_result(it->second.fn(ctx), st.flags.control_bytes);
  return out;
}

} // namespace

rest_reply handle_rest(router_state& st, const rest_request& req,
                       const origin& who) {
  if (req.method == "HEAD")
    return error_reply(501, "");
  if (req.method == "OPTIONS")
    return error_reply(503, "");
  auto t = parse_target(req.target);
  bool has_body = req.body.find_first_not_of(" \t\r\n") != std::string::npos;
  if (has_body && !req.json_content)
    return error_reply(415, "");
  arg_list args;
  if (!body_args(req.body, args))
    return error_reply(400, "Failed to parse json");

  // Walk the menu tree as far as it goes.
  const path_node* node = &menu_tree::get().root();
  std::size_t i = 0;
  while (i < t.segs.size()) {
    auto* c = node->child(t.segs[i], st.profile);
    if (!c)
      break;
    node = c;
    ++i;
  }
  const menu* m = node->m;
  if (!(m && m->profile_only))
    st.ensure_seeded();
  bool writes =
    req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE";
  auto mark = [&](rest_reply r) {
    r.write = r.write || writes;
    return r;
  };
  std::size_t rest = t.segs.size() - i;

  if (rest == 0) {
    if (req.method == "GET") {
      if (!m)
        return error_reply(400, "no such command");
      print_options o;
      for (auto& [k, v] : t.query) {
        if (k == ".proplist") {
          o.has_proplist = true;
          o.proplist = split(v, ',');
        } else if (k != ".query") {
          o.filters.emplace_back(k, v);
        }
      }
      if (m->kind == menu_kind::singleton) {
        rest_reply r;
        r.body = json_object(project(singleton_item(st, *m), o, false));
        return r;
      }
      return print_list(st, *m, o, st.profile.version.at_least(7, 20), false);
    }
    if (req.method == "PUT") {
      if (!m || m->kind != menu_kind::list)
        return mark(error_reply(400, "no such command"));
      if (!m->has(c_add))
        return mark(error_reply(400, "no such command or directory (add)"));
      std::uint32_t id = 0;
      auto res = op_add(st, *m, args, who, &id);
      if (!res.ok())
        return mark(from_result(res, false));
      rest_reply r;
      r.status = 201;
      r.location = req.base_url + req.target.substr(0, req.target.find('?'))
                   + "/" + id_text(id);
      r.body = json_object(*find_item(st, *m, id_text(id)));
      return mark(r);
    }
    if (req.method == "POST")
      return error_reply(400, "no such command");
    return mark(error_reply(400, "missing or invalid resource identifier"));
  }

  const std::string& seg = t.segs[i];
  // A menu of a package this router lacks (e.g. wireless on a wifi router).
  if (node->children.count(seg) > 0)
    return mark(error_reply(400, "no such command or directory (" + seg + ")"));
  if (rest == 1 && node->has_command(seg, st.profile)) {
    if (req.method != "POST")
      return mark(error_reply(400, "no such command"));
    return run_command(st, *node, seg, args, who);
  }
  if (rest == 1 && m && m->kind == menu_kind::list && req.method != "POST") {
    if (is_id_like(t.raw[i]))
      return mark(error_reply(400, "no such command prefix"));
    if (!parse_id(seg) && !m->named)
      return mark(error_reply(400, "no such command prefix"));
    if (req.method == "GET") {
      print_options o;
      for (auto& [k, v] : t.query)
        if (k == ".proplist") {
          o.has_proplist = true;
          o.proplist = split(v, ',');
        }
      return get_item(st, *m, seg, o);
    }
    if (req.method == "PUT")
      return mark(error_reply(400, "no such command"));
    if (req.method == "DELETE" && !m->has(c_remove)) {
      if (!find_item(st, *m, seg))
        return mark(error_reply(404, ""));
      return mark(error_reply(406, "no such command or directory (remove)"));
    }
    std::vector<std::uint32_t> ids;
    if (!find_item(st, *m, seg) || resolve_ids(st, *m, seg, ids))
      return mark(error_reply(404, ""));
    if (req.method == "DELETE") {
      auto res = op_remove(st, *m, ids, who);
      if (!res.ok())
        return mark(from_result(res, false));
      rest_reply r;
      r.status = 204;
      return mark(r);
    }
    if (req.method == "PATCH") {
      if (find_arg(args, ".id"))
        return mark(error_reply(400, "unknown parameter .id"));
      auto res = op_set(st, *m, ids, args, who);
      // RouterOS masks the real cause of a failed PATCH by name.
      if (!res.ok() && res.err.status == 400 && !parse_id(seg))
        res.err.detail = "missing or invalid resource identifier";
      if (!res.ok())
        return mark(from_result(res, false));
      rest_reply r;
      r.body = json_object(*find_item(st, *m, id_text(ids.front())));
      return mark(r);
    }
  }
  return mark(error_reply(400, "no such command or directory (" + seg + ")"));
}

} // namespace rmcp::sim
