// Records of reads held by the session (mcp_session_state::audit_read).

#include "tests/actors/mcp_session_fixture.hpp"

namespace rmcp {

using namespace session_test;

namespace {

// Records of reads: a session with other calls running holds them and hands
// them to the store together (one message, not one per call, which woke the
// store's thread per call), in order and never later than the interval.
class mcp_session_audit_test : public mcp_session_test {
protected:
  mcp_session_audit_test()
    : mcp_session_test(std::make_shared<test::fake_store_data>()) {
    // nop
  }

  std::vector<std::string> tools() const {
    std::vector<std::string> names;
    for (auto& r : audit->audit)
      names.push_back(r.tool);
    return names;
  }
};

} // namespace

TEST_F(mcp_session_audit_test, a_read_with_no_other_call_running_goes_at_once) {
  initialize();
  call(1, "t_echo", {{"text", "a"}});
  call(2, "t_echo", {{"text", "b"}});
  EXPECT_EQ(tools(), (std::vector<std::string>{"t_echo", "t_echo"}));
  EXPECT_EQ(audit->read_audits.size(), 2u);
  EXPECT_TRUE(audit->read_batches.empty());
}

TEST_F(mcp_session_audit_test, reads_beside_a_running_call_go_together) {
  initialize();
  call(1, "t_slow");
  call(2, "t_echo", {{"text", "a"}});
  call(3, "t_echo", {{"text", "b"}});
  ASSERT_FALSE(response(3).is_null());
  // Answered, their records held.
  EXPECT_TRUE(audit->audit.empty());
  advance_time(std::chrono::milliseconds{49});
  EXPECT_TRUE(audit->audit.empty());
  advance_time(std::chrono::milliseconds{1});
  EXPECT_EQ(audit->read_batches, (std::vector<size_t>{2}));
  EXPECT_EQ(tools(), (std::vector<std::string>{"t_echo", "t_echo"}));
}

TEST_F(mcp_session_audit_test, a_full_batch_goes_without_waiting) {
  initialize();
  call(1, "t_slow");
  for (int i = 2; i <= 5; ++i)
    call(i, "t_echo", {{"text", "x"}});
  EXPECT_EQ(audit->read_batches, (std::vector<size_t>{3}));
  EXPECT_EQ(audit->audit.size(), 3u);
  advance_time(std::chrono::milliseconds{50});
  EXPECT_EQ(audit->read_batches, (std::vector<size_t>{3, 1}));
}

TEST_F(mcp_session_audit_test, held_reads_go_before_a_durable_record) {
  initialize();
  call(1, "t_slow");
  call(2, "t_echo", {{"text", "a"}});
  call(3, "t_write");
  ASSERT_FALSE(response(3).is_null());
  EXPECT_EQ(tools(), (std::vector<std::string>{"t_echo", "t_write"}));
  EXPECT_EQ(audit->read_batches, (std::vector<size_t>{1}));
}

TEST_F(mcp_session_audit_test, held_reads_go_when_the_session_ends) {
  initialize();
  call(1, "t_slow");
  call(2, "t_echo", {{"text", "a"}});
  EXPECT_TRUE(audit->audit.empty());
  caf::anon_send_exit(session, caf::exit_reason::user_shutdown);
  run();
  EXPECT_EQ(tools(), (std::vector<std::string>{"t_echo"}));
}

} // namespace rmcp
