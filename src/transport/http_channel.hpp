#pragma once

// One HTTP exchange waiting for its answer, and the connection it answers
// on. Beast-free: routes and actors hold a `channel_ptr`, connections
// implement `http_port`.
//
// A channel answers exactly once, in one of three shapes:
// - `respond`: a complete response (JSON, text, empty 202 ...);
// - `message`: JSON-RPC messages for one POSTed request. The first one
//   decides: a final message (the response) while the client accepts JSON
//   becomes an application/json response; a notification (progress) first,
//   or a client that accepts only text/event-stream, opens an SSE stream
//   that carries every message and ends after the final one;
// - `open_stream` + `event`... + `close`: a long-lived SSE stream (GET
//   /mcp, legacy GET /sse).
//
// Every method is thread-safe: it posts to the connection's strand. A
// channel dropped without an answer (its session ended, a message to a
// dead actor) answers 503 from its destructor, so no client waits forever.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "src/transport/http_message.hpp"

namespace rmcp {
class metrics;
} // namespace rmcp

namespace rmcp::transport {

/// The connection side of a channel. `post` may be called from any thread;
/// the other methods only from inside a posted function (the strand).
class http_port {
public:
  virtual ~http_port() = default;

  /// Runs `fn` on the connection's strand.
  virtual void post(std::function<void()> fn) = 0;

  /// Queues bytes for writing.
  virtual void write(std::string bytes) = 0;

  /// The current response is complete once the queued bytes are written:
  /// read the next request, or close when `keep_alive` is false.
  virtual void finish(bool keep_alive) = 0;

  /// The response never ends on its own (an event stream): watch the
  /// connection for the client going away, calling `on_gone` once (on the
  /// strand) when it does, and write `keepalive` every `period`.
  virtual void watch(std::function<void()> on_gone, std::string keepalive,
                     std::chrono::milliseconds period) = 0;

  /// False once the connection is closed or broken.
  virtual bool is_open() const = 0;
};

class http_channel;
using channel_ptr = std::shared_ptr<http_channel>;

class http_channel : public std::enable_shared_from_this<http_channel> {
public:
  /// What the client accepts for a POSTed request's answer.
  struct accepts {
    bool json = true;
    bool event_stream = true;
  };

  /// @param endpoint fixed route name for rmcp_http_requests_total.
  http_channel(std::shared_ptr<http_port> port, const http_request& req,
               std::string endpoint, std::shared_ptr<rmcp::metrics> metrics);
  ~http_channel();

  http_channel(const http_channel&) = delete;
  http_channel& operator=(const http_channel&) = delete;

  // -- setup (before the channel is shared) -------------------------------------

  /// Adds a header field to whatever response the channel sends.
  void add_header(std::string name, std::string value);

  void set_accepts(accepts a);

  /// SSE keepalive period of streams (default 15 s).
  void set_keepalive(std::chrono::milliseconds period);

  // -- answers (any thread) ---------------------------------------------------------

  /// A complete response.
  void respond(unsigned status, std::string content_type, std::string body);

  /// A JSON response.
  void respond_json(unsigned status, std::string body);

  /// One JSON-RPC message for the POSTed request; `final` is its response.
  void message(std::string payload, bool final);

  /// Starts a long-lived SSE stream; `on_gone` runs (on an I/O thread) when
  /// the client disconnects.
  void open_stream(std::function<void()> on_gone);

  /// One event on an open stream (or on a POST stream); `id` (optional) is
  /// the SSE event id a client resumes after (Last-Event-ID).
  void event(std::string event, std::string data, std::string id = {});

  /// Ends the stream (and the connection: a stream has no successor).
  void close();

  /// True once the answer is complete or the client is gone.
  bool closed() const noexcept {
    return closed_.load();
  }

  /// True once anything was answered.
  bool answered() const noexcept {
    return answered_.load();
  }

private:
  enum class state { fresh, streaming, done };

  void do_respond(unsigned status, const std::string& content_type,
                  const std::string& body);
  void do_message(const std::string& payload, bool final);
  void do_open(std::function<void()> on_gone, bool watch);
  void do_event(const std::string& event, const std::string& data,
                const std::string& id);
  void do_close();
  void count(unsigned status);

  std::shared_ptr<http_port> port_;
  unsigned version_;
  bool keep_alive_;
  std::string endpoint_;
  std::shared_ptr<rmcp::metrics> metrics_;
  header_list headers_;
  accepts accepts_;
  std::chrono::milliseconds keepalive_{15000};
  /// Only touched on the strand.
  state state_ = state::fresh;
  std::atomic<bool> closed_{false};
  std::atomic<bool> answered_{false};
};

} // namespace rmcp::transport
