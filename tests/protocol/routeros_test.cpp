// RouterOS answers → responses or errors, and the repair of bodies that are
// not strict JSON (raw control bytes, non-UTF-8 names).

#include "protocol/routeros.hpp"

#include <gtest/gtest.h>

#include "protocol/error.hpp"

namespace rmcp {
namespace {

ec code_of(const caf::expected<rest_response>& x) {
  return x ? ec{} : error_code_of(x.error());
}

TEST(rest_answer, success_bodies_parse_and_empty_is_null) {
  auto ok =
    map_rest_answer("r1: GET /x", 200, R"([{".id":"*1","mtu":"1500"}])");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body[0]["mtu"], "1500");
  auto empty = map_rest_answer("r1: DELETE /x/*1", 204, "");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->body.is_null());
}

TEST(rest_answer, status_codes_map_to_the_error_enum) {
  auto bad = map_rest_answer(
    "r1: PUT /ip/address", 400,
    R"({"detail":"invalid value for argument address","error":400,"message":"Bad Request"})");
  ASSERT_EQ(code_of(bad), ec::router_bad_request);
  EXPECT_EQ(error_message(bad.error()),
            "r1: PUT /ip/address: invalid value for argument address");
  EXPECT_EQ(code_of(map_rest_answer(
              "w", 401, R"({"error":401,"message":"Unauthorized"})")),
            ec::router_auth_failed);
  EXPECT_EQ(code_of(map_rest_answer("w", 403, "")),
            ec::router_permission_denied);
  EXPECT_EQ(code_of(map_rest_answer("w", 404,
                                    R"({"error":404,"message":"Not Found"})")),
            ec::router_not_found);
  EXPECT_EQ(code_of(map_rest_answer(
              "w", 406, R"({"detail":"no such command","error":406})")),
            ec::router_bad_request);
  EXPECT_EQ(
    code_of(map_rest_answer(
      "w", 500, R"j({"detail":"not enough permissions (9)","error":500})j")),
    ec::router_permission_denied);
  EXPECT_EQ(
    code_of(map_rest_answer("w", 500, R"({"detail":"failure","error":500})")),
    ec::router_server_error);
  EXPECT_EQ(code_of(map_rest_answer("w", 200, "<html>")),
            ec::router_bad_response);
}

TEST(rest_body, repairs_control_bytes_and_invalid_utf8_inside_strings) {
  std::string raw = "[{\"host-name\":\"pc\x1b[1m\",\"comment\":\"caf\xe9\"}]";
  auto body = parse_rest_body(raw);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)[0]["host-name"], "pc\x1b[1m");
  EXPECT_EQ((*body)[0]["comment"], "caf\xef\xbf\xbd");
  // Escapes already present are kept.
  auto escaped = parse_rest_body(R"({"a":"x\"y\\","b":"\u0007"})");
  ASSERT_TRUE(escaped);
  EXPECT_EQ((*escaped)["a"], "x\"y\\");
  EXPECT_FALSE(parse_rest_body("{\"a\":"));
}

TEST(rest_body, basic_authorization_is_base64_of_user_colon_password) {
  EXPECT_EQ(basic_authorization("admin", ""), "Basic YWRtaW46");
  EXPECT_EQ(basic_authorization("admin", "routeros-sim"),
            "Basic YWRtaW46cm91dGVyb3Mtc2lt");
}

} // namespace
} // namespace rmcp
