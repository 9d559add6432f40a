#pragma once

// Where a sanitizer build's UBSan reports go.
//
// g++ 12 links an ASan+UBSan program with two sanitizer runtimes,
// libasan.so and libubsan.so, each with its own report file. libubsan's
// never reads `log_path` in that combination (measured with a two-line
// program: its report went to stderr, ASan's to the file), and
// `__sanitizer_set_report_path` resolves to libasan's copy. The daemons'
// stderr is a log many tests read or discard, so scripts/test's rule
// "every report is a file under BUILD/sanitizer-reports" would miss them.
// `route_ubsan_reports` points libubsan's own copy (found with dlsym on its
// handle) at the path of UBSAN_OPTIONS (else ASAN_OPTIONS) `log_path`
// (it does read `log_exe_name`: the file is `<path>.<program>.<pid>` as
// the others). A no-op in any other build. Header-only and standard
// headers alone: the simulator, which shares no code with the daemon,
// includes it too.

#include <dlfcn.h>

#include <cstdlib>
#include <string>

namespace rmcp {

namespace detail {

/// The value of `key` in a sanitizer options string ("a=1:b=2").
inline std::string sanitizer_option(const char* options,
                                    const std::string& key) {
  if (options == nullptr)
    return {};
  std::string text{options};
  size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(':', start);
    if (end == std::string::npos)
      end = text.size();
    auto entry = text.substr(start, end - start);
    if (entry.rfind(key + "=", 0) == 0)
      return entry.substr(key.size() + 1);
    start = end + 1;
  }
  return {};
}

} // namespace detail

/// Call first thing in main (the daemon and the simulator).
inline void route_ubsan_reports() {
#if defined(__SANITIZE_ADDRESS__)
  void* ubsan = dlopen("libubsan.so.1", RTLD_NOW | RTLD_NOLOAD);
  if (ubsan == nullptr)
    return;
  using set_path_fn = void (*)(const char*);
  auto set_path =
    reinterpret_cast<set_path_fn>(dlsym(ubsan, "__sanitizer_set_report_path"));
  auto path =
    detail::sanitizer_option(std::getenv("UBSAN_OPTIONS"), "log_path");
  if (path.empty())
    path = detail::sanitizer_option(std::getenv("ASAN_OPTIONS"), "log_path");
  if (set_path != nullptr && !path.empty() && path != "stderr"
      && path != "stdout")
    set_path(path.c_str());
  dlclose(ubsan);
#endif
}

} // namespace rmcp
