#include "src/cli/security_cli.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "protocol/error.hpp"
#include "src/app/store_setup.hpp"
#include "src/cli/cli_io.hpp"
#include "src/cli/device_cli.hpp"
#include "storage/audit_log.hpp"
#include "storage/encoding.hpp"
#include "storage/key_rotation.hpp"
#include "storage/key_source.hpp"
#include "storage/token_store.hpp"

namespace rmcp::cli {

namespace {

constexpr int chain_broken = 7;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

std::string time_text(int64_t ms) {
  return ms <= 0 ? "-" : storage::iso_utc(ms);
}

std::string joined(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ",") + x;
  return out.empty() ? "-" : out;
}

} // namespace

std::optional<int64_t> parse_duration_ms(const std::string& text) {
  if (text.size() < 2)
    return std::nullopt;
  auto digits = text.substr(0, text.size() - 1);
  if (digits.size() > 9
      || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  int64_t n = std::stoll(digits);
  switch (text.back()) {
    case 's':
      return n * 1000;
    case 'm':
      return n * 60'000;
    case 'h':
      return n * 3'600'000;
    case 'd':
      return n * 86'400'000;
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> parse_since(const std::string& text, int64_t now) {
  if (text.empty())
    return std::nullopt;
  if (text.find_first_not_of("0123456789") == std::string::npos
      && text.size() <= 15)
    return std::stoll(text);
  if (auto d = parse_duration_ms(text))
    return now - *d;
  std::tm tm{};
  const char* end = nullptr;
  if (text.size() == 10)
    end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  else
    end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0')
    return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

struct security_cli::state {
  CLI::App* token = nullptr;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* revoke = nullptr;
  CLI::App* audit = nullptr;
  CLI::App* verify = nullptr;
  CLI::App* exp = nullptr;
  CLI::App* key = nullptr;
  CLI::App* rotate = nullptr;
  std::string new_key_file;
  storage::api_token tmpl;
  std::string expires_in;
  std::string id;
  std::string since;
  bool as_json = false;

  int fail(const caf::error& err) {
    std::cerr << "routeros-mcp: " << error_message(err) << "\n";
    return error_code_of(err) == ec::invalid_arguments ? exit_code::usage
                                                       : exit_code::failure;
  }

  int do_create(storage::token_store& tokens) {
    if (!expires_in.empty()) {
      auto d = parse_duration_ms(expires_in);
      if (!d || *d <= 0) {
        std::cerr << "routeros-mcp: --expires-in '" << expires_in
                  << "': expected a duration like 12h, 30d\n";
        return exit_code::usage;
      }
      tmpl.expires_at = now_ms() + *d;
    }
    auto made = tokens.create(tmpl);
    if (!made)
      return fail(made.error());
    if (as_json) {
      auto out = storage::token_json(made->record);
      out.erase("secret_hash");
      out["token"] = made->token;
      std::cout << out.dump(2) << "\n";
      return exit_code::ok;
    }
    std::cout << "created token " << made->record.id << " for "
              << made->record.subject << " (role " << made->record.role
              << ", expires " << time_text(made->record.expires_at)
              << "). It is shown only now; store it safely:\n"
              << made->token << "\n";
    return exit_code::ok;
  }

  int do_list(storage::token_store& tokens) {
    auto all = tokens.list();
    if (!all)
      return fail(all.error());
    auto now = now_ms();
    auto status = [now](const storage::api_token& t) {
      if (t.revoked_at != 0)
        return std::string{"revoked"};
      if (t.expires_at != 0 && now >= t.expires_at)
        return std::string{"expired"};
      return std::string{"active"};
    };
    if (as_json) {
      json out = json::array();
      for (auto& t : *all) {
        auto j = storage::token_json(t);
        j.erase("secret_hash");
        j["status"] = status(t);
        out.push_back(std::move(j));
      }
      std::cout << out.dump(2) << "\n";
      return exit_code::ok;
    }
    if (all->empty()) {
      std::cout << "no API tokens\n";
      return exit_code::ok;
    }
    std::vector<std::vector<std::string>> rows{
      {"ID", "SUBJECT", "ROLE", "STATUS", "DEVICES", "TAGS", "ENVIRONMENTS",
       "CREATED", "EXPIRES"}};
    for (auto& t : *all)
      rows.push_back({t.id, t.subject, t.role, status(t), joined(t.scope.ids),
                      joined(t.scope.tags), joined(t.scope.environments),
                      time_text(t.created_at), time_text(t.expires_at)});
    std::cout << render_table(rows);
    return exit_code::ok;
  }

  int do_revoke(storage::token_store& tokens) {
    auto t = tokens.revoke(id);
    if (!t) {
      std::cerr << "routeros-mcp: " << error_message(t.error()) << "\n";
      return error_code_of(t.error()) == ec::invalid_arguments
               ? exit_code::not_found
               : exit_code::failure;
    }
    std::cout << "revoked token " << t->id << " of " << t->subject << "\n";
    return exit_code::ok;
  }

  int do_rotate(const config::server_options& opts, storage::kv_store& kv) {
    auto req = app::key_request_of(opts);
    auto current = storage::load_credential_key(req);
    if (!current)
      return fail(current.error());
    bool from_env = req.env_key && !req.env_key->empty();
    if (from_env && new_key_file.empty()) {
      std::cerr << "routeros-mcp: the key comes from "
                   "ROUTEROS_MCP_ENCRYPTION_KEY: give the new key with "
                   "--new-key-file, then set the variable to it\n";
      return exit_code::usage;
    }
    std::optional<storage::credential_key> next;
    if (!new_key_file.empty()) {
      std::ifstream in{new_key_file};
      std::stringstream ss;
      ss << in.rdbuf();
      auto parsed = storage::credential_key::parse(ss.str());
      if (!in || !parsed) {
        std::cerr << "routeros-mcp: --new-key-file " << new_key_file
                  << ": expected 64 hex characters or base64 of 32 bytes\n";
        return exit_code::usage;
      }
      next = *parsed;
    } else {
      auto generated = storage::credential_key::generate();
      if (!generated)
        return fail(generated.error());
      next = *generated;
    }
    if (next->id() == current->key.id()) {
      std::cerr << "routeros-mcp: the new key is the current key\n";
      return exit_code::usage;
    }
    auto path = req.key_file.empty()
                  ? req.data_dir + "/" + storage::generated_key_name
                  : req.key_file;
    if (!from_env)
      if (auto err = storage::stage_key_file(path, *next))
        return fail(err);
    auto n = storage::rekey_credentials(kv, current->key, *next);
    if (!n) {
      if (!from_env)
        std::remove((path + ".new").c_str());
      return fail(n.error());
    }
    if (!from_env)
      if (auto err = storage::commit_key_file(path))
        return fail(err);
    std::cout << "re-encrypted " << *n << " credentials from key "
              << current->key.id() << " to key " << next->id() << "\n";
    if (from_env)
      std::cout << "now set ROUTEROS_MCP_ENCRYPTION_KEY to the content of "
                << new_key_file << "\n";
    else
      std::cout << "the new key is in " << path << "\n";
    std::cout << "restart the daemon: it still holds the old key\n";
    return exit_code::ok;
  }

  int do_verify(storage::audit_log& log) {
    auto v = log.verify();
    if (!v)
      return fail(v.error());
    if (!v->ok) {
      std::cerr << "routeros-mcp: audit trail BROKEN at record "
                << v->first_broken << ": " << v->problem << " (" << v->records
                << " records read)\n";
      return chain_broken;
    }
    std::cout << "audit trail intact: " << v->records << " records, head "
              << v->head_seq << " "
              << (v->head_hash.empty() ? "-" : v->head_hash) << "\n";
    return exit_code::ok;
  }

  int do_export(storage::audit_log& log) {
    int64_t from = 0;
    if (!since.empty()) {
      auto t = parse_since(since, now_ms());
      if (!t) {
        std::cerr << "routeros-mcp: --since '" << since
                  << "': expected Unix milliseconds, 2026-01-31, "
                     "2026-01-31T10:00:00Z or a duration like 24h\n";
        return exit_code::usage;
      }
      from = *t;
    }
    auto records = log.since(from);
    if (!records)
      return fail(records.error());
    for (auto& r : *records)
      std::cout << dump_json(r) << "\n";
    return exit_code::ok;
  }
};

security_cli::security_cli(CLI::App& app) : state_(std::make_unique<state>()) {
  auto& s = *state_;
  s.token = app.add_subcommand("token", "Create, list and revoke HTTP API "
                                        "tokens");
  s.token->require_subcommand(1);
  s.create = s.token->add_subcommand("create", "Create a token and print it "
                                               "once");
  s.create
    ->add_option("--subject", s.tmpl.subject,
                 "Who the token stands for (audited as the actor)")
    ->required();
  s.create
    ->add_option("--role", s.tmpl.role, "read_only, ops_rw, admin or approver")
    ->required()
    ->check(CLI::IsMember({"read_only", "ops_rw", "admin", "approver"}));
  s.create
    ->add_option("--device-ids", s.tmpl.scope.ids,
                 "Device id patterns in scope (* wildcard)")
    ->delimiter(',');
  s.create
    ->add_option("--tags", s.tmpl.scope.tags,
                 "Device tags in scope: key or key=value")
    ->delimiter(',');
  s.create
    ->add_option("--environments", s.tmpl.scope.environments,
                 "Device environments in scope")
    ->delimiter(',');
  s.create
    ->add_option("--allow-tools", s.tmpl.allow_tools,
                 "Only these tool name patterns")
    ->delimiter(',');
  s.create
    ->add_option("--deny-tools", s.tmpl.deny_tools,
                 "Never these tool name patterns")
    ->delimiter(',');
  s.create->add_option("--expires-in", s.expires_in,
                       "Lifetime, e.g. 12h or 90d (default: no expiry)");
  s.create->add_option("--description", s.tmpl.description, "Free text");
  s.create->add_flag("--json", s.as_json, "Print JSON");
  s.list = s.token->add_subcommand("list", "List tokens (never the secrets)");
  s.list->add_flag("--json", s.as_json, "Print JSON");
  s.revoke = s.token->add_subcommand("revoke", "Revoke a token at once");
  s.revoke->add_option("id", s.id, "Token id (see token list)")->required();

  s.audit = app.add_subcommand("audit", "Verify and export the audit trail");
  s.audit->require_subcommand(1);
  s.verify = s.audit->add_subcommand(
    "verify", "Check the hash chain; exit 7 naming the first broken record");
  s.exp = s.audit->add_subcommand("export", "Print records as JSON lines");
  s.exp->add_option("--since", s.since,
                    "Unix ms, 2026-01-31, 2026-01-31T10:00:00Z or 24h");

  s.key = app.add_subcommand("key", "Manage the credential encryption key");
  s.key->require_subcommand(1);
  s.rotate = s.key->add_subcommand(
    "rotate", "Re-encrypt every stored credential under a new key (one "
              "transaction), then replace the key file");
  s.rotate->add_option("--new-key-file", s.new_key_file,
                       "The new key (64 hex characters); default: generate "
                       "one");
}

security_cli::~security_cli() = default;

bool security_cli::parsed() const {
  return state_->token->parsed() || state_->audit->parsed()
         || state_->key->parsed();
}

int security_cli::run(const config::server_options& opts) {
  auto& s = *state_;
  auto store = app::open_store(opts);
  if (!store) {
    std::cerr << "routeros-mcp: cannot open the store: "
              << error_message(store.error()) << "\n";
    return exit_code::failure;
  }
  if (s.token->parsed()) {
    storage::token_store tokens{(*store)->kv()};
    s.tmpl.created_by = "cli";
    if (s.create->parsed())
      return s.do_create(tokens);
    if (s.list->parsed())
      return s.do_list(tokens);
    if (s.revoke->parsed())
      return s.do_revoke(tokens);
  }
  if (s.rotate->parsed())
    return s.do_rotate(opts, *(*store)->kv());
  if (s.audit->parsed()) {
    storage::audit_log log{(*store)->kv()};
    if (s.verify->parsed())
      return s.do_verify(log);
    if (s.exp->parsed())
      return s.do_export(log);
  }
  return exit_code::usage;
}

} // namespace rmcp::cli
