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

/// Option keys have two levels ("http.listen"); deeper mappings are
/// refused before they are walked. An alias may point at the mapping that
/// holds it (`x: &a {b: *a}`), and walking that would never end.
constexpr int max_key_depth = 8;

/// The keys below `node`; the deepest key path when a mapping nests deeper
/// than max_key_depth (nothing else is then reliable).
std::string flatten(const YAML::Node& node, const std::string& prefix,
                    std::vector<std::pair<std::string, YAML::Node>>& out,
                    int depth = 1) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    auto key = prefix.empty() ? it->first.as<std::string>()
                              : prefix + "." + it->first.as<std::string>();
    if (!it->second.IsMap()) {
      out.emplace_back(key, it->second);
      continue;
    }
    if (depth >= max_key_depth)
      return key;
    if (auto deep = flatten(it->second, key, out, depth + 1); !deep.empty())
      return deep;
  }
  return {};
}

caf::error apply_yaml_root(server_options& opts, const YAML::Node& root,
                           const std::string& origin) {
  if (root.IsNull())
    return caf::none;
  if (!root.IsMap())
    return make_error(ec::invalid_params,
                      origin + ": the top level must be a mapping of keys");
  std::vector<std::pair<std::string, YAML::Node>> entries;
  try {
    if (auto deep = flatten(root, "", entries); !deep.empty())
      return make_error(ec::invalid_params, origin + ": " + deep.substr(0, 200)
                                              + ": mappings nest deeper than "
                                              + std::to_string(max_key_depth)
                                              + " levels (a recursive alias?)");
  } catch (const YAML::Exception& e) {
    return make_error(ec::invalid_params, origin + ": " + e.what());
  }
  for (auto& [key, node] : entries) {
    if (!node.IsScalar())
      return make_error(ec::invalid_params,
                        origin + ": " + key + ": expected a single value");
    if (auto err = set_option(opts, key, node.Scalar(), origin))
      return err;
  }
  return caf::none;
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
  return apply_yaml_root(opts, root, path);
}

caf::error apply_yaml_text(server_options& opts, const std::string& text,
                           const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return make_error(ec::invalid_params, origin + ": " + e.what());
  }
  return apply_yaml_root(opts, root, origin);
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
