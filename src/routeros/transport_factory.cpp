// The transport a device record asks for: REST, SSH, or REST with reads
// falling back to SSH (see ssh_client.hpp).

#include <chrono>
#include <map>
#include <mutex>

#include "protocol/error.hpp"
#include "src/routeros/ssh_client.hpp"

namespace rmcp::routeros {

namespace {

using clock_type = std::chrono::steady_clock;

class fallback_client : public rest_client,
                        public std::enable_shared_from_this<fallback_client> {
public:
  fallback_client(std::shared_ptr<rest_client> rest,
                  std::shared_ptr<rest_client> ssh,
                  std::chrono::milliseconds rest_retry_after)
    : rest_(std::move(rest)), ssh_(std::move(ssh)),
      rest_retry_after_(rest_retry_after) {
    // nop
  }

  uint64_t async_request(const rest_request& req,
                         std::chrono::milliseconds timeout,
                         callback done) override {
    uint64_t id = 0;
    auto start = clock_type::now();
    bool rest_down = false;
    {
      std::lock_guard<std::mutex> guard{mu_};
      id = ++next_id_;
      calls_[id] = call{};
      rest_down = start < rest_down_until_;
    }
    if (rest_down && !is_write(req)) {
      // REST was unreachable a moment ago: no second wait for it.
      over_ssh(id, req, timeout, start,
               make_error(ec::router_unreachable,
                          "REST was unreachable within the last "
                            + std::to_string(rest_retry_after_.count())
                            + " ms (device.rest_retry_after)"),
               std::move(done));
      return id;
    }
    std::weak_ptr<fallback_client> weak = shared_from_this();
    auto inner = rest_->async_request(
      req, timeout,
      [weak, id, req, timeout, start,
       done](caf::expected<rest_response> res) mutable {
        auto self = weak.lock();
        bool unreachable =
          !res && error_code_of(res.error()) == ec::router_unreachable;
        if (self)
          self->note_rest(static_cast<bool>(res), unreachable);
        if (!self || !unreachable || is_write(req)) {
          if (self)
            self->forget(id);
          done(std::move(res));
          return;
        }
        self->over_ssh(id, req, timeout, start, res.error(), std::move(done));
      });
    std::lock_guard<std::mutex> guard{mu_};
    if (auto i = calls_.find(id); i != calls_.end() && !i->second.on_ssh)
      i->second.inner = inner;
    return id;
  }

  void cancel(uint64_t id) override {
    std::shared_ptr<rest_client> target;
    uint64_t inner = 0;
    {
      std::lock_guard<std::mutex> guard{mu_};
      auto i = calls_.find(id);
      if (i == calls_.end())
        return;
      i->second.cancelled = true;
      target = i->second.on_ssh ? ssh_ : rest_;
      inner = i->second.inner;
    }
    target->cancel(inner);
  }

  void close() override {
    // REST first: once it returns no REST callback runs, so none can start
    // an SSH request after the SSH client is closed.
    rest_->close();
    ssh_->close();
  }

private:
  struct call {
    uint64_t inner = 0;
    bool on_ssh = false;
    bool cancelled = false;
  };

  /// REST answered (it is up again) or was unreachable (reads skip it for
  /// `rest_retry_after_`).
  void note_rest(bool answered, bool unreachable) {
    std::lock_guard<std::mutex> guard{mu_};
    if (answered)
      rest_down_until_ = clock_type::time_point{};
    else if (unreachable)
      rest_down_until_ = clock_type::now() + rest_retry_after_;
  }

  void forget(uint64_t id) {
    std::lock_guard<std::mutex> guard{mu_};
    calls_.erase(id);
  }

  void over_ssh(uint64_t id, const rest_request& req,
                std::chrono::milliseconds timeout, clock_type::time_point start,
                const caf::error& rest_error, callback done) {
    auto left = timeout
                - std::chrono::duration_cast<std::chrono::milliseconds>(
                  clock_type::now() - start);
    bool cancelled = false;
    {
      std::lock_guard<std::mutex> guard{mu_};
      auto i = calls_.find(id);
      cancelled = i == calls_.end() || i->second.cancelled;
      if (!cancelled)
        i->second.on_ssh = true;
    }
    if (cancelled || left.count() <= 0) {
      forget(id);
      done(cancelled ? make_error(ec::cancelled, "cancelled") : rest_error);
      return;
    }
    auto rest_text = error_message(rest_error);
    std::weak_ptr<fallback_client> weak = shared_from_this();
    auto inner = ssh_->async_request(
      req, left,
      [weak, id, rest_text,
       done{std::move(done)}](caf::expected<rest_response> res) {
        if (auto self = weak.lock())
          self->forget(id);
        if (res) {
          res->fallback_used = true;
          done(std::move(res));
          return;
        }
        // Both failed: SSH's class, both reasons.
        done(make_error(error_code_of(res.error()),
                        error_message(res.error())
                          + " (after REST failed: " + rest_text + ")"));
      });
    std::lock_guard<std::mutex> guard{mu_};
    if (auto i = calls_.find(id); i != calls_.end())
      i->second.inner = inner;
  }

  std::shared_ptr<rest_client> rest_;
  std::shared_ptr<rest_client> ssh_;
  const std::chrono::milliseconds rest_retry_after_;
  std::mutex mu_;
  uint64_t next_id_ = 0;
  std::map<uint64_t, call> calls_;
  /// Until when reads go straight to SSH (REST was unreachable).
  clock_type::time_point rest_down_until_;
};

class transport_factory : public rest_client_factory {
public:
  transport_factory(rest_client_factory_ptr rest,
                    std::shared_ptr<ssh_workers> pool,
                    std::chrono::milliseconds rest_retry_after,
                    host_key_learned learned)
    : rest_(std::move(rest)), pool_(std::move(pool)),
      rest_retry_after_(rest_retry_after), learned_(std::move(learned)) {
    // nop
  }

  std::shared_ptr<rest_client> make(const rest_endpoint& ep) override {
    if (ep.ssh.transport == "ssh")
      return make_ssh_client(pool_, ep, learned_);
    if (ep.ssh.transport == "auto")
      return make_fallback_client(rest_->make(ep),
                                  make_ssh_client(pool_, ep, learned_),
                                  rest_retry_after_);
    return rest_->make(ep);
  }

private:
  rest_client_factory_ptr rest_;
  std::shared_ptr<ssh_workers> pool_;
  const std::chrono::milliseconds rest_retry_after_;
  const host_key_learned learned_;
};

} // namespace

std::shared_ptr<rest_client>
make_fallback_client(std::shared_ptr<rest_client> rest,
                     std::shared_ptr<rest_client> ssh,
                     std::chrono::milliseconds rest_retry_after) {
  return std::make_shared<fallback_client>(std::move(rest), std::move(ssh),
                                           rest_retry_after);
}

rest_client_factory_ptr make_transport_factory(
  rest_client_factory_ptr rest, std::shared_ptr<ssh_workers> pool,
  std::chrono::milliseconds rest_retry_after, host_key_learned learned) {
  return std::make_shared<transport_factory>(
    std::move(rest), std::move(pool), rest_retry_after, std::move(learned));
}

} // namespace rmcp::routeros
