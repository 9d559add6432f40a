#pragma once

// JSON text of RouterOS replies. Every value is a string; only the `error`
// member of an error body is a number. Written by hand (not nlohmann) for
// speed and so that the control-byte fault can emit a raw byte < 0x20 inside
// a string, as RouterOS sometimes does (TF#165).

#include <string>
#include <string_view>
#include <vector>

#include "sim/fields.hpp"

namespace rmcp::sim {

/// Appends `s` as a JSON string literal. With `raw_controls`, byte 0x1b is
/// written unescaped.
void append_json_string(std::string& out, std::string_view s,
                        bool raw_controls = false);

std::string json_object(const fields& f, bool raw_controls = false);
std::string json_array(const std::vector<fields>& items,
                       bool raw_controls = false);

/// {"detail":...,"error":N,"message":...}; `detail` omitted when empty.
std::string json_error(unsigned status, std::string_view detail);

/// The HTTP reason phrase RouterOS puts into `message`.
const char* reason_phrase(unsigned status);

} // namespace rmcp::sim
