#pragma once

// The control endpoint of a fleet: JSON over plain HTTP on its own loopback
// port, for fault injection and clock control from outside the process.
//
//   GET    /routers                        every router: index, port, identity,
//                                          board, version, up, faults, stats
//   GET    /routers/{i}                    one router
//   GET    /routers/{i}/faults             its faults
//   PUT    /routers/{i|all}/faults         merge fault settings (JSON object
//   POST   /routers/{i|all}/faults         with any of latency_ms, jitter_ms,
//   PATCH  /routers/{i|all}/faults         error_rate, drop_rate, timeout_rate,
//                                          reject_auth, high_cpu, high_memory,
//                                          write_fail_applied, control_bytes,
//                                          wrong_body_count)
//   DELETE /routers/{i|all}/faults         clear all faults
//   POST   /routers/{i}/reboot             {"downtime_s": 20} simulated seconds
//   POST   /routers/{i}/credentials        {"username": "...", "password": "..."}
//   GET    /clock                          {"epoch_ms": ..., "time_scale": ...}
//   POST   /clock/advance                  {"seconds": N} (runs due scheduler jobs)
//
// Answers are JSON; errors are {"error": "<text>"} with 400 or 404.

#include <string>
#include <utility>

namespace rmcp::sim {

class fleet;

std::pair<unsigned, std::string> handle_control(fleet& f,
                                                const std::string& method,
                                                const std::string& target,
                                                const std::string& body);

} // namespace rmcp::sim
