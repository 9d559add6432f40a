#pragma once

// What every fuzz target shares. A target is one translation unit defining
// LLVMFuzzerTestOneInput; it is linked either with libFuzzer (clang,
// scripts/fuzz, build-fuzz/) or with replay_main.cpp (the normal build),
// which runs the checked-in corpus and regression inputs as a CTest.
//
// A target states what must hold with FUZZ_CHECK: a broken property aborts,
// which libFuzzer records as a crash and the replay test as a failure.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__,      \
                   __LINE__, #cond);                                           \
      std::abort();                                                            \
    }                                                                          \
  } while (false)

namespace rmcp::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Splits `text` at the first `sep`: `head` before it, the rest returned
/// (empty when there is no `sep`; then `head` is all of `text`).
inline std::string_view split_first(std::string_view text, char sep,
                                    std::string_view& head) {
  auto at = text.find(sep);
  if (at == std::string_view::npos) {
    head = text;
    return {};
  }
  head = text.substr(0, at);
  return text.substr(at + 1);
}

} // namespace rmcp::fuzz
