#include "src/routeros/beast_client.hpp"

#include "src/routeros/connection.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
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
  // Declared before the io_context: a client that a handler still holds
  // when the io_context is destroyed unregisters itself here.
  size_t max_threads = 1;
  size_t clients_per_thread = 1;
  mutable std::mutex mtx;
  std::vector<std::thread> threads; // guarded by mtx
  size_t clients = 0;               // guarded by mtx
  bool stopping = false;            // guarded by mtx
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> guard{
    ioc.get_executor()};

  /// Starts threads up to what `clients` asks for (with mtx held).
  void grow() {
    auto wanted = std::min(
      max_threads, 1 + (clients > 0 ? clients - 1 : 0) / clients_per_thread);
    while (!stopping && threads.size() < wanted)
      threads.emplace_back([this] { ioc.run(); });
  }

  void client_opened() {
    std::lock_guard<std::mutex> guard{mtx};
    ++clients;
    grow();
  }

  void client_gone() {
    std::lock_guard<std::mutex> guard{mtx};
    --clients;
  }
};

io_runtime::io_runtime(size_t max_threads, size_t clients_per_thread)
  : impl_(std::make_unique<impl>()) {
  impl_->max_threads = std::max<size_t>(max_threads, 1);
  impl_->clients_per_thread = std::max<size_t>(clients_per_thread, 1);
  std::lock_guard<std::mutex> guard{impl_->mtx};
  impl_->grow();
}

io_runtime::~io_runtime() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    impl_->stopping = true;
    threads = std::move(impl_->threads);
  }
  impl_->guard.reset();
  impl_->ioc.stop();
  for (auto& t : threads)
    t.join();
}

asio::io_context& io_runtime::context() noexcept {
  return impl_->ioc;
}

size_t io_runtime::threads() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->threads.size();
}

namespace {

// -- client --------------------------------------------------------------------

/// All state of a client lives on its strand, which its connections share:
/// requests, cancels, completions and close run there one after another,
/// without a lock. At most `max_connections` requests run, each on an idle
/// keep-alive connection or a new one; others wait in `waiting_` and the
/// first connection to free takes the next; at most `max_connections`
/// connections stay idle.
class client_impl : public rest_client,
                    public connection_owner,
                    public std::enable_shared_from_this<client_impl> {
public:
  /// `io` outlives the client (see io_runtime).
  client_impl(io_runtime::impl& io, std::shared_ptr<ssl::context> tls,
              rest_endpoint ep, std::shared_ptr<const std::string> user_agent)
    : io_(io), strand_(asio::make_strand(io.ioc)), tls_(std::move(tls)),
      ep_(std::move(ep)), user_agent_(std::move(user_agent)) {
    ep_.max_connections = std::max<size_t>(ep_.max_connections, 1);
    io_.client_opened();
  }

  ~client_impl() override {
    for (auto& [id, entry] : running_)
      entry.second->abort();
    for (auto& c : idle_)
      c->abort();
    io_.client_gone();
  }

  uint64_t async_request(const rest_request& req, ms timeout,
                         callback done) override {
    auto j = std::make_shared<job>();
    j->id = ++next_id_;
    j->req = req;
    j->timeout = timeout.count() > 0 ? timeout : ms{10000};
    j->deadline = clock_type::now() + j->timeout;
    j->done = std::move(done);
    asio::post(strand_, [self = shared_from_this(), j] {
      if (self->closed_)
        self->finish(j, make_error(ec::cancelled,
                                   self->ep_.device_id + ": client closed"));
      else
        self->run(j);
    });
    return j->id;
  }

  void cancel(uint64_t id) override {
    asio::post(strand_, [self = shared_from_this(), id] {
      auto w = std::find_if(self->waiting_.begin(), self->waiting_.end(),
                            [id](const job_ptr& j) { return j->id == id; });
      if (w != self->waiting_.end()) {
        auto j = *w;
        self->waiting_.erase(w);
        self->finish(j, make_error(ec::cancelled, self->ep_.device_id
                                                    + ": request cancelled"));
        return;
      }
      auto r = self->running_.find(id);
      if (r == self->running_.end())
        return;
      auto [j, c] = r->second;
      self->running_.erase(r);
      self->start_waiting();
      self->finish(j, make_error(ec::cancelled,
                                 self->ep_.device_id + ": request cancelled"));
      c->abort();
    });
  }

  /// Runs on the strand and waits for it (a device actor closes its
  /// client when it stops): when close returns, every pending callback has
  /// run with `cancelled` and no other runs. Called on the strand itself,
  /// it closes at once; when the I/O threads are gone nothing can run any
  /// more anyway.
  void close() override {
    if (strand_.running_in_this_thread()) {
      close_now();
      return;
    }
    auto closed = std::make_shared<std::promise<void>>();
    auto f = closed->get_future();
    asio::post(strand_, [self = shared_from_this(), closed] {
      self->close_now();
      closed->set_value();
    });
    while (f.wait_for(ms{50}) != std::future_status::ready)
      if (io_.ioc.stopped())
        return;
  }

  void completed(const connection_ptr& c, const job_ptr& j,
                 caf::expected<rest_response> result, bool reusable) override {
    auto r = running_.find(j->id);
    if (r != running_.end() && r->second.second == c)
      running_.erase(r);
    if (reusable && !closed_ && idle_.size() < ep_.max_connections)
      idle_.push_back(c);
    else if (reusable)
      c->abort();
    // The next waiting request goes out (on this connection, now the idle
    // one) before this answer is handed on: the connection does not wait
    // for the device actor's turn.
    start_waiting();
    finish(j, std::move(result));
  }

  void requeue(const job_ptr& j) override {
    running_.erase(j->id);
    j->retried = true;
    if (!j->done)
      return start_waiting();
    if (closed_)
      return finish(
        j, make_error(ec::cancelled, ep_.device_id + ": client closed"));
    run(j);
  }

private:
  /// Starts `j` on an idle connection or a new one, or lets it wait for
  /// the first to free when `max_connections` are busy (on the strand).
  void run(const job_ptr& j) {
    if (running_.size() >= ep_.max_connections) {
      waiting_.push_back(j);
      return;
    }
    connection_ptr c;
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    } else {
      c = make_connection(strand_, tls_, ep_, user_agent_, weak_from_this());
    }
    running_.emplace(j->id, std::make_pair(j, c));
    c->start(j);
  }

  /// Starts waiting requests while a connection is free (on the strand).
  void start_waiting() {
    while (!closed_ && !waiting_.empty()
           && running_.size() < ep_.max_connections) {
      auto next = std::move(waiting_.front());
      waiting_.pop_front();
      run(next);
    }
  }

  /// Runs the callback of `j` once (on the strand).
  void finish(const job_ptr& j, caf::expected<rest_response> result) {
    if (!j->done)
      return;
    auto cb = std::move(j->done);
    j->done = nullptr;
    cb(std::move(result));
  }

  void close_now() {
    if (closed_)
      return;
    closed_ = true;
    auto cancelled =
      make_error(ec::cancelled, ep_.device_id + ": client closed");
    auto running = std::move(running_);
    running_.clear();
    for (auto& [id, entry] : running) {
      finish(entry.first, cancelled);
      entry.second->abort();
    }
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& j : waiting)
      finish(j, cancelled);
    for (auto& c : idle_)
      c->abort();
    idle_.clear();
  }

  io_runtime::impl& io_;
  asio::strand<asio::io_context::executor_type> strand_;
  std::shared_ptr<ssl::context> tls_;
  rest_endpoint ep_;
  std::shared_ptr<const std::string> user_agent_;
  /// Only ids are handed out off the strand.
  std::atomic<uint64_t> next_id_{0};
  // -- on the strand only ---------------------------------------------------------
  std::vector<connection_ptr> idle_;
  std::unordered_map<uint64_t, std::pair<job_ptr, connection_ptr>> running_;
  /// Requests handed on while every connection is busy (the device actor
  /// hands reads ahead, a few per connection), in order.
  std::deque<job_ptr> waiting_;
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
    return std::make_shared<client_impl>(io_->get(), context_for(endpoint),
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
        log::warn(log::core(), "tls-trust-store-failed",
                  {{"device_id", ep.device_id},
                   {"ca_file", ep.tls.ca_file},
                   {"error", ec.message()},
                   {"note", "verification will fail"}});
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
