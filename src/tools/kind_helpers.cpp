#include "src/tools/kind_helpers.hpp"

#include <algorithm>

#include "protocol/error.hpp"
#include "protocol/net_text.hpp"

namespace rmcp::tools::kind {

caf::error bad(const std::string& text) {
  return make_error(ec::invalid_arguments, text);
}

rest_request request(const char* method, std::string path, json body) {
  rest_request req;
  req.method = method;
  req.path = std::move(path);
  req.body = std::move(body);
  return req;
}

std::optional<std::string> address_or_prefix(const std::string& text) {
  if (net::is_ip(text))
    return text;
  auto p = net::parse_prefix(text);
  if (!p)
    return std::nullopt;
  return p->length == p->max_length() ? net::address_text(*p)
                                      : net::to_string(net::network_of(*p));
}

bool truthy(const json& v) {
  return v == true || v == "true" || v == "yes";
}

caf::error check_text(const std::string& text, const char* name) {
  auto unsafe = std::any_of(text.begin(), text.end(), [](char c) {
    return c == '"' || c == '\\' || c == '$' || c == ';' || c == '[' || c == ']'
           || c == '{' || c == '}' || static_cast<unsigned char>(c) < 0x20;
  });
  if (unsafe)
    return bad(std::string{name}
               + ": quotes, backslashes, $ ; [ ] { } and control characters "
                 "are not allowed");
  return caf::none;
}

std::optional<std::string> duration(const std::string& text) {
  static constexpr std::pair<char, long long> units[] = {
    {'w', 604800}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
  long long total = 0, n = 0;
  bool digits = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      n = n * 10 + (c - '0');
      digits = true;
      if (n > 100000000)
        return std::nullopt;
      continue;
    }
    auto u = std::find_if(std::begin(units), std::end(units),
                          [c](auto& x) { return x.first == c; });
    if (!digits || u == std::end(units))
      return std::nullopt;
    total += n * u->second;
    n = 0;
    digits = false;
  }
  if (digits || total <= 0)
    return std::nullopt;
  std::string out;
  for (auto& [name, size] : units)
    if (total >= size) {
      out += std::to_string(total / size) + name;
      total %= size;
    }
  return out;
}

std::string differences(const json& want, const json& have) {
  std::string out;
  auto note = [&](const std::string& k, const json& a, const json& b) {
    out += (out.empty() ? "" : ", ") + k + ": " + b.dump() + " (expected "
           + a.dump() + ")";
  };
  for (auto& [k, v] : want.items())
    if (!have.contains(k) || have[k] != v)
      note(k, v, have.contains(k) ? have[k] : json(nullptr));
  for (auto& [k, v] : have.items())
    if (!want.contains(k))
      note(k, nullptr, v);
  return out;
}

json row_state(const json& row, const std::vector<std::string>& keep) {
  json out{{"id", row.value(".id", "")}};
  for (auto& k : keep) {
    if (!row.contains(k))
      continue;
    auto& v = row[k];
    auto text = v.is_string() ? v.get<std::string>() : v.dump();
    if (!text.empty() && text != "false")
      out[k] = text;
  }
  return out;
}

json content(json row) {
  row.erase("id");
  return row;
}

json creation(const json& row) {
  auto out = content(row);
  out["disabled"] = row.value("disabled", "false") == "true" ? "true" : "false";
  return out;
}

void patch_back(const std::string& path, const json& want, const json& have,
                std::vector<rest_request>& out) {
  auto id = have.value("id", "");
  json body = json::object();
  std::vector<std::string> unset;
  for (auto& [k, v] : want.items())
    if (k != "id" && have.value(k, "") != v)
      body[k] = v;
  for (auto& [k, v] : have.items())
    if (k != "id" && !want.contains(k)) {
      if (v == "true")
        body[k] = "false"; // booleans: false is the default we dropped
      else
        unset.push_back(k);
    }
  if (!body.empty())
    out.push_back(request("PATCH", path + "/" + id, body));
  for (auto& k : unset)
    out.push_back(
      request("POST", path + "/unset", {{"numbers", id}, {"value-name", k}}));
}

namespace {

std::vector<std::string> sorted_contents(const json& rows) {
  std::vector<std::string> out;
  if (rows.is_array())
    for (auto& r : rows)
      out.push_back(content(r).dump());
  std::sort(out.begin(), out.end());
  return out;
}

const json* find_id(const json& rows, const json& id) {
  if (rows.is_array())
    for (auto& r : rows)
      if (r["id"] == id)
        return &r;
  return nullptr;
}

} // namespace

std::string compare_tables(const json& want, const json& have) {
  std::string out;
  for (auto& [path, rows] : want.items()) {
    if (path.empty() || path[0] != '/')
      continue; // context read for planning, not state
    auto w = sorted_contents(rows);
    auto h = sorted_contents(have.contains(path) ? have[path] : json::array());
    if (w == h)
      continue;
    auto list = [](const std::vector<std::string>& xs) {
      std::string s = "[";
      for (auto& x : xs)
        s += (s.size() > 1 ? "," : "") + x;
      return s + "]";
    };
    out += (out.empty() ? "" : "; ") + path + " is " + list(h) + ", expected "
           + list(w);
  }
  return out;
}

std::vector<rest_request>
restore_tables(const json& snapshot, const json& now,
               const std::vector<std::string>& paths,
               const std::vector<std::string>& with_disabled) {
  std::vector<rest_request> out;
  auto rows = [](const json& state, const std::string& path) {
    return state.contains(path) ? state[path] : json::array();
  };
  for (auto p = paths.rbegin(); p != paths.rend(); ++p)
    for (auto& r : rows(now, *p))
      if (!find_id(rows(snapshot, *p), r["id"]))
        out.push_back(request("DELETE", *p + "/" + r["id"].get<std::string>()));
  for (auto& p : paths) {
    auto have = rows(now, p);
    for (auto& w : rows(snapshot, p)) {
      if (auto* h = find_id(have, w["id"]))
        patch_back(p, w, *h, out);
      else
        out.push_back(
          request("PUT", p,
                  std::count(with_disabled.begin(), with_disabled.end(), p) > 0
                    ? creation(w)
                    : content(w)));
    }
  }
  return out;
}

} // namespace rmcp::tools::kind
