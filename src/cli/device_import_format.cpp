// The import/export file formats of `device import|export`: CSV with a
// header line, and YAML with a `devices:` list (src/cli/device_import.hpp).

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "protocol/error.hpp"
#include "src/cli/device_import.hpp"

namespace rmcp::cli {

namespace {

/// The columns, in export order.
const std::vector<std::string> columns{
  "id",          "host",         "port",         "scheme",          "username",
  "environment", "name",         "tls_mode",     "fingerprint",     "ca_file",
  "server_name", "tags",         "flags",        "management_path", "transport",
  "ssh_port",    "ssh_host_key", "password_env", "password_file"};

caf::error bad(const std::string& field, const std::string& why) {
  return make_error(ec::invalid_arguments, field + ": " + why);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + sep) {
    if (c == sep) {
      auto first = item.find_first_not_of(' ');
      auto last = item.find_last_not_of(' ');
      if (first != std::string::npos)
        out.push_back(item.substr(first, last - first + 1));
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

caf::error set_flags(device_record& r, const std::vector<std::string>& names) {
  for (auto& name : names) {
    bool found = false;
    for (auto& def : device_flag_table)
      if (device_flag_option(def) == name) {
        r.flags.*(def.member) = true;
        found = true;
      }
    if (!found) {
      std::string legal;
      for (auto& def : device_flag_table)
        legal += (legal.empty() ? "" : ", ") + device_flag_option(def);
      return bad("flags", "unknown flag '" + name + "' (legal: " + legal + ")");
    }
  }
  return caf::none;
}

caf::error set_tag(device_record& r, const std::string& key,
                   const std::string& value) {
  if (key.empty())
    return bad("tags", "a tag needs a key (key=value)");
  r.tags[key] = value;
  return caf::none;
}

/// Sets one field from its text; `tls_given` notes an explicit tls_mode.
caf::error set_field(import_row& row, const std::string& key,
                     const std::string& value, bool& tls_given,
                     bool& port_given) {
  auto& r = row.record;
  if (key == "password" || key == "secret")
    return bad(key, "passwords are never inline: name a variable "
                    "(password_env) or a file (password_file)");
  if (value.empty())
    return caf::none;
  if (key == "id") {
    r.id = value;
  } else if (key == "host") {
    r.host = value;
  } else if (key == "port") {
    if (value.size() > 5
        || value.find_first_not_of("0123456789") != std::string::npos
        || std::stoul(value) == 0 || std::stoul(value) > 65535)
      return bad("port", "'" + value + "' is not a port 1..65535");
    r.port = static_cast<uint16_t>(std::stoul(value));
    port_given = true;
  } else if (key == "scheme") {
    r.scheme = value;
  } else if (key == "username") {
    r.username = value;
  } else if (key == "environment") {
    r.environment = value;
  } else if (key == "name") {
    r.name = value;
  } else if (key == "tls_mode") {
    r.tls.mode = value;
    tls_given = true;
  } else if (key == "fingerprint") {
    r.tls.fingerprint_sha256 = normalize_fingerprint(value);
    if (r.tls.fingerprint_sha256.empty())
      return bad("fingerprint", "expected 32 hex bytes (64 hex digits, "
                                "colons allowed), got '"
                                  + value + "'");
  } else if (key == "ca_file") {
    r.tls.ca_file = value;
  } else if (key == "server_name") {
    r.tls.server_name = value;
  } else if (key == "tags") {
    for (auto& kv : split(value, ';')) {
      auto eq = kv.find('=');
      if (eq == std::string::npos)
        return bad("tags", "expected key=value;key=value, got '" + kv + "'");
      if (auto err = set_tag(r, kv.substr(0, eq), kv.substr(eq + 1)))
        return err;
    }
  } else if (key == "flags") {
    return set_flags(r, split(value, ';'));
  } else if (key == "management_path") {
    if (value == "true" || value == "yes" || value == "1")
      r.management_path = true;
    else if (value != "false" && value != "no" && value != "0")
      return bad("management_path",
                 "expected true or false, got '" + value + "'");
  } else if (key == "transport") {
    if (!is_transport(value))
      return bad("transport", "'" + value + "'; legal: rest, ssh, auto");
    r.ssh.transport = value;
  } else if (key == "ssh_port") {
    auto n = value.find_first_not_of("0123456789") == std::string::npos
                 && !value.empty() && value.size() <= 5
               ? std::stoi(value)
               : 0;
    if (n < 1 || n > 65535)
      return bad("ssh_port", "expected 1..65535, got '" + value + "'");
    r.ssh.port = static_cast<uint16_t>(n);
  } else if (key == "ssh_host_key") {
    r.ssh.host_key_sha256 = normalize_fingerprint(value);
    if (!value.empty() && r.ssh.host_key_sha256.empty())
      return bad("ssh_host_key", "expected 32 hex bytes, got '" + value + "'");
  } else if (key == "password_env") {
    row.password_env = value;
  } else if (key == "password_file") {
    row.password_file = value;
  } else {
    std::string legal;
    for (auto& c : columns)
      legal += (legal.empty() ? "" : ", ") + c;
    return bad(key, "unknown field (legal: " + legal + ")");
  }
  return caf::none;
}

/// Defaults that depend on other fields, then the record's own checks.
caf::error finish(import_row& row, bool tls_given, bool port_given) {
  auto& r = row.record;
  if (!r.tls.fingerprint_sha256.empty() && !tls_given)
    r.tls.mode = "pin";
  if (!port_given && r.scheme == "http")
    r.port = 80;
  if (r.name.empty())
    r.name = r.id;
  return validate(r);
}

std::string where(const import_row& row) {
  return "line " + std::to_string(row.line)
         + (row.record.id.empty() ? "" : " (" + row.record.id + ")");
}

// -- CSV ----------------------------------------------------------------------

/// RFC 4180 fields of one record starting at `pos` (quotes, doubled quotes,
/// separators and line breaks inside quotes); advances `pos` past it.
caf::expected<std::vector<std::string>> csv_record(const std::string& text,
                                                   size_t& pos, size_t& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  while (pos < text.size()) {
    char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          field += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n')
          ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n') {
      ++line;
      break;
    } else if (c != '\r') {
      field += c;
    }
  }
  if (quoted)
    return make_error(ec::invalid_arguments,
                      "line " + std::to_string(line) + ": unterminated quote");
  fields.push_back(std::move(field));
  for (auto& f : fields) {
    auto first = f.find_first_not_of(' ');
    f = first == std::string::npos
          ? std::string{}
          : f.substr(first, f.find_last_not_of(' ') - first + 1);
  }
  return fields;
}

caf::expected<import_parse> parse_csv(const std::string& text,
                                      const std::string& environment) {
  import_parse out;
  size_t pos = 0;
  size_t line = 1;
  auto header = csv_record(text, pos, line);
  if (!header)
    return header.error();
  for (auto& name : *header) {
    if (name == "password" || name == "secret")
      return make_error(ec::invalid_arguments,
                        "column '" + name
                          + "': passwords are never inline; name a variable "
                            "(password_env) or a file (password_file)");
    if (std::find(columns.begin(), columns.end(), name) == columns.end())
      return make_error(ec::invalid_arguments,
                        "unknown column '" + name + "' in the header line");
  }
  if (std::find(header->begin(), header->end(), "id") == header->end())
    return make_error(ec::invalid_arguments,
                      "the header line has no 'id' column (expected e.g. "
                      "id,host,port,username,password_env,fingerprint)");
  while (pos < text.size()) {
    auto row_line = line;
    auto fields = csv_record(text, pos, line);
    if (!fields)
      return fields.error();
    if (fields->size() == 1 && (*fields)[0].empty())
      continue; // blank line
    import_row row;
    row.line = row_line;
    row.record.environment = environment;
    bool tls_given = false;
    bool port_given = false;
    caf::error err;
    // The id first, so that a refusal of a short row still names it.
    auto id_col = static_cast<size_t>(
      std::find(header->begin(), header->end(), "id") - header->begin());
    if (id_col < fields->size())
      row.record.id = (*fields)[id_col];
    if (fields->size() != header->size())
      err = make_error(ec::invalid_arguments,
                       std::to_string(fields->size()) + " fields, the header "
                         + "has " + std::to_string(header->size()));
    for (size_t i = 0; !err && i < fields->size(); ++i)
      err = set_field(row, (*header)[i], (*fields)[i], tls_given, port_given);
    if (!err)
      err = finish(row, tls_given, port_given);
    if (err)
      out.refused.push_back(where(row) + ": " + error_message(err));
    else
      out.rows.push_back(std::move(row));
  }
  return out;
}

// -- YAML ---------------------------------------------------------------------

caf::error set_yaml_field(import_row& row, const std::string& key,
                          const YAML::Node& value, bool& tls_given,
                          bool& port_given) {
  if (key == "tags" && value.IsMap()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!it->second.IsScalar())
        return bad("tags", "tag values are text");
      if (auto err = set_tag(row.record, it->first.as<std::string>(),
                             it->second.as<std::string>()))
        return err;
    }
    return caf::none;
  }
  if (key == "flags" && value.IsSequence()) {
    std::vector<std::string> names;
    for (const auto& item : value) {
      if (!item.IsScalar())
        return bad("flags", "a list of flag names");
      names.push_back(item.as<std::string>());
    }
    return set_flags(row.record, names);
  }
  if (!value.IsScalar() && !value.IsNull())
    return bad(key, "expected a single value");
  return set_field(row, key, value.IsNull() ? "" : value.as<std::string>(),
                   tls_given, port_given);
}

caf::expected<import_parse> parse_yaml(const std::string& text,
                                       const std::string& environment) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return make_error(ec::invalid_arguments,
                      std::string{"not YAML: "} + e.what());
  }
  if (!root.IsMap() || !root["devices"] || !root["devices"].IsSequence())
    return make_error(ec::invalid_arguments,
                      "expected a YAML map with a `devices:` list");
  import_parse out;
  size_t n = 0;
  for (const auto& item : root["devices"]) {
    import_row row;
    row.line = ++n;
    row.record.environment = environment;
    bool tls_given = false;
    bool port_given = false;
    caf::error err;
    if (!item.IsMap())
      err = make_error(ec::invalid_arguments, "a device is a map of fields");
    try {
      if (!err && item["id"] && item["id"].IsScalar())
        row.record.id = item["id"].as<std::string>();
      for (auto it = item.begin(); !err && it != item.end(); ++it)
        err = set_yaml_field(row, it->first.as<std::string>(), it->second,
                             tls_given, port_given);
    } catch (const YAML::Exception& e) {
      err = make_error(ec::invalid_arguments, e.what());
    }
    if (!err)
      err = finish(row, tls_given, port_given);
    if (err)
      out.refused.push_back("device " + where(row).substr(5) + ": "
                            + error_message(err));
    else
      out.rows.push_back(std::move(row));
  }
  return out;
}

// -- export -------------------------------------------------------------------

std::string tags_text(const device_record& r) {
  std::string out;
  for (auto& [k, v] : r.tags)
    out += (out.empty() ? "" : ";") + k + "=" + v;
  return out;
}

std::vector<std::string> flag_names(const device_record& r) {
  std::vector<std::string> out;
  for (auto& def : device_flag_table)
    if (r.flags.*(def.member))
      out.push_back(device_flag_option(def));
  return out;
}

std::vector<std::string> export_fields(const device_record& r) {
  std::string flags;
  for (auto& f : flag_names(r))
    flags += (flags.empty() ? "" : ";") + f;
  return {r.id,
          r.host,
          std::to_string(r.port),
          r.scheme,
          r.username,
          r.environment,
          r.name,
          r.tls.mode,
          r.tls.fingerprint_sha256,
          r.tls.ca_file,
          r.tls.server_name,
          tags_text(r),
          flags,
          r.management_path ? "true" : "false",
          r.ssh.transport,
          std::to_string(r.ssh.port),
          r.ssh.host_key_sha256,
          "",
          ""};
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos)
    return text;
  std::string out = "\"";
  for (char c : text)
    out += c == '"' ? std::string{"\"\""} : std::string(1, c);
  return out + "\"";
}

} // namespace

caf::expected<import_parse> parse_import(const std::string& text,
                                         const std::string& format,
                                         const std::string& environment) {
  import_parse parsed;
  if (format == "csv") {
    auto p = parse_csv(text, environment);
    if (!p)
      return p.error();
    parsed = std::move(*p);
  } else if (format == "yaml") {
    auto p = parse_yaml(text, environment);
    if (!p)
      return p.error();
    parsed = std::move(*p);
  } else {
    return make_error(ec::invalid_arguments,
                      "--format: csv or yaml, got '" + format + "'");
  }
  std::set<std::string> seen;
  std::vector<import_row> unique;
  for (auto& row : parsed.rows) {
    if (!seen.insert(row.record.id).second)
      parsed.refused.push_back(where(row) + ": id '" + row.record.id
                               + "' appears more than once in the file");
    else
      unique.push_back(std::move(row));
  }
  parsed.rows = std::move(unique);
  return parsed;
}

std::string export_devices(const std::vector<device_record>& devices,
                           const std::string& format) {
  std::ostringstream out;
  if (format == "csv") {
    for (size_t i = 0; i < columns.size(); ++i)
      out << (i ? "," : "") << columns[i];
    out << "\n";
    for (auto& r : devices) {
      auto fields = export_fields(r);
      for (size_t i = 0; i < fields.size(); ++i)
        out << (i ? "," : "") << csv_field(fields[i]);
      out << "\n";
    }
    return out.str();
  }
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "devices" << YAML::Value
    << YAML::BeginSeq;
  for (auto& r : devices) {
    auto fields = export_fields(r);
    y << YAML::BeginMap;
    for (size_t i = 0; i < columns.size(); ++i) {
      const auto& key = columns[i];
      if (key == "password_env" || key == "password_file")
        continue;
      if (key == "tags") {
        y << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap;
        for (auto& [k, v] : r.tags)
          y << YAML::Key << k << YAML::Value << v;
        y << YAML::EndMap;
      } else if (key == "flags") {
        y << YAML::Key << key << YAML::Value << YAML::Flow << flag_names(r);
      } else if (key == "port") {
        y << YAML::Key << key << YAML::Value << r.port;
      } else if (key == "management_path") {
        y << YAML::Key << key << YAML::Value << r.management_path;
      } else if (!fields[i].empty()) {
        y << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << fields[i];
      }
    }
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
  return std::string{y.c_str()} + "\n";
}

} // namespace rmcp::cli
