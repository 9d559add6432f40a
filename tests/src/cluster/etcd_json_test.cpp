// The etcd gateway's JSON both ways, without an etcd: request bodies carry
// base64 keys and decimal-string numbers; answers of the wrong shape are
// errors naming the field, never exceptions.

#include "src/cluster/etcd_http_client.hpp"
#include "src/cluster/etcd_json.hpp"

#include <gtest/gtest.h>

#include "protocol/error.hpp"

namespace rmcp::cluster {

namespace {

json parsed(const char* text) {
  return json::parse(text);
}

} // namespace

TEST(etcd_json, prefix_end_increments_the_last_byte_below_ff) {
  EXPECT_EQ(prefix_end("/rmcp/members/"), "/rmcp/members0");
  EXPECT_EQ(prefix_end(std::string{"a\xff", 2}), "b");
  EXPECT_EQ(prefix_end(std::string{"\xff\xff", 2}), std::string(1, '\0'));
  EXPECT_EQ(prefix_end(""), std::string(1, '\0'));
}

TEST(etcd_json, put_body_encodes_key_value_and_lease_as_etcd_wants) {
  auto body = put_body("/k", "v", 42);
  EXPECT_EQ(body["key"], "L2s=");
  EXPECT_EQ(body["value"], "dg==");
  EXPECT_EQ(body["lease"], "42");
  EXPECT_FALSE(put_body("/k", "v", 0).contains("lease"));
}

TEST(etcd_json, txn_body_compares_create_revision_and_lease) {
  etcd_txn t;
  t.compare.push_back({etcd_compare::target::create, "/o/d1", 0});
  t.compare.push_back({etcd_compare::target::lease, "/o/d2", 7});
  t.success.push_back({etcd_op::kind::put, "/o/d1", "n1", 7});
  t.failure.push_back({etcd_op::kind::get, "/o/d1", "", 0});
  auto body = txn_body(t);
  EXPECT_EQ(body["compare"][0]["target"], "CREATE");
  EXPECT_EQ(body["compare"][0]["create_revision"], "0");
  EXPECT_EQ(body["compare"][1]["target"], "LEASE");
  EXPECT_EQ(body["compare"][1]["lease"], "7");
  EXPECT_EQ(body["success"][0]["request_put"]["lease"], "7");
  EXPECT_TRUE(body["failure"][0].contains("request_range"));
}

TEST(etcd_json, range_answer_reads_keys_and_leaves_out_zeroes) {
  auto r = read_range(parsed(
    R"({"header":{"revision":"9"},"kvs":[{"key":"L2s=","create_revision":"3",)"
    R"("mod_revision":"4","version":"1","value":"dg==","lease":"77"},)"
    R"({"key":"L2o="}]})"));
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->revision, 9);
  ASSERT_EQ(r->kvs.size(), 2u);
  EXPECT_EQ(r->kvs[0].key, "/k");
  EXPECT_EQ(r->kvs[0].value, "v");
  EXPECT_EQ(r->kvs[0].lease, 77);
  EXPECT_EQ(r->kvs[0].create_revision, 3);
  EXPECT_EQ(r->kvs[1].value, "");
  EXPECT_EQ(r->kvs[1].lease, 0);
}

TEST(etcd_json, wrong_shapes_are_errors_naming_the_field) {
  auto expect_error = [](const caf::error& err, const char* part) {
    EXPECT_EQ(error_code_of(err), ec::store_failure);
    EXPECT_NE(error_message(err).find(part), std::string::npos)
      << error_message(err);
  };
  expect_error(read_range(parsed("[]")).error(), "not an object");
  expect_error(read_range(parsed(R"({"kvs":[]})")).error(), "header");
  expect_error(read_range(parsed(R"({"header":{"revision":"x"}})")).error(),
               "header.revision");
  expect_error(read_range(parsed(R"({"header":{},"kvs":{}})")).error(), "kvs");
  expect_error(
    read_range(parsed(R"({"header":{},"kvs":[{"key":"!!"}]})")).error(),
    "base64");
  expect_error(read_range(parsed(R"({"header":{},"kvs":[{"key":7}]})")).error(),
               "not a string");
  expect_error(
    read_range(parsed(R"({"header":{},"kvs":[{"value":"dg=="}]})")).error(),
    "without a key");
  expect_error(read_grant(parsed(R"({"header":{}})")).error(), "lease id");
  expect_error(read_keep_alive(parsed(R"({"header":{}})")).error(), "result");
  expect_error(read_txn(parsed(R"({"header":{},"succeeded":"yes"})")).error(),
               "succeeded");
  expect_error(
    read_txn(parsed(R"({"header":{},"responses":[{"response_range":[]}]})"))
      .error(),
    "response_range");
}

TEST(etcd_json, keep_alive_of_a_gone_lease_reads_as_ttl_zero) {
  auto gone = read_keep_alive(parsed(R"({"result":{"header":{},"ID":"5"}})"));
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, 0);
  auto live =
    read_keep_alive(parsed(R"({"result":{"header":{},"ID":"5","TTL":"4"}})"));
  ASSERT_TRUE(live);
  EXPECT_EQ(*live, 4);
}

TEST(etcd_json, watch_messages_report_creation_events_and_cancellation) {
  bool created = false;
  auto first = read_watch_message(
    parsed(R"({"result":{"header":{"revision":"5"},"created":true}})"),
    created);
  ASSERT_TRUE(first);
  EXPECT_TRUE(created);
  EXPECT_TRUE(first->events.empty());
  auto events = read_watch_message(
    parsed(R"({"result":{"header":{"revision":"6"},"events":[)"
           R"({"kv":{"key":"L2s=","value":"dg==","mod_revision":"6"}},)"
           R"({"type":"DELETE","kv":{"key":"L2o=","mod_revision":"6"}}]}})"),
    created);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->events.size(), 2u);
  EXPECT_FALSE(events->events[0].deleted);
  EXPECT_TRUE(events->events[1].deleted);
  EXPECT_EQ(events->events[1].kv.key, "/j");
  auto cancelled =
    read_watch_message(parsed(R"({"result":{"header":{},"canceled":true,)"
                              R"("cancel_reason":"compacted"}})"),
                       created);
  ASSERT_FALSE(cancelled);
  EXPECT_NE(error_message(cancelled.error()).find("compacted"),
            std::string::npos);
}

TEST(etcd_json, endpoints_parse_or_say_what_is_wrong) {
  std::string host, why;
  uint16_t port = 0;
  ASSERT_TRUE(parse_endpoint("http://127.0.0.1:2379/", host, port, why));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 2379);
  ASSERT_TRUE(parse_endpoint("[::1]:23", host, port, why));
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(parse_endpoint("https://127.0.0.1:2379", host, port, why));
  EXPECT_NE(why.find("https"), std::string::npos);
  EXPECT_FALSE(parse_endpoint("127.0.0.1", host, port, why));
  EXPECT_FALSE(parse_endpoint("127.0.0.1:99999", host, port, why));
  EXPECT_FALSE(make_etcd_client({{"nowhere"}, {}}));
}

} // namespace rmcp::cluster
