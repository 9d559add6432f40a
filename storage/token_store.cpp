#include "storage/token_store.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "protocol/authz.hpp"
#include "protocol/error.hpp"
#include "storage/encoding.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

namespace {

constexpr std::string_view prefix = "rmcp_";
constexpr size_t id_size = 12;

caf::expected<std::string> random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(n))
      != 1)
    return make_error(ec::internal_error, "no randomness for a new token");
  return out;
}

caf::error unauthorized() {
  return make_error(ec::unauthorized,
                    "the API token is invalid, expired or revoked");
}

std::string_view id_of(std::string_view token) {
  if (token.size() < prefix.size() + id_size + 2
      || token.substr(0, prefix.size()) != prefix
      || token[prefix.size() + id_size] != '_')
    return {};
  auto id = token.substr(prefix.size(), id_size);
  for (char c : id)
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      return {};
  return id;
}

caf::expected<std::optional<api_token>> load(read_txn& txn,
                                             std::string_view id) {
  auto raw = txn.get(tables::api_tokens, id);
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::optional<api_token>{};
  api_token t;
  auto doc = parse_json(**raw);
  if (!doc || !token_from_json(*doc, t))
    return make_error(ec::store_failure,
                      "corrupt record api_tokens/" + std::string{id});
  return std::optional<api_token>{std::move(t)};
}

} // namespace

json token_json(const api_token& t) {
  return {{"id", t.id},
          {"subject", t.subject},
          {"role", t.role},
          {"scope", authz::to_json(t.scope)},
          {"allow_tools", t.allow_tools},
          {"deny_tools", t.deny_tools},
          {"secret_hash", t.secret_hash},
          {"description", t.description},
          {"created_by", t.created_by},
          {"created_at", t.created_at},
          {"expires_at", t.expires_at},
          {"revoked_at", t.revoked_at}};
}

bool token_from_json(const json& j, api_token& t) {
  if (!j.is_object())
    return false;
  try {
    t.id = j.value("id", "");
    t.subject = j.value("subject", "");
    t.role = j.value("role", "");
    t.scope = authz::scope_from_json(j.value("scope", json::object()));
    t.allow_tools = j.value("allow_tools", std::vector<std::string>{});
    t.deny_tools = j.value("deny_tools", std::vector<std::string>{});
    t.secret_hash = j.value("secret_hash", "");
    t.description = j.value("description", "");
    t.created_by = j.value("created_by", "");
    t.created_at = j.value("created_at", int64_t{0});
    t.expires_at = j.value("expires_at", int64_t{0});
    t.revoked_at = j.value("revoked_at", int64_t{0});
  } catch (const json::exception&) {
    return false;
  }
  return !t.id.empty();
}

token_store::token_store(std::shared_ptr<kv_store> kv,
                         std::function<int64_t()> clock)
  : kv_(std::move(kv)), clock_(std::move(clock)) {
  if (!clock_)
    clock_ = [] {
      using namespace std::chrono;
      return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
        .count();
    };
}

caf::expected<token_store::created> token_store::create(api_token tmpl) {
  if (tmpl.subject.empty())
    return make_error(ec::invalid_arguments, "a token needs a subject");
  if (!authz::valid_role(tmpl.role))
    return make_error(ec::invalid_arguments,
                      "'" + tmpl.role
                        + "' is not a role (read_only, ops_rw, admin, "
                          "approver)");
  auto id_bytes = random_bytes(id_size / 2);
  auto secret = random_bytes(32);
  if (!id_bytes)
    return id_bytes.error();
  if (!secret)
    return secret.error();
  created out;
  tmpl.id = to_hex(*id_bytes);
  out.token = std::string{prefix} + tmpl.id + "_" + to_base64url(*secret);
  tmpl.secret_hash = sha256_hex(out.token);
  tmpl.created_at = clock_();
  tmpl.revoked_at = 0;
  auto err = write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    auto existing = txn.get(tables::api_tokens, tmpl.id);
    if (!existing)
      return existing.error();
    if (*existing)
      return make_error(ec::conflict, "token id collision; try again");
    return txn.put(tables::api_tokens, tmpl.id, dump_json(token_json(tmpl)));
  });
  if (err)
    return err;
  out.record = std::move(tmpl);
  return out;
}

caf::expected<std::vector<api_token>> token_store::list() {
  auto txn = kv_->begin_read();
  if (!txn)
    return txn.error();
  std::vector<api_token> out;
  caf::error bad;
  auto err = (*txn)->scan(
    tables::api_tokens, "", [&](std::string_view key, std::string_view value) {
      api_token t;
      auto doc = parse_json(value);
      if (!doc || !token_from_json(*doc, t)) {
        bad = make_error(ec::store_failure,
                         "corrupt record api_tokens/" + std::string{key});
        return false;
      }
      out.push_back(std::move(t));
      return true;
    });
  if (err)
    return err;
  if (bad)
    return bad;
  std::sort(out.begin(), out.end(), [](const api_token& a, const api_token& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at
                                        : a.id < b.id;
  });
  return out;
}

caf::expected<api_token> token_store::revoke(const std::string& id) {
  api_token result;
  auto err = write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    auto t = load(txn, id);
    if (!t)
      return t.error();
    if (!*t)
      return make_error(ec::invalid_arguments,
                        "no API token with id '" + id
                          + "' (see routeros-mcp token list)");
    result = std::move(**t);
    if (result.revoked_at == 0)
      result.revoked_at = clock_();
    return txn.put(tables::api_tokens, id, dump_json(token_json(result)));
  });
  if (err)
    return err;
  return result;
}

caf::expected<identity> token_store::authenticate(std::string_view token) {
  auto id = id_of(token);
  if (id.empty())
    return unauthorized();
  auto txn = kv_->begin_read();
  if (!txn)
    return txn.error();
  auto t = load(**txn, id);
  if (!t)
    return t.error();
  if (!*t)
    return unauthorized();
  auto& rec = **t;
  auto presented = sha256_hex(token);
  if (presented.size() != rec.secret_hash.size()
      || CRYPTO_memcmp(presented.data(), rec.secret_hash.data(),
                       presented.size())
           != 0)
    return unauthorized();
  auto now = clock_();
  if (rec.revoked_at != 0 || (rec.expires_at != 0 && now >= rec.expires_at))
    return unauthorized();
  identity who;
  who.subject = rec.subject;
  who.role = rec.role;
  who.transport = "http";
  who.scope = rec.scope;
  who.allow_tools = rec.allow_tools;
  who.deny_tools = rec.deny_tools;
  who.credential = "token:" + rec.id;
  return who;
}

} // namespace rmcp::storage
