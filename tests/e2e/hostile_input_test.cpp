// End-to-end robustness: every hostile input of the table in
// hostile_cases.hpp goes to the built daemon over stdio and over HTTP (raw
// bytes where HTTP itself is attacked), and must get its answer while the
// daemon stays up; hostile router answers come from the simulator's
// raw_answer fault. Afterwards the simulator's request log proves that no
// router was written, and its configuration is what it was. A slow-loris
// client does not stop the server from serving others. The table in
// docs/reliability.md is rendered from the same cases
// (RMCP_UPDATE_DOCS=1 rewrites it).

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>

#include <arpa/inet.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "sim/fleet.hpp"
#include "sim/script.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/e2e/hostile_cases.hpp"
#include "tests/e2e/http_daemon.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;
using namespace std::chrono_literals;

const std::string binary = RMCP_BINARY_PATH;

/// A loopback TCP connection that sends raw bytes.
class raw_connection {
public:
  explicit raw_connection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ =
      fd_ >= 0
      && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~raw_connection() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  bool ok() const {
    return ok_;
  }

  /// Sends everything (a peer that closed early is not an error here).
  void send_all(const std::string& bytes) {
    size_t at = 0;
    while (at < bytes.size()) {
      auto n = ::send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0)
        return;
      at += static_cast<size_t>(n);
    }
  }

  void end_writes() {
    ::shutdown(fd_, SHUT_WR);
  }

  /// Reads until the peer closes or `timeout` passes; `closed` tells which.
  std::string read_all(std::chrono::milliseconds timeout, bool& closed) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    closed = false;
    char buf[4096];
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
      if (left <= 0)
        return out;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0)
        return out;
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed = true;
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
  }

private:
  int fd_ = -1;
  bool ok_ = false;
};

/// The status of the first answer in `bytes` (0: none).
unsigned status_of(const std::string& bytes) {
  if (bytes.rfind("HTTP/1.", 0) != 0 || bytes.size() < 12)
    return 0;
  return static_cast<unsigned>(std::atoi(bytes.substr(9, 3).c_str()));
}

std::string replace_all(std::string text, const std::string& what,
                        const std::string& with) {
  for (auto at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
  return text;
}

/// The body of an HTTP answer as JSON (an SSE answer's last event).
json answer_json(const http_reply& reply) {
  auto body = reply.body;
  if (reply.header("content-type").rfind("text/event-stream", 0) == 0) {
    auto events = parse_sse(reply.body);
    body = events.empty() ? std::string{} : events.back().data;
  }
  return parse_json(body).value_or(json{});
}

/// At most 400 characters of `x` for a failure message.
std::string show(const json& x) {
  return x.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 400);
}

/// The JSON-RPC error code of `answer` (0 when it is not an error).
int error_code(const json& answer) {
  if (!answer.is_object())
    return 0;
  auto e = answer.find("error");
  if (e == answer.end() || !e->is_object())
    return 0;
  auto c = e->find("code");
  return c != e->end() && c->is_number_integer() ? c->get<int>() : 0;
}

/// Whether `answer` is a tool result with isError true.
bool is_tool_error(const json& answer) {
  if (!answer.is_object() || !answer.contains("result")
      || !answer["result"].is_object())
    return false;
  auto e = answer["result"].find("isError");
  return e != answer["result"].end() && e->is_boolean() && e->get<bool>();
}

class hostile_inputs : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    sim::fleet_options o;
    o.routers = 1;
    o.tls = true;
    routers = new sim::fleet{o};
    stdio_data = new temp_dir;
    http_data = new temp_dir;
    for (auto* dir : {stdio_data, http_data}) {
      auto added =
        run_cli(dir->path(),
                {"device", "add", "edge-01", "--host", "127.0.0.1", "--port",
                 std::to_string(routers->port(0)), "--username", "admin",
                 "--fingerprint", routers->fingerprint_sha256()},
                {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
      ASSERT_EQ(added.code, 0) << added.err;
    }
    // A router's answer of 200,000 routes takes a ThreadSanitizer daemon
    // longer than the default 30 s tool deadline.
    auto tool_timeout = std::to_string(30 * time_scale()) + "s";
    stdio = new child_process{
      {binary, "--data-dir", stdio_data->path(), "--set",
       "device.health_checks=false", "--set", "stdio.role=admin", "--set",
       "server.toolsets=all", "--set", "server.tool_timeout=" + tool_timeout,
       "serve", "--stdio"}};
    handshake(*stdio);
    http = new child_process{{binary,
                              "--data-dir",
                              http_data->path(),
                              "--set",
                              "device.health_checks=false",
                              "--set",
                              "server.toolsets=all",
                              "serve",
                              "--http",
                              "--listen",
                              "127.0.0.1:0",
                              "--set",
                              "http.ports_file=" + (*http_data / "ports"),
                              "--set",
                              "http.role=admin",
                              "--set",
                              "http.rate_limit=100000",
                              "--set",
                              "http.rate_burst=100000",
                              "--set",
                              "http.idle_timeout=2s"}};
    port = wait_for_port(*http_data / "ports", *http);
    client = new mcp_http_client{port, "unused"};
    client->open();
  }

  static void TearDownTestSuite() {
    delete client;
    for (auto* p : {stdio, http})
      if (p) {
        p->kill(SIGTERM);
        p->wait();
        delete p;
      }
    delete stdio_data;
    delete http_data;
    delete routers;
  }

  /// True when the stdio daemon still answers a ping.
  static bool stdio_alive() {
    auto pong = request(*stdio, 4242, "ping");
    return pong.is_object() && pong.contains("result") && pong["id"] == 4242;
  }

  /// True when the HTTP daemon still answers a ping in the session.
  static bool http_alive() {
    auto reply = client->post(R"({"jsonrpc":"2.0","id":4243,"method":"ping"})");
    if (reply.status == 200 && answer_json(reply).contains("result"))
      return true;
    ADD_FAILURE() << "ping: HTTP " << reply.status << " " << reply.error << " "
                  << reply.body.substr(0, 300);
    return false;
  }

  /// The router's configuration without the export's dated header.
  static std::string configuration() {
    auto text = routers->router(0).with_state(
      [](sim::router_state& st) { return sim::export_config(st); });
    std::string out;
    std::istringstream lines{text};
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("#", 0) != 0)
        out += line + "\n";
    return out;
  }

  /// Checks one answer against the case; `where` names the transport.
  static void check_answer(const hostile_case& c, const json& answer,
                           const std::string& where) {
    SCOPED_TRACE(c.group + " / " + c.name + " via " + where);
    auto text = show(answer);
    switch (c.outcome) {
      case expect::rpc_error:
        EXPECT_EQ(error_code(answer), c.code) << text;
        break;
      case expect::tool_error:
        EXPECT_TRUE(is_tool_error(answer)) << text;
        break;
      case expect::refused_or_dry:
        if (error_code(answer) != 0)
          EXPECT_EQ(error_code(answer), -32602) << text;
        else
          EXPECT_TRUE(answer.is_object() && answer.contains("result")) << text;
        break;
      case expect::http_status:
        break;
    }
  }

  static void run_stdio(const hostile_case& c) {
    stdio->write_line(c.input);
    check_answer(c, read_json(*stdio), "stdio");
    ASSERT_TRUE(stdio_alive()) << c.name << "\n" << stdio->stderr_text();
  }

  static void run_http(const hostile_case& c) {
    if (c.outcome == expect::http_status) {
      raw_connection conn{port};
      ASSERT_TRUE(conn.ok());
      conn.send_all(
        replace_all(replace_all(c.input, "{port}", std::to_string(port)),
                    "{sid}", client->session_id()));
      conn.end_writes();
      bool closed = false;
      auto bytes = conn.read_all(10s, closed);
      EXPECT_EQ(status_of(bytes), c.http_status)
        << c.name << ": " << bytes.substr(0, 300);
      EXPECT_TRUE(closed) << c.name << ": the server kept the connection";
    } else {
      auto reply = client->post(c.input);
      EXPECT_EQ(reply.status, c.http_status)
        << c.group << " / " << c.name << ": " << reply.body.substr(0, 300);
      check_answer(c, answer_json(reply), "HTTP");
    }
    ASSERT_TRUE(http_alive()) << c.name << "\n" << http->stderr_text();
  }

  static sim::fleet* routers;
  static temp_dir* stdio_data;
  static temp_dir* http_data;
  static child_process* stdio;
  static child_process* http;
  static uint16_t port;
  static mcp_http_client* client;
};

sim::fleet* hostile_inputs::routers = nullptr;
temp_dir* hostile_inputs::stdio_data = nullptr;
temp_dir* hostile_inputs::http_data = nullptr;
child_process* hostile_inputs::stdio = nullptr;
child_process* hostile_inputs::http = nullptr;
uint16_t hostile_inputs::port = 0;
mcp_http_client* hostile_inputs::client = nullptr;

/// The text between the markers of the table in docs/reliability.md.
const char* const table_begin = "<!-- hostile-inputs:begin -->\n";
const char* const table_end = "<!-- hostile-inputs:end -->";

} // namespace

TEST_F(hostile_inputs, every_case_gets_its_answer_and_no_router_is_written) {
  auto tools = request(*stdio, 2, "tools/list")["result"]["tools"];
  ASSERT_TRUE(tools.is_array() && !tools.empty());
  auto cases = fixed_cases();
  auto generated = catalogue_cases(tools);
  cases.insert(cases.end(), generated.begin(), generated.end());
  auto answers = hostile_answers();
  auto before = configuration();
  auto log_before = routers->router(0).request_log().size();
  size_t sent = 0;
  for (auto& c : cases) {
    if (c.transports != via::http) {
      run_stdio(c);
      ++sent;
    }
    if (c.transports != via::stdio) {
      run_http(c);
      ++sent;
    }
    if (HasFatalFailure())
      return;
  }
  auto& router = routers->router(0);
  for (auto& a : answers) {
    SCOPED_TRACE("router answer: " + a.name);
    router.update_faults([&](sim::fault_config& f) {
      f.raw_answer_path = a.path;
      f.raw_answer_body = a.body;
      f.raw_answer_count = 1000;
    });
    auto answer =
      request(*stdio, 3, "tools/call",
              {{"name", a.tool}, {"arguments", {{"device_id", "edge-01"}}}});
    router.update_faults([](sim::fault_config& f) { f.raw_answer_count = 0; });
    ASSERT_TRUE(answer.is_object() && answer.contains("result"))
      << show(answer);
    EXPECT_EQ(is_tool_error(answer), a.refused) << show(answer);
    ASSERT_TRUE(stdio_alive()) << stdio->stderr_text();
    ++sent;
  }
  EXPECT_GE(sent, 200u);
  // No side effect on the router: nothing written, nothing changed.
  auto log = router.request_log();
  for (size_t i = log_before; i < log.size(); ++i)
    EXPECT_FALSE(log[i].write)
      << log[i].method << " " << log[i].target << " -> " << log[i].status;
  EXPECT_EQ(configuration(), before);
  EXPECT_EQ(router.stats().reboots, 0u);

  auto table = render_table(cases, answers);
  auto doc_path = std::string{RMCP_SOURCE_DIR} + "/docs/reliability.md";
  std::ifstream in{doc_path};
  std::stringstream doc;
  doc << in.rdbuf();
  auto text = doc.str();
  auto b = text.find(table_begin);
  auto e = text.find(table_end);
  ASSERT_TRUE(b != std::string::npos && e != std::string::npos && b < e)
    << doc_path << " lacks the hostile-inputs markers";
  b += std::string{table_begin}.size();
  if (std::getenv("RMCP_UPDATE_DOCS") != nullptr) {
    text.replace(b, e - b, table);
    std::ofstream{doc_path} << text;
  } else {
    EXPECT_EQ(text.substr(b, e - b), table)
      << "docs/reliability.md is out of date: run this test with "
         "RMCP_UPDATE_DOCS=1";
  }
}

TEST_F(hostile_inputs, a_slow_loris_client_does_not_stop_the_server) {
  // Connections that start a request and never finish it.
  std::vector<std::unique_ptr<raw_connection>> slow;
  for (int i = 0; i < 16; ++i) {
    slow.push_back(std::make_unique<raw_connection>(port));
    ASSERT_TRUE(slow.back()->ok());
    slow.back()->send_all(i % 2 == 0 ? "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1"
                                     : "POST /mcp HTTP/1.1\r\nHost: "
                                       "127.0.0.1\r\nContent-Length: 100\r\n"
                                       "\r\n{\"jsonrpc\"");
  }
  // Others are served meanwhile, at once.
  for (int i = 0; i < 5; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(http_alive());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  }
  // The idle timeout (2 s here) closes every slow connection.
  for (auto& c : slow) {
    bool closed = false;
    c->read_all(10s, closed);
    EXPECT_TRUE(closed);
  }
  EXPECT_TRUE(http_alive());
}

} // namespace rmcp
