#include "src/transport/http_channel.hpp"

#include "actors/metrics.hpp"

namespace rmcp::transport {

namespace {

constexpr std::string_view json_type = "application/json";
constexpr std::string_view sse_type = "text/event-stream";

} // namespace

http_channel::http_channel(std::shared_ptr<http_port> port,
                           const http_request& req, std::string endpoint,
                           std::shared_ptr<rmcp::metrics> metrics)
  : port_(std::move(port)), version_(req.version), keep_alive_(req.keep_alive),
    endpoint_(std::move(endpoint)), metrics_(std::move(metrics)) {
  // nop
}

http_channel::~http_channel() {
  // Every posted function held a reference, so the strand work is done and
  // state_ is final here.
  auto port = port_;
  if (!answered_.load()) {
    count(503);
    auto bytes = format_response(
      version_, 503, json_type,
      error_body(ec::shutting_down,
                 "the session ended before the request was answered"),
      headers_, false);
    port->post([port, bytes = std::move(bytes)]() mutable {
      port->write(std::move(bytes));
      port->finish(false);
    });
  } else if (state_ == state::streaming) {
    bool chunked = version_ != 10;
    port->post([port, chunked] {
      if (chunked)
        port->write(std::string{last_chunk()});
      port->finish(false);
    });
  }
}

void http_channel::add_header(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
}

void http_channel::set_accepts(accepts a) {
  accepts_ = a;
}

void http_channel::set_keepalive(std::chrono::milliseconds period) {
  keepalive_ = period;
}

void http_channel::respond(unsigned status, std::string content_type,
                           std::string body) {
  if (answered_.exchange(true))
    return;
  port_->post(
    [self = shared_from_this(), status, content_type = std::move(content_type),
     body = std::move(body)] { self->do_respond(status, content_type, body); });
}

void http_channel::respond_json(unsigned status, std::string body) {
  respond(status, std::string{json_type}, std::move(body));
}

void http_channel::message(std::string payload, bool final) {
  answered_.store(true);
  port_->post([self = shared_from_this(), payload = std::move(payload), final] {
    self->do_message(payload, final);
  });
}

void http_channel::open_stream(std::function<void()> on_gone) {
  if (answered_.exchange(true))
    return;
  port_->post([self = shared_from_this(), on_gone = std::move(on_gone)] {
    self->do_open(on_gone, true);
  });
}

void http_channel::event(std::string event, std::string data, std::string id) {
  port_->post([self = shared_from_this(), event = std::move(event),
               data = std::move(data),
               id = std::move(id)] { self->do_event(event, data, id); });
}

void http_channel::close() {
  port_->post([self = shared_from_this()] { self->do_close(); });
}

// -- on the strand ----------------------------------------------------------------

void http_channel::do_respond(unsigned status, const std::string& content_type,
                              const std::string& body) {
  if (state_ != state::fresh)
    return;
  state_ = state::done;
  closed_.store(true);
  count(status);
  if (!port_->is_open())
    return;
  port_->write(format_response(version_, status, content_type, body, headers_,
                               keep_alive_));
  port_->finish(keep_alive_);
}

void http_channel::do_message(const std::string& payload, bool final) {
  if (state_ == state::done)
    return;
  if (state_ == state::fresh) {
    if (final && accepts_.json) {
      do_respond(200, std::string{json_type}, payload);
      return;
    }
    if (!accepts_.event_stream) {
      // A JSON-only client cannot receive notifications; only the final
      // response reaches it.
      return;
    }
    do_open({}, false);
  }
  do_event("", payload, {});
  if (final)
    do_close();
}

void http_channel::do_open(std::function<void()> on_gone, bool watch) {
  if (state_ != state::fresh)
    return;
  state_ = state::streaming;
  count(200);
  if (!port_->is_open()) {
    closed_.store(true);
    if (on_gone)
      on_gone();
    return;
  }
  port_->write(
    format_stream_head(version_, 200, sse_type, headers_, keep_alive_));
  if (watch) {
    std::weak_ptr<http_channel> weak = shared_from_this();
    auto chunked = version_ != 10;
    auto keepalive = sse_comment("keepalive");
    port_->watch(
      [weak, on_gone = std::move(on_gone)] {
        if (auto self = weak.lock())
          self->closed_.store(true);
        if (on_gone)
          on_gone();
      },
      chunked ? format_chunk(keepalive) : keepalive, keepalive_);
  }
}

void http_channel::do_event(const std::string& event, const std::string& data,
                            const std::string& id) {
  if (state_ != state::streaming)
    return;
  if (!port_->is_open()) {
    closed_.store(true);
    return;
  }
  auto bytes = sse_event(event, data, id);
  port_->write(version_ != 10 ? format_chunk(bytes) : std::move(bytes));
}

void http_channel::do_close() {
  if (state_ == state::done)
    return;
  if (state_ == state::fresh) {
    // Closing before any answer: nothing more will come.
    do_respond(204, {}, {});
    return;
  }
  state_ = state::done;
  closed_.store(true);
  if (!port_->is_open())
    return;
  if (version_ != 10) {
    port_->write(std::string{last_chunk()});
    // A POST stream may keep the connection; a watched stream never does
    // (finish closes it: its watch read owns the socket).
    port_->finish(keep_alive_);
  } else {
    port_->finish(false);
  }
}

void http_channel::count(unsigned status) {
  if (metrics_)
    metrics_->http_request(endpoint_, status);
}

} // namespace rmcp::transport
