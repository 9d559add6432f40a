// REST requests as RouterOS console commands for the SSH transport, and the
// console's `:serialize` answers back as REST bodies.

#include "protocol/routeros.hpp"

#include <gtest/gtest.h>

#include "protocol/error.hpp"

namespace rmcp {
namespace {

std::string command(rest_request req, bool writes = false) {
  auto cmd = make_ssh_command(req, writes);
  return cmd ? cmd->text : "error: " + error_message(cmd.error());
}

ec refusal(rest_request req) {
  auto cmd = make_ssh_command(req, false);
  return cmd ? ec{} : error_code_of(cmd.error());
}

TEST(ssh_command, a_list_read_prints_as_value_serialized_to_json) {
  EXPECT_EQ(command(get_request("/ip/address")),
            ":put [:serialize to=json value=[/ip/address/print as-value]]");
  EXPECT_EQ(command(get_request("/system/resource")),
            ":put [:serialize to=json value=[/system/resource/print "
            "as-value]]");
}

TEST(ssh_command, query_and_item_become_where_conditions) {
  EXPECT_EQ(command(get_request("/interface?name=ether%201&disabled=false")),
            ":put [:serialize to=json value=[/interface/print as-value where "
            "name=\"ether 1\" and disabled=no]]");
  EXPECT_EQ(command(get_request("/ip/route/*1A")),
            ":put [:serialize to=json value=[/ip/route/print as-value where "
            ".id=*1A]]");
}

TEST(ssh_command, values_are_literals_and_names_are_checked) {
  // A value cannot end its string or open an expression.
  EXPECT_EQ(command(get_request("/interface?comment=a%22%5D%3B%24x")),
            ":put [:serialize to=json value=[/interface/print as-value where "
            "comment=\"a\\\"\\5D;\\$x\"]]");
  EXPECT_EQ(
    command(get_request("/interface?comment=%5C%5B%2Fsystem%2Freboot%5D")),
    ":put [:serialize to=json value=[/interface/print as-value where "
    "comment=\"\\\\\\5B/system/reboot\\5D\"]]");
  EXPECT_EQ(
    command(patch_request("/interface/*1", {{"comment", "\"\\$x[:put 1]"}}),
            true),
    "/interface/set *1 comment=\"\\\"\\\\\\$x\\5B:put 1\\5D\"; "
    ":put [:serialize to=json value=[/interface/print as-value where "
    ".id=*1]]");
  EXPECT_EQ(refusal(get_request("/interface?a%20b=1")), ec::invalid_arguments);
  EXPECT_EQ(refusal(get_request("/ip/address;/system/reboot")),
            ec::invalid_arguments);
  EXPECT_EQ(refusal(get_request("/interface/*1;x")), ec::invalid_arguments);
}

TEST(ssh_command, a_read_command_takes_its_body_as_arguments) {
  EXPECT_EQ(command(post_request("/interface/monitor-traffic",
                                 {{"interface", "ether1"}, {"once", true}})),
            ":put [:serialize to=json value=[/interface/monitor-traffic "
            "interface=\"ether1\" once=yes as-value]]");
}

TEST(ssh_command, writes_become_console_commands_when_allowed) {
  auto add = make_ssh_command(
    put_request("/ip/address", {{"address", "10.0.0.1/24"}}), true);
  ASSERT_TRUE(add);
  EXPECT_EQ(add->text, ":put [/ip/address/add address=\"10.0.0.1/24\"]");
  EXPECT_TRUE(add->reads_back);
  EXPECT_EQ(command(patch_request("/interface/*1", {{"disabled", true}}), true),
            "/interface/set *1 disabled=yes; :put [:serialize to=json "
            "value=[/interface/print as-value where .id=*1]]");
  EXPECT_EQ(command(delete_request("/ip/address/*2"), true),
            "/ip/address/remove *2");
  EXPECT_EQ(
    command(post_request("/system/identity/set", {{"name", "a b"}}), true),
    "/system/identity/set name=\"a b\"");
  auto put = put_request("/ip/address", {{"address", "10.0.0.1/24"}});
  auto back = ssh_read_back("r1", put, "*1F\r\n");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->method, "GET");
  EXPECT_EQ(back->path, "/ip/address/*1F");
  auto refused = ssh_read_back("r1", put, "failure: already have such address");
  ASSERT_FALSE(refused);
  EXPECT_EQ(error_code_of(refused.error()), ec::router_bad_request);
  auto hostile = ssh_read_back("r1", put, "*1; /system/reboot");
  ASSERT_FALSE(hostile);
  EXPECT_EQ(error_code_of(hostile.error()), ec::router_bad_response);
}

TEST(ssh_command, writes_are_not_sent_over_ssh_unless_allowed) {
  EXPECT_EQ(refusal(put_request("/ip/address", {{"address", "10.0.0.1/24"}})),
            ec::unsupported);
  EXPECT_EQ(refusal(patch_request("/interface/*1", {{"comment", "x"}})),
            ec::unsupported);
  EXPECT_EQ(refusal(delete_request("/ip/address/*2")), ec::unsupported);
  EXPECT_EQ(refusal(post_request("/system/identity/set", {{"name", "x"}})),
            ec::unsupported);
}

TEST(ssh_answer, typed_values_come_back_as_rest_strings) {
  auto req = get_request("/interface");
  auto body = ssh_read_answer(
    "r1", req,
    "[{\".id\":\"*1\",\"mtu\":1500,\"running\":true,\"name\":\"ether1\","
    "\"servers\":[\"1.1.1.1\",\"8.8.8.8\"]}]\r\n");
  ASSERT_TRUE(body) << error_message(body.error());
  EXPECT_EQ((*body)[0]["mtu"], "1500");
  EXPECT_EQ((*body)[0]["running"], "true");
  EXPECT_EQ((*body)[0]["servers"], "1.1.1.1,8.8.8.8");
  auto empty = ssh_read_answer("r1", req, "[]\r\n");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->is_array() && empty->empty());
}

TEST(ssh_answer, writes_that_print_nothing_answer_like_rest) {
  auto gone = ssh_read_answer("r1", delete_request("/ip/address/*2"), "");
  ASSERT_TRUE(gone);
  EXPECT_TRUE(gone->is_null());
  auto set =
    ssh_read_answer("r1", post_request("/system/identity/set", {}), "\r\n");
  ASSERT_TRUE(set);
  EXPECT_EQ(*set, json::array());
  auto failed = ssh_read_answer("r1", delete_request("/ip/address/*2"),
                                "no such item (4)\r\n");
  ASSERT_FALSE(failed);
  EXPECT_EQ(error_code_of(failed.error()), ec::router_not_found);
}

TEST(ssh_answer, an_item_path_gives_the_one_item) {
  auto req = get_request("/interface/*1");
  auto one = ssh_read_answer("r1", req, R"([{".id":"*1","name":"ether1"}])");
  ASSERT_TRUE(one);
  EXPECT_EQ((*one)["name"], "ether1");
  auto none = ssh_read_answer("r1", req, "[]");
  ASSERT_FALSE(none);
  EXPECT_EQ(error_code_of(none.error()), ec::router_not_found);
}

TEST(ssh_answer, console_errors_map_to_the_rest_classes) {
  auto req = get_request("/interface/wifi");
  auto absent =
    ssh_read_answer("r1", req, "bad command name wifi (line 1 column 33)\r\n");
  ASSERT_FALSE(absent);
  EXPECT_TRUE(is_absent_menu(absent.error())) << error_message(absent.error());
  auto garbage = ssh_read_answer("r1", req, "Welcome back!\r\n");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(error_code_of(garbage.error()), ec::router_bad_response);
  auto cut = ssh_read_answer("r1", req, R"([{".id":"*1","na)");
  ASSERT_FALSE(cut);
  EXPECT_EQ(error_code_of(cut.error()), ec::router_bad_response);
  auto nothing = ssh_read_answer("r1", req, "\r\n");
  ASSERT_FALSE(nothing);
  EXPECT_EQ(error_code_of(nothing.error()), ec::router_bad_response);
}

} // namespace
} // namespace rmcp
