#pragma once

// The JSON of etcd's v3 gateway, both ways: request bodies for each call
// and checked readers of the answers. Plain functions (no I/O), so the
// shapes are tested without an etcd. Keys and values are base64 in both
// directions; 64-bit numbers travel as decimal strings (proto3 JSON) and
// fields holding zero or false are left out of answers. Every reader
// refuses a wrong shape with ec::store_failure naming the field.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "actors/etcd_client.hpp"
#include "protocol/json.hpp"

namespace rmcp::cluster {

// -- request bodies --------------------------------------------------------------

json grant_body(int64_t ttl);
json lease_id_body(int64_t id);
json put_body(const std::string& key, const std::string& value, int64_t lease);
json range_body(const std::string& key, bool prefix);
json range_query_body(const etcd_range_query& q);
json txn_body(const etcd_txn& t);
json watch_body(const std::string& prefix, int64_t start_revision);
json watch_range_body(const std::string& key, const std::string& range_end,
                      int64_t start_revision);

// -- answers -----------------------------------------------------------------------

/// A gateway error body ({"error": ..., "code": n, "message": ...}) as
/// text, or empty when `body` is not one.
std::string gateway_error(const json& body);

/// The revision of an answer's header.
caf::expected<int64_t> read_revision(const json& body);

/// The lease id of a grant answer.
caf::expected<int64_t> read_grant(const json& body);

/// The remaining TTL of a keep-alive answer (its `result` member): 0 when
/// the lease is gone.
caf::expected<int64_t> read_keep_alive(const json& body);

caf::expected<etcd_range> read_range(const json& body);

/// The `deleted` count of a deleterange answer.
caf::expected<int64_t> read_deleted(const json& body);

caf::expected<etcd_txn_result> read_txn(const json& body);

/// One object of the watch stream: `created` is set for the first answer
/// (the watch exists), events are appended. Errors: a canceled watch
/// (e.g. its start revision was compacted) or a wrong shape.
caf::expected<etcd_watch_result> read_watch_message(const json& body,
                                                    bool& created);

/// A decimal string or a JSON integer as int64; nullopt otherwise.
std::optional<int64_t> int64_of(const json& v);

} // namespace rmcp::cluster
