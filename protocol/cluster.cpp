#include "protocol/cluster.hpp"

namespace rmcp {

namespace {

/// FNV-1a over `s`, continuing from `h`.
uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// splitmix64's finaliser: spreads FNV's weak low bits over all 64.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

} // namespace

uint64_t rendezvous_weight(std::string_view node_id,
                           std::string_view device_id) {
  auto h = fnv1a(0xcbf29ce484222325ULL, node_id);
  h = fnv1a(h ^ 0xff, device_id); // the separator keeps ("ab","c") ≠ ("a","bc")
  return mix(h);
}

const cluster_member* owner_of(const cluster_view& view,
                               std::string_view device_id) {
  const cluster_member* best = nullptr;
  uint64_t best_weight = 0;
  for (auto& m : view.members) {
    auto w = rendezvous_weight(m.node_id, device_id);
    if (best == nullptr || w > best_weight
        || (w == best_weight && m.node_id < best->node_id)) {
      best = &m;
      best_weight = w;
    }
  }
  return best;
}

} // namespace rmcp
