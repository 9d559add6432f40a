#pragma once

// A private etcd for the cluster tests: `etcd` (Debian's etcd-server, which
// scripts/common.sh installs) on 127.0.0.1 with client and peer ports found
// free at run time, its data in a temporary folder, with the transaction
// and request limits the shared store needs (src/cluster/etcd_kv.hpp). The constructor waits
// until etcd answers /health (a start that loses a port race is retried on
// fresh ports); the destructor kills it and removes the folder, also when
// the test failed. `kill` and `restart` let a test take etcd away under
// running members and bring it back on the same ports with the same data.

#include <cstdint>
#include <memory>
#include <string>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::test {

/// A loopback port nobody listens on right now, below the kernel's
/// ephemeral range (so no outgoing connection takes it meanwhile), or 0
/// when none could be had. Another process may bind it before the caller.
uint16_t free_loopback_port();

class etcd_server {
public:
  etcd_server();
  ~etcd_server();

  etcd_server(const etcd_server&) = delete;
  etcd_server& operator=(const etcd_server&) = delete;

  /// True once etcd answered; false when it could not be started (the
  /// constructor then reported a test failure saying why).
  bool ready() const noexcept {
    return ready_;
  }

  /// "127.0.0.1:<client port>".
  std::string endpoint() const;

  uint16_t client_port() const noexcept {
    return client_port_;
  }

  /// SIGKILL: etcd is gone at once (no goodbye to anyone).
  void kill();

  /// Starts etcd again on the same ports and data; true once it answers.
  bool restart();

  /// What etcd wrote to stderr (for failure messages).
  std::string log() const;

private:
  bool start_once();
  bool wait_healthy();

  temp_dir dir_;
  std::unique_ptr<child_process> proc_;
  std::string binary_;
  uint16_t client_port_ = 0;
  uint16_t peer_port_ = 0;
  bool ready_ = false;
};

} // namespace rmcp::test
