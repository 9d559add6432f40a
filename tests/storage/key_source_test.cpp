// Where the credential key comes from: the environment variable wins, then
// store.key_file; prod and staging refuse to run without one; lab generates
// <data_dir>/credential.key (0600) once and every process reuses it.

#include <sys/stat.h>

#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/encoding.hpp"
#include "storage/key_source.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp {

namespace {

using storage::check_credential_key;
using storage::key_request;
using storage::load_credential_key;

const std::string key_a(64, 'a');
const std::string key_b(64, 'b');

std::string id_of(const std::string& text) {
  return storage::credential_key::parse(text)->id();
}

void write_file(const std::string& path, const std::string& text,
                mode_t mode = 0600) {
  std::ofstream{path} << text;
  ::chmod(path.c_str(), mode);
}

class key_source_test : public ::testing::Test {
protected:
  key_request request(const std::string& environment) {
    key_request req;
    req.environment = environment;
    req.data_dir = dir / "data";
    return req;
  }

  test::temp_dir dir;
};

TEST_F(key_source_test, prod_and_staging_refuse_to_start_without_a_key) {
  for (auto env : {"prod", "staging"}) {
    auto key = load_credential_key(request(env));
    ASSERT_FALSE(key) << env;
    EXPECT_EQ(error_code_of(key.error()), ec::invalid_params);
    auto text = error_message(key.error());
    EXPECT_NE(text.find(std::string{"environment "} + env), std::string::npos);
    EXPECT_NE(text.find("ROUTEROS_MCP_ENCRYPTION_KEY"), std::string::npos);
    EXPECT_NE(text.find("store.key_file"), std::string::npos);
    EXPECT_FALSE(check_credential_key(request(env))) << env;
  }
  // Nothing was generated.
  EXPECT_FALSE(std::filesystem::exists(dir / "data"));
}

TEST_F(key_source_test, an_empty_variable_counts_as_unset) {
  auto req = request("prod");
  req.env_key = "";
  EXPECT_FALSE(load_credential_key(req));
}

TEST_F(key_source_test, prod_accepts_the_environment_variable) {
  auto req = request("prod");
  req.env_key = key_a;
  auto key = load_credential_key(req);
  ASSERT_TRUE(key) << error_message(key.error());
  EXPECT_EQ(key->key.id(), id_of(key_a));
  EXPECT_EQ(key->source, "ROUTEROS_MCP_ENCRYPTION_KEY");
  auto checked = check_credential_key(req);
  ASSERT_TRUE(checked);
  EXPECT_NE(checked->find(id_of(key_a)), std::string::npos);
}

TEST_F(key_source_test, prod_accepts_a_key_file_in_hex_or_base64) {
  write_file(dir / "hex.key", key_b + "\n");
  std::string raw(32, '\x42');
  write_file(dir / "b64.key", storage::to_base64(raw));
  auto req = request("prod");
  req.key_file = dir / "hex.key";
  auto from_hex = load_credential_key(req);
  ASSERT_TRUE(from_hex) << error_message(from_hex.error());
  EXPECT_EQ(from_hex->key.id(), id_of(key_b));
  EXPECT_EQ(from_hex->source, "key file " + (dir / "hex.key"));
  req.key_file = dir / "b64.key";
  auto from_b64 = load_credential_key(req);
  ASSERT_TRUE(from_b64);
  EXPECT_EQ(from_b64->key.id(), id_of(storage::to_hex(raw)));
}

TEST_F(key_source_test, the_environment_variable_wins_over_the_key_file) {
  write_file(dir / "file.key", key_b);
  auto req = request("prod");
  req.key_file = dir / "file.key";
  req.env_key = key_a;
  auto key = load_credential_key(req);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->key.id(), id_of(key_a));
}

TEST_F(key_source_test, a_bad_key_is_refused_without_repeating_it) {
  auto req = request("prod");
  req.env_key = "hunter2-hunter2";
  auto key = load_credential_key(req);
  ASSERT_FALSE(key);
  auto text = error_message(key.error());
  EXPECT_NE(text.find("ROUTEROS_MCP_ENCRYPTION_KEY"), std::string::npos);
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  write_file(dir / "bad.key", "hunter2-hunter2");
  req.env_key.reset();
  req.key_file = dir / "bad.key";
  key = load_credential_key(req);
  ASSERT_FALSE(key);
  text = error_message(key.error());
  EXPECT_NE(text.find(dir / "bad.key"), std::string::npos);
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
}

TEST_F(key_source_test,
       a_configured_key_file_that_is_missing_is_an_error_even_in_lab) {
  auto req = request("lab");
  req.key_file = dir / "missing.key";
  auto key = load_credential_key(req);
  ASSERT_FALSE(key);
  EXPECT_NE(error_message(key.error()).find("missing.key"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "missing.key"));
}

TEST_F(key_source_test, lab_generates_a_private_key_file_once_and_reuses_it) {
  auto req = request("lab");
  auto checked = check_credential_key(req);
  ASSERT_TRUE(checked);
  EXPECT_NE(checked->find("will be generated"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "data")); // check creates nothing
  auto first = load_credential_key(req);
  ASSERT_TRUE(first) << error_message(first.error());
  auto path = dir / "data/credential.key";
  EXPECT_EQ(first->source, "generated key file " + path);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in{path};
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text.size(), 64u);
  EXPECT_EQ(storage::credential_key::parse(text)->id(), first->key.id());
  // A second process (or a restart) reads the same key.
  auto second = load_credential_key(req);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->key.id(), first->key.id());
  EXPECT_EQ(second->source, "key file " + path);
  EXPECT_NE(check_credential_key(req)->find(first->key.id()),
            std::string::npos);
}

TEST_F(key_source_test, racing_first_uses_agree_on_one_generated_key) {
  auto req = request("lab");
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < ids.size(); ++i)
    threads.emplace_back([&, i] {
      auto key = load_credential_key(req);
      ids[i] = key ? key->key.id() : "error: " + error_message(key.error());
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u) << ids[0];
  // No temporary files are left behind.
  size_t files = 0;
  for (auto& entry : std::filesystem::directory_iterator(dir / "data")) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(key_source_test, lab_uses_the_environment_variable_when_set) {
  auto req = request("lab");
  req.env_key = key_a;
  auto key = load_credential_key(req);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->key.id(), id_of(key_a));
  EXPECT_FALSE(std::filesystem::exists(dir / "data/credential.key"));
}

} // namespace

} // namespace rmcp
