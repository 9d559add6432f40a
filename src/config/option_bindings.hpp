#pragma once

// How each configuration key is bound to its field in server_options:
// the binding type and the table itself (option_bindings.cpp), kept apart
// from the parsing and loading in options_table.cpp.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "src/config/options_table.hpp"

namespace rmcp::config::detail {

/// A key's value in the type of its option: string (and choice), integer,
/// boolean or duration.
using value =
  std::variant<std::string, int64_t, bool, std::chrono::milliseconds>;

/// How a custom binding reads and writes its field.
struct custom {
  std::function<value(const server_options&)> get;
  std::function<void(server_options&, const value&)> set;
};

/// The field that `path`, a chain of member pointers, leads to in `o`.
template <class T, class... Ms>
auto& field_at(T& o, Ms... path) {
  // clang-format off
  return (o .* ... .* path);
  // clang-format on
}

/// Integer fields of any width (not bool): integer options, kept in range.
template <class F>
constexpr bool is_count = std::is_integral_v<F> && !std::is_same_v<F, bool>;

/// A key and where its value lives: a member of server_options, or a
/// member of a settings struct nested in it (the path of member pointers,
/// e.g. &o::fleet, &fleet_settings::device, &device_settings::queue_size).
struct binding {
  option_def def;
  std::function<value(const server_options&)> get;
  std::function<void(server_options&, const value&)> set;

  template <class... Ms>
  binding(option_def d, Ms... path) : def(std::move(d)) {
    get = [path...](const server_options& o) -> value {
      const auto& field = field_at(o, path...);
      using field_type = std::decay_t<decltype(field)>;
      if constexpr (is_count<field_type>)
        return static_cast<int64_t>(field);
      else
        return field;
    };
    set = [path...](server_options& o, const value& v) {
      auto& field = field_at(o, path...);
      using field_type = std::decay_t<decltype(field)>;
      if constexpr (is_count<field_type>)
        field = static_cast<field_type>(std::get<int64_t>(v));
      else
        field = std::get<field_type>(v);
    };
  }

  binding(option_def d, custom c)
    : def(std::move(d)), get(std::move(c.get)), set(std::move(c.set)) {}
};

/// Every key with its binding, in documentation order.
const std::vector<binding>& bindings();

} // namespace rmcp::config::detail
