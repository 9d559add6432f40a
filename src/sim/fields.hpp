#pragma once

// `fields`: the properties of one RouterOS item, kept sorted by key (the
// order RouterOS REST prints them in). Keys starting with '~' are private to
// the simulator (link state, password, counters' rates) and never printed.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rmcp::sim {

class fields {
public:
  using value_type = std::pair<std::string, std::string>;

  fields() = default;
  fields(std::initializer_list<value_type> init) {
    for (auto& kv : init)
      set(kv.first, kv.second);
  }

  const std::string* find(std::string_view key) const {
    auto it = lower(key);
    return it != items_.end() && it->first == key ? &it->second : nullptr;
  }

  bool has(std::string_view key) const {
    return find(key) != nullptr;
  }

  std::string get(std::string_view key, std::string_view fallback = {}) const {
    auto* v = find(key);
    return v ? *v : std::string{fallback};
  }

  bool is_true(std::string_view key) const {
    auto* v = find(key);
    return v && *v == "true";
  }

  void set(std::string_view key, std::string value) {
    auto it = lower(key);
    if (it != items_.end() && it->first == key)
      it->second = std::move(value);
    else
      items_.emplace(it, std::string{key}, std::move(value));
  }

  bool erase(std::string_view key) {
    auto it = lower(key);
    if (it == items_.end() || it->first != key)
      return false;
    items_.erase(it);
    return true;
  }

  auto begin() const {
    return items_.begin();
  }
  auto end() const {
    return items_.end();
  }
  std::size_t size() const {
    return items_.size();
  }
  bool empty() const {
    return items_.empty();
  }
  void reserve(std::size_t n) {
    items_.reserve(n);
  }

private:
  std::vector<value_type>::iterator lower(std::string_view key) {
    return std::lower_bound(
      items_.begin(), items_.end(), key,
      [](const value_type& kv, std::string_view k) { return kv.first < k; });
  }
  std::vector<value_type>::const_iterator lower(std::string_view key) const {
    return std::lower_bound(
      items_.begin(), items_.end(), key,
      [](const value_type& kv, std::string_view k) { return kv.first < k; });
  }

  std::vector<value_type> items_;
};

/// One stored item of a table.
struct record {
  std::uint32_t id = 0;
  fields f;
};

} // namespace rmcp::sim
