#include "src/auth/jwks_cache.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp::auth {

namespace {

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

caf::error config_error(const std::string& key, const caf::error& why) {
  return make_error(ec::invalid_params, key + ": " + error_message(why));
}

/// A JSON object from an answer that must be one; `what` names it.
caf::expected<json> json_object(const fetched& got, const std::string& url,
                                const std::string& what) {
  if (got.status != 200)
    return make_error(ec::invalid_params, "'" + url + "' answered HTTP "
                                            + std::to_string(got.status)
                                            + " instead of " + what);
  auto doc = parse_json(got.body);
  if (!doc || !doc->is_object())
    return make_error(ec::invalid_params, "'" + url + "' did not answer " + what
                                            + " (a JSON object)");
  return *doc;
}

} // namespace

caf::expected<std::string> discover_jwks_uri(const std::string& issuer,
                                             const fetch_settings& fetch) {
  auto base = issuer;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  // RFC 8414 puts the well-known segment between the host and the path.
  auto scheme_end = base.find("://");
  auto path_at = scheme_end == std::string::npos
                   ? std::string::npos
                   : base.find('/', scheme_end + 3);
  auto origin = base.substr(0, path_at);
  auto path = path_at == std::string::npos ? "" : base.substr(path_at);
  std::string reasons;
  for (auto& url :
       {base + "/.well-known/openid-configuration",
        origin + "/.well-known/oauth-authorization-server" + path}) {
    auto got = fetch_url(url, fetch);
    auto doc = got ? json_object(*got, url, "authorization server metadata")
                   : caf::expected<json>{got.error()};
    if (!doc) {
      reasons += (reasons.empty() ? "" : "; ") + error_message(doc.error());
      continue;
    }
    auto named = doc->value("issuer", json{});
    if (!named.is_string() || named.get<std::string>() != issuer)
      return make_error(ec::invalid_params,
                        "'" + url + "' names the issuer " + named.dump()
                          + ", not '" + issuer
                          + "' (the metadata must be the issuer's own)");
    auto uri = doc->value("jwks_uri", json{});
    if (!uri.is_string() || uri.get<std::string>().empty())
      return make_error(ec::invalid_params,
                        "'" + url + "' has no jwks_uri; set auth.oauth_jwks");
    return uri.get<std::string>();
  }
  return make_error(ec::invalid_params,
                    "no authorization server metadata for '" + issuer
                      + "': " + reasons
                      + "; set auth.oauth_jwks to the JWKS URL or file");
}

caf::expected<std::shared_ptr<jwks_cache>>
jwks_cache::make(const jwks_settings& settings, int64_t now_s) {
  auto source = settings.source;
  if (source.empty()) {
    auto found = discover_jwks_uri(settings.issuer, settings.fetch);
    if (!found)
      return config_error("auth.oauth_issuer", found.error());
    source = std::move(*found);
  }
  std::shared_ptr<jwks_cache> out{new jwks_cache(settings, source)};
  if (auto err = out->load(now_s))
    return config_error(settings.source.empty() ? "auth.oauth_issuer (jwks_uri)"
                                                : "auth.oauth_jwks",
                        err);
  return out;
}

bool jwks_cache::is_url() const {
  return starts_with(source_, "http://") || starts_with(source_, "https://");
}

caf::error jwks_cache::load(int64_t now_s) {
  std::string text;
  int64_t lifetime = 0;
  if (is_url()) {
    auto got = fetch_url(source_, settings_.fetch);
    if (!got)
      return got.error();
    if (got->status != 200)
      return make_error(ec::invalid_params, "'" + source_ + "' answered HTTP "
                                              + std::to_string(got->status)
                                              + " instead of the JWKS");
    text = std::move(got->body);
    lifetime =
      std::clamp(cache_max_age(got->cache_control).value_or(default_lifetime_s),
                 retry_every_s, max_lifetime_s);
  } else {
    std::ifstream in{source_};
    if (!in)
      return make_error(ec::invalid_params,
                        "cannot read the file '" + source_ + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  auto doc = parse_json(text);
  if (!doc || !doc->is_object() || !(*doc)["keys"].is_array())
    return make_error(ec::invalid_params,
                      "'" + source_
                        + "' is not a JWKS (a JSON object with \"keys\")");
  std::lock_guard<std::mutex> guard{mtx_};
  keys_ = std::move(*doc);
  expires_at_ = lifetime > 0 ? now_s + lifetime : 0;
  return caf::none;
}

void jwks_cache::reload(int64_t now_s, const char* why) {
  auto err = load(now_s);
  std::lock_guard<std::mutex> guard{mtx_};
  reloading_ = false;
  if (err) {
    if (expires_at_ != 0)
      expires_at_ = now_s + retry_every_s;
    log::warn(
      log::http(), "jwks-reload-failed",
      {{"reason", why}, {"source", source_}, {"error", error_message(err)}});
    return;
  }
  log::info(
    log::http(), "jwks-reloaded",
    {{"reason", why}, {"source", source_}, {"keys", keys_["keys"].size()}});
}

json jwks_cache::keys(int64_t now_s) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (expires_at_ == 0 || now_s < expires_at_ || reloading_)
      return keys_;
    reloading_ = true;
  }
  reload(now_s, "expired");
  std::lock_guard<std::mutex> guard{mtx_};
  return keys_;
}

std::optional<json> jwks_cache::reload_for_unknown_key(int64_t now_s) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (reloading_ || now_s - last_unknown_ < retry_every_s)
      return std::nullopt;
    last_unknown_ = now_s;
    reloading_ = true;
  }
  reload(now_s, "unknown-key-id");
  std::lock_guard<std::mutex> guard{mtx_};
  return keys_;
}

} // namespace rmcp::auth
