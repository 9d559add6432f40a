#pragma once

// Seeded, reproducible data: router profiles (board, version, identity) and
// the per-area table seeds. Everything is derived from (seed, index) only.

#include <cstdint>
#include <string>

#include "sim/state.hpp"

namespace rmcp::sim {

/// Profile of router `index` of a fleet seeded with `seed`.
router_profile make_profile(std::uint64_t seed, std::size_t index);

/// Overwrites board-dependent profile fields from the board catalogue;
/// false when `board` is not in it.
bool apply_board(router_profile& p, const std::string& board);

/// Every board name of the catalogue.
std::string board_names();

/// Version number without channel: "7.16.2 (stable)" -> "7.16.2".
std::string version_number(const router_profile& p);

/// A seeded random stream for one area of one router.
prng area_rng(const router_profile& p, std::string_view area);

/// Third octet of the router's LAN (192.168.N.0/24).
int lan_octet(const router_profile& p);

/// MAC address of interface slot `n` of the router.
std::string router_mac(const router_profile& p, int n);

// Per-area seeds (called by seed_tables).
void seed_system(router_state& st);
void seed_interfaces(router_state& st);
void seed_ip(router_state& st);
void seed_firewall(router_state& st);
void seed_wireless(router_state& st);

} // namespace rmcp::sim
