#include "src/cluster/etcd_http_client.hpp"

#include "src/cluster/etcd_json.hpp"

#include <future>
#include <optional>
#include <set>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/net_text.hpp"

namespace rmcp::cluster {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ms = std::chrono::milliseconds;
using strand_type = asio::strand<asio::io_context::executor_type>;

bool parse_endpoint(const std::string& text, std::string& host, uint16_t& port,
                    std::string& why) {
  std::string rest = text;
  if (rest.rfind("https://", 0) == 0) {
    why = "'" + text + "': https is not supported (plain HTTP to etcd)";
    return false;
  }
  if (rest.rfind("http://", 0) == 0)
    rest = rest.substr(7);
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
    why = "'" + text + "' is not host:port";
    return false;
  }
  host = rest.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  auto digits = rest.substr(colon + 1);
  unsigned long n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || n > 65535) {
      why = "'" + text + "' has no valid port";
      return false;
    }
    n = n * 10 + static_cast<unsigned long>(c - '0');
  }
  if (n == 0 || n > 65535) {
    why = "'" + text + "' has no valid port";
    return false;
  }
  port = static_cast<uint16_t>(n);
  return true;
}

namespace {

struct endpoint {
  std::string host;
  uint16_t port = 0;
};

class exchange;

/// Shared by the client and its exchanges; touched on the strand only
/// (except the immutable endpoints and timeout).
struct client_state {
  client_state(asio::io_context& ioc, std::vector<endpoint> eps, ms t)
    : strand(asio::make_strand(ioc)), endpoints(std::move(eps)), timeout(t) {
    // nop
  }
  strand_type strand;
  const std::vector<endpoint> endpoints;
  const ms timeout;
  size_t current = 0;
  bool closed = false;
  std::set<std::shared_ptr<exchange>> live;
};

using state_ptr = std::shared_ptr<client_state>;
using json_callback = std::function<void(caf::expected<json>)>;

/// One call: connect, POST the body, read the answer (or, for a watch, read
/// the stream until the first events or the wait ends), then close.
class exchange : public std::enable_shared_from_this<exchange> {
public:
  exchange(state_ptr st, std::string path, std::string body, ms wait,
           bool watch, json_callback done)
    : st_(std::move(st)), resolver_(st_->strand), stream_(st_->strand),
      timer_(st_->strand), path_(std::move(path)), wait_(wait), watch_(watch),
      done_(std::move(done)) {
    ep_ = st_->endpoints[st_->current % st_->endpoints.size()];
    req_.version(11);
    req_.method(http::verb::post);
    req_.target(path_);
    req_.set(http::field::host, ep_.host + ":" + std::to_string(ep_.port));
    req_.set(http::field::content_type, "application/json");
    req_.body() = std::move(body);
    req_.prepare_payload();
  }

  /// On the strand.
  void start() {
    if (st_->closed)
      return finish(make_error(ec::cancelled, what() + ": client closed"));
    st_->live.insert(shared_from_this());
    timer_.expires_after(st_->timeout + wait_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->expired();
    });
    auto flags = net::is_ip(ep_.host) ? tcp::resolver::numeric_host
                                      : tcp::resolver::flags{};
    resolver_.async_resolve(
      ep_.host, std::to_string(ep_.port),
      flags | tcp::resolver::numeric_service,
      [self = shared_from_this()](beast::error_code ec,
                                  tcp::resolver::results_type r) {
        if (ec)
          return self->unreachable("cannot resolve: " + ec.message());
        self->stream_.async_connect(
          r, [self](beast::error_code ec, const tcp::endpoint&) {
            if (ec)
              return self->unreachable("connect: " + ec.message());
            self->write();
          });
      });
  }

  /// On the strand: the client closes.
  void abort() {
    finish(make_error(ec::cancelled, what() + ": client closed"));
  }

private:
  std::string what() const {
    return "etcd " + ep_.host + ":" + std::to_string(ep_.port) + path_;
  }

  void write() {
    http::async_write(
      stream_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec)
          return self->unreachable("write: " + ec.message());
        self->read_header();
      });
  }

  void read_header() {
    parser_.emplace();
    parser_->body_limit(watch_ ? (64u << 20) : (16u << 20));
    parser_->header_limit(64u << 10);
    http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec)
          return self->unreachable("no answer: " + ec.message());
        auto status = self->parser_->get().result_int();
        if (self->watch_ && status == 200)
          return self->read_stream();
        self->read_body();
      });
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec)
                         return self->unreachable("answer cut off: "
                                                  + ec.message());
                       self->on_answer();
                     });
  }

  void on_answer() {
    auto status = parser_->get().result_int();
    auto parsed = parse_json_bounded(parser_->get().body());
    if (status != 200) {
      std::string detail = parsed ? gateway_error(*parsed) : std::string{};
      if (detail.empty())
        detail = parser_->get().body().substr(0, 200);
      return finish(make_error(ec::store_failure, what() + ": HTTP "
                                                    + std::to_string(status)
                                                    + ": " + detail));
    }
    if (!parsed)
      return finish(
        make_error(ec::store_failure, what() + ": the answer is not JSON"));
    finish(std::move(*parsed));
  }

  /// A watch: the gateway streams one JSON object per line. Consume whole
  /// lines; stop at the first one with events.
  void read_stream() {
    http::async_read_some(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec && ec != http::error::need_buffer)
          return self->unreachable("watch stream: " + ec.message());
        if (self->consume_lines())
          return;
        if (self->parser_->is_done())
          return self->finish(make_error(
            ec::store_failure, self->what() + ": watch stream ended"));
        self->read_stream();
      });
  }

  /// True when the exchange finished.
  bool consume_lines() {
    auto& body = parser_->get().body();
    size_t start = 0;
    for (auto nl = body.find('\n'); nl != std::string::npos;
         nl = body.find('\n', start)) {
      auto line = std::string_view{body}.substr(start, nl - start);
      start = nl + 1;
      if (line.find_first_not_of(" \r\t") == std::string_view::npos)
        continue;
      auto parsed = parse_json_bounded(line);
      if (!parsed) {
        finish(make_error(ec::store_failure,
                          what() + ": a watch message is not JSON"));
        return true;
      }
      auto msg = read_watch_message(*parsed, created_);
      if (!msg) {
        finish(msg.error());
        return true;
      }
      watched_.revision = msg->revision;
      if (!msg->events.empty()) {
        watched_.events = std::move(msg->events);
        finish(json{{"watch", true}});
        return true;
      }
    }
    body.erase(0, start);
    return false;
  }

  void expired() {
    if (!done_)
      return;
    if (watch_ && created_)
      return finish(json{{"watch", true}});
    unreachable("no answer within "
                + std::to_string((st_->timeout + wait_).count()) + " ms");
  }

  void unreachable(const std::string& why) {
    if (!done_)
      return;
    // The next call tries the next endpoint.
    if (st_->endpoints.size() > 1)
      ++st_->current;
    finish(make_error(ec::store_failure, what() + ": " + why));
  }

  void finish(caf::expected<json> result) {
    if (!done_)
      return;
    auto done = std::move(done_);
    done_ = nullptr;
    beast::error_code ignored;
    timer_.cancel();
    resolver_.cancel();
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    st_->live.erase(shared_from_this());
    done(std::move(result));
  }

public:
  /// The events a watch round collected (read by the watch callback).
  etcd_watch_result watched_;

private:
  state_ptr st_;
  endpoint ep_;
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  std::string path_;
  ms wait_;
  bool watch_;
  bool created_ = false;
  json_callback done_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

class client_impl : public etcd_client {
public:
  client_impl(std::vector<endpoint> eps, ms timeout) {
    st_ = std::make_shared<client_state>(ioc_, std::move(eps), timeout);
    thread_ = std::thread{[this] { ioc_.run(); }};
  }

  ~client_impl() override {
    close();
    guard_.reset();
    ioc_.stop();
    if (thread_.joinable()) {
      if (thread_.get_id() == std::this_thread::get_id())
        thread_.detach();
      else
        thread_.join();
    }
  }

  void lease_grant(int64_t ttl, callback<int64_t> done) override {
    call("/v3/lease/grant", grant_body(ttl), std::move(done), read_grant);
  }

  void lease_keep_alive(int64_t id, callback<int64_t> done) override {
    call("/v3/lease/keepalive", lease_id_body(id), std::move(done),
         read_keep_alive);
  }

  void lease_revoke(int64_t id, callback<int64_t> done) override {
    call("/v3/lease/revoke", lease_id_body(id), std::move(done), read_revision);
  }

  void put(const std::string& key, const std::string& value, int64_t lease,
           callback<int64_t> done) override {
    call("/v3/kv/put", put_body(key, value, lease), std::move(done),
         read_revision);
  }

  void range(const std::string& key, bool prefix,
             callback<etcd_range> done) override {
    call("/v3/kv/range", range_body(key, prefix), std::move(done), read_range);
  }

  void range_at(const etcd_range_query& q, callback<etcd_range> done) override {
    call("/v3/kv/range", range_query_body(q), std::move(done), read_range);
  }

  void remove(const std::string& key, bool prefix,
              callback<int64_t> done) override {
    call("/v3/kv/deleterange", range_body(key, prefix), std::move(done),
         read_deleted);
  }

  void txn(const etcd_txn& t, callback<etcd_txn_result> done) override {
    call("/v3/kv/txn", txn_body(t), std::move(done), read_txn);
  }

  void watch(const std::string& prefix, int64_t start_revision, ms wait,
             callback<etcd_watch_result> done) override {
    watch_range(prefix, prefix_end(prefix), start_revision, wait,
                std::move(done));
  }

  void watch_range(const std::string& key, const std::string& range_end,
                   int64_t start_revision, ms wait,
                   callback<etcd_watch_result> done) override {
    auto holder = std::make_shared<std::weak_ptr<exchange>>();
    auto on_json = [done = std::move(done), holder](caf::expected<json> r) {
      if (!r)
        return done(r.error());
      auto x = holder->lock();
      if (!x)
        return done(make_error(ec::cancelled, "etcd watch: gone"));
      done(std::move(x->watched_));
    };
    auto x = std::make_shared<exchange>(
      st_, "/v3/watch", watch_range_body(key, range_end, start_revision).dump(),
      wait, true, std::move(on_json));
    *holder = x;
    asio::post(st_->strand, [x] { x->start(); });
  }

  void close() override {
    auto st = st_;
    auto close_now = [st] {
      st->closed = true;
      auto live = st->live;
      for (auto& x : live)
        x->abort();
    };
    if (st->strand.running_in_this_thread() || ioc_.stopped()) {
      close_now();
      return;
    }
    auto closed = std::make_shared<std::promise<void>>();
    auto f = closed->get_future();
    asio::post(st->strand, [close_now, closed] {
      close_now();
      closed->set_value();
    });
    while (f.wait_for(ms{50}) != std::future_status::ready)
      if (ioc_.stopped())
        return;
  }

private:
  template <class T, class Reader>
  void call(const char* path, const json& body, callback<T> done,
            Reader reader) {
    auto on_json = [done = std::move(done),
                    reader](caf::expected<json> r) mutable {
      if (!r)
        return done(r.error());
      done(reader(*r));
    };
    auto x = std::make_shared<exchange>(st_, path, body.dump(), ms{0}, false,
                                        std::move(on_json));
    asio::post(st_->strand, [x] { x->start(); });
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{
    ioc_.get_executor()};
  state_ptr st_;
  std::thread thread_;
};

} // namespace

caf::expected<etcd_client_ptr> make_etcd_client(etcd_settings settings) {
  std::vector<endpoint> eps;
  for (auto& text : settings.endpoints) {
    endpoint ep;
    std::string why;
    if (!parse_endpoint(text, ep.host, ep.port, why))
      return make_error(ec::invalid_params, "cluster.etcd: " + why);
    eps.push_back(std::move(ep));
  }
  if (eps.empty())
    return make_error(ec::invalid_params,
                      "cluster.etcd: no endpoint (host:port)");
  if (settings.timeout.count() <= 0)
    settings.timeout = ms{2000};
  return etcd_client_ptr{
    std::make_shared<client_impl>(std::move(eps), settings.timeout)};
}

} // namespace rmcp::cluster
