#pragma once

// A typed view of one table: records of type T encoded as JSON through the
// `encode`/`decode` overloads of storage/codecs.hpp (a new record type adds
// its own overloads). Decoding failures become store_failure errors naming
// the table and key, never exceptions.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "storage/codecs.hpp"
#include "storage/kv.hpp"

namespace rmcp::storage {

/// The error for a record that does not decode.
caf::error corrupt_record(std::string_view table, std::string_view key,
                          std::string_view why);

template <class T>
class record_table {
public:
  constexpr explicit record_table(std::string_view name) : name_(name) {
    // nop
  }

  std::string_view name() const noexcept {
    return name_;
  }

  /// Decodes one stored value.
  caf::expected<T> decode_value(std::string_view key,
                                std::string_view text) const {
    auto doc = parse_json(text);
    if (!doc || !doc->is_object())
      return corrupt_record(name_, key, "not a JSON object");
    T result;
    try {
      if (!decode(*doc, result))
        return corrupt_record(name_, key, "malformed field");
    } catch (const json::exception& e) {
      return corrupt_record(name_, key, e.what());
    }
    return result;
  }

  caf::expected<std::optional<T>> get(read_txn& txn,
                                      std::string_view key) const {
    auto raw = txn.get(name_, key);
    if (!raw)
      return raw.error();
    if (!*raw)
      return std::optional<T>{};
    auto value = decode_value(key, **raw);
    if (!value)
      return value.error();
    return std::optional<T>{std::move(*value)};
  }

  caf::error put(write_txn& txn, std::string_view key, const T& value) const {
    return txn.put(name_, key, dump_json(encode(value)));
  }

  caf::expected<bool> erase(write_txn& txn, std::string_view key) const {
    return txn.erase(name_, key);
  }

  /// Visits decoded records under `prefix` in key order; `visit` returns
  /// false to stop. Stops at the first record that does not decode.
  caf::error
  scan(read_txn& txn, std::string_view prefix,
       const std::function<bool(std::string_view, T&)>& visit) const {
    caf::error failure;
    auto err =
      txn.scan(name_, prefix, [&](std::string_view key, std::string_view text) {
        auto value = decode_value(key, text);
        if (!value) {
          failure = value.error();
          return false;
        }
        return visit(key, *value);
      });
    return err ? err : failure;
  }

  /// The decoded records under `prefix` in key order, at most `limit` of
  /// them (0 = all).
  caf::expected<std::vector<T>> collect(read_txn& txn, std::string_view prefix,
                                        size_t limit = 0) const {
    std::vector<T> result;
    auto err = scan(txn, prefix, [&](std::string_view, T& value) {
      result.push_back(std::move(value));
      return limit == 0 || result.size() < limit;
    });
    if (err)
      return err;
    return result;
  }

private:
  std::string_view name_;
};

} // namespace rmcp::storage
