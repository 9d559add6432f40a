#include "src/cli/device_cli.hpp"

#include <future>
#include <iostream>

#include "actors/device_actor.hpp"
#include "actors/device_health.hpp"
#include "protocol/error.hpp"
#include "protocol/routeros.hpp"
#include "protocol/system_resource.hpp"
#include "protocol/version.hpp"
#include "src/app/identities.hpp"
#include "src/app/runtime.hpp"
#include "src/app/store_setup.hpp"
#include "src/cli/cli_io.hpp"
#include "src/cli/device_options.hpp"
#include "src/routeros/beast_client.hpp"
#include "src/routeros/ssh_client.hpp"
#include "src/tools/device_report.hpp"
#include "storage/audit_log.hpp"

namespace rmcp::cli {

namespace {

int code_for(const caf::error& err) {
  switch (error_code_of(err)) {
    case ec::invalid_arguments:
    case ec::invalid_params:
      return exit_code::usage;
    case ec::device_not_found:
      return exit_code::not_found;
    case ec::conflict:
      return exit_code::exists;
    default:
      return exit_code::failure;
  }
}

int report(const caf::error& err) {
  std::cerr << "routeros-mcp: " << error_message(err) << "\n";
  return code_for(err);
}

std::string endpoint_text(const device_record& r) {
  auto text = r.scheme + "://" + r.host + ":" + std::to_string(r.port);
  if (r.scheme == "https")
    text += " (tls " + r.tls.mode + ")";
  return text;
}

std::string flags_text(const device_flags& f) {
  std::string out;
  for (auto& def : device_flag_table)
    if (f.*(def.member))
      out += (out.empty() ? "" : ",") + device_flag_option(def);
  return out.empty() ? "-" : out;
}

std::string tags_text(const std::map<std::string, std::string>& tags) {
  std::string out;
  for (auto& [k, v] : tags)
    out += (out.empty() ? "" : ",") + k + "=" + v;
  return out.empty() ? "-" : out;
}

} // namespace

struct device_cli::state {
  CLI::App* root = nullptr;
  CLI::App* add = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* update = nullptr;
  CLI::App* remove = nullptr;
  CLI::App* check = nullptr;
  std::string id;
  bool as_json = false;
  bool yes = false;
  std::string filter_environment;
  record_options rec;
  const config::server_options* opts = nullptr;
  std::shared_ptr<storage::device_store> db;

  void print(const json& value) {
    std::cout << value.dump(2) << "\n";
  }

  /// Appends a `change` record of this registry change (`before`/`after`
  /// null when the device did not / no longer exists; `login`: what
  /// happened to the stored credential) to the audit trail; a failed append
  /// is reported, the change stays.
  void audit(const char* command, json before, json after,
             const std::string& login) {
    auto who = app::cli_identity(*opts, "");
    audit_record r;
    r.kind = audit_kind::change;
    r.actor = who.subject;
    r.role = who.role;
    r.transport = who.transport;
    r.tool = std::string{"device "} + command;
    r.device_id = id;
    r.devices = {id};
    r.outcome = "applied";
    r.arguments = {{"login", login}};
    r.before = std::move(before);
    r.after = std::move(after);
    storage::audit_log trail{db->kv()};
    if (auto seq = trail.append(std::move(r)); !seq)
      std::cerr << "routeros-mcp: the change was made but not recorded in "
                   "the audit trail: "
                << error_message(seq.error()) << "\n";
  }

  /// The last health sample in the store, or null.
  json last_health(const std::string& device_id) {
    auto samples = db->health(device_id, 1);
    if (!samples || samples->empty())
      return nullptr;
    return tools::health_json(samples->front());
  }

  int do_add(const config::server_options& opts);
  int do_list();
  int do_show();
  int do_update();
  int do_remove();
  int do_check(const config::server_options& opts);
};

int device_cli::state::do_add(const config::server_options& opts) {
  if (db->device(id))
    return report(
      make_error(ec::conflict, "device '" + id
                                 + "' is already registered; use `device "
                                   "update`"));
  device_record r;
  r.id = id;
  r.environment = opts.environment;
  if (auto err = apply(rec, r))
    return report(err);
  if (r.name.empty())
    r.name = r.id;
  auto secret =
    read_secret({rec.password_file, rec.password_env, password_env_default,
                 true, "Password of " + r.username + "@" + r.id + ": "});
  if (!secret)
    return report(secret.error());
  if (!*secret)
    return report(make_error(ec::invalid_arguments,
                             std::string{"no password: give --password-file, "
                                         "--password-env, set "}
                               + password_env_default
                               + " or run on a terminal to be asked"));
  credential cred{r.username, **secret, {}};
  if (!rec.ssh_key_file.empty()) {
    auto key = read_ssh_key_file(rec.ssh_key_file);
    if (!key)
      return report(key.error());
    cred.ssh_private_key = std::move(*key);
  }
  if (auto err = db->put_device(r, cred))
    return report(err);
  auto stored = db->device(id);
  if (!stored)
    return report(stored.error());
  audit("add", nullptr, tools::record_json(*stored), "stored");
  if (as_json)
    print(tools::record_json(*stored));
  else
    std::cout << "added " << id << ": " << endpoint_text(*stored)
              << ", environment " << stored->environment << "\n";
  return exit_code::ok;
}

int device_cli::state::do_list() {
  auto all = db->devices();
  if (!all)
    return report(all.error());
  json out = json::array();
  std::vector<std::vector<std::string>> rows{{"ID", "NAME", "ENV", "ENDPOINT",
                                              "USER", "STATUS", "VERSION",
                                              "CHECKED", "TAGS", "FLAGS"}};
  for (auto& r : *all) {
    if (!filter_environment.empty() && r.environment != filter_environment)
      continue;
    auto health = last_health(r.id);
    auto entry = tools::record_json(r);
    entry["last_health"] = health;
    out.push_back(entry);
    auto field = [&](const char* key) {
      return health.is_object() && health[key].is_string()
               ? health[key].get<std::string>()
               : std::string{"-"};
    };
    rows.push_back({r.id, r.name, r.environment, endpoint_text(r), r.username,
                    health.is_object() ? field("status") : "unknown",
                    field("routeros_version"), field("checked_at"),
                    tags_text(r.tags), flags_text(r.flags)});
  }
  if (as_json)
    print(out);
  else if (out.empty())
    std::cout << "no devices registered\n";
  else
    std::cout << render_table(rows);
  return exit_code::ok;
}

int device_cli::state::do_show() {
  auto r = db->device(id);
  if (!r)
    return report(r.error());
  auto cred = db->get_credential(id);
  auto out = tools::record_json(*r);
  out["credential"] = cred ? "stored (decrypts with the current key)"
                           : error_message(cred.error());
  out["last_health"] = last_health(id);
  if (as_json) {
    print(out);
    return exit_code::ok;
  }
  std::vector<std::vector<std::string>> rows{{"FIELD", "VALUE"}};
  rows.push_back({"id", r->id});
  rows.push_back({"name", r->name});
  rows.push_back({"environment", r->environment});
  rows.push_back({"endpoint", endpoint_text(*r)});
  if (!r->tls.ca_file.empty())
    rows.push_back({"ca file", r->tls.ca_file});
  if (!r->tls.fingerprint_sha256.empty())
    rows.push_back({"fingerprint", r->tls.fingerprint_sha256});
  if (!r->tls.server_name.empty())
    rows.push_back({"server name", r->tls.server_name});
  rows.push_back({"username", r->username});
  rows.push_back({"credential", out["credential"].get<std::string>()});
  rows.push_back({"tags", tags_text(r->tags)});
  rows.push_back({"flags", flags_text(r->flags)});
  rows.push_back({"management path", r->management_path ? "yes" : "no"});
  rows.push_back({"created", out["created_at"].is_string()
                               ? out["created_at"].get<std::string>()
                               : "-"});
  rows.push_back({"updated", out["updated_at"].is_string()
                               ? out["updated_at"].get<std::string>()
                               : "-"});
  auto& h = out["last_health"];
  if (h.is_object()) {
    rows.push_back({"status", h["status"].get<std::string>()});
    rows.push_back({"checked", h["checked_at"].get<std::string>()});
    for (auto& issue : h["issues"])
      rows.push_back({"issue", issue.get<std::string>()});
  } else {
    rows.push_back({"status", "unknown (never checked)"});
  }
  std::cout << render_table(rows);
  return exit_code::ok;
}

int device_cli::state::do_update() {
  auto r = db->device(id);
  if (!r)
    return report(r.error());
  auto before = *r;
  if (auto err = apply(rec, *r))
    return report(err);
  // A new endpoint drops the stored password (put_device without one):
  // it was entered for the old address, never to be sent elsewhere.
  bool moved = !storage::same_endpoint(before, *r);
  bool new_secret =
    !rec.password_file.empty() || !rec.password_env.empty() || rec.ask_password;
  std::optional<credential> cred;
  if (new_secret) {
    auto secret =
      read_secret({rec.password_file, rec.password_env, "", rec.ask_password,
                   "New password of " + r->username + "@" + id + ": "});
    if (!secret)
      return report(secret.error());
    if (!*secret)
      return report(
        make_error(ec::invalid_arguments, "--ask-password needs a terminal"));
    cred = credential{r->username, **secret, {}};
    if (auto old = db->get_credential(id); old && !moved)
      cred->ssh_private_key = old->ssh_private_key;
  } else if (!moved
             && (r->username != before.username || !rec.ssh_key_file.empty())) {
    auto stored = db->get_credential(id);
    if (stored) {
      cred = *stored;
      cred->username = r->username;
    } else if (error_code_of(stored.error()) != ec::device_not_found) {
      return report(stored.error());
    }
  }
  if (!rec.ssh_key_file.empty()) {
    auto key = read_ssh_key_file(rec.ssh_key_file);
    if (!key)
      return report(key.error());
    if (!cred)
      return report(make_error(ec::invalid_arguments,
                               "--ssh-key-file: no stored credential to add "
                               "the key to; give the password as well"));
    cred->ssh_private_key = std::move(*key);
  }
  auto err = cred ? db->put_device(*r, *cred) : db->put_device(*r);
  if (err)
    return report(err);
  auto stored = db->device(id);
  if (!stored)
    return report(stored.error());
  auto credential_change = new_secret ? "replaced"
                           : moved    ? "dropped"
                                      : "unchanged";
  auto after = tools::record_json(*stored);
  audit("update", tools::record_json(before), after, credential_change);
  if (as_json) {
    after["credential"] = credential_change;
    print(after);
  } else {
    std::cout << "updated " << id << ": " << endpoint_text(*stored)
              << ", environment " << stored->environment
              << (new_secret ? ", credential replaced" : "")
              << (moved && !new_secret
                    ? ", stored credential dropped (new endpoint): give the "
                      "password again with --password-file, --password-env "
                      "or --ask-password"
                    : "")
              << "\n";
  }
  return exit_code::ok;
}

int device_cli::state::do_remove() {
  auto r = db->device(id);
  if (!r)
    return report(r.error());
  if (!yes
      && !confirm("Remove device " + id + " (" + endpoint_text(*r)
                  + ") with its credential and history?"))
    return report(make_error(ec::invalid_arguments,
                             "not removed: confirm on the terminal or pass "
                             "--yes"));
  if (auto err = db->remove_device(id))
    return report(err);
  audit("remove", tools::record_json(*r), nullptr, "dropped");
  if (as_json)
    print({{"removed", id}});
  else
    std::cout << "removed " << id << "\n";
  return exit_code::ok;
}

namespace {

/// One request through a real REST client, waited for.
caf::expected<rest_response> fetch(rest_client& client, const std::string& path,
                                   std::chrono::milliseconds timeout) {
  std::promise<caf::expected<rest_response>> answer;
  auto result = answer.get_future();
  rest_request req;
  req.path = path;
  client.async_request(req, timeout, [&answer](caf::expected<rest_response> x) {
    answer.set_value(std::move(x));
  });
  return result.get();
}

} // namespace

int device_cli::state::do_check(const config::server_options& opts) {
  auto r = db->device(id);
  if (!r)
    return report(r.error());
  auto cred = db->get_credential(id);
  if (!cred)
    return report(cred.error());
  auto settings = app::make_fleet_settings(opts).device;
  auto io = std::make_shared<routeros::io_runtime>(1);
  auto ssh = std::make_shared<routeros::ssh_workers>(1);
  auto factory = routeros::make_transport_factory(
    routeros::make_rest_client_factory(io,
                                       std::string{"routeros-mcp/"} + version),
    ssh, opts.device_rest_retry_after);
  auto client = factory->make(make_endpoint(*r, *cred, settings));
  health_sample sample;
  sample.device_id = id;
  sample.timestamp = health::unix_ms_now();
  auto timeout = opts.fleet.device.request_timeout;
  health::evaluate_answer(fetch(*client, "/system/resource", timeout), sample);
  if (sample.status != device_status::unreachable) {
    auto name = fetch(*client, "/system/identity", timeout);
    if (name)
      sample.identity = parse_system_identity(name->body);
  }
  client->close();
  if (auto err = db->put_health(sample))
    std::cerr << "routeros-mcp: the check's result was not stored: "
              << error_message(err) << "\n";
  auto out = tools::connectivity_json(*r, sample);
  if (as_json)
    print(out);
  else
    std::cout << tools::connectivity_text(out) << "\n";
  return sample.status == device_status::unreachable ? exit_code::unreachable
                                                     : exit_code::ok;
}

device_cli::device_cli(CLI::App& app) : state_(std::make_unique<state>()) {
  auto& s = *state_;
  s.root = app.add_subcommand("device", "Register and inspect routers");
  s.root->require_subcommand(1);
  auto with_id = [&s](CLI::App* cmd) {
    cmd->add_option("id", s.id, "Device id, e.g. edge-01")->required();
    cmd->add_flag("--json", s.as_json, "Print JSON instead of a table");
    return cmd;
  };
  s.add = with_id(s.root->add_subcommand("add", "Register a router"));
  add_record_options(s.add, s.rec, true);
  s.list = s.root->add_subcommand("list", "List the registered routers");
  s.list->add_flag("--json", s.as_json, "Print JSON instead of a table");
  s.list->add_option("--environment", s.filter_environment,
                     "Only devices of this environment");
  s.show = with_id(s.root->add_subcommand("show", "Show one router"));
  s.update =
    with_id(s.root->add_subcommand("update", "Change a router's record"));
  add_record_options(s.update, s.rec, false);
  s.remove = with_id(s.root->add_subcommand(
    "remove", "Remove a router with its credential and history"));
  s.remove->add_flag("--yes", s.yes, "Do not ask for confirmation");
  s.check = with_id(s.root->add_subcommand(
    "check", "Check a router now over REST (stores the result as its last "
             "health)"));
}

device_cli::~device_cli() = default;

bool device_cli::parsed() const {
  return state_->root->parsed();
}

int device_cli::run(const config::server_options& opts) {
  auto& s = *state_;
  auto db = app::open_store(opts);
  if (!db) {
    std::cerr << "routeros-mcp: cannot open the store: "
              << error_message(db.error()) << "\n";
    return exit_code::failure;
  }
  s.db = std::move(*db);
  s.opts = &opts;
  if (s.add->parsed())
    return s.do_add(opts);
  if (s.list->parsed())
    return s.do_list();
  if (s.show->parsed())
    return s.do_show();
  if (s.update->parsed())
    return s.do_update();
  if (s.remove->parsed())
    return s.do_remove();
  if (s.check->parsed())
    return s.do_check(opts);
  return exit_code::usage;
}

} // namespace rmcp::cli
