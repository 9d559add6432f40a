// End-to-end: the daemon opens its LMDB store under data_dir, reports it in
// service_health, shares it with other processes, and refuses to start in
// prod without a credential key.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/e2e/stdio_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string binary = RMCP_BINARY_PATH;

json service_health(child_process& p, int id) {
  auto answer =
    request(p, id, "tools/call",
            {{"name", "service_health"}, {"arguments", json::object()}});
  return answer["result"]["structuredContent"];
}

TEST(store_e2e,
     the_lab_daemon_opens_its_store_and_reports_it_in_service_health) {
  temp_dir data;
  child_process server{{binary, "serve", "--stdio"},
                       {{"ROUTEROS_MCP_DATA_DIR", data.path()}}};
  handshake(server);
  auto health = service_health(server, 2);
  EXPECT_EQ(health["status"], "ok") << health.dump();
  EXPECT_EQ(health["problems"], json::array());
  auto store = health["store"];
  EXPECT_EQ(store["status"], "ok");
  EXPECT_EQ(store["backend"], "lmdb");
  EXPECT_EQ(store["path"], data / "store");
  EXPECT_EQ(store["schema_version"], 2);
  EXPECT_EQ(store["devices"], 0);
  EXPECT_EQ(store["map_bytes"], 1024 * 1024 * 1024);
  EXPECT_TRUE(std::filesystem::exists(data / "store/data.mdb"));
  // The lab key was generated privately, and its bytes never reach a log.
  struct stat st;
  ASSERT_EQ(::stat((data / "credential.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  server.close_stdin();
  EXPECT_EQ(server.wait(), 0);
  std::ifstream in{data / "credential.key"};
  std::string key;
  std::getline(in, key);
  ASSERT_EQ(key.size(), 64u);
  EXPECT_EQ(server.stderr_text().find(key), std::string::npos);
  EXPECT_NE(server.stderr_text().find("store-opened"), std::string::npos);
}

TEST(store_e2e, two_processes_share_one_store_and_one_generated_key) {
  temp_dir data;
  std::map<std::string, std::string> env{
    {"ROUTEROS_MCP_DATA_DIR", data.path()}};
  child_process first{{binary, "serve", "--stdio"}, env};
  handshake(first);
  EXPECT_EQ(service_health(first, 2)["store"]["status"], "ok");
  child_process second{{binary, "serve", "--stdio"}, env};
  handshake(second);
  EXPECT_EQ(service_health(second, 2)["store"]["status"], "ok");
  first.close_stdin();
  second.close_stdin();
  EXPECT_EQ(first.wait(), 0);
  EXPECT_EQ(second.wait(), 0);
  // Both used the key file the first one generated.
  EXPECT_NE(second.stderr_text().find("key_source=\"key file "),
            std::string::npos)
    << second.stderr_text();
}

TEST(store_e2e,
     prod_without_a_key_refuses_to_start_and_says_how_to_provide_one) {
  temp_dir data;
  std::map<std::string, std::string> env{{"ROUTEROS_MCP_DATA_DIR", data.path()},
                                         {"ROUTEROS_MCP_ENVIRONMENT", "prod"}};
  child_process serve{{binary, "serve", "--stdio"}, env};
  EXPECT_EQ(serve.wait(), 1);
  EXPECT_NE(serve.stderr_text().find("ROUTEROS_MCP_ENCRYPTION_KEY"),
            std::string::npos)
    << serve.stderr_text();
  child_process check{{binary, "config", "check"}, env};
  EXPECT_EQ(check.wait(), 2);
  EXPECT_NE(check.stderr_text().find("store.key_file"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(data / "credential.key"));
  EXPECT_FALSE(std::filesystem::exists(data / "store"));
}

TEST(store_e2e, prod_with_a_key_starts_and_config_check_names_the_key_id) {
  temp_dir data;
  std::string key(64, 'c');
  std::map<std::string, std::string> env{{"ROUTEROS_MCP_DATA_DIR", data.path()},
                                         {"ROUTEROS_MCP_ENVIRONMENT", "prod"},
                                         {"ROUTEROS_MCP_ENCRYPTION_KEY", key}};
  child_process check{{binary, "config", "check"}, env};
  EXPECT_EQ(check.wait(), 0) << check.stderr_text();
  auto out = check.drain_stdout();
  EXPECT_NE(out.find("credential key: ROUTEROS_MCP_ENCRYPTION_KEY (key id "),
            std::string::npos)
    << out;
  child_process serve{{binary, "serve", "--stdio"}, env};
  handshake(serve);
  EXPECT_EQ(service_health(serve, 2)["store"]["status"], "ok");
  serve.close_stdin();
  EXPECT_EQ(serve.wait(), 0);
  EXPECT_EQ(serve.stderr_text().find(key), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(data / "credential.key"));
}

} // namespace

} // namespace rmcp
