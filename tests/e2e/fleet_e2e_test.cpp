// End-to-end: a running daemon follows the registry that the admin CLI
// changes from another process (through the store's generation counter).

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/cli_run.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string binary = RMCP_BINARY_PATH;

int device_cli(const temp_dir& data, std::vector<std::string> args) {
  args.insert(args.begin(), "device");
  return run_cli(data.path(), args, {{"ROUTEROS_MCP_DEVICE_PASSWORD", "pw"}})
    .code;
}

json list_devices(child_process& server, int id) {
  auto answer =
    request(server, id, "tools/call",
            {{"name", "list_devices"}, {"arguments", json::object()}});
  return answer["result"]["structuredContent"];
}

} // namespace

TEST(fleet_e2e, devices_added_with_the_cli_appear_in_a_running_daemon) {
  temp_dir data;
  ASSERT_EQ(device_cli(data, {"add", "edge-01", "--host", "127.0.0.1",
                              "--username", "api"}),
            0);
  child_process server{{binary, "--set", "fleet.poll_interval=100ms", "--set",
                        "device.health_checks=false", "serve", "--stdio"},
                       {{"ROUTEROS_MCP_DATA_DIR", data.path()}}};
  handshake(server);
  auto first = list_devices(server, 2);
  ASSERT_EQ(first["total_count"], 1) << first.dump();
  EXPECT_EQ(first["devices"][0]["id"], "edge-01");
  ASSERT_EQ(device_cli(data, {"add", "edge-02", "--host", "127.0.0.2",
                              "--username", "api"}),
            0);
  ASSERT_EQ(device_cli(data, {"remove", "edge-01", "--yes"}), 0);
  // The daemon polls every 100 ms; give it up to 5 s.
  json seen;
  for (int i = 0; i < 50; ++i) {
    seen = list_devices(server, 10 + i);
    if (seen["total_count"] == 1 && seen["devices"][0]["id"] == "edge-02")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  ASSERT_EQ(seen["total_count"], 1) << seen.dump();
  EXPECT_EQ(seen["devices"][0]["id"], "edge-02");
  server.close_stdin();
  EXPECT_EQ(server.wait(), 0) << server.stderr_text();
}

} // namespace rmcp
