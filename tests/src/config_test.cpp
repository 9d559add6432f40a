#include "src/config/loader.hpp"
#include "tests/test_paths.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "src/app/runtime.hpp"
#include "src/config/options_table.hpp"

namespace rmcp::config {

namespace {

std::string write_temp(const std::string& text) {
  char path[] = "/tmp/rmcp-config-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  ::close(fd);
  std::ofstream out{path};
  out << text;
  return path;
}

std::string load_error(const load_request& req) {
  auto opts = load(req);
  EXPECT_FALSE(opts);
  return opts ? "" : error_message(opts.error());
}

} // namespace

TEST(config, defaults_without_file) {
  auto opts = load({});
  ASSERT_TRUE(opts);
  EXPECT_EQ(opts->environment, "lab");
  EXPECT_EQ(opts->session.tool_timeout, std::chrono::seconds{30});
  EXPECT_EQ(opts->log_level, "info");
}

TEST(config, yaml_nested_keys_apply) {
  auto path =
    write_temp("environment: staging\nlog:\n  level: debug\n"
               "server:\n  tool_timeout: 45s\n  tools_page_size: 20\n");
  auto opts = load({path, {}, {}});
  ASSERT_TRUE(opts) << error_message(opts.error());
  EXPECT_EQ(opts->environment, "staging");
  EXPECT_EQ(opts->log_level, "debug");
  EXPECT_EQ(opts->session.tool_timeout, std::chrono::seconds{45});
  EXPECT_EQ(opts->session.page_size, 20u);
}

TEST(config, precedence_is_file_then_environment_then_command_line) {
  auto path = write_temp("environment: staging\nlog:\n  level: debug\n");
  load_request req{
    path,
    {{"ROUTEROS_MCP_ENVIRONMENT", "prod"}, {"ROUTEROS_MCP_LOG_LEVEL", "warn"}},
    {{"log.level", "error"}}};
  auto opts = load(req);
  ASSERT_TRUE(opts);
  EXPECT_EQ(opts->environment, "prod");
  EXPECT_EQ(opts->log_level, "error");
}

TEST(config, unknown_file_key_names_the_key_and_the_known_keys) {
  auto path = write_temp("server:\n  tool_timeuot: 5s\n");
  auto msg = load_error({path, {}, {}});
  EXPECT_NE(msg.find("server.tool_timeuot: unknown key; known keys: "
                     "environment, data_dir"),
            std::string::npos)
    << msg;
}

TEST(config, illegal_choice_names_the_legal_values) {
  auto msg = load_error({"", {}, {{"environment", "production"}}});
  EXPECT_EQ(msg, "command line: environment: illegal value 'production'; "
                 "legal values: lab, staging, prod");
}

TEST(config, illegal_numbers_and_durations_name_the_range) {
  auto n = load_error({"", {}, {{"server.tools_page_size", "0"}}});
  EXPECT_NE(n.find("(legal: 1..1000)"), std::string::npos) << n;
  auto d = load_error({"", {}, {{"server.tool_timeout", "5 minutes"}}});
  EXPECT_NE(d.find("expected a duration like 500ms, 30s, 5m or 1h"),
            std::string::npos)
    << d;
}

TEST(config, unknown_environment_variables_are_refused_but_secrets_pass) {
  auto msg = load_error({"", {{"ROUTEROS_MCP_LOGLEVEL", "debug"}}, {}});
  EXPECT_NE(msg.find("ROUTEROS_MCP_LOGLEVEL: unknown variable"),
            std::string::npos);
  EXPECT_TRUE(load({"", {{"ROUTEROS_MCP_ENCRYPTION_KEY", "x"}}, {}}));
}

TEST(config, malformed_yaml_is_reported_with_the_file_name) {
  auto path = write_temp("server: [unclosed\n");
  auto msg = load_error({path, {}, {}});
  EXPECT_EQ(msg.rfind(path, 0), 0u) << msg;
  auto nested = write_temp("server:\n  tool_timeout:\n    - 1\n");
  EXPECT_NE(load_error({nested, {}, {}}).find("expected a single value"),
            std::string::npos);
}

TEST(config, recursive_aliases_and_deep_mappings_are_refused) {
  // An alias to the mapping that holds it once made the loader recurse
  // until the stack ran out.
  auto cyclic = write_temp("x: &a {b: *a}\n");
  auto msg = load_error({cyclic, {}, {}});
  EXPECT_NE(msg.find("mappings nest deeper than 8 levels"), std::string::npos)
    << msg;
  server_options opts;
  auto err = apply_yaml_text(
    opts, "a: {b: {c: {d: {e: {f: {g: {h: {i: 1}}}}}}}}", "deep.yaml");
  ASSERT_TRUE(err);
  EXPECT_NE(error_message(err).find("deep.yaml: a.b.c.d.e.f.g.h"),
            std::string::npos)
    << error_message(err);
  EXPECT_FALSE(apply_yaml_text(opts, "server:\n  tool_timeout: 5s\n", "ok"));
  EXPECT_EQ(opts.session.tool_timeout, std::chrono::seconds{5});
}

TEST(config, control_characters_in_a_value_are_refused) {
  // Found by the yaml_config fuzz target: a bare carriage return stays in
  // a plain YAML value, and `config show` wrote it back unquoted, so the
  // shown configuration loaded to another value.
  server_options opts;
  auto err =
    apply_yaml_text(opts, "http.listen: 127.0.0.1:8080\r\r", "cr.yaml");
  ASSERT_TRUE(err);
  EXPECT_NE(error_message(err).find("cr.yaml: http.listen: the value holds "
                                    "the control character 0x0D at byte 14"),
            std::string::npos)
    << error_message(err);
  for (const std::string& bad :
       {std::string{"a\tb"}, std::string{"a\0b", 3}, std::string{"a\x7f"}}) {
    auto e = set_option(opts, "server.toolsets", bad, "--set");
    ASSERT_TRUE(e) << bad;
    EXPECT_NE(error_message(e).find("control character"), std::string::npos)
      << error_message(e);
  }
  // A file with CRLF line ends is fine: YAML ends each line at the CRLF.
  EXPECT_FALSE(apply_yaml_text(opts, "http:\r\n  listen: 127.0.0.1:8080\r\n",
                               "crlf.yaml"));
  EXPECT_EQ(opts.http_listen, "127.0.0.1:8080");
}

TEST(config, durations_parse_with_units) {
  std::chrono::milliseconds ms{0};
  EXPECT_TRUE(parse_duration("250ms", ms));
  EXPECT_EQ(ms.count(), 250);
  EXPECT_TRUE(parse_duration("2m", ms));
  EXPECT_EQ(ms.count(), 120000);
  EXPECT_TRUE(parse_duration("7", ms));
  EXPECT_EQ(ms.count(), 7000);
  EXPECT_FALSE(parse_duration("1.5s", ms));
  EXPECT_FALSE(parse_duration("s", ms));
}

TEST(config, toolsets_are_checked_when_loading) {
  auto bad = load({"", {}, {{"server.toolsets", "default,nope"}}});
  ASSERT_FALSE(bad);
  EXPECT_NE(error_message(bad.error()).find("unknown toolset 'nope'"),
            std::string::npos)
    << error_message(bad.error());
  auto good = load({"", {{"ROUTEROS_MCP_SERVER_TOOLSETS", "core,plans"}}, {}});
  ASSERT_TRUE(good) << error_message(good.error());
  EXPECT_EQ(good->toolsets, "core,plans");
  EXPECT_EQ(server_options{}.toolsets, "default");
}

TEST(config, every_key_is_documented) {
  std::ifstream in{std::string{RMCP_SOURCE_DIR} + "/docs/configuration.md"};
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = ss.str();
  for (auto& def : option_table()) {
    EXPECT_NE(doc.find("`" + def.key + "`"), std::string::npos) << def.key;
    EXPECT_NE(doc.find(env_name(def.key)), std::string::npos) << def.key;
  }
}

TEST(config, cluster_node_files_load_with_their_cluster_keys) {
  for (int i = 1; i <= 3; ++i) {
    auto n = std::to_string(i);
    auto opts =
      load({std::string{RMCP_SOURCE_DIR} + "/config/cluster-node" + n + ".yaml",
            {},
            {}});
    ASSERT_TRUE(opts) << error_message(opts.error());
    EXPECT_EQ(opts->cluster_node_id, "node" + n);
    EXPECT_EQ(opts->cluster_etcd, "127.0.0.1:2379");
    EXPECT_EQ(opts->cluster_lease_ttl, std::chrono::seconds{5});
    EXPECT_EQ(opts->cluster_settle, std::chrono::seconds{2});
    EXPECT_EQ(opts->cluster_listen, "127.0.0.1:" + std::to_string(4240 + i));
    EXPECT_EQ(opts->cluster_tls_ca, "./data/cluster-tls/ca.pem");
    EXPECT_EQ(opts->cluster_tls_cert, "./data/cluster-tls/node" + n + ".pem");
    EXPECT_EQ(opts->cluster_tls_key, "./data/cluster-tls/node" + n + ".key");
  }
  // Without cluster keys the daemon is a single node.
  auto single = load({"", {}, {}});
  ASSERT_TRUE(single);
  EXPECT_TRUE(single->cluster_node_id.empty());
  // etcd's shortest lease is above a second.
  auto short_ttl = load({"", {}, {{"cluster.lease_ttl", "1s"}}});
  ASSERT_FALSE(short_ttl);
  EXPECT_NE(error_message(short_ttl.error()).find("cluster.lease_ttl"),
            std::string::npos);
}

TEST(config, effective_configuration_renders_as_loadable_yaml) {
  auto opts = load({"", {}, {{"environment", "staging"}}});
  ASSERT_TRUE(opts);
  auto path = write_temp(to_yaml(*opts));
  auto again = load({path, {}, {}});
  ASSERT_TRUE(again) << error_message(again.error());
  EXPECT_EQ(again->environment, "staging");
  EXPECT_EQ(again->session.tool_timeout, opts->session.tool_timeout);
}

} // namespace rmcp::config

namespace rmcp::app {

TEST(config, device_and_fleet_keys_reach_the_fleet_settings) {
  config::load_request req;
  req.overrides = {
    {"environment", "staging"},           {"device.max_connections", "3"},
    {"device.queue_size", "10"},          {"device.request_timeout", "4s"},
    {"device.connect_timeout", "1500ms"}, {"device.read_attempts", "1"},
    {"device.retry_backoff", "50ms"},     {"device.breaker_threshold", "7"},
    {"device.breaker_cooldown", "2m"},    {"device.health_checks", "false"},
    {"device.health_interval", "90s"},    {"fleet.poll_interval", "250ms"}};
  auto opts = config::load(req);
  ASSERT_TRUE(opts) << error_message(opts.error());
  auto f = make_fleet_settings(*opts);
  EXPECT_EQ(f.environment, "staging");
  EXPECT_EQ(f.poll_interval, std::chrono::milliseconds{250});
  EXPECT_EQ(f.device.max_connections, 3u);
  EXPECT_EQ(f.device.queue_size, 10u);
  EXPECT_EQ(f.device.request_timeout, std::chrono::seconds{4});
  EXPECT_EQ(f.device.connect_timeout, std::chrono::milliseconds{1500});
  EXPECT_EQ(f.device.read_attempts, 1u);
  EXPECT_EQ(f.device.retry_base, std::chrono::milliseconds{50});
  EXPECT_EQ(f.device.breaker_threshold, 7u);
  EXPECT_EQ(f.device.breaker_cooldown, std::chrono::minutes{2});
  EXPECT_FALSE(f.device.health_checks);
  EXPECT_EQ(f.device.health.base, std::chrono::seconds{90});
}

} // namespace rmcp::app

namespace rmcp::config {

TEST(config, rollout_and_server_keys_land_in_the_nested_settings) {
  load_request req;
  req.overrides = {{"rollout.batch_size", "3"},
                   {"rollout.max_devices", "200"},
                   {"rollout.parallel", "4"},
                   {"rollout.pause", "90s"},
                   {"rollout.management_devices", "core-1, core-2,,edge-9"},
                   {"rollout.gate_delay", "1s"},
                   {"rollout.deadman_delay", "2m"},
                   {"rollout.gate_untouched", "true"},
                   {"rollout.on_restart", "resume"},
                   {"server.drain_timeout", "3s"},
                   {"server.max_message_bytes", "65536"}};
  auto opts = load(req);
  ASSERT_TRUE(opts) << error_message(opts.error());
  const auto& r = opts->rollout;
  EXPECT_EQ(r.batch_size, 3);
  EXPECT_EQ(r.max_devices, 200);
  EXPECT_EQ(r.parallel, 4);
  EXPECT_EQ(r.pause, std::chrono::seconds{90});
  EXPECT_EQ(r.management_devices,
            (std::vector<std::string>{"core-1", "core-2", "edge-9"}));
  EXPECT_EQ(r.gate_delay, std::chrono::seconds{1});
  EXPECT_EQ(r.deadman_delay, std::chrono::minutes{2});
  EXPECT_TRUE(r.gate_untouched);
  EXPECT_TRUE(r.resume_on_restart);
  EXPECT_EQ(opts->session.drain_timeout, std::chrono::seconds{3});
  EXPECT_EQ(opts->session.max_message_bytes, 65536u);
  // Rendered back as the keys' text, and loaded again to the same values.
  EXPECT_EQ(get_option(*opts, "rollout.management_devices"),
            "core-1,core-2,edge-9");
  EXPECT_EQ(get_option(*opts, "rollout.on_restart"), "resume");
  EXPECT_EQ(get_option(*opts, "device.max_connections"), "2");
  auto again = load({write_temp(to_yaml(*opts)), {}, {}});
  ASSERT_TRUE(again) << error_message(again.error());
  EXPECT_EQ(again->rollout.management_devices, r.management_devices);
  EXPECT_TRUE(again->rollout.resume_on_restart);
  EXPECT_EQ(again->rollout.pause, r.pause);
}

TEST(config, the_defaults_of_the_keys_are_the_actors_defaults) {
  server_options opts;
  EXPECT_EQ(get_option(opts, "device.queue_size"),
            std::to_string(device_settings{}.queue_size));
  EXPECT_EQ(get_option(opts, "rollout.on_restart"), "rollback");
  EXPECT_EQ(get_option(opts, "rollout.management_devices"), "");
  EXPECT_EQ(get_option(opts, "server.tools_page_size"),
            std::to_string(session_settings{}.page_size));
}

} // namespace rmcp::config
