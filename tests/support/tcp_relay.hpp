#pragma once

// A TCP relay on loopback for partition drills: a cluster node reaches etcd
// through its own relay, and `cut()` takes etcd away from that node alone
// (every relayed connection is closed, new ones are accepted and closed at
// once: the node's etcd calls fail fast) while the node keeps running and
// the other nodes keep their etcd. `heal()` relays again. Its own I/O
// thread; every member is thread-safe.

#include <cstdint>
#include <memory>

namespace rmcp::test {

class tcp_relay {
public:
  /// Listens on 127.0.0.1 (ephemeral port) and relays to
  /// 127.0.0.1:`upstream_port`.
  explicit tcp_relay(uint16_t upstream_port);
  ~tcp_relay();

  tcp_relay(const tcp_relay&) = delete;
  tcp_relay& operator=(const tcp_relay&) = delete;

  /// Where clients connect.
  uint16_t port() const noexcept;

  /// Closes every relayed connection and refuses to relay until `heal()`;
  /// done when it returns.
  void cut();

  /// Relays new connections again.
  void heal();

  /// Keeps every connection open but passes no byte either way (read and
  /// dropped), as a peer that vanished without closing (power loss, a
  /// silent partition) looks to TCP; done when it returns.
  void silence();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace rmcp::test
