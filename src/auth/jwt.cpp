#include "src/auth/jwt.hpp"

#include <algorithm>
#include <memory>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "protocol/authz.hpp"
#include "protocol/json_parse.hpp"
#include "storage/encoding.hpp"

namespace rmcp::auth {

namespace {

template <class T, void (*F)(T*)>
struct deleter {
  void operator()(T* p) const {
    F(p);
  }
};

using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using bn_ptr = std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>>;
using bld_ptr =
  std::unique_ptr<OSSL_PARAM_BLD, deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using params_ptr =
  std::unique_ptr<OSSL_PARAM, deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using pctx_ptr =
  std::unique_ptr<EVP_PKEY_CTX, deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using mdctx_ptr =
  std::unique_ptr<EVP_MD_CTX, deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using sig_ptr = std::unique_ptr<ECDSA_SIG, deleter<ECDSA_SIG, ECDSA_SIG_free>>;

jwt_result fail(std::string why, jwt_failure f = jwt_failure::invalid) {
  jwt_result r;
  r.failure = f;
  r.reason = std::move(why);
  return r;
}

bn_ptr bn_of(const std::string& bytes) {
  return bn_ptr{BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()), nullptr)};
}

pkey_ptr from_params(const char* type, OSSL_PARAM* params) {
  pctx_ptr ctx{EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr)};
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0
      || EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    return nullptr;
  return pkey_ptr{raw};
}

pkey_ptr rsa_key(const json& jwk) {
  auto n = base64url_decode(string_member_or(jwk, "n", ""));
  auto e = base64url_decode(string_member_or(jwk, "e", ""));
  if (!n || !e || n->empty() || e->empty())
    return nullptr;
  auto bn_n = bn_of(*n);
  auto bn_e = bn_of(*e);
  bld_ptr bld{OSSL_PARAM_BLD_new()};
  if (!bld || !bn_n || !bn_e
      || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get())
      || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()))
    return nullptr;
  params_ptr params{OSSL_PARAM_BLD_to_param(bld.get())};
  return params ? from_params("RSA", params.get()) : nullptr;
}

pkey_ptr ec_key(const json& jwk) {
  if (string_member(jwk, "crv") != "P-256")
    return nullptr;
  auto x = base64url_decode(string_member_or(jwk, "x", ""));
  auto y = base64url_decode(string_member_or(jwk, "y", ""));
  if (!x || !y || x->size() != 32 || y->size() != 32)
    return nullptr;
  std::string point = "\x04" + *x + *y;
  bld_ptr bld{OSSL_PARAM_BLD_new()};
  if (!bld
      || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                          "prime256v1", 0)
      || !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                           point.data(), point.size()))
    return nullptr;
  params_ptr params{OSSL_PARAM_BLD_to_param(bld.get())};
  return params ? from_params("EC", params.get()) : nullptr;
}

/// The DER encoding of a raw ES256 signature (r||s, 32 bytes each).
std::optional<std::string> es256_der(const std::string& raw) {
  if (raw.size() != 64)
    return std::nullopt;
  sig_ptr sig{ECDSA_SIG_new()};
  auto* r =
    BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  auto* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32,
                      32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0)
    return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool verify_sig(EVP_PKEY* key, std::string_view data, const std::string& sig) {
  mdctx_ptr ctx{EVP_MD_CTX_new()};
  if (!ctx
      || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key)
           != 1)
    return false;
  return EVP_DigestVerify(
           ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
           sig.size(), reinterpret_cast<const unsigned char*>(data.data()),
           data.size())
         == 1;
}

std::vector<std::string> list_claim(const json& claims, const char* name) {
  std::vector<std::string> out;
  auto i = claims.find(name);
  if (i == claims.end())
    return out;
  if (i->is_array()) {
    for (auto& v : *i)
      if (v.is_string())
        out.push_back(v.get<std::string>());
  } else if (i->is_string()) {
    auto text = i->get<std::string>();
    size_t start = 0;
    while (start <= text.size()) {
      auto comma = text.find(',', start);
      auto part = text.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty())
        out.push_back(part);
      if (comma == std::string::npos)
        break;
      start = comma + 1;
    }
  }
  return out;
}

std::string role_of(const json& claims) {
  for (auto* name : {"role", "https://routeros-mcp/role"}) {
    auto i = claims.find(name);
    if (i == claims.end())
      continue;
    if (i->is_string() && authz::valid_role(i->get<std::string>()))
      return i->get<std::string>();
    if (i->is_array())
      for (auto& v : *i)
        if (v.is_string() && authz::valid_role(v.get<std::string>()))
          return v.get<std::string>();
  }
  std::vector<std::string> scopes;
  if (auto s = claims.find("scope"); s != claims.end() && s->is_string()) {
    auto text = s->get<std::string>();
    size_t start = 0;
    while (start < text.size()) {
      auto sp = text.find(' ', start);
      scopes.push_back(text.substr(
        start, sp == std::string::npos ? std::string::npos : sp - start));
      if (sp == std::string::npos)
        break;
      start = sp + 1;
    }
  }
  for (auto& s : list_claim(claims, "scp"))
    scopes.push_back(s);
  auto has = [&](const char* s) {
    return std::find(scopes.begin(), scopes.end(), s) != scopes.end();
  };
  if (has("mcp:admin"))
    return "admin";
  if (has("mcp:write"))
    return "ops_rw";
  if (has("mcp:approve"))
    return "approver";
  if (has("mcp:read"))
    return "read_only";
  return {};
}

} // namespace

const std::vector<std::string>& scopes_supported() {
  static const std::vector<std::string> all{"mcp:read", "mcp:write",
                                            "mcp:approve", "mcp:admin"};
  return all;
}

std::string base64url_encode(std::string_view bytes) {
  return storage::to_base64url(bytes);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // JWS parts carry no padding and only the URL-safe alphabet.
  if (text.find_first_of("+/=") != std::string_view::npos)
    return std::nullopt;
  return storage::from_base64(text);
}

jwt_result verify_jwt(std::string_view token, const json& jwks,
                      const jwt_settings& settings, int64_t now_s) {
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos
      || token.find('.', dot2 + 1) != std::string_view::npos)
    return fail("not a compact JWS (three dot-separated parts)");
  auto header_text = base64url_decode(token.substr(0, dot1));
  auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature)
    return fail("a part is not base64url");
  auto header = parse_json(*header_text);
  auto claims = parse_json(*payload_text);
  if (!header || !header->is_object() || !claims || !claims->is_object())
    return fail("header or payload is not a JSON object");
  auto alg = string_member_or(*header, "alg", "");
  if (alg != "RS256" && alg != "ES256")
    return fail("alg '" + alg + "' is not accepted (RS256, ES256)");
  const char* kty = alg == "RS256" ? "RSA" : "EC";
  // The key: by kid, or the only key when the token names none.
  if (header->contains("kid") && !string_member(*header, "kid"))
    return fail("kid is not a string");
  auto kid = string_member_or(*header, "kid", "");
  static const json no_keys = json::array();
  const json* keys = &no_keys;
  if (auto i = jwks.find("keys"); i != jwks.end() && i->is_array())
    keys = &*i;
  const json* jwk = nullptr;
  if (!kid.empty()) {
    for (auto& k : *keys)
      if (string_member(k, "kid") == kid)
        jwk = &k;
    if (jwk == nullptr)
      return fail("unknown key id '" + kid + "'", jwt_failure::unknown_key);
  } else if (keys->size() == 1 && (*keys)[0].is_object()) {
    jwk = &(*keys)[0];
  } else {
    return fail("the token names no key id (kid) and the JWKS holds "
                + std::to_string(keys->size()) + " keys");
  }
  if (string_member(*jwk, "kty") != kty)
    return fail("key '" + kid + "' is not an " + kty + " key (alg " + alg
                + ")");
  if (jwk->contains("alg") && string_member(*jwk, "alg") != alg)
    return fail("key '" + kid + "' is for alg "
                + string_member_or(*jwk, "alg", "?") + ", not " + alg);
  if (jwk->contains("use") && string_member(*jwk, "use") != "sig")
    return fail("key '" + kid + "' is not a signing key");
  auto key = alg == "RS256" ? rsa_key(*jwk) : ec_key(*jwk);
  if (!key)
    return fail("key '" + kid + "' of the JWKS is malformed");
  std::string sig = *signature;
  if (alg == "ES256") {
    auto der = es256_der(sig);
    if (!der)
      return fail("an ES256 signature has 64 bytes");
    sig = std::move(*der);
  }
  if (!verify_sig(key.get(), token.substr(0, dot2), sig))
    return fail("bad signature");
  // Claims.
  auto iss = string_member_or(*claims, "iss", "");
  if (iss != settings.issuer)
    return fail("issuer '" + iss + "' is not '" + settings.issuer + "'");
  bool aud_ok = false;
  if (auto aud = claims->find("aud"); aud != claims->end()) {
    if (aud->is_string())
      aud_ok = aud->get<std::string>() == settings.audience;
    else if (aud->is_array())
      for (auto& a : *aud)
        aud_ok =
          aud_ok
          || (a.is_string() && a.get<std::string>() == settings.audience);
  }
  if (!aud_ok)
    return fail("the token is not for audience '" + settings.audience + "'");
  auto exp = claims->find("exp");
  if (exp == claims->end() || !exp->is_number())
    return fail("the token has no exp");
  // Compared as doubles: any JSON number converts without overflow.
  auto now = static_cast<double>(now_s);
  auto leeway = static_cast<double>(settings.leeway_s);
  if (now >= exp->get<double>() + leeway)
    return fail("the token expired");
  if (auto nbf = claims->find("nbf"); nbf != claims->end()) {
    if (!nbf->is_number())
      return fail("nbf is not a number");
    if (now + leeway < nbf->get<double>())
      return fail("the token is not valid yet (nbf)");
  }
  auto sub = string_member_or(*claims, "sub", "");
  if (sub.empty())
    return fail("the token has no sub");
  auto role = role_of(*claims);
  if (role.empty())
    return fail("the token grants none of the scopes mcp:read, mcp:write, "
                "mcp:approve, mcp:admin and no role",
                jwt_failure::insufficient_scope);
  identity who;
  who.subject = sub;
  who.role = role;
  who.transport = "http";
  auto jti = claims->find("jti");
  who.credential = jti != claims->end() && jti->is_string()
                     ? "jwt:" + jti->get<std::string>()
                     : "jwt:" + settings.issuer + " " + sub;
  who.scope.ids = list_claim(*claims, "device_ids");
  who.scope.tags = list_claim(*claims, "device_tags");
  who.scope.environments = list_claim(*claims, "device_environments");
  jwt_result out;
  out.who = std::move(who);
  return out;
}

} // namespace rmcp::auth
