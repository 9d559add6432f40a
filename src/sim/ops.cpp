#include "sim/ops.hpp"

#include <algorithm>
#include <cctype>

namespace rmcp::sim {

// -- printing -------------------------------------------------------------------

fields materialize(const router_state& st, const menu& m, const record& r) {
  fields out;
  out.reserve(m.defaults.size() + r.f.size() + 8);
  for (auto& [k, v] : m.defaults)
    out.set(k, v);
  for (auto& [k, v] : r.f)
    if (!k.empty() && k[0] != '~' && m.shows(k))
      out.set(k, v);
  if (m.kind == menu_kind::list)
    out.set(".id", id_text(r.id));
  if (m.compute)
    m.compute(st, r, out);
  return out;
}

namespace {

bool in_view(const menu& m, const record& r) {
  return m.type_filter.empty() || r.f.get("type") == m.type_filter;
}

} // namespace

void for_each_item(const router_state& st, const menu& m,
                   const std::function<void(const record&, fields&&)>& f) {
  for (auto& r : st.tab(m.table).rows)
    if (in_view(m, r))
      f(r, materialize(st, m, r));
  if (m.rows) {
    std::vector<record> dyn;
    m.rows(st, dyn);
    for (auto& r : dyn)
      f(r, materialize(st, m, r));
  }
}

fields singleton_item(const router_state& st, const menu& m) {
  static const record empty;
  if (m.profile_only)
    return materialize(st, m, empty);
  auto& t = st.tab(m.table);
  return materialize(st, m, t.rows.empty() ? empty : t.rows.front());
}

std::optional<fields> find_item(const router_state& st, const menu& m,
                                std::string_view ref) {
  auto id = parse_id(ref);
  std::optional<fields> found;
  if (!id && !m.named)
    return found;
  for_each_item(st, m, [&](const record& r, fields&& item) {
    if (found)
      return;
    if (id ? r.id == *id : item.get("name") == ref)
      found = std::move(item);
  });
  return found;
}

std::optional<op_error> resolve_ids(const router_state& st, const menu& m,
                                    std::string_view numbers,
                                    std::vector<std::uint32_t>& ids) {
  auto& t = st.tab(m.table);
  for (auto& word : split(numbers, ',')) {
    const record* hit = nullptr;
    if (auto id = parse_id(word)) {
      hit = t.find(*id);
    } else if (m.named) {
      for (auto& r : t.rows)
        if (in_view(m, r) && r.f.get("name") == word)
          hit = &r;
    }
    if (!hit || !in_view(m, *hit))
      return op_error{404, "no such item", ""};
    ids.push_back(hit->id);
  }
  return std::nullopt;
}

bool item_exists(const router_state& st, const menu& m, std::string_view name) {
  for (auto& r : st.tab(m.table).rows)
    if (in_view(m, r) && r.f.get("name") == name)
      return true;
  return false;
}

// -- value normalisation ----------------------------------------------------------------

namespace {

op_error no_match(const std::string& key) {
  return op_error{400, "input does not match any value of " + key, key};
}

bool valid_mac(std::string& v) {
  auto parts = split(v, ':', false);
  if (parts.size() != 6)
    return false;
  for (auto& p : parts)
    if (p.size() != 2 || !std::isxdigit(static_cast<unsigned char>(p[0]))
        || !std::isxdigit(static_cast<unsigned char>(p[1])))
      return false;
  for (auto& c : v)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return true;
}

std::optional<op_error> normalize_value(const router_state& st, const menu& m,
                                        const std::string& key,
                                        std::string& v) {
  const field_spec* s = m.spec(key);
  if (!s) {
    if (key == "disabled") {
      auto b = normalize_bool(v);
      if (!b)
        return no_match(key);
      v = *b;
    }
    return std::nullopt;
  }
  switch (s->type) {
    case ftype::text:
      return std::nullopt;
    case ftype::boolean: {
      auto b = normalize_bool(v);
      if (!b)
        return no_match(key);
      v = *b;
      return std::nullopt;
    }
    case ftype::integer: {
      auto n = parse_int(v);
      if (!n)
        return op_error{400, "invalid value for argument " + key, key};
      if (*n < s->lo || *n > s->hi)
        return op_error{400,
                        "value of " + key + " out of range ("
                          + std::to_string(s->lo) + ".." + std::to_string(s->hi)
                          + ")",
                        key};
      v = std::to_string(*n);
      return std::nullopt;
    }
    case ftype::duration: {
      if (std::find(s->options.begin(), s->options.end(), v)
          != s->options.end())
        return std::nullopt;
      auto us = parse_duration_us(v);
      if (!us)
        return op_error{400, "invalid time value for argument " + key, key};
      v = format_duration_us(*us);
      return std::nullopt;
    }
    case ftype::choice:
      if (std::find(s->options.begin(), s->options.end(), v)
          == s->options.end())
        return no_match(key);
      return std::nullopt;
    case ftype::choices:
      for (auto& item : split(v, ','))
        if (std::find(s->options.begin(), s->options.end(), item)
            == s->options.end())
          return no_match(key);
      return std::nullopt;
    case ftype::ipv4:
      if (!parse_ipv4(v))
        return op_error{400, "invalid value for argument " + key, key};
      return std::nullopt;
    case ftype::prefix:
      if (!parse_prefix(v))
        return op_error{400, "invalid value for argument " + key, key};
      return std::nullopt;
    case ftype::mac:
      if (!valid_mac(v))
        return op_error{400, "invalid value for argument " + key, key};
      return std::nullopt;
    case ftype::ref: {
      if (std::find(s->options.begin(), s->options.end(), v)
          != s->options.end())
        return std::nullopt;
      const menu* target = menu_tree::get().find(s->ref);
      if (!target || !item_exists(st, *target, v))
        return no_match(key);
      return std::nullopt;
    }
    case ftype::time_of_day:
      if (v != "startup" && !parse_time_of_day(v))
        return op_error{400, "invalid time value for argument " + key, key};
      return std::nullopt;
    case ftype::date: {
      auto d = parse_date(v);
      if (!d)
        return op_error{400, "invalid value for argument " + key, key};
      v = format_date(*d, st.profile.iso_dates());
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string args_text(const fields& given) {
  std::string out;
  for (auto& [k, v] : given) {
    if (k[0] == '~')
      continue;
    out += " " + k + "=" + script_quote(v);
  }
  return out;
}

std::string item_ref(const record& r) {
  if (auto* n = r.f.find("name"))
    return script_quote(*n);
  return id_text(r.id);
}

void log_change(router_state& st, const menu& m, const origin& who,
                const std::string& verb, const std::string& detail) {
  if (m.words.empty())
    return;
  st.log("system,info",
         m.words + " " + verb + " by " + who.text() + " (" + detail + ")");
}

/// Normalises `args` into `out`; skips `skip` keys.
std::optional<op_error>
normalize_args(const router_state& st, const menu& m, const arg_list& args,
               fields& out, std::initializer_list<std::string_view> skip) {
  for (auto& [k, v] : args) {
    if (std::find(skip.begin(), skip.end(), k) != skip.end())
      continue;
    if (!m.is_writable(k))
      return op_error{400, "unknown parameter " + k, k};
    std::string val = v;
    if (auto e = normalize_value(st, m, k, val))
      return e;
    out.set(k, std::move(val));
  }
  return std::nullopt;
}

std::optional<op_error> check_unique(const router_state& st, const menu& m,
                                     const fields& item, std::uint32_t self) {
  if (m.unique.empty())
    return std::nullopt;
  auto* v = item.find(m.unique);
  if (!v)
    return std::nullopt;
  for (auto& r : st.tab(m.table).rows)
    if (r.id != self && r.f.get(m.unique) == *v)
      return op_error{400, m.dup_error, m.unique};
  return std::nullopt;
}

/// Renaming an interface updates the items that refer to it by name.
void cascade_rename(router_state& st, const std::string& from,
                    const std::string& to) {
  static const char* const ref_keys[] = {
    "interface",     "bridge",           "in-interface",
    "out-interface", "master-interface", "actual-interface"};
  for (auto& m : menu_tree::get().menus()) {
    if (m->table == "interface")
      continue;
    for (auto& r : st.tab(m->table).rows)
      for (auto* key : ref_keys)
        if (auto* v = r.f.find(key); v && *v == from)
          r.f.set(key, to);
  }
}

void apply_args(fields& item, const fields& given) {
  for (auto& [k, v] : given) {
    if (k == "comment" && v.empty())
      item.erase(k);
    else
      item.set(k, v);
  }
}

void move_rows(table& t, const std::vector<std::uint32_t>& ids,
               const record* dest) {
  std::uint32_t dest_id = dest ? dest->id : 0;
  std::vector<record> moving;
  for (auto id : ids) {
    for (auto it = t.rows.begin(); it != t.rows.end(); ++it) {
      if (it->id == id) {
        moving.push_back(std::move(*it));
        t.rows.erase(it);
        break;
      }
    }
  }
  auto pos = t.rows.end();
  if (dest)
    pos = std::find_if(t.rows.begin(), t.rows.end(),
                       [&](const record& r) { return r.id == dest_id; });
  t.rows.insert(pos, std::make_move_iterator(moving.begin()),
                std::make_move_iterator(moving.end()));
}

} // namespace

// -- writes ---------------------------------------------------------------------------

cmd_result op_add(router_state& st, const menu& m, const arg_list& args,
                  const origin& who, std::uint32_t* new_id) {
  if (!m.has(c_add) || m.kind != menu_kind::list)
    return cmd_result::error(400, "no such command");
  fields item;
  if (auto e = normalize_args(st, m, args, item, {"place-before", "copy-from"}))
    return cmd_result::error(*e);
  auto& t = st.tab(m.table);
  if (auto* from = find_arg(args, "copy-from");
      from && m.is_writable("copy-from")) {
    std::vector<std::uint32_t> src;
    if (auto e = resolve_ids(st, m, *from, src))
      return cmd_result::error(*e);
    if (src.empty())
      return cmd_result::error(400, "missing =copy-from=", "copy-from");
    for (auto& [k, v] : t.find(src.front())->f)
      if (!item.has(k) && k != m.unique && k[0] != '~')
        item.set(k, v);
  }
  for (auto& [k, v] : m.fixed)
    item.set(k, v);
  for (auto& r : m.required)
    if (!item.has(r))
      return cmd_result::error(400, "missing =" + r + "=", r);
  auto given = item;
  for (auto& [k, v] : m.on_add)
    if (!item.has(k))
      item.set(k, v);
  if (m.validate)
    if (auto e = m.validate(st, nullptr, item))
      return cmd_result::error(*e);
  if (auto e = check_unique(st, m, item, 0))
    return cmd_result::error(*e);
  const record* dest = nullptr;
  std::vector<std::uint32_t> before;
  if (auto* pb = find_arg(args, "place-before");
      pb && m.is_writable("place-before")) {
    if (auto e = resolve_ids(st, m, *pb, before))
      return cmd_result::error(*e);
  }
  item.erase("comment");
  if (auto* c = given.find("comment"); c && !c->empty())
    item.set("comment", *c);
  auto id = t.insert(std::move(item));
  if (!before.empty()) {
    dest = t.find(before.front());
    move_rows(t, {id}, dest);
  }
  if (new_id)
    *new_id = id;
  log_change(st, m, who, "added",
             id_text(id) + " = /" + m.words + " add" + args_text(given));
  return cmd_result::returning(id_text(id));
}

cmd_result op_set(router_state& st, const menu& m,
                  const std::vector<std::uint32_t>& ids, const arg_list& args,
                  const origin& who) {
  if (!m.has(c_set))
    return cmd_result::error(400, "no such command");
  fields given;
  if (auto e = normalize_args(st, m, args, given, {".id", "numbers"}))
    return cmd_result::error(*e);
  // place-before and copy-from are add-only.
  for (auto* key : {"place-before", "copy-from"})
    if (given.has(key))
      return cmd_result::error(400, std::string{"unknown parameter "} + key,
                               key);
  auto& t = st.tab(m.table);
  if (m.kind == menu_kind::singleton) {
    if (t.rows.empty())
      t.insert_with_id(1, {});
    fields next = t.rows.front().f;
    apply_args(next, given);
    if (m.validate)
      if (auto e = m.validate(st, &t.rows.front(), next))
        return cmd_result::error(*e);
    t.rows.front().f = std::move(next);
    log_change(st, m, who, "changed",
               "/" + m.words + " set" + args_text(given));
    return {};
  }
  std::vector<fields> updated;
  for (auto id : ids) {
    auto* r = t.find(id);
    if (!r)
      return cmd_result::error(404, "no such item");
    fields next = r->f;
    apply_args(next, given);
    if (m.validate)
      if (auto e = m.validate(st, r, next))
        return cmd_result::error(*e);
    if (auto e = check_unique(st, m, next, id))
      return cmd_result::error(*e);
    updated.push_back(std::move(next));
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto* r = t.find(ids[i]);
    auto old_name = r->f.get("name");
    auto ref = item_ref(*r);
    r->f = std::move(updated[i]);
    if (m.table == "interface" && r->f.get("name") != old_name)
      cascade_rename(st, old_name, r->f.get("name"));
    log_change(st, m, who, "changed",
               "/" + m.words + " set " + ref + args_text(given));
  }
  return {};
}

cmd_result op_remove(router_state& st, const menu& m,
                     const std::vector<std::uint32_t>& ids, const origin& who) {
  if (!m.has(c_remove))
    return cmd_result::error(400, "no such command or directory (remove)");
  auto& t = st.tab(m.table);
  for (auto id : ids)
    if (!t.find(id))
      return cmd_result::error(404, "no such item");
  for (auto id : ids) {
    auto ref = item_ref(*t.find(id));
    t.erase(id);
    log_change(st, m, who, "removed", "/" + m.words + " remove " + ref);
  }
  return {};
}

namespace {

std::optional<op_error> target_ids(command_ctx& ctx,
                                   std::vector<std::uint32_t>& ids,
                                   const char* missing = "missing =.id=") {
  auto* ref = find_arg(ctx.args, ".id");
  if (!ref)
    ref = find_arg(ctx.args, "numbers");
  if (!ref)
    return op_error{400, missing, ".id"};
  return resolve_ids(ctx.st, *ctx.m, *ref, ids);
}

cmd_result set_flag(command_ctx& ctx, const char* key, std::string value) {
  std::vector<std::uint32_t> ids;
  if (auto e = target_ids(ctx, ids))
    return cmd_result::error(*e);
  return op_set(ctx.st, *ctx.m, ids, {{key, std::move(value)}}, ctx.who);
}

cmd_result do_move(command_ctx& ctx) {
  std::vector<std::uint32_t> ids;
  if (auto e = target_ids(ctx, ids))
    return cmd_result::error(*e);
  auto& t = ctx.st.tab(ctx.m->table);
  const record* dest = nullptr;
  if (auto* d = find_arg(ctx.args, "destination")) {
    std::vector<std::uint32_t> dest_ids;
    if (!resolve_ids(ctx.st, *ctx.m, *d, dest_ids) && !dest_ids.empty())
      dest = t.find(dest_ids.front());
  }
  if (dest && std::find(ids.begin(), ids.end(), dest->id) != ids.end())
    return cmd_result::error(400, "failure: can not move object before itself");
  move_rows(t, ids, dest);
  return {};
}

} // namespace

bool is_write_command(std::string_view command) {
  return command == "add" || command == "set" || command == "remove"
         || command == "enable" || command == "disable" || command == "move"
         || command == "comment" || command == "unset";
}

cmd_result run_generic(command_ctx& ctx, std::string_view command) {
  const menu& m = *ctx.m;
  if (command == "add")
    return op_add(ctx.st, m, ctx.args, ctx.who);
  if (command == "set") {
    std::vector<std::uint32_t> ids;
    if (m.kind == menu_kind::list)
      if (auto e = target_ids(ctx, ids))
        return cmd_result::error(*e);
    return op_set(ctx.st, m, ids, ctx.args, ctx.who);
  }
  if (command == "remove") {
    std::vector<std::uint32_t> ids;
    if (auto e = target_ids(ctx, ids))
      return cmd_result::error(*e);
    return op_remove(ctx.st, m, ids, ctx.who);
  }
  if (command == "enable" || command == "disable")
    return set_flag(ctx, "disabled", command == "disable" ? "true" : "false");
  if (command == "comment") {
    auto* c = find_arg(ctx.args, "comment");
    return set_flag(ctx, "comment", c ? *c : std::string{});
  }
  if (command == "move")
    return do_move(ctx);
  if (command == "unset") {
    std::vector<std::uint32_t> ids;
    if (auto e = target_ids(ctx, ids))
      return cmd_result::error(*e);
    auto* name = find_arg(ctx.args, "value-name");
    if (!name)
      return cmd_result::error(400, "missing =value-name=", "value-name");
    if (!m.is_writable(*name))
      return cmd_result::error(400, "unknown parameter " + *name, *name);
    for (auto id : ids)
      ctx.st.tab(m.table).find(id)->f.erase(*name);
    return {};
  }
  return cmd_result::error(400, "no such command");
}

} // namespace rmcp::sim
