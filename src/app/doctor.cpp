#include "src/app/doctor.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "protocol/error.hpp"
#include "src/app/cluster_setup.hpp"
#include "src/app/runtime.hpp"
#include "src/app/store_setup.hpp"
#include "src/auth/http_auth.hpp"
#include "storage/key_source.hpp"

namespace rmcp::app::doctor {

// -- report -------------------------------------------------------------------

bool report::ok() const {
  for (auto& f : findings)
    if (!f.ok)
      return false;
  return true;
}

void report::pass(std::string check, std::string subject, std::string detail) {
  findings.push_back(
    {std::move(check), std::move(subject), true, std::move(detail), {}});
}

void report::fail(std::string check, std::string subject, std::string detail,
                  std::string fix) {
  findings.push_back({std::move(check), std::move(subject), false,
                      std::move(detail), std::move(fix)});
}

std::string to_text(const finding& f) {
  char head[64];
  std::snprintf(head, sizeof head, "%s  %-7s ", f.ok ? "PASS" : "FAIL",
                f.check.c_str());
  std::string line = head;
  if (!f.subject.empty())
    line += f.subject + ": ";
  line += f.detail;
  if (!f.ok && !f.fix.empty())
    line += " -- fix: " + f.fix;
  return line;
}

json to_json(const report& r) {
  json checks = json::array();
  for (auto& f : r.findings)
    checks.push_back({{"check", f.check},
                      {"subject", f.subject},
                      {"ok", f.ok},
                      {"detail", f.detail},
                      {"fix", f.ok ? json(nullptr) : json(f.fix)}});
  return {{"ok", r.ok()}, {"checks", std::move(checks)}};
}

void config_failed(report& out, const std::string& file,
                   const std::string& error) {
  out.fail("config", file.empty() ? "(no file)" : file, error,
           "correct the key named above (routeros-mcp config keys lists "
           "every key and its legal values)");
}

namespace {

// -- keys ---------------------------------------------------------------------

struct key_state {
  /// Loaded (nullopt: missing, broken or generated on first use).
  std::optional<storage::credential_key> key;
  /// The file it lives in (empty: from a variable).
  std::string path;
};

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

/// One key: present, parses, mode 0600 when in a file. Never generates a
/// missing lab key (that is the daemon's first start).
key_state check_key(const storage::key_request& req, const std::string& name,
                    report& out) {
  key_state st;
  auto where = storage::check_credential_key(req);
  if (!where) {
    out.fail("keys", name, error_message(where.error()),
             "provide the key as the message says; the approval key and the "
             "credential key must differ");
    return st;
  }
  if (where->find("(will be generated") != std::string::npos) {
    out.pass("keys", name, *where);
    return st;
  }
  bool from_env = req.env_key && !req.env_key->empty();
  if (!from_env)
    st.path = req.key_file.empty() ? (req.data_dir.empty() ? "." : req.data_dir)
                                       + "/" + req.generated_name
                                   : req.key_file;
  auto loaded = storage::load_credential_key(req);
  if (!loaded) {
    out.fail("keys", name, error_message(loaded.error()),
             "write 64 hex characters into the key file (umask 077; "
             "openssl rand -hex 32)");
    return st;
  }
  st.key = std::move(loaded->key);
  if (!st.path.empty()) {
    struct stat info;
    if (::stat(st.path.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
      out.fail("keys", name,
               st.path + " has mode " + mode_text(info.st_mode)
                 + ": other users can read the key",
               "chmod 600 " + st.path);
      return st;
    }
  }
  out.pass("keys", name, *where);
  return st;
}

void check_keys(const config::server_options& opts, report& out,
                std::optional<storage::credential_key>& credential) {
  auto cred = check_key(key_request_of(opts), "credential key", out);
  std::optional<std::string> env;
  if (const char* value = std::getenv("ROUTEROS_MCP_APPROVAL_KEY"))
    env = value;
  auto approval = check_key(
    storage::approval_key_request(
      opts.environment, opts.plans_approval_key_file, opts.data_dir, env),
    "approval key", out);
  if (cred.key && approval.key) {
    if (cred.key->id() == approval.key->id())
      out.fail("keys", "distinct",
               "the approval key and the credential key are the same key (id "
                 + cred.key->id()
                 + "): whoever can decrypt router passwords could also mint "
                   "plan approvals",
               "generate a new approval key (umask 077; openssl rand -hex 32 "
               "> FILE) and point plans.approval_key_file at it");
    else
      out.pass("keys", "distinct",
               "credential key " + cred.key->id() + " ≠ approval key "
                 + approval.key->id());
  }
  credential = std::move(cred.key);
}

// -- store --------------------------------------------------------------------

std::shared_ptr<storage::device_store>
check_store(const config::server_options& opts, bool have_key, report& out) {
  auto settings = store_settings_of(opts);
  bool shared = shared_store_mode(opts);
  struct stat info;
  if (!shared && ::stat((settings.path + "/data.mdb").c_str(), &info) != 0) {
    out.pass("store", settings.path,
             "not created yet: the first `serve` or `device add` creates it");
    return nullptr;
  }
  if (!have_key) {
    out.fail("store", settings.path,
             "not opened: the credential key is missing (see keys)",
             "fix the credential key first");
    return nullptr;
  }
  auto db = open_store(opts);
  if (!db) {
    out.fail("store", settings.path, error_message(db.error()),
             "check store.path and its permissions (the service user must "
             "own it); a store from a newer version needs that version");
    return nullptr;
  }
  auto status = (*db)->status();
  if (!status) {
    out.fail("store", settings.path, error_message(status.error()),
             "check the store directory and disk");
    return nullptr;
  }
  auto used = status->map_bytes == 0
                ? 0.0
                : 100.0 * static_cast<double>(status->used_bytes)
                    / static_cast<double>(status->map_bytes);
  char figures[160];
  std::snprintf(figures, sizeof figures,
                "schema version %u, %llu devices, %.1f %% of the %llu MiB map "
                "used",
                status->schema_version,
                static_cast<unsigned long long>(status->devices), used,
                static_cast<unsigned long long>(status->map_bytes >> 20));
  // The same threshold at which service_health reports the store degraded.
  if (used > 90.0)
    out.fail("store", status->path, figures,
             "raise store.map_size_mib (takes effect at the next start)");
  else
    out.pass("store", status->path, figures);
  return std::move(*db);
}

// -- http ---------------------------------------------------------------------

bool loopback(const std::string& address) {
  return address == "::1" || address.compare(0, 4, "127.") == 0;
}

void check_http(const config::server_options& opts, report& out) {
  std::string address;
  uint16_t port = 0;
  if (auto err = parse_listen(opts.http_listen, address, port)) {
    out.fail("http", "http.listen", error_message(err),
             "set http.listen to ADDR:PORT, e.g. 127.0.0.1:8080");
    return;
  }
  bool authenticated = auth::auth_configured(opts);
  if (!loopback(address) && !authenticated) {
    out.fail("http", "http.listen",
             opts.http_listen
               + " is not loopback and no authentication is configured: "
                 "serve --http refuses to start (anyone who reaches it "
                 "could manage the routers)",
             "set auth.api_tokens=true and create tokens (routeros-mcp "
             "token create), or configure auth.oauth_*, or listen on "
             "127.0.0.1");
    return;
  }
  bool cert = !opts.http_tls_cert_file.empty();
  bool key = !opts.http_tls_key_file.empty();
  if (cert != key) {
    out.fail("http", "http.tls_*",
             "only one of http.tls_cert_file and http.tls_key_file is set",
             "set both (HTTPS) or neither (HTTP)");
    return;
  }
  for (auto* file : {&opts.http_tls_cert_file, &opts.http_tls_key_file}) {
    struct stat info;
    if (!file->empty() && ::stat(file->c_str(), &info) != 0) {
      out.fail("http", *file, "the TLS file does not exist",
               "correct http.tls_cert_file / http.tls_key_file");
      return;
    }
  }
  out.pass("http", "http.listen",
           opts.http_listen + (cert ? " (HTTPS)" : " (HTTP)")
             + (authenticated ? ", authentication required"
                              : ", loopback only, role " + opts.http_role));
}

} // namespace

report run(const config::server_options& opts, const std::string& file,
           const settings& s) {
  report out;
  out.pass("config", file.empty() ? "(no file)" : file,
           "parses; environment " + opts.environment + ", data_dir "
             + opts.data_dir);
  std::optional<storage::credential_key> credential;
  check_keys(opts, out, credential);
  auto db = check_store(opts, credential.has_value(), out);
  check_http(opts, out);
  if (db)
    check_devices(opts, *db, s, out);
  return out;
}

} // namespace rmcp::app::doctor
