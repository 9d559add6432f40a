#include "protocol/device.hpp"

namespace rmcp {

std::string to_string(device_status x) {
  switch (x) {
    case device_status::unknown: return "unknown";
    case device_status::healthy: return "healthy";
    case device_status::degraded: return "degraded";
    case device_status::unreachable: return "unreachable";
  }
  return "unknown";
}

bool from_string(const std::string& text, device_status& out) {
  for (auto x : {device_status::unknown, device_status::healthy,
                 device_status::degraded, device_status::unreachable}) {
    if (to_string(x) == text) {
      out = x;
      return true;
    }
  }
  return false;
}

} // namespace rmcp
