#include "src/transport/http_session.hpp"

#include <charconv>
#include <deque>

#include <openssl/rand.h>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/log.hpp"

namespace rmcp::transport {

// -- session table ------------------------------------------------------------------

session_table::session_table(size_t max_sessions, double rate, double burst)
  : max_(max_sessions), rate_(rate), burst_(burst) {
  // nop
}

bool session_table::insert(const std::string& id, http_session_actor actor,
                           bool legacy, const std::string& owner) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (entries_.size() >= max_)
    return false;
  entries_.emplace(
    id, entry{std::move(actor), legacy, false,
              token_bucket{rate_, burst_, token_bucket::clock::now()}, owner});
  return true;
}

session_table::found session_table::find(const std::string& id, bool legacy,
                                         http_session_actor& out,
                                         int& retry_after,
                                         const std::string& owner) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = entries_.find(id);
  // Another caller's session id is as good as unknown.
  if (i == entries_.end() || i->second.ending || i->second.legacy != legacy
      || i->second.owner != owner)
    return found::unknown;
  if (!i->second.bucket.take(token_bucket::clock::now())) {
    retry_after = i->second.bucket.retry_after_seconds();
    return found::limited;
  }
  out = i->second.actor;
  return found::yes;
}

http_session_actor session_table::end(const std::string& id) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = entries_.find(id);
  if (i == entries_.end() || i->second.ending)
    return {};
  i->second.ending = true;
  return i->second.actor;
}

void session_table::erase(const std::string& id) {
  std::lock_guard<std::mutex> guard{mtx_};
  entries_.erase(id);
}

std::vector<http_session_actor> session_table::all() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<http_session_actor> out;
  for (auto& [_, e] : entries_)
    out.push_back(e.actor);
  return out;
}

size_t session_table::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return entries_.size();
}

std::string make_session_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1)
    std::abort(); // no randomness: refusing to hand out guessable ids
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

// -- transport actor ------------------------------------------------------------------

namespace {

/// True when a serialised JSON-RPC message is a response (no "method").
bool is_response(const std::string& payload) {
  auto msg = parse_json(payload);
  return msg && msg->is_object() && !msg->contains("method");
}

bool is_error_response(const std::string& payload) {
  auto msg = parse_json(payload);
  return msg && msg->is_object() && msg->contains("error");
}

struct http_session_state {
  static inline const char* name = "rmcp.http-session";

  using clock = std::chrono::steady_clock;

  http_session_actor::pointer self = nullptr;
  http_session_config cfg;
  mcp_session_actor session;
  /// POSTed requests waiting for their answer, by JSON-RPC id key.
  std::unordered_map<std::string, channel_ptr> exchanges;
  /// GET /mcp stream, or the legacy SSE stream.
  channel_ptr stream;
  /// The GET stream's recent messages by event id, oldest first.
  std::deque<std::pair<uint64_t, std::string>> replay;
  uint64_t last_event = 0;
  /// The key of the initialize request (Streamable HTTP).
  std::string init_key;
  bool init_answered = false;
  bool ending = false;
  clock::time_point last_activity = clock::now();

  const char* transport() const {
    return cfg.legacy ? "sse" : cfg.stateless ? "http-stateless" : "http";
  }

  /// A stateless request's session lives as long as the request: its
  /// opening and end are debug detail.
  spdlog::level::level_enum level() const {
    return cfg.stateless ? spdlog::level::debug : spdlog::level::info;
  }

  bool stream_open() const {
    return stream && !stream->closed();
  }

  void on_out(std::string& payload, const std::string& related) {
    if (cfg.legacy) {
      if (stream_open())
        stream->event("message", std::move(payload));
      return;
    }
    if (cfg.stateless) {
      on_stateless_out(payload, related);
      return;
    }
    if (!related.empty()) {
      auto i = exchanges.find(related);
      if (i != exchanges.end()) {
        auto channel = i->second;
        bool final = is_response(payload);
        // Only the answer to initialize itself: a later request may reuse
        // its id (ids need only be unique among pending requests), and
        // its error must not end the session.
        bool is_init = final && !init_answered && related == init_key;
        bool failed_init = is_init && is_error_response(payload);
        if (is_init)
          init_answered = true;
        if (final)
          exchanges.erase(i);
        channel->message(std::move(payload), final);
        if (failed_init)
          end("initialize-failed");
        return;
      }
    }
    replay.emplace_back(++last_event, payload);
    if (replay.size() > replay_capacity)
      replay.pop_front();
    if (stream_open())
      stream->event("", std::move(payload), std::to_string(last_event));
    else
      log::debug(log::http(), "http-message-kept",
                 {{"session", cfg.id},
                  {"related", related},
                  {"event", last_event},
                  {"reason", "no-open-stream"}});
  }

  /// Stateless: the one request's channel carries everything (its log
  /// messages too); its answer ends the session.
  void on_stateless_out(std::string& payload, const std::string& related) {
    auto i = related.empty() ? exchanges.begin() : exchanges.find(related);
    if (i == exchanges.end())
      return;
    auto channel = i->second;
    bool final = !related.empty() && is_response(payload);
    if (final)
      exchanges.erase(i);
    channel->message(std::move(payload), final);
    if (final)
      end("answered");
  }

  void on_post(const std::string& key, std::string& text, channel_ptr ch) {
    last_activity = clock::now();
    if (cfg.stateless && cfg.listen) {
      // Opened at once and watched: keepalive comments flow while no
      // update does, and a client that goes away ends the listen.
      auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
      ch->open_stream([weak] {
        if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak))
          caf::anon_send(caf::actor_cast<http_session_actor>(strong),
                         atom::closed_v);
      });
    }
    if (init_key.empty() && !cfg.legacy && !cfg.stateless)
      init_key = key;
    exchanges[key] = std::move(ch);
    self->send(session, atom::rpc_in_v, std::move(text));
  }

  void on_listen(channel_ptr ch, const std::string& last_event_id) {
    last_activity = clock::now();
    if (cfg.legacy) {
      stream = std::move(ch);
      auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
      stream->open_stream([weak] {
        if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak))
          caf::anon_send(caf::actor_cast<http_session_actor>(strong),
                         atom::closed_v);
      });
      stream->event("endpoint", "/messages?sessionId=" + cfg.id);
      return;
    }
    if (stream_open() && !last_event_id.empty()) {
      // A client resuming has given up on its old stream (its side of the
      // connection may be gone before ours noticed).
      stream->close();
      stream = nullptr;
    }
    if (stream_open()) {
      ch->respond_json(409, error_body(ec::invalid_request,
                                       "this session already has an open GET "
                                       "stream; close it before opening "
                                       "another"));
      return;
    }
    stream = std::move(ch);
    stream->open_stream({});
    if (last_event_id.empty())
      return;
    // Resumption: what the client missed, in order. An id we never sent
    // (or a malformed one) replays nothing rather than guessing.
    uint64_t after = 0;
    auto [end, err] = std::from_chars(
      last_event_id.data(), last_event_id.data() + last_event_id.size(), after);
    if (err != std::errc{} || end != last_event_id.data() + last_event_id.size()
        || after > last_event) {
      log::info(log::http(), "http-stream-resume",
                {{"session", cfg.id},
                 {"last_event_id", last_event_id},
                 {"replayed", "0"},
                 {"reason", "unknown-id"}});
      return;
    }
    size_t n = 0;
    for (auto& [id, payload] : replay)
      if (id > after) {
        stream->event("", payload, std::to_string(id));
        ++n;
      }
    log::info(log::http(), "http-stream-resume",
              {{"session", cfg.id}, {"last_event_id", after}, {"replayed", n}});
  }

  void end(const char* why) {
    if (ending)
      return;
    ending = true;
    log::event(*log::http(), level(), "http-session-ending",
               {{"id", cfg.id},
                {"transport", transport()},
                {"reason", why},
                {"in_flight", exchanges.size()}});
    cfg.table->end(cfg.id);
    self->send(session, atom::eof_v);
    if (stream) {
      stream->close();
      stream = nullptr;
    }
  }

  void on_tick() {
    if (!ending && exchanges.empty() && !stream_open()
        && clock::now() - last_activity >= cfg.idle_timeout)
      end("idle");
    if (!ending)
      self->delayed_send(self, tick_period(), atom::tick_v);
  }

  std::chrono::milliseconds tick_period() const {
    auto p = cfg.idle_timeout / 4;
    return std::clamp(p, std::chrono::milliseconds{100},
                      std::chrono::milliseconds{60000});
  }

  void on_session_down() {
    if (!ending)
      log::event(*log::http(), level(), "http-session-ended",
                 {{"id", cfg.id}, {"transport", transport()}});
    ending = true;
    // Unanswered channels answer 503 as they are dropped.
    exchanges.clear();
    if (stream) {
      stream->close();
      stream = nullptr;
    }
    cfg.table->erase(cfg.id);
    self->quit();
  }
};

http_session_actor::behavior_type
http_session(http_session_actor::stateful_pointer<http_session_state> self,
             http_session_config cfg) {
  auto& st = self->state;
  st.self = self;
  st.cfg = std::move(cfg);
  st.session =
    self->spawn(mcp_session, caf::actor_cast<mcp_sink_actor>(self), st.cfg.ctx);
  self->monitor(st.session);
  self->set_down_handler([self](const caf::down_msg& msg) {
    if (msg.source == self->state.session.address())
      self->state.on_session_down();
  });
  self->delayed_send(self, st.tick_period(), atom::tick_v);
  log::event(*log::http(), st.level(), "http-session-opened",
             {{"id", st.cfg.id}, {"transport", st.transport()}});
  return {
    [self](atom::rpc_out, std::string& payload, const std::string& related) {
      self->state.on_out(payload, related);
    },
    [self](atom::post, const std::string& key, std::string& text,
           channel_ptr& ch) { self->state.on_post(key, text, std::move(ch)); },
    [self](atom::rpc_in, std::string& text) {
      self->state.last_activity = http_session_state::clock::now();
      self->send(self->state.session, atom::rpc_in_v, std::move(text));
    },
    [self](atom::listen, channel_ptr& ch, const std::string& last_event_id) {
      self->state.on_listen(std::move(ch), last_event_id);
    },
    [self](atom::closed) {
      if (self->state.cfg.legacy || self->state.cfg.stateless)
        self->state.end("client-disconnected");
    },
    [self](atom::shutdown) { self->state.end("shutdown"); },
    [self](atom::tick) { self->state.on_tick(); },
  };
}

} // namespace

http_session_actor spawn_http_session(caf::actor_system& sys,
                                      http_session_config cfg) {
  return sys.spawn(http_session, std::move(cfg));
}

} // namespace rmcp::transport
