#include "protocol/config_export.hpp"

#include <map>

#include "protocol/error.hpp"
#include "protocol/redact.hpp"

namespace rmcp {

std::vector<std::string> config_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    auto nl = text.find('\n', i);
    auto line = text.substr(i, nl == std::string::npos ? nl : nl - i);
    i = nl == std::string::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (!line.empty() && line[0] != '#')
      out.push_back(std::move(line));
  }
  return out;
}

namespace {

/// Lines of `a` missing from `b`, counting repeats.
std::vector<std::string> missing_from(const std::vector<std::string>& a,
                                      const std::vector<std::string>& b) {
  std::map<std::string, int> count;
  for (auto& l : b)
    ++count[l];
  std::vector<std::string> out;
  for (auto& l : a)
    if (count[l]-- <= 0)
      out.push_back(l);
  return out;
}

} // namespace

config_diff diff_config(const std::string& before, const std::string& after) {
  auto old_lines = config_lines(before);
  auto new_lines = config_lines(after);
  return {missing_from(new_lines, old_lines),
          missing_from(old_lines, new_lines)};
}

json drift_summary(const config_diff& diff) {
  // Enough to see what changed; the counts are always complete.
  constexpr size_t listed = 20;
  auto first = [](const std::vector<std::string>& lines) {
    auto out = json::array();
    for (size_t i = 0; i < lines.size() && i < listed; ++i)
      out.push_back(lines[i]);
    return out;
  };
  return {{"lines_added", diff.added.size()},
          {"lines_removed", diff.removed.size()},
          {"added", first(diff.added)},
          {"removed", first(diff.removed)}};
}

rest_request export_request() {
  rest_request req;
  req.method = "POST";
  req.path = "/execute";
  req.body = {{"script", "/export terse"}, {"as-string", ""}};
  return req;
}

caf::expected<snapshot_record> export_snapshot(const std::string& device_id,
                                               const rest_response& resp,
                                               int64_t now_ms) {
  auto ret = resp.body.is_object() ? resp.body.find("ret") : resp.body.end();
  if (!resp.body.is_object() || ret == resp.body.end() || !ret->is_string())
    return make_error(ec::router_bad_response,
                      "router " + device_id
                        + " answered the export without text (ret)");
  snapshot_record snap;
  snap.device_id = device_id;
  snap.kind = "config";
  snap.content = redact_export(ret->get<std::string>());
  snap.timestamp = now_ms;
  return snap;
}

std::string config_resource_uri(const std::string& device_id) {
  return "device://" + device_id + "/config";
}

std::string config_drift_resource_uri(const std::string& device_id) {
  return "device://" + device_id + "/config-drift";
}

} // namespace rmcp
