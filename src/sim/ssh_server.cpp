#include "sim/ssh_server.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/server.h>
#include <spdlog/spdlog.h>

namespace rmcp::sim {

namespace {

/// A connection waits this long for the client's next message; a client
/// that stays silent longer is disconnected.
constexpr long idle_timeout_s = 30;

std::string sha256_of(ssh_key key) {
  unsigned char* hash = nullptr;
  size_t len = 0;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) != 0)
    throw std::runtime_error("ssh: cannot hash the host key");
  std::string out;
  char buf[4];
  for (size_t i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02X", hash[i]);
    if (!out.empty())
      out += ':';
    out += buf;
  }
  ssh_clean_pubkey_hash(&hash);
  return out;
}

/// A fresh Ed25519 key as base64 PEM text, and its fingerprint.
std::pair<std::string, std::string> make_key() {
  ssh_key key = nullptr;
  if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK)
    throw std::runtime_error("ssh: cannot generate a host key");
  char* b64 = nullptr;
  int rc = ssh_pki_export_privkey_base64(key, nullptr, nullptr, nullptr, &b64);
  std::string fp;
  try {
    fp = sha256_of(key);
  } catch (...) {
    ssh_key_free(key);
    throw;
  }
  ssh_key_free(key);
  if (rc != SSH_OK || !b64)
    throw std::runtime_error("ssh: cannot export the host key");
  std::string text = b64;
  ssh_string_free_char(b64);
  return {text, fp};
}

/// A bind holding one host key (owned by the bind).
ssh_bind make_bind(const std::string& key_b64) {
  ssh_key key = nullptr;
  if (ssh_pki_import_privkey_base64(key_b64.c_str(), nullptr, nullptr, nullptr,
                                    &key)
      != SSH_OK)
    throw std::runtime_error("ssh: cannot import the host key");
  ssh_bind b = ssh_bind_new();
  bool no = false;
  ssh_bind_options_set(b, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
  if (ssh_bind_options_set(b, SSH_BIND_OPTIONS_IMPORT_KEY, key) != SSH_OK) {
    ssh_key_free(key);
    ssh_bind_free(b);
    throw std::runtime_error("ssh: cannot use the host key");
  }
  return b;
}

/// The state of one connection's conversation.
struct conversation {
  router& r;
  ssh_session session;
  std::string peer;
  const std::atomic<bool>& stopping;
  std::string user;
  bool authenticated = false;
  ssh_channel channel = nullptr;

  /// Answers one message; false ends the connection.
  bool handle(ssh_message msg) {
    int type = ssh_message_type(msg);
    int sub = ssh_message_subtype(msg);
    if (type == SSH_REQUEST_AUTH && sub == SSH_AUTH_METHOD_PASSWORD) {
      const char* u = ssh_message_auth_user(msg);
// libssh 0.10 marks the message API's password getter deprecated in favour
// of server callbacks; the message loop keeps the server one readable file.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      const char* p = ssh_message_auth_password(msg);
#pragma GCC diagnostic pop
      user = u ? u : "";
      if (r.ssh_login(user, p ? p : "", peer)) {
        authenticated = true;
        ssh_message_auth_reply_success(msg, 0);
        return true;
      }
    }
    if (type == SSH_REQUEST_AUTH) {
      ssh_message_auth_set_methods(msg, SSH_AUTH_METHOD_PASSWORD);
      ssh_message_reply_default(msg);
      return true;
    }
    if (!authenticated) {
      ssh_message_reply_default(msg);
      return true;
    }
    if (type == SSH_REQUEST_CHANNEL_OPEN && sub == SSH_CHANNEL_SESSION
        && !channel) {
      channel = ssh_message_channel_request_open_reply_accept(msg);
      return channel != nullptr;
    }
    if (type == SSH_REQUEST_CHANNEL && channel
        && sub == SSH_CHANNEL_REQUEST_EXEC) {
      std::string command = ssh_message_channel_request_command(msg);
      ssh_message_channel_request_reply_success(msg);
      return exec(command);
    }
    ssh_message_reply_default(msg);
    return true;
  }

  /// Runs one command on the open channel, then closes the channel.
  bool exec(const std::string& command) {
    auto out = r.ssh_exec(user, command, peer);
    if (out.delay.count() > 0)
      std::this_thread::sleep_for(out.delay);
    if (out.act == ssh_out::action::hang) {
      // Never answered: wait for the client to give up (or the stop).
      char buf[256];
      while (!stopping && ssh_channel_is_open(channel)
             && ssh_channel_read_timeout(channel, buf, sizeof buf, 0, 100)
                  >= 0) {
        // keep waiting
      }
      return false;
    }
    if (out.act == ssh_out::action::drop) {
      // Half the answer, then the connection is gone: the socket is shut
      // down before libssh could end the channel (EOF, close) or say
      // goodbye, as when a router or the path to it dies mid-answer.
      auto half = out.output.substr(0, out.output.size() / 2);
      if (!half.empty())
        ssh_channel_write(channel, half.data(),
                          static_cast<uint32_t>(half.size()));
      ssh_blocking_flush(session, 1000);
      ::shutdown(ssh_get_fd(session), SHUT_RDWR);
      return false;
    }
    if (!out.output.empty()
        && ssh_channel_write(channel, out.output.data(),
                             static_cast<uint32_t>(out.output.size()))
             == SSH_ERROR)
      return false;
    ssh_channel_request_send_exit_status(channel, 0);
    ssh_channel_send_eof(channel);
    ssh_channel_close(channel);
    ssh_channel_free(channel);
    channel = nullptr;
    return true;
  }
};

} // namespace

struct ssh_server::impl {
  std::string key_b64;
  std::string other_key_b64;
  std::string key_sha256;
  std::string other_key_sha256;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::vector<std::thread> threads;
  /// Open sockets (listeners and connections), shut down by stop().
  std::vector<int> fds;
  bool stopped = false;

  void track(int fd) {
    std::lock_guard<std::mutex> guard{mu};
    fds.push_back(fd);
  }

  void untrack(int fd) {
    std::lock_guard<std::mutex> guard{mu};
    fds.erase(std::remove(fds.begin(), fds.end(), fd), fds.end());
  }

  void spawn(std::function<void()> fn) {
    std::lock_guard<std::mutex> guard{mu};
    if (stopping)
      return;
    threads.emplace_back(std::move(fn));
  }

  void accept_loop(router& r, int lfd, ssh_bind good, ssh_bind bad) {
    while (!stopping) {
      pollfd p{lfd, POLLIN, 0};
      int n = ::poll(&p, 1, 100);
      if (n <= 0 || !(p.revents & POLLIN))
        continue;
      sockaddr_in addr{};
      socklen_t len = sizeof addr;
      int fd = ::accept(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
      if (fd < 0)
        continue;
      r.note_connection();
      ssh_session s = ssh_new();
      bool wrong = r.faults().ssh_wrong_host_key;
      if (ssh_bind_accept_fd(wrong ? bad : good, s, fd) != SSH_OK) {
        spdlog::warn("ssh-accept-failed error={}", ssh_get_error(s));
        ssh_free(s);
        ::close(fd);
        continue;
      }
      track(fd);
      char text[INET_ADDRSTRLEN] = "127.0.0.1";
      ::inet_ntop(AF_INET, &addr.sin_addr, text, sizeof text);
      std::string peer = text;
      spawn([this, &r, s, fd, peer] {
        converse(r, s, peer);
        untrack(fd);
        ssh_disconnect(s);
        ssh_free(s);
      });
    }
    ssh_bind_free(good);
    ssh_bind_free(bad);
    untrack(lfd);
    ::close(lfd);
  }

  void converse(router& r, ssh_session s, const std::string& peer) {
    long timeout = idle_timeout_s;
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
    if (ssh_handle_key_exchange(s) != SSH_OK)
      return;
    conversation c{r, s, peer, stopping, {}, false, nullptr};
    while (!stopping) {
      ssh_message msg = ssh_message_get(s);
      if (!msg)
        break;
      bool go_on = c.handle(msg);
      ssh_message_free(msg);
      if (!go_on)
        break;
    }
    if (c.channel)
      ssh_channel_free(c.channel);
  }
};

ssh_server::ssh_server() : impl_(std::make_unique<impl>()) {
  auto [k1, f1] = make_key();
  auto [k2, f2] = make_key();
  impl_->key_b64 = k1;
  impl_->key_sha256 = f1;
  impl_->other_key_b64 = k2;
  impl_->other_key_sha256 = f2;
}

ssh_server::~ssh_server() {
  stop();
}

std::uint16_t ssh_server::listen_router(router& r, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "ssh socket");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
      || ::listen(fd, 64) != 0) {
    int err = errno;
    ::close(fd);
    throw std::system_error(err, std::generic_category(),
                            "ssh listen on port " + std::to_string(port));
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  auto bound = ntohs(addr.sin_port);
  auto good = make_bind(impl_->key_b64);
  auto bad = make_bind(impl_->other_key_b64);
  impl_->track(fd);
  auto* d = impl_.get();
  impl_->spawn([d, &r, fd, good, bad] { d->accept_loop(r, fd, good, bad); });
  return bound;
}

const std::string& ssh_server::host_key_sha256() const {
  return impl_->key_sha256;
}

const std::string& ssh_server::other_host_key_sha256() const {
  return impl_->other_key_sha256;
}

void ssh_server::stop() {
  if (!impl_)
    return;
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> guard{impl_->mu};
    if (impl_->stopped)
      return;
    impl_->stopped = true;
    impl_->stopping = true;
    for (int fd : impl_->fds)
      ::shutdown(fd, SHUT_RDWR);
    threads.swap(impl_->threads);
  }
  for (auto& t : threads)
    t.join();
}

} // namespace rmcp::sim
