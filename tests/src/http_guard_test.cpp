// Unit tests of the HTTP transport's pure parts: Host/Origin policy, Accept
// parsing, the token bucket, message framing, and the channel's choice
// between a JSON answer and an SSE stream (against a recording port).

#include <gtest/gtest.h>

#include "src/transport/http_channel.hpp"
#include "src/transport/http_guard.hpp"
#include "src/transport/http_message.hpp"
#include "tests/support/http_test_client.hpp"

using namespace rmcp::transport;

TEST(origin_policy, loopback_hosts_pass_on_any_port_and_foreign_hosts_fail) {
  origin_policy p;
  EXPECT_EQ(p.check_host("127.0.0.1:8080"), "");
  EXPECT_EQ(p.check_host("localhost"), "");
  EXPECT_EQ(p.check_host("[::1]:9"), "");
  EXPECT_EQ(p.check_host("LOCALHOST:1"), "");
  auto why = p.check_host("evil.example:8080");
  EXPECT_NE(why.find("evil.example:8080"), std::string::npos) << why;
  EXPECT_NE(why.find("http.allowed_hosts"), std::string::npos) << why;
  EXPECT_NE(p.check_host(""), "");
  // 127.0.0.1.evil.example is not loopback.
  EXPECT_NE(p.check_host("127.0.0.1.evil.example"), "");
}

TEST(origin_policy, configured_hosts_and_ports_are_honoured) {
  auto p = origin_policy::from_lists("mcp.example.com, 10.0.0.5:8443", "");
  EXPECT_EQ(p.check_host("mcp.example.com"), "");
  EXPECT_EQ(p.check_host("MCP.example.com:443"), "");
  EXPECT_EQ(p.check_host("10.0.0.5:8443"), "");
  EXPECT_NE(p.check_host("10.0.0.5:8080"), "");
  EXPECT_NE(p.check_host("other.example.com"), "");
  EXPECT_EQ(origin_policy::from_lists("*", "").check_host("x.y:1"), "");
}

TEST(origin_policy, origins_absent_loopback_or_listed_pass) {
  auto p = origin_policy::from_lists("", "https://app.example.com/");
  EXPECT_EQ(p.check_origin(""), "");
  EXPECT_EQ(p.check_origin("http://localhost:6274"), "");
  EXPECT_EQ(p.check_origin("http://127.0.0.1:3000"), "");
  EXPECT_EQ(p.check_origin("https://app.example.com"), "");
  auto why = p.check_origin("https://evil.example");
  EXPECT_NE(why.find("http.allowed_origins"), std::string::npos) << why;
  EXPECT_NE(p.check_origin("null"), "");
  EXPECT_NE(p.check_origin("file://localhost"), "");
}

TEST(accept, parses_media_ranges_wildcards_and_q_zero) {
  auto both = parse_accept("application/json, text/event-stream");
  EXPECT_TRUE(both.json && both.event_stream);
  auto json_only = parse_accept("application/json");
  EXPECT_TRUE(json_only.json);
  EXPECT_FALSE(json_only.event_stream);
  auto sse_only = parse_accept("text/event-stream;q=0.9");
  EXPECT_FALSE(sse_only.json);
  EXPECT_TRUE(sse_only.event_stream);
  auto any = parse_accept("*/*");
  EXPECT_TRUE(any.json && any.event_stream);
  auto absent = parse_accept("");
  EXPECT_TRUE(absent.json && absent.event_stream);
  auto refused = parse_accept("text/html, application/json;q=0");
  EXPECT_FALSE(refused.json || refused.event_stream);
  EXPECT_TRUE(
    media_type_is("Application/JSON; charset=utf-8", "application/json"));
  EXPECT_FALSE(media_type_is("text/plain", "application/json"));
}

TEST(token_bucket, allows_the_burst_then_refills_at_the_rate) {
  auto t0 = token_bucket::clock::now();
  token_bucket b{2.0, 3.0, t0};
  EXPECT_TRUE(b.take(t0));
  EXPECT_TRUE(b.take(t0));
  EXPECT_TRUE(b.take(t0));
  EXPECT_FALSE(b.take(t0));
  EXPECT_EQ(b.retry_after_seconds(), 1);
  EXPECT_TRUE(b.take(t0 + std::chrono::milliseconds{500}));
  EXPECT_FALSE(b.take(t0 + std::chrono::milliseconds{500}));
  // Refill never exceeds the burst.
  auto later = t0 + std::chrono::seconds{100};
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(b.take(later));
  EXPECT_FALSE(b.take(later));
}

TEST(http_message, frames_responses_chunks_and_events) {
  auto r = format_response(11, 404, "application/json", "{}",
                           {{"Mcp-Session-Id", "abc"}}, true);
  EXPECT_EQ(r.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << r;
  EXPECT_EQ(format_response(11, 401, "", "", {}, true)
              .rfind("HTTP/1.1 401 Unauthorized\r\n", 0),
            0u);
  EXPECT_NE(r.find("Mcp-Session-Id: abc\r\n"), std::string::npos);
  EXPECT_NE(r.find("Content-Length: 2\r\n\r\n{}"), std::string::npos);
  EXPECT_EQ(format_chunk("hello"), "5\r\nhello\r\n");
  EXPECT_EQ(format_chunk(""), "");
  EXPECT_EQ(sse_event("endpoint", "/messages?sessionId=1"),
            "event: endpoint\ndata: /messages?sessionId=1\n\n");
  EXPECT_EQ(sse_event("", "a\nb"), "data: a\ndata: b\n\n");
  auto parsed = rmcp::test::parse_sse(sse_event("x", "a\nb") + sse_comment("k")
                                      + sse_event("", "{}"));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].event, "x");
  EXPECT_EQ(parsed[0].data, "a\nb");
  EXPECT_EQ(parsed[1].data, "{}");
  EXPECT_EQ(query_param("a=1&sessionId=ab%2Fc&x", "sessionId"), "ab/c");
  EXPECT_EQ(query_param("a=1", "sessionId"), "");
}

namespace {

/// Runs posted functions at once and records what is written.
class recording_port : public http_port {
public:
  void post(std::function<void()> fn) override {
    fn();
  }
  void write(std::string bytes) override {
    out += bytes;
  }
  void finish(bool keep_alive) override {
    finished = true;
    kept_alive = keep_alive;
  }
  void watch(std::function<void()> on_gone, std::string,
             std::chrono::milliseconds) override {
    watched = true;
    gone = std::move(on_gone);
  }
  bool is_open() const override {
    return true;
  }

  std::string out;
  bool finished = false;
  bool kept_alive = false;
  bool watched = false;
  std::function<void()> gone;
};

struct channel_test : ::testing::Test {
  std::shared_ptr<recording_port> port = std::make_shared<recording_port>();
  http_request req;

  channel_ptr make(bool json, bool sse) {
    auto ch = std::make_shared<http_channel>(port, req, "mcp", nullptr);
    ch->set_accepts({json, sse});
    return ch;
  }
};

} // namespace

TEST_F(channel_test, a_response_first_becomes_a_json_answer) {
  auto ch = make(true, true);
  ch->message(R"({"id":1,"result":{}})", true);
  EXPECT_EQ(port->out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << port->out;
  EXPECT_NE(port->out.find("Content-Type: application/json"),
            std::string::npos);
  EXPECT_TRUE(port->finished);
  EXPECT_TRUE(port->kept_alive);
  EXPECT_TRUE(ch->closed());
}

TEST_F(channel_test,
       a_notification_first_opens_an_sse_stream_ending_with_the_response) {
  auto ch = make(true, true);
  ch->message(R"({"method":"notifications/progress"})", false);
  EXPECT_NE(port->out.find("Content-Type: text/event-stream"),
            std::string::npos);
  EXPECT_NE(port->out.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_FALSE(port->finished);
  EXPECT_FALSE(port->watched);
  ch->message(R"({"id":1,"result":{}})", true);
  EXPECT_TRUE(port->finished);
  auto body = port->out.substr(port->out.find("\r\n\r\n") + 4);
  EXPECT_NE(body.find("data: {\"method\":\"notifications/progress\"}\n\n"),
            std::string::npos);
  EXPECT_NE(body.find("data: {\"id\":1,\"result\":{}}\n\n"), std::string::npos);
  EXPECT_EQ(body.substr(body.size() - 5), "0\r\n\r\n");
}

TEST_F(channel_test, an_sse_only_client_gets_even_a_lone_response_as_a_stream) {
  auto ch = make(false, true);
  ch->message(R"({"id":1,"result":{}})", true);
  EXPECT_NE(port->out.find("text/event-stream"), std::string::npos);
  EXPECT_TRUE(port->finished);
}

TEST_F(channel_test, a_json_only_client_gets_only_the_response) {
  auto ch = make(true, false);
  ch->message(R"({"method":"notifications/progress"})", false);
  EXPECT_EQ(port->out, "");
  ch->message(R"({"id":1,"result":{}})", true);
  EXPECT_NE(port->out.find("application/json"), std::string::npos);
  EXPECT_EQ(port->out.find("progress"), std::string::npos);
}

TEST_F(channel_test, a_dropped_unanswered_channel_answers_503) {
  make(true, true).reset();
  EXPECT_EQ(port->out.rfind("HTTP/1.1 503", 0), 0u) << port->out;
  EXPECT_NE(port->out.find("-32000"), std::string::npos);
  EXPECT_FALSE(port->kept_alive);
}

TEST_F(channel_test, a_stream_is_watched_and_reports_the_client_leaving) {
  auto ch = make(true, true);
  bool gone = false;
  ch->open_stream([&] { gone = true; });
  ch->event("endpoint", "/messages?sessionId=x");
  EXPECT_TRUE(port->watched);
  EXPECT_NE(port->out.find("event: endpoint\ndata: /messages?sessionId=x\n\n"),
            std::string::npos);
  port->gone();
  EXPECT_TRUE(gone);
  EXPECT_TRUE(ch->closed());
}
