// `routeros-mcp token|audit|key …` with the built binary against a
// temporary data dir: tokens shown once and stored as hashes, audit verify
// naming a tampered record, export as JSON lines, and key rotation that
// keeps every credential readable with the new key only.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "storage/audit_log.hpp"
#include "storage/device_store.hpp"
#include "storage/tables.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string binary = RMCP_BINARY_PATH;

class security_cli_test : public ::testing::Test {
protected:
  outcome run(std::vector<std::string> args,
              std::map<std::string, std::string> env = {}) {
    return run_cli(data.path(), args, std::move(env));
  }

  std::string read_file(const std::string& path) {
    std::ifstream in{path};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  /// Opens the store the CLI uses, with the lab key file.
  std::shared_ptr<storage::device_store> open_store() {
    auto key =
      storage::credential_key::parse(read_file(data / "credential.key"));
    EXPECT_TRUE(key);
    storage::store_settings s;
    s.path = data / "store";
    auto db = storage::open_lmdb_device_store(s, *key);
    EXPECT_TRUE(db) << error_message(db.error());
    return db ? *db : nullptr;
  }

  temp_dir data;
};

} // namespace

TEST_F(security_cli_test, a_token_is_printed_once_and_listed_without_secret) {
  auto made = run({"token", "create", "--subject", "ci-bot", "--role",
                   "read_only", "--tags", "site=ams,role=edge", "--json"});
  ASSERT_EQ(made.code, 0) << made.err;
  auto doc = parse_json(made.out).value();
  auto token = doc["token"].get<std::string>();
  EXPECT_EQ(token.rfind("rmcp_", 0), 0u);
  EXPECT_EQ(doc["scope"]["tags"], json::array({"site=ams", "role=edge"}));
  auto list = run({"token", "list"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("ci-bot"), std::string::npos);
  EXPECT_EQ(list.out.find(token.substr(18)), std::string::npos);
  auto bad = run({"token", "create", "--subject", "x", "--role", "root"});
  EXPECT_EQ(bad.code, 2);
  auto revoke = run({"token", "revoke", doc["id"].get<std::string>()});
  EXPECT_EQ(revoke.code, 0) << revoke.err;
  EXPECT_NE(run({"token", "list"}).out.find("revoked"), std::string::npos);
  EXPECT_EQ(run({"token", "revoke", "000000000000"}).code, 3);
}

TEST_F(security_cli_test, audit_verify_names_the_tampered_record) {
  // The first CLI run creates the store and the lab key.
  ASSERT_EQ(run({"audit", "verify"}).code, 0);
  {
    auto db = open_store();
    ASSERT_TRUE(db);
    storage::audit_log log{db->kv()};
    for (auto* tool : {"echo", "get_dns_status", "set_system_identity"}) {
      audit_record rec;
      rec.kind = audit_kind::call;
      rec.actor = "alice";
      rec.tool = tool;
      rec.outcome = "ok";
      ASSERT_TRUE(log.append(rec));
    }
  }
  auto ok = run({"audit", "verify"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("intact: 3 records"), std::string::npos) << ok.out;
  auto exported = run({"audit", "export", "--since", "24h"});
  ASSERT_EQ(exported.code, 0) << exported.err;
  std::istringstream lines{exported.out};
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) {
    auto rec = parse_json(line);
    ASSERT_TRUE(rec) << line;
    EXPECT_EQ((*rec)["hash"].get<std::string>().size(), 64u);
    ++n;
  }
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(run({"audit", "export", "--since", "yesterday"}).code, 2);
  {
    auto db = open_store();
    ASSERT_TRUE(db);
    auto err = storage::write_atomically(
      *db->kv(), [](storage::write_txn& txn) -> caf::error {
        auto key = std::string(19, '0') + "2";
        auto raw = txn.get(storage::tables::audit, key);
        if (!raw || !*raw)
          return make_error(ec::store_failure, "no record 2");
        auto doc = parse_json(**raw).value();
        doc["outcome"] = "error";
        return txn.put(storage::tables::audit, key, dump_json(doc));
      });
    ASSERT_FALSE(err) << error_message(err);
  }
  auto broken = run({"audit", "verify"});
  EXPECT_EQ(broken.code, 7);
  EXPECT_NE(broken.err.find("BROKEN at record 2"), std::string::npos)
    << broken.err;
}

TEST_F(security_cli_test, key_rotate_reencrypts_every_credential) {
  {
    child_process p{{binary, "--data-dir", data.path(), "--log-level", "warn",
                     "device", "add", "edge-01", "--host", "127.0.0.1",
                     "--username", "api"},
                    {{"ROUTEROS_MCP_DEVICE_PASSWORD", "pa55-word"}}};
    p.close_stdin();
    p.drain_stdout();
    ASSERT_EQ(p.wait().value_or(-1), 0) << p.stderr_text();
  }
  auto old_key = read_file(data / "credential.key");
  auto rotated = run({"key", "rotate"});
  ASSERT_EQ(rotated.code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("re-encrypted 1 credentials"), std::string::npos)
    << rotated.out;
  auto new_key = read_file(data / "credential.key");
  EXPECT_NE(old_key, new_key);
  EXPECT_EQ(new_key.size(), 65u);
  auto db = open_store();
  ASSERT_TRUE(db);
  auto cred = db->get_credential("edge-01");
  ASSERT_TRUE(cred) << error_message(cred.error());
  EXPECT_EQ(cred->password, "pa55-word");
  EXPECT_EQ(rotated.out.find("pa55-word"), std::string::npos);
}

TEST_F(security_cli_test, a_public_http_listener_without_auth_does_not_start) {
  auto refused = run({"serve", "--http", "--listen", "0.0.0.0:0"});
  EXPECT_EQ(refused.code, 2) << refused.err;
  EXPECT_NE(refused.err.find("without authentication"), std::string::npos)
    << refused.err;
  EXPECT_NE(refused.err.find("auth.api_tokens"), std::string::npos)
    << refused.err;
}

TEST_F(security_cli_test, a_stdio_session_is_audited_and_the_chain_verifies) {
  {
    child_process p{{binary, "--data-dir", data.path(), "--log-level", "warn",
                     "serve", "--stdio"}};
    handshake(p);
    auto echo = request(p, 2, "tools/call",
                        {{"name", "echo"}, {"arguments", {{"message", "hi"}}}});
    EXPECT_FALSE(echo["result"].value("isError", false)) << echo.dump();
    auto bad = request(p, 3, "tools/call",
                       {{"name", "echo"}, {"arguments", {{"nope", 1}}}});
    EXPECT_TRUE(bad["result"].value("isError", false)) << bad.dump();
    p.close_stdin();
    EXPECT_EQ(p.wait().value_or(-1), 0) << p.stderr_text();
  }
  auto exported = run({"audit", "export"});
  ASSERT_EQ(exported.code, 0) << exported.err;
  std::istringstream lines{exported.out};
  std::string line;
  std::vector<json> records;
  while (std::getline(lines, line))
    records.push_back(parse_json(line).value_or(json{}));
  ASSERT_EQ(records.size(), 2u) << exported.out;
  EXPECT_EQ(records[0]["actor"], "local-operator");
  EXPECT_EQ(records[0]["role"], "admin");
  EXPECT_EQ(records[0]["transport"], "stdio");
  EXPECT_EQ(records[0]["tool"], "echo");
  EXPECT_EQ(records[0]["outcome"], "ok");
  EXPECT_EQ(records[1]["outcome"], "error");
  EXPECT_EQ(records[1]["prev_hash"], records[0]["hash"]);
  EXPECT_EQ(run({"audit", "verify"}).code, 0);
}

} // namespace rmcp
