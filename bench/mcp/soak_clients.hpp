#pragma once

// The clients of routeros-soak: one MCP session each, over stdio (a daemon
// of its own, as a desktop client runs it) or over Streamable HTTP (a
// session on the shared HTTP daemon), with a deadline on every read so a
// hung daemon fails the soak instead of hanging it; and what the soak reads
// of a daemon process (RSS, open file descriptors). Included by
// soak_bench.cpp only.

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "protocol/json.hpp"
#include "tests/support/child_process.hpp"

namespace rmcp::bench {

/// VmRSS of a process in KiB (0 when it is gone).
inline double process_rss_kib(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string key;
  double rss = 0;
  while (in >> key) {
    if (key == "VmRSS:")
      in >> rss;
    std::getline(in, key);
  }
  return rss;
}

/// Open file descriptors of a process (-1 when it is gone).
inline int process_fds(pid_t pid) {
  std::error_code ec;
  int n = 0;
  for (auto it =
         std::filesystem::directory_iterator{
           "/proc/" + std::to_string(pid) + "/fd", ec};
       !ec && it != std::filesystem::directory_iterator{}; it.increment(ec))
    ++n;
  return ec ? -1 : n;
}

inline json initialize_request(const std::string& name) {
  return {{"jsonrpc", "2.0"},
          {"id", 0},
          {"method", "initialize"},
          {"params",
           {{"protocolVersion", "2025-11-25"},
            {"capabilities", json::object()},
            {"clientInfo", {{"name", name}, {"version", "1"}}}}}};
}

inline json call_request(int64_t id, const json& params) {
  return {{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "tools/call"},
          {"params", params}};
}

/// A client with its own daemon over stdio.
class stdio_client {
public:
  explicit stdio_client(std::vector<std::string> argv)
    : proc_(std::move(argv)) {
    proc_.write_line(initialize_request("soak-stdio").dump());
    if (!proc_.read_line(std::chrono::seconds{60}))
      throw std::runtime_error("stdio daemon did not answer initialize: "
                               + proc_.stderr_text());
    proc_.write_line(
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  }

  /// The JSON-RPC answer to one tools/call, or nullopt when none came
  /// within `timeout`.
  std::optional<json> call(const json& params, std::chrono::seconds timeout) {
    auto id = ++next_id_;
    proc_.write_line(call_request(id, params).dump());
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto line =
        proc_.read_line(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (!line)
        return std::nullopt;
      auto msg = parse_json(*line);
      if (msg && msg->value("id", int64_t{-1}) == id)
        return msg;
    }
    return std::nullopt;
  }

  pid_t pid() const {
    return proc_.pid();
  }

  /// EOF on stdin: the graceful stop; its exit code (-1: it did not exit).
  int stop() {
    proc_.close_stdin();
    return proc_.wait(std::chrono::seconds{60}).value_or(-1);
  }

  std::string stderr_text() const {
    return proc_.stderr_text();
  }

private:
  test::child_process proc_;
  int64_t next_id_ = 0;
};

/// One MCP session on an HTTP daemon over one keep-alive connection;
/// reconnects (same session) when the connection breaks.
class http_client {
public:
  http_client(uint16_t port, std::chrono::seconds timeout)
    : port_(port), timeout_(timeout) {
    auto res = post(initialize_request("soak-http"));
    if (!res || res->first != 200)
      throw std::runtime_error("initialize over HTTP failed");
    session_ = res->second.second;
    if (session_.empty())
      throw std::runtime_error("initialize over HTTP gave no session id");
    post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }

  /// HTTP status and the JSON-RPC answer of one tools/call; nullopt when
  /// the connection failed or no answer came within the timeout (twice).
  std::optional<std::pair<unsigned, json>> call(const json& params) {
    auto res = post(call_request(++next_id_, params));
    if (!res)
      return std::nullopt;
    auto msg = parse_json(res->second.first);
    return std::make_pair(res->first, msg.value_or(json{}));
  }

private:
  using response = std::pair<unsigned, std::pair<std::string, std::string>>;

  std::optional<response> post(const json& body) {
    namespace http = boost::beast::http;
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!stream_)
          connect();
        http::request<http::string_body> req{http::verb::post, "/mcp", 11};
        req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
        req.set(http::field::content_type, "application/json");
        req.set(http::field::accept, "application/json, text/event-stream");
        req.set("MCP-Protocol-Version", "2025-11-25");
        if (!session_.empty())
          req.set("Mcp-Session-Id", session_);
        req.body() = body.dump();
        req.prepare_payload();
        http::write(*stream_, req);
        http::response<http::string_body> res;
        http::read(*stream_, buffer_, res);
        std::string session{res["Mcp-Session-Id"]};
        auto answer = answer_json(res);
        if (!res.keep_alive())
          stream_.reset();
        return response{res.result_int(), {answer, session}};
      } catch (const std::exception&) {
        stream_.reset();
        buffer_.clear();
      }
    }
    return std::nullopt;
  }

  void connect() {
    namespace asio = boost::asio;
    stream_.emplace(ioc_);
    asio::ip::tcp::resolver resolver{ioc_};
    stream_->connect(resolver.resolve("127.0.0.1", std::to_string(port_)));
    // Sync reads have no Beast deadline: the socket's own.
    timeval tv{static_cast<time_t>(timeout_.count()), 0};
    auto fd = stream_->socket().native_handle();
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }

  /// The JSON-RPC answer of a response: the body, or the data of the last
  /// SSE event.
  static std::string answer_json(
    const boost::beast::http::response<boost::beast::http::string_body>& res) {
    auto& body = res.body();
    if (res[boost::beast::http::field::content_type].find("text/event-stream")
        == boost::beast::string_view::npos)
      return body;
    std::string last;
    size_t pos = 0;
    while ((pos = body.find("data: ", pos)) != std::string::npos) {
      auto end = body.find('\n', pos);
      last = body.substr(pos + 6, end - pos - 6);
      pos = end;
    }
    return last;
  }

  uint16_t port_;
  std::chrono::seconds timeout_;
  boost::asio::io_context ioc_;
  std::optional<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  std::string session_;
  int64_t next_id_ = 0;
};

} // namespace rmcp::bench
