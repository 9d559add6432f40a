// The YAML side of the options (src/config/options_table.hpp): a
// configuration file applied key by key through set_option, and the
// effective options written back as YAML. The key table and the typed
// setting of each key are in options_table.cpp.

#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "protocol/error.hpp"
#include "src/config/options_table.hpp"

namespace rmcp::config {

namespace {

void flatten(const YAML::Node& node, const std::string& prefix,
             std::vector<std::pair<std::string, YAML::Node>>& out) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    auto key = prefix.empty() ? it->first.as<std::string>()
                              : prefix + "." + it->first.as<std::string>();
    if (it->second.IsMap())
      flatten(it->second, key, out);
    else
      out.emplace_back(key, it->second);
  }
}

} // namespace

caf::error apply_yaml_file(server_options& opts, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return make_error(ec::invalid_params,
                      path + ": cannot read the configuration file");
  } catch (const YAML::Exception& e) {
    return make_error(ec::invalid_params, path + ": " + e.what());
  }
  if (root.IsNull())
    return caf::none;
  if (!root.IsMap())
    return make_error(ec::invalid_params,
                      path + ": the top level must be a mapping of keys");
  std::vector<std::pair<std::string, YAML::Node>> entries;
  try {
    flatten(root, "", entries);
  } catch (const YAML::Exception& e) {
    return make_error(ec::invalid_params, path + ": " + e.what());
  }
  for (auto& [key, node] : entries) {
    if (!node.IsScalar())
      return make_error(ec::invalid_params,
                        path + ": " + key + ": expected a single value");
    if (auto err = set_option(opts, key, node.Scalar(), path))
      return err;
  }
  return caf::none;
}

std::string to_yaml(const server_options& opts) {
  YAML::Node root;
  for (auto& def : option_table()) {
    auto key = def.key;
    auto value = get_option(opts, key);
    auto dot = key.find('.');
    if (dot == std::string::npos)
      root[key] = value;
    else
      root[key.substr(0, dot)][key.substr(dot + 1)] = value;
  }
  YAML::Emitter out;
  out << root;
  return std::string{out.c_str()} + "\n";
}

} // namespace rmcp::config
