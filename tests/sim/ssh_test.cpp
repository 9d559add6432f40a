// The SSH endpoint (`fleet_options::ssh`) with a plain libssh client: the
// printed host key, password logins, exec commands through the script
// interpreter against the REST state, the user's group (a reader changes
// nothing), and the SSH faults; `rest_disabled` closes the REST port while
// SSH answers.

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <libssh/libssh.h>

#include "sim_fixture.hpp"

namespace rmcp::sim::test {
namespace {

using namespace std::chrono_literals;

/// One SSH connection as a test client: key hash, login, one command.
class ssh_conn {
public:
  explicit ssh_conn(std::uint16_t port) : s_(ssh_new()) {
    unsigned int p = port;
    long timeout = 5;
    bool no = false;
    ssh_options_set(s_, SSH_OPTIONS_HOST, "127.0.0.1");
    ssh_options_set(s_, SSH_OPTIONS_PORT, &p);
    ssh_options_set(s_, SSH_OPTIONS_TIMEOUT, &timeout);
    ssh_options_set(s_, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(s_, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    connected_ = ssh_connect(s_) == SSH_OK;
  }

  ~ssh_conn() {
    if (connected_)
      ssh_disconnect(s_);
    ssh_free(s_);
  }

  bool connected() const {
    return connected_;
  }

  std::string host_key_sha256() {
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(s_, &key) != SSH_OK)
      return {};
    unsigned char* hash = nullptr;
    size_t len = 0;
    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len);
    ssh_key_free(key);
    std::string out;
    char buf[4];
    for (size_t i = 0; i < len; ++i) {
      std::snprintf(buf, sizeof buf, "%02X", hash[i]);
      out += (i ? ":" : "") + std::string{buf};
    }
    ssh_clean_pubkey_hash(&hash);
    return out;
  }

  bool login(const std::string& user, const std::string& password) {
    return ssh_userauth_password(s_, user.c_str(), password.c_str())
           == SSH_AUTH_SUCCESS;
  }

  /// The command's output; nullopt when the connection broke first.
  std::optional<std::string> exec(const std::string& command) {
    ssh_channel ch = ssh_channel_new(s_);
    if (ssh_channel_open_session(ch) != SSH_OK
        || ssh_channel_request_exec(ch, command.c_str()) != SSH_OK) {
      ssh_channel_free(ch);
      return std::nullopt;
    }
    std::string out;
    char buf[4096];
    for (;;) {
      int n = ssh_channel_read_timeout(ch, buf, sizeof buf, 0, 5000);
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0 && ssh_channel_is_eof(ch))
        break;
      ssh_channel_free(ch);
      return std::nullopt;
    }
    ssh_channel_close(ch);
    ssh_channel_free(ch);
    return out;
  }

private:
  ssh_session s_;
  bool connected_ = false;
};

class ssh_endpoint : public sim_test {
protected:
  void SetUp() override {
    auto o = fast_options();
    o.ssh = true;
    start(o);
  }

  size_t ssh_requests() {
    size_t n = 0;
    for (auto& r : fleet_->router(0).request_log())
      n += r.method == "SSH";
    return n;
  }
};

TEST_F(ssh_endpoint, commands_run_against_the_rest_state) {
  ASSERT_NE(fleet_->ssh_port(0), 0);
  ssh_conn c{fleet_->ssh_port(0)};
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.host_key_sha256(), fleet_->ssh_host_key_sha256());
  ASSERT_TRUE(c.login("admin", "routeros-sim"));
  auto out =
    c.exec(":put [:serialize to=json value=[/system/identity/print as-value]]");
  ASSERT_TRUE(out);
  EXPECT_EQ(parse(*out)["name"],
            call_json("GET", "/rest/system/identity")["name"])
    << *out;
  // A second command on the same connection changes state as REST sees it.
  ASSERT_TRUE(c.exec("/system/identity/set name=via-ssh"));
  EXPECT_EQ(call_json("GET", "/rest/system/identity")["name"], "via-ssh");
  std::vector<request_record> over_ssh;
  for (auto& r : fleet_->router(0).request_log())
    if (r.method == "SSH")
      over_ssh.push_back(r);
  ASSERT_EQ(over_ssh.size(), 2u);
  EXPECT_FALSE(over_ssh[0].write);
  EXPECT_EQ(over_ssh[1].target, "/system/identity/set name=via-ssh");
  EXPECT_TRUE(over_ssh[1].write);
}

TEST_F(ssh_endpoint, a_user_of_group_read_reads_but_changes_nothing) {
  ssh_conn c{fleet_->ssh_port(0)};
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.login("readonly", "routeros-sim"));
  auto read =
    c.exec(":put [:serialize to=json value=[/system/identity/print as-value]]");
  ASSERT_TRUE(read);
  EXPECT_EQ(parse(*read)["name"],
            call_json("GET", "/rest/system/identity")["name"])
    << *read;
  auto before = call_json("GET", "/rest/system/identity")["name"];
  for (auto* command : {"/system/identity/set name=by-reader",
                        ":put [/ip/address/add "
                        "address=10.9.9.1/24 "
                        "interface=ether1]",
                        "/system/reboot"}) {
    auto out = c.exec(command);
    ASSERT_TRUE(out) << command;
    EXPECT_NE(out->find("not enough permissions"), std::string::npos)
      << command << ": " << *out;
  }
  EXPECT_EQ(call_json("GET", "/rest/system/identity")["name"], before);
  for (auto& a : call_json("GET", "/rest/ip/address"))
    EXPECT_NE(a["address"], "10.9.9.1/24");
}

TEST_F(ssh_endpoint, logins_are_checked_and_reject_auth_refuses_all) {
  ssh_conn wrong{fleet_->ssh_port(0)};
  EXPECT_FALSE(wrong.login("admin", "nope"));
  fleet_->router(0).update_faults([](auto& f) { f.reject_auth = true; });
  ssh_conn rejected{fleet_->ssh_port(0)};
  EXPECT_FALSE(rejected.login("admin", "routeros-sim"));
  EXPECT_EQ(ssh_requests(), 0u);
}

TEST_F(ssh_endpoint, the_wrong_host_key_fault_presents_another_key) {
  fleet_->router(0).update_faults([](auto& f) { f.ssh_wrong_host_key = true; });
  ssh_conn c{fleet_->ssh_port(0)};
  ASSERT_TRUE(c.connected());
  auto seen = c.host_key_sha256();
  EXPECT_FALSE(seen.empty());
  EXPECT_NE(seen, fleet_->ssh_host_key_sha256());
}

TEST_F(ssh_endpoint, drop_cuts_the_answer_and_closes_the_connection) {
  fleet_->router(0).update_faults([](auto& f) { f.drop_rate = 1.0; });
  ssh_conn c{fleet_->ssh_port(0)};
  ASSERT_TRUE(c.login("admin", "routeros-sim"));
  auto out =
    c.exec(":put [:serialize to=json value=[/interface/print as-value]]");
  if (out)
    EXPECT_TRUE(parse(*out).is_discarded()) << *out;
  EXPECT_FALSE(c.exec(":put hello"));
}

TEST_F(ssh_endpoint, rest_disabled_refuses_rest_while_ssh_answers) {
  fleet_->router(0).update_faults([](auto& f) { f.rest_disabled = true; });
  std::this_thread::sleep_for(100ms); // the listener closes on its strand
  http_client fresh{fleet_->port(0)};
  auto refused = fresh.get("/rest/system/identity");
  EXPECT_EQ(refused.status, 0u);
  ssh_conn c{fleet_->ssh_port(0)};
  ASSERT_TRUE(c.login("admin", "routeros-sim"));
  EXPECT_TRUE(c.exec(":put hello"));
  fleet_->router(0).update_faults([](auto& f) { f.rest_disabled = false; });
  std::this_thread::sleep_for(100ms);
  http_client again{fleet_->port(0)};
  EXPECT_EQ(again.get("/rest/system/identity").status, 200u);
}

} // namespace
} // namespace rmcp::sim::test
