#include "src/routeros/beast_client.hpp"

#include "src/routeros/connection.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp::routeros {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using clock_type = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

// -- io_runtime ----------------------------------------------------------------

struct io_runtime::impl {
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> guard{
    ioc.get_executor()};
  std::vector<std::thread> threads;
};

io_runtime::io_runtime(size_t threads) : impl_(std::make_unique<impl>()) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

io_runtime::~io_runtime() {
  impl_->guard.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    t.join();
}

namespace {

// -- client --------------------------------------------------------------------

class client_impl : public rest_client,
                    public connection_owner,
                    public std::enable_shared_from_this<client_impl> {
public:
  client_impl(asio::io_context& ioc, std::shared_ptr<ssl::context> tls,
              rest_endpoint ep, std::shared_ptr<const std::string> user_agent)
    : ioc_(ioc),
      tls_(std::move(tls)),
      ep_(std::move(ep)),
      user_agent_(std::move(user_agent)) {
    ep_.max_connections = std::max<size_t>(ep_.max_connections, 1);
  }

  ~client_impl() override {
    for (auto& [id, entry] : running_)
      entry.second->abort();
    for (auto& c : idle_)
      c->abort();
  }

  uint64_t async_request(const rest_request& req, ms timeout,
                         callback done) override {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    auto j = std::make_shared<job>();
    j->id = ++next_id_;
    j->req = req;
    j->timeout = timeout.count() > 0 ? timeout : ms{10000};
    j->deadline = clock_type::now() + j->timeout;
    j->done = std::move(done);
    if (closed_) {
      finish(j, make_error(ec::cancelled, ep_.device_id + ": client closed"));
      return j->id;
    }
    queue_.push_back(j);
    dispatch();
    return j->id;
  }

  void cancel(uint64_t id) override {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    auto cancelled = make_error(ec::cancelled,
                                ep_.device_id + ": request cancelled");
    auto q = std::find_if(queue_.begin(), queue_.end(),
                          [id](const job_ptr& j) { return j->id == id; });
    if (q != queue_.end()) {
      auto j = *q;
      queue_.erase(q);
      finish(j, cancelled);
      return;
    }
    auto r = running_.find(id);
    if (r != running_.end()) {
      finish(r->second.first, cancelled);
      r->second.second->abort();
    }
  }

  void close() override {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    if (closed_)
      return;
    closed_ = true;
    auto cancelled = make_error(ec::cancelled, ep_.device_id + ": client closed");
    auto queued = std::move(queue_);
    queue_.clear();
    for (auto& j : queued)
      finish(j, cancelled);
    for (auto& [id, entry] : running_) {
      finish(entry.first, cancelled);
      entry.second->abort();
    }
    for (auto& c : idle_)
      c->abort();
    idle_.clear();
  }

  void completed(const connection_ptr& c, const job_ptr& j,
                 caf::expected<rest_response> result, bool reusable) override {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    running_.erase(j->id);
    --busy_;
    finish(j, std::move(result));
    if (reusable && !closed_)
      idle_.push_back(c);
    dispatch();
  }

  void requeue(const job_ptr& j) override {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    running_.erase(j->id);
    --busy_;
    j->retried = true;
    if (!j->done)
      return dispatch();
    if (closed_)
      return finish(j, make_error(ec::cancelled,
                                  ep_.device_id + ": client closed"));
    queue_.push_front(j);
    dispatch();
  }

private:
  /// Runs the callback of `j` once; under the lock, so that nothing runs
  /// after close() returns.
  void finish(const job_ptr& j, caf::expected<rest_response> result) {
    if (!j->done)
      return;
    auto cb = std::move(j->done);
    j->done = nullptr;
    cb(std::move(result));
  }

  void dispatch() {
    while (!closed_ && !queue_.empty()) {
      connection_ptr c;
      if (!idle_.empty()) {
        c = std::move(idle_.back());
        idle_.pop_back();
      } else if (busy_ + idle_.size() < ep_.max_connections) {
        c = make_connection(ioc_, tls_, ep_, user_agent_, weak_from_this());
      } else {
        return;
      }
      auto j = queue_.front();
      queue_.pop_front();
      ++busy_;
      running_.emplace(j->id, std::make_pair(j, c));
      c->start(std::move(j));
    }
  }

  asio::io_context& ioc_;
  std::shared_ptr<ssl::context> tls_;
  rest_endpoint ep_;
  std::shared_ptr<const std::string> user_agent_;
  std::recursive_mutex mtx_;
  std::deque<job_ptr> queue_;
  std::vector<connection_ptr> idle_;
  std::unordered_map<uint64_t, std::pair<job_ptr, connection_ptr>> running_;
  size_t busy_ = 0;
  uint64_t next_id_ = 0;
  bool closed_ = false;
};

// -- factory ---------------------------------------------------------------------

class beast_factory : public rest_client_factory {
public:
  beast_factory(std::shared_ptr<io_runtime> io, std::string user_agent)
    : io_(std::move(io)),
      user_agent_(std::make_shared<const std::string>(std::move(user_agent))) {
    // nop
  }

  std::shared_ptr<rest_client> make(const rest_endpoint& endpoint) override {
    return std::make_shared<client_impl>(io_->get().ioc, context_for(endpoint),
                                         endpoint, user_agent_);
  }

private:
  /// TLS contexts are shared: one per trust store (loading the system CA
  /// store per device would cost megabytes per thousand routers). Pinning
  /// and host-name checks are set per connection.
  std::shared_ptr<ssl::context> context_for(const rest_endpoint& ep) {
    auto key = ep.tls.mode == "verify" ? "verify:" + ep.tls.ca_file
                                       : std::string{"plain"};
    std::lock_guard<std::mutex> guard{mtx_};
    if (auto ctx = contexts_[key].lock())
      return ctx;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                     | ssl::context::no_sslv3 | ssl::context::no_tlsv1
                     | ssl::context::no_tlsv1_1);
    if (ep.tls.mode == "verify") {
      boost::system::error_code ec;
      if (ep.tls.ca_file.empty())
        ctx->set_default_verify_paths(ec);
      else
        ctx->load_verify_file(ep.tls.ca_file, ec);
      if (ec)
        log::core()->warn("tls-trust-store-failed device={} ca_file='{}' "
                          "error='{}' (verification will fail)",
                          ep.device_id, ep.tls.ca_file, ec.message());
    }
    contexts_[key] = ctx;
    return ctx;
  }

  std::shared_ptr<io_runtime> io_;
  std::shared_ptr<const std::string> user_agent_;
  std::mutex mtx_;
  std::map<std::string, std::weak_ptr<ssl::context>> contexts_;
};

} // namespace

rest_client_factory_ptr make_rest_client_factory(std::shared_ptr<io_runtime> io,
                                                 std::string user_agent) {
  return std::make_shared<beast_factory>(std::move(io), std::move(user_agent));
}

} // namespace rmcp::routeros
