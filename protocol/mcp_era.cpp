#include "protocol/mcp_era.hpp"

#include "protocol/error.hpp"
#include "protocol/mcp.hpp"

namespace rmcp::mcp {

const std::vector<std::string>& all_versions() {
  static const std::vector<std::string> versions = [] {
    std::vector<std::string> out{std::string{modern_version}};
    for (auto& v : supported_versions())
      out.push_back(v);
    return out;
  }();
  return versions;
}

namespace {

caf::error invalid_meta(const char* key, const std::string& what) {
  return make_error(ec::invalid_params,
                    std::string{"_meta \""} + key + "\" " + what);
}

} // namespace

request_era read_era(const json& params) {
  request_era out;
  if (!params.is_object())
    return out;
  auto meta = params.find("_meta");
  if (meta == params.end() || !meta->is_object())
    return out;
  auto version = meta->find(meta_key::protocol_version);
  if (version == meta->end())
    return out;
  out.modern = true;
  if (!version->is_string()) {
    out.error = invalid_meta(meta_key::protocol_version,
                             "must be a string such as \""
                               + std::string{modern_version} + "\"");
    return out;
  }
  out.version = version->get<std::string>();
  auto caps = meta->find(meta_key::client_capabilities);
  if (caps == meta->end() || !caps->is_object()) {
    out.error = invalid_meta(meta_key::client_capabilities,
                             "is required and must be an object (use {} for "
                             "none)");
    return out;
  }
  if (auto level = meta->find(meta_key::log_level); level != meta->end()) {
    if (level->is_string())
      out.log_rank = log_level_rank(level->get<std::string>());
    if (!out.log_rank) {
      std::string legal;
      for (auto& l : log_levels())
        legal += (legal.empty() ? "" : ", ") + l;
      out.error = invalid_meta(meta_key::log_level, "must be one of " + legal);
      return out;
    }
  }
  if (out.version != modern_version)
    out.error = make_version_error(out.version);
  return out;
}

} // namespace rmcp::mcp
