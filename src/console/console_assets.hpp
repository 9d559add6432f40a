#pragma once

// The web console's static files, embedded in the binary at build time:
// cmake/embed_assets.cmake turns every file of console/ into a byte array
// of a generated .cpp, so the daemon serves the console with nothing to
// install beside it and nothing fetched at run time.

#include <string_view>
#include <vector>

namespace rmcp::console {

struct asset {
  /// URL path under /ui ("/ui/app.js"); index.html is also "/ui/".
  std::string_view path;
  std::string_view content_type;
  std::string_view body;
};

/// Every embedded file.
const std::vector<asset>& assets();

/// The asset of a URL path; null when there is none.
const asset* find_asset(std::string_view path);

} // namespace rmcp::console
