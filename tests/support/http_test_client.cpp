#include "tests/support/http_test_client.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rmcp::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::vector<sse_event> parse_sse(const std::string& body) {
  std::vector<sse_event> out;
  sse_event current;
  bool has_data = false;
  size_t pos = 0;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    if (nl == std::string::npos)
      break;
    auto line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty()) {
      if (has_data || !current.event.empty())
        out.push_back(current);
      current = {};
      has_data = false;
    } else if (line.rfind("event:", 0) == 0) {
      current.event = line.substr(line.size() > 6 && line[6] == ' ' ? 7 : 6);
    } else if (line.rfind("id:", 0) == 0) {
      current.id = line.substr(line.size() > 3 && line[3] == ' ' ? 4 : 3);
    } else if (line.rfind("data:", 0) == 0) {
      if (has_data)
        current.data += '\n';
      current.data += line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
      has_data = true;
    }
  }
  return out;
}

struct sse_stream::impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  http_reply head;
  size_t consumed = 0;
  bool eof = false;
  std::vector<sse_event> pending;

  /// Runs one async operation with a deadline; false on timeout.
  template <class Start>
  bool run(Start start, std::chrono::milliseconds timeout,
           beast::error_code& ec) {
    bool done = false;
    ioc.restart();
    start([&](beast::error_code e, std::size_t = 0) {
      ec = e;
      done = true;
    });
    ioc.run_for(timeout);
    if (!done) {
      stream.socket().cancel();
      ioc.restart();
      ioc.run();
      ec = net::error::timed_out;
      return false;
    }
    return true;
  }

  bool open(uint16_t port, const std::string& method, const std::string& target,
            const http_headers& headers, const std::string& body,
            std::chrono::milliseconds timeout) {
    parser.body_limit(64 * 1024 * 1024);
    beast::error_code ec;
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
    run([&](auto h) { stream.socket().async_connect(ep, h); }, timeout, ec);
    if (ec) {
      head.error = "connect: " + ec.message();
      return false;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target,
                                         11};
    bool has_host = false;
    for (auto& [name, value] : headers) {
      req.set(name, value);
      has_host = has_host || beast::iequals(name, "host");
    }
    if (!has_host)
      req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    if (!body.empty() || method == "POST") {
      req.body() = body;
      req.prepare_payload();
    }
    run([&](auto h) { http::async_write(stream, req, h); }, timeout, ec);
    if (ec) {
      head.error = "write: " + ec.message();
      return false;
    }
    run([&](auto h) { http::async_read_header(stream, buffer, parser, h); },
        timeout, ec);
    if (ec) {
      head.error = "read header: " + ec.message();
      return false;
    }
    auto& res = parser.get();
    head.status = res.result_int();
    for (auto& field : res) {
      std::string name{field.name_string()};
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      head.headers[name] = std::string{field.value()};
    }
    return true;
  }

  /// Reads more body; false on end of stream or timeout.
  bool read_more(std::chrono::milliseconds timeout) {
    if (eof || parser.is_done()) {
      eof = true;
      return false;
    }
    beast::error_code ec;
    bool in_time =
      run([&](auto h) { http::async_read_some(stream, buffer, parser, h); },
          timeout, ec);
    if (!in_time)
      return false;
    if (ec || parser.is_done())
      eof = true;
    return !ec;
  }

  /// Moves complete events out of the body.
  void extract() {
    auto& body = parser.get().body();
    for (;;) {
      auto end = body.find("\n\n", consumed);
      if (end == std::string::npos)
        return;
      auto events = parse_sse(body.substr(consumed, end + 2 - consumed));
      pending.insert(pending.end(), events.begin(), events.end());
      consumed = end + 2;
    }
  }
};

http_reply http_exchange(uint16_t port, const std::string& method,
                         const std::string& target, const http_headers& headers,
                         const std::string& body,
                         std::chrono::milliseconds timeout) {
  sse_stream s{port, method, target, headers, body, timeout};
  auto reply = s.head();
  if (reply.status == 0)
    return reply;
  if (!s.ended(timeout)) {
    reply.error = "the answer did not end within the deadline";
    return reply;
  }
  reply.body = s.body();
  return reply;
}

sse_stream::sse_stream(uint16_t port, const std::string& method,
                       const std::string& target, const http_headers& headers,
                       const std::string& body,
                       std::chrono::milliseconds timeout)
  : impl_(std::make_unique<impl>()) {
  impl_->open(port, method, target, headers, body, timeout);
}

sse_stream::~sse_stream() {
  close();
}

const http_reply& sse_stream::head() const {
  return impl_->head;
}

std::optional<sse_event> sse_stream::next(std::chrono::milliseconds timeout) {
  if (impl_->head.status == 0)
    return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    impl_->extract();
    if (!impl_->pending.empty()) {
      auto ev = impl_->pending.front();
      impl_->pending.erase(impl_->pending.begin());
      return ev;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !impl_->read_more(left))
      return std::nullopt;
  }
}

bool sse_stream::ended(std::chrono::milliseconds timeout) {
  if (impl_->head.status == 0)
    return true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!impl_->eof) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    if (!impl_->read_more(left) && !impl_->eof)
      return false;
  }
  return true;
}

const std::string& sse_stream::body() const {
  return impl_->parser.get().body();
}

void sse_stream::close() {
  beast::error_code ignored;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  impl_->stream.socket().close(ignored);
}

} // namespace rmcp::test
