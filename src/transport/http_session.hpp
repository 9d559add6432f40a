#pragma once

// The HTTP transport actor: one per MCP session over HTTP (Streamable HTTP
// or legacy HTTP+SSE). It owns the session's `mcp_session` actor (the same
// one stdio uses) and is its sink, routing every outgoing message by its
// `related_key`:
//
// - Streamable HTTP: a message related to a POSTed request goes to that
//   request's channel (JSON answer, or an SSE stream when notifications come
//   first); unrelated messages go to the GET stream if one is open (else
//   they are dropped: there is nowhere to send them).
// - Legacy HTTP+SSE: everything goes to the one SSE stream as
//   `event: message`.
//
// | message                          | from                                   |
// |----------------------------------|----------------------------------------|
// | (rpc_out, payload, related_key)  | its mcp_session                        |
// | (post, key, text, channel)       | route: a request; answer on `channel`  |
// | (rpc_in, text)                   | route: a notification or response      |
// | (listen, channel, last_event_id) | route: GET /mcp or GET /sse stream     |
// | (closed)                         | the legacy stream's client went away   |
// | (shutdown)                       | DELETE, or the server is stopping      |
// | (tick)                           | itself: idle check                     |
//
// Messages for the GET stream carry SSE event ids (1, 2, ...); the last
// `replay_capacity` of them are kept, also while no stream is open, and a
// GET with Last-Event-ID replays the ones after that id before anything
// new (resumption after a dropped connection).
//
// A stateless (2026-07-28) request gets a transport actor and session of
// its own, never named to the client: everything goes to that request's
// channel (no GET stream, no event ids), and the session ends after the
// answer, or when the client closes the stream (that is the cancellation
// in this era).
//
// It quits when its mcp_session is gone (after draining), and removes
// itself from the session table then.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/typed_actor.hpp>

#include "actors/mcp_session.hpp"
#include "protocol/mcp_actors.hpp"
#include "src/transport/http_channel.hpp"
#include "src/transport/http_guard.hpp"

// Channels are process-local handles to connections; they never leave the
// process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rmcp::transport::channel_ptr)

namespace rmcp::transport {

using http_session_actor = mcp_sink_actor::extend<
  caf::reacts_to<atom::post, std::string, std::string, channel_ptr>,
  caf::reacts_to<atom::rpc_in, std::string>,
  caf::reacts_to<atom::listen, channel_ptr, std::string>,
  caf::reacts_to<atom::closed>, caf::reacts_to<atom::shutdown>,
  caf::reacts_to<atom::tick>>;

/// Live HTTP sessions by id, shared by the routes (I/O threads) and the
/// transport actors. Also holds each session's rate limiter.
class session_table {
public:
  enum class found { yes, unknown, limited };

  session_table(size_t max_sessions, double rate, double burst);

  /// Adds a session of `owner` (the authenticated subject and credential,
  /// mcp_http's owner_of); false when the table is full.
  bool insert(const std::string& id, http_session_actor actor, bool legacy,
              const std::string& owner = {});

  /// Looks up a live session of the given kind and owner and takes a rate
  /// token; another owner's session is `unknown`.
  found find(const std::string& id, bool legacy, http_session_actor& out,
             int& retry_after, const std::string& owner = {});

  /// Marks a session as ending: lookups answer `unknown` from now on.
  /// Returns its actor (null when unknown).
  http_session_actor end(const std::string& id);

  /// Forgets a session (its actor quit).
  void erase(const std::string& id);

  /// Every session actor (for shutdown).
  std::vector<http_session_actor> all() const;

  size_t size() const;

private:
  struct entry {
    http_session_actor actor;
    bool legacy = false;
    bool ending = false;
    token_bucket bucket;
    std::string owner;
  };

  size_t max_;
  double rate_;
  double burst_;
  mutable std::mutex mtx_;
  std::unordered_map<std::string, entry> entries_;
};

/// GET-stream messages kept for Last-Event-ID resumption.
inline constexpr size_t replay_capacity = 256;

struct http_session_config {
  std::string id;
  /// Legacy HTTP+SSE (2024-11-05) instead of Streamable HTTP.
  bool legacy = false;
  /// One stateless (2026-07-28) request: every message goes to its
  /// channel, and the session ends once it is answered or its client goes
  /// away.
  bool stateless = false;
  /// That request is subscriptions/listen: its channel opens as a watched
  /// SSE stream (keepalive comments, disconnect noticed) at once.
  bool listen = false;
  /// A session with no request and no open stream for this long ends.
  std::chrono::milliseconds idle_timeout{30 * 60 * 1000};
  /// What the mcp_session needs.
  session_context ctx;
  std::shared_ptr<session_table> table;
};

/// Spawns the transport actor and its mcp_session. The caller inserts it
/// into the table.
http_session_actor spawn_http_session(caf::actor_system& sys,
                                      http_session_config cfg);

/// A fresh session id: 32 hex characters from OpenSSL's CSPRNG.
std::string make_session_id();

} // namespace rmcp::transport
