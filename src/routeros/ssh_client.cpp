#include "src/routeros/ssh_client.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <libssh/libssh.h>

#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp::routeros {

// -- workers ----------------------------------------------------------------------

struct ssh_workers::impl {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> tasks;
  std::vector<std::thread> threads;
  bool stopping = false;

  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock{mu};
        cv.wait(lock, [this] { return stopping || !tasks.empty(); });
        if (stopping)
          return;
        task = std::move(tasks.front());
        tasks.pop_front();
      }
      task();
    }
  }
};

ssh_workers::ssh_workers(size_t threads) : impl_(std::make_unique<impl>()) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i)
    impl_->threads.emplace_back([d = impl_.get()] { d->run(); });
}

ssh_workers::~ssh_workers() {
  {
    std::lock_guard<std::mutex> guard{impl_->mu};
    impl_->stopping = true;
    impl_->tasks.clear();
  }
  impl_->cv.notify_all();
  for (auto& t : impl_->threads)
    t.join();
}

void ssh_workers::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> guard{impl_->mu};
    if (impl_->stopping)
      return;
    impl_->tasks.push_back(std::move(task));
  }
  impl_->cv.notify_one();
}

namespace {

using clock_type = std::chrono::steady_clock;

/// The largest answer read from the console (a full /log is far smaller).
constexpr size_t max_answer_bytes = 16 * 1024 * 1024;

std::string hex_colons(const unsigned char* data, size_t size) {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < size; ++i) {
    std::snprintf(buf, sizeof buf, "%02X", data[i]);
    if (i > 0)
      out += ':';
    out += buf;
  }
  return out;
}

struct ssh_job {
  uint64_t id = 0;
  rest_request req;
  clock_type::time_point start;
  clock_type::time_point deadline;
  rest_client::callback done;
};

using job_ptr = std::shared_ptr<ssh_job>;

class ssh_client_impl : public rest_client,
                        public std::enable_shared_from_this<ssh_client_impl> {
public:
  ssh_client_impl(std::shared_ptr<ssh_workers> pool, rest_endpoint ep,
                  host_key_learned learned)
    : pool_(std::move(pool)), ep_(std::move(ep)),
      learned_cb_(std::move(learned)),
      where_(ep_.host + ":" + std::to_string(ep_.ssh.port)) {
    // nop
  }

  ~ssh_client_impl() override {
    drop_session();
  }

  uint64_t async_request(const rest_request& req,
                         std::chrono::milliseconds timeout,
                         callback done) override {
    auto job = std::make_shared<ssh_job>();
    job->req = req;
    job->start = clock_type::now();
    job->deadline = job->start + timeout;
    job->done = std::move(done);
    bool start = false;
    {
      std::lock_guard<std::mutex> guard{mu_};
      job->id = ++next_id_;
      if (closed_) {
        job->done(make_error(ec::cancelled, what(req) + ": client closed"));
        return job->id;
      }
      pending_[job->id] = job;
      queue_.push_back(job);
      if (!draining_) {
        draining_ = true;
        start = true;
      }
    }
    if (start) {
      // A weak reference: a client never keeps the pool alive (the last
      // reference could then be dropped on one of its own threads).
      if (auto pool = pool_.lock()) {
        pool->post([self = shared_from_this()] { self->drain(); });
      } else {
        std::lock_guard<std::mutex> guard{mu_};
        draining_ = false;
        queue_.clear();
        for (auto& [id, j] : pending_)
          j->done(make_error(ec::cancelled, what(j->req) + ": shutting down"));
        pending_.clear();
      }
    }
    return job->id;
  }

  void cancel(uint64_t id) override {
    std::lock_guard<std::mutex> guard{mu_};
    auto i = pending_.find(id);
    if (i == pending_.end())
      return;
    auto job = i->second;
    pending_.erase(i);
    job->done(make_error(ec::cancelled, what(job->req) + ": cancelled"));
  }

  void close() override {
    std::lock_guard<std::mutex> guard{mu_};
    closed_ = true;
    for (auto& [id, job] : pending_)
      job->done(make_error(ec::cancelled, what(job->req) + ": client closed"));
    pending_.clear();
    queue_.clear();
  }

private:
  std::string what(const rest_request& req) const {
    return ep_.device_id + ": SSH " + req.method + " " + req.path;
  }

  /// Runs the queued jobs one after another on a worker (the only place the
  /// session is used), until the queue is empty.
  void drain() {
    for (;;) {
      job_ptr job;
      {
        std::lock_guard<std::mutex> guard{mu_};
        if (queue_.empty() || closed_) {
          draining_ = false;
          if (closed_)
            drop_session();
          return;
        }
        job = queue_.front();
        queue_.pop_front();
        if (!pending_.count(job->id))
          continue; // cancelled meanwhile
      }
      deliver(job, run(*job));
    }
  }

  void deliver(const job_ptr& job, caf::expected<rest_response> result) {
    std::lock_guard<std::mutex> guard{mu_};
    if (pending_.erase(job->id) == 0)
      return; // cancelled or closed: its callback ran already
    job->done(std::move(result));
  }

  caf::expected<rest_response> run(const ssh_job& job) {
    auto w = what(job.req);
    if (clock_type::now() >= job.deadline)
      return make_error(ec::router_timeout,
                        w + ": waited past its deadline for the connection");
    // Writes only for devices that have no other way (transport "ssh");
    // the SSH half of "auto" serves reads.
    auto command = make_ssh_command(job.req, ep_.ssh.transport == "ssh");
    if (!command)
      return command.error();
    auto output = execute(command->text, job.deadline, w);
    if (!output)
      return output.error();
    auto answered = job.req;
    if (command->reads_back) {
      // PUT: REST answers the new item; read it back by the printed id.
      auto get = ssh_read_back(w, job.req, *output);
      if (!get)
        return get.error();
      answered = std::move(*get);
      auto again = make_ssh_command(answered, false);
      if (!again)
        return again.error();
      output = execute(again->text, job.deadline, w);
      if (!output)
        return output.error();
    }
    auto body = ssh_read_answer(w, answered, *output);
    if (!body)
      return body.error();
    rest_response resp;
    resp.status = 200;
    resp.body = std::move(*body);
    resp.transport = "ssh";
    resp.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        clock_type::now() - job.start)
                        .count();
    return resp;
  }

  /// Sets libssh's timeout of blocking steps to what is left until
  /// `deadline` (at most `cap`); false when nothing is left.
  bool arm(clock_type::time_point deadline, std::chrono::milliseconds cap) {
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(
      deadline - clock_type::now());
    left = std::min<std::chrono::microseconds>(left, cap);
    // Under a millisecond libssh would round to 0, its "10 s default".
    if (left < std::chrono::milliseconds{1})
      return false;
    long zero = 0;
    long usec = static_cast<long>(left.count());
    ssh_options_set(session_, SSH_OPTIONS_TIMEOUT, &zero);
    ssh_options_set(session_, SSH_OPTIONS_TIMEOUT_USEC, &usec);
    return true;
  }

  caf::expected<std::string> execute(const std::string& command,
                                     clock_type::time_point deadline,
                                     const std::string& w) {
    bool reused = session_ != nullptr;
    if (!session_)
      if (auto err = connect(deadline, w))
        return err;
    bool sent = false;
    auto out = exec_once(command, deadline, w, sent);
    // The router may have closed an idle connection: once more on a fresh
    // one when the command never reached it.
    if (!out && reused && !sent && clock_type::now() < deadline) {
      drop_session();
      if (auto err = connect(deadline, w))
        return err;
      out = exec_once(command, deadline, w, sent);
    }
    if (!out)
      drop_session(); // the channel's state is unknown
    return out;
  }

  caf::error connect(clock_type::time_point deadline, const std::string& w) {
    session_ = ssh_new();
    if (!session_)
      return make_error(ec::internal_error, w + ": libssh has no memory");
    unsigned int port = ep_.ssh.port;
    bool no = false;
    ssh_options_set(session_, SSH_OPTIONS_HOST, ep_.host.c_str());
    ssh_options_set(session_, SSH_OPTIONS_PORT, &port);
    ssh_options_set(session_, SSH_OPTIONS_USER, ep_.creds.username.c_str());
    // Nothing from ~/.ssh or /etc/ssh: the record says everything.
    ssh_options_set(session_, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(session_, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    ssh_options_set(session_, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    if (!arm(deadline, ep_.connect_timeout)) {
      drop_session();
      return make_error(ec::router_timeout, w + ": no time left to connect");
    }
    if (ssh_connect(session_) != SSH_OK) {
      auto text = std::string{ssh_get_error(session_)};
      drop_session();
      bool late = clock_type::now() >= deadline;
      return make_error(late ? ec::router_timeout : ec::router_unreachable,
                        w + ": SSH connect to " + where_ + ": " + text);
    }
    if (auto err = check_host_key(w)) {
      drop_session();
      return err;
    }
    if (auto err = authenticate(deadline, w)) {
      drop_session();
      return err;
    }
    return caf::none;
  }

  caf::error check_host_key(const std::string& w) {
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(session_, &key) != SSH_OK)
      return make_error(ec::router_host_key_mismatch,
                        w + ": the router presented no host key");
    unsigned char* hash = nullptr;
    size_t len = 0;
    int rc =
      ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len);
    ssh_key_free(key);
    if (rc != 0)
      return make_error(ec::router_host_key_mismatch,
                        w + ": cannot hash the router's host key");
    auto seen = hex_colons(hash, len);
    ssh_clean_pubkey_hash(&hash);
    auto pinned = normalize_fingerprint(ep_.ssh.host_key_sha256);
    if (pinned.empty() && ep_.environment != "lab")
      return make_error(ec::router_host_key_mismatch,
                        w
                          + ": no pinned SSH host key, and trust on first "
                            "use is for lab devices only (the router "
                            "presented "
                          + seen + ")");
    if (pinned.empty()) {
      bool first = false;
      {
        std::lock_guard<std::mutex> guard{mu_};
        if (learned_.empty()) {
          learned_ = seen;
          first = true;
        }
        pinned = learned_;
      }
      if (first) {
        log::warn(log::core(), "ssh-host-key-trusted-on-first-use",
                  {{"device_id", ep_.device_id},
                   {"address", where_},
                   {"host_key_sha256", seen},
                   {"hint", "pin it: routeros-mcp device update "
                              + ep_.device_id + " --ssh-host-key " + seen}});
        if (learned_cb_)
          learned_cb_(ep_.device_id, seen);
      }
    }
    if (seen != pinned)
      return make_error(ec::router_host_key_mismatch,
                        w + ": SSH host key mismatch at " + where_
                          + ": the router presented " + seen
                          + ", the pinned key is " + pinned);
    return caf::none;
  }

  caf::error authenticate(clock_type::time_point deadline,
                          const std::string& w) {
    if (!arm(deadline, ep_.connect_timeout))
      return make_error(ec::router_timeout, w + ": no time left to log in");
    int rc = SSH_AUTH_DENIED;
    std::string how = "password";
    if (!ep_.creds.ssh_private_key.empty()) {
      how = "public key";
      ssh_key key = nullptr;
      if (ssh_pki_import_privkey_base64(ep_.creds.ssh_private_key.c_str(),
                                        nullptr, nullptr, nullptr, &key)
          != SSH_OK)
        return make_error(ec::router_auth_failed,
                          w
                            + ": the stored SSH private key cannot be read "
                              "(OpenSSH or PEM text without passphrase)");
      rc = ssh_userauth_publickey(session_, nullptr, key);
      ssh_key_free(key);
    } else {
      rc = ssh_userauth_password(session_, nullptr, ep_.creds.password.c_str());
    }
    if (rc == SSH_AUTH_SUCCESS)
      return caf::none;
    if (rc == SSH_AUTH_ERROR) {
      bool late = clock_type::now() >= deadline;
      return make_error(
        late ? ec::router_timeout : ec::router_unreachable,
        w + ": SSH login failed: " + std::string{ssh_get_error(session_)});
    }
    return make_error(ec::router_auth_failed,
                      w + ": the router refused the SSH login of user '"
                        + ep_.creds.username + "' (" + how + ")");
  }

  caf::expected<std::string> exec_once(const std::string& command,
                                       clock_type::time_point deadline,
                                       const std::string& w, bool& sent) {
    sent = false;
    if (!arm(deadline, std::chrono::hours{1}))
      return make_error(ec::router_timeout, w + ": no time left");
    ssh_channel ch = ssh_channel_new(session_);
    if (!ch)
      return make_error(ec::router_unreachable,
                        w + ": cannot open an SSH channel");
    auto fail = [&](ec code, std::string text) {
      ssh_channel_free(ch);
      return make_error(code, w + ": " + text);
    };
    if (ssh_channel_open_session(ch) != SSH_OK)
      return fail(ec::router_unreachable,
                  "cannot open an SSH channel: "
                    + std::string{ssh_get_error(session_)});
    if (ssh_channel_request_exec(ch, command.c_str()) != SSH_OK)
      return fail(ec::router_unreachable,
                  "the router refused the command: "
                    + std::string{ssh_get_error(session_)});
    sent = true;
    std::string out;
    char buf[16384];
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - clock_type::now());
      if (left.count() <= 0)
        return fail(ec::router_timeout,
                    "no complete answer over SSH within the deadline");
      int n = ssh_channel_read_timeout(
        ch, buf, sizeof buf, 0,
        static_cast<int>(std::min<int64_t>(left.count(), 1000)));
      if (n == SSH_ERROR)
        return fail(ec::router_unreachable,
                    "SSH connection lost before the end of the answer: "
                      + std::string{ssh_get_error(session_)});
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > max_answer_bytes)
          return fail(ec::router_bad_response,
                      "the answer is larger than "
                        + std::to_string(max_answer_bytes) + " bytes");
        continue;
      }
      if (ssh_channel_is_eof(ch)) {
        // libssh reports EOF on a channel whose connection went away too:
        // an answer is complete only when the router ended the command
        // (EOF) while the connection still stands.
        if (!ssh_is_connected(session_))
          return fail(ec::router_unreachable,
                      "SSH connection lost before the end of the answer");
        break;
      }
      if (!ssh_channel_is_open(ch) || !ssh_is_connected(session_))
        return fail(ec::router_unreachable,
                    "SSH connection lost before the end of the answer");
    }
    ssh_channel_close(ch);
    ssh_channel_free(ch);
    return out;
  }

  void drop_session() {
    if (!session_)
      return;
    if (ssh_is_connected(session_))
      ssh_disconnect(session_);
    ssh_free(session_);
    session_ = nullptr;
  }

  std::weak_ptr<ssh_workers> pool_;
  const rest_endpoint ep_;
  const host_key_learned learned_cb_;
  const std::string where_;
  std::mutex mu_;
  // -- under mu_ ------------------------------------------------------------------
  uint64_t next_id_ = 0;
  std::map<uint64_t, job_ptr> pending_;
  std::deque<job_ptr> queue_;
  bool draining_ = false;
  bool closed_ = false;
  /// The host key trusted on first use (unpinned lab devices).
  std::string learned_;
  // -- only in drain (one worker at a time) -------------------------------------
  ssh_session session_ = nullptr;
};

} // namespace

std::shared_ptr<rest_client> make_ssh_client(std::shared_ptr<ssh_workers> pool,
                                             const rest_endpoint& ep,
                                             host_key_learned learned) {
  return std::make_shared<ssh_client_impl>(std::move(pool), ep,
                                           std::move(learned));
}

} // namespace rmcp::routeros
