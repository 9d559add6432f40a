// update_device through the real session and fleet: an MCP client renames
// and retags devices; everything that decides where a password goes or
// what the client may do is refused, and nothing is written then.

#include "tests/support/tool_harness.hpp"

namespace rmcp {

namespace {

class registry_tools_test : public test::tool_harness {
protected:
  registry_tools_test() {
    add_device(test::test_device("edge-1", "lab", {{"site", "ams"}}), "pw-1");
  }

  /// The error text of a refused call (empty when it succeeded).
  std::string refusal(const json& args) {
    auto res = call("update_device", args);
    EXPECT_TRUE(res.value("isError", false)) << res.dump();
    if (!res.value("isError", false))
      return {};
    return res["content"][0]["text"].get<std::string>();
  }
};

} // namespace

TEST_F(registry_tools_test, name_and_tags_change_and_the_credential_stays) {
  start();
  auto res = call("update_device", {{"device_id", "edge-1"},
                                    {"name", "Edge One"},
                                    {"tags", {{"site", "fra"}}}});
  ASSERT_FALSE(res.value("isError", false)) << res.dump();
  auto& out = res["structuredContent"];
  EXPECT_EQ(out["changed"], true);
  EXPECT_EQ(out["updated_fields"], json({"name", "tags"}));
  EXPECT_EQ(data->devices["edge-1"].name, "Edge One");
  EXPECT_EQ(data->devices["edge-1"].tags.at("site"), "fra");
  EXPECT_EQ(data->devices["edge-1"].host, "127.0.0.1");
  EXPECT_EQ(data->creds["edge-1"].password, "pw-1");
  // The fleet reloaded at once: listings and scopes see the new tags.
  auto listed = call("list_devices", {{"tags", {{"site", "fra"}}}});
  ASSERT_EQ(listed["structuredContent"]["total_count"], 1) << listed.dump();
  EXPECT_EQ(listed["structuredContent"]["devices"][0]["name"], "Edge One");
  ASSERT_EQ(data->changes().size(), 1u);
  EXPECT_EQ(data->changes()[0].tool, "update_device");
  EXPECT_EQ(data->changes()[0].before["name"], "Router edge-1");
  EXPECT_EQ(data->changes()[0].after["name"], "Edge One");
  auto same =
    call("update_device", {{"device_id", "edge-1"}, {"name", "Edge One"}});
  EXPECT_EQ(same["structuredContent"]["changed"], false) << same.dump();
  auto dry =
    call("update_device",
         {{"device_id", "edge-1"}, {"name", "Other"}, {"dry_run", true}});
  EXPECT_EQ(dry["structuredContent"]["would_change"], true) << dry.dump();
  EXPECT_EQ(data->devices["edge-1"].name, "Edge One");
  EXPECT_EQ(data->changes().size(), 1u);
}

TEST_F(registry_tools_test,
       every_out_of_band_field_is_refused_and_nothing_is_written) {
  start();
  auto record = data->devices["edge-1"];
  auto generation = data->generation;
  const std::vector<std::pair<std::string, json>> fields{
    {"host", "192.0.2.66"},
    {"port", 8729},
    {"scheme", "http"},
    {"tls_mode", "insecure"},
    {"tls_fingerprint_sha256", std::string(64, 'a')},
    {"username", "other"},
    {"password", "new-password"},
    {"environment", "lab"},
    {"flags", {{"allow_advanced_writes", true}}},
    {"allow_advanced_writes", true},
    {"allow_professional_workflows", true},
    {"critical", true},
    {"management_path", true}};
  for (auto& [name, value] : fields) {
    auto text =
      refusal({{"device_id", "edge-1"}, {"name", "Renamed"}, {name, value}});
    EXPECT_NE(text.find("$." + name + ": unknown property"), std::string::npos)
      << name << ": " << text;
    EXPECT_NE(text.find("allowed: device_id, dry_run, name, tags"),
              std::string::npos)
      << text;
  }
  EXPECT_EQ(data->devices["edge-1"], record);
  EXPECT_EQ(data->creds["edge-1"].password, "pw-1");
  EXPECT_EQ(data->generation, generation);
  EXPECT_TRUE(data->changes().empty());
}

TEST_F(registry_tools_test, registering_a_device_is_not_an_mcp_tool) {
  start();
  auto list = request("tools/list");
  ASSERT_TRUE(list.contains("tools")) << list.dump();
  bool update = false;
  for (auto& t : list["tools"]) {
    EXPECT_NE(t["name"], "register_device");
    if (t["name"] == "update_device") {
      update = true;
      for (auto& [name, _] : t["inputSchema"]["properties"].items())
        EXPECT_TRUE(name == "device_id" || name == "name" || name == "tags"
                    || name == "dry_run")
          << name;
    }
  }
  EXPECT_TRUE(update);
  auto reg = call("register_device", {{"device_id", "new-1"},
                                      {"host", "192.0.2.66"},
                                      {"username", "admin"},
                                      {"password", "pw"}});
  EXPECT_EQ(reg["code"], -32602) << reg.dump();
  EXPECT_EQ(data->devices.count("new-1"), 0u);
}

TEST_F(registry_tools_test, other_environments_and_unknown_ids_are_refused) {
  add_device(test::test_device("prod-1", "prod"));
  start();
  auto other = call("update_device", {{"device_id", "prod-1"}, {"name", "x"}});
  EXPECT_EQ(other["_meta"]["error_kind"], "environment_mismatch")
    << other.dump();
  auto unknown = call("update_device", {{"device_id", "nope"}, {"name", "x"}});
  EXPECT_EQ(unknown["_meta"]["error_kind"], "device_not_found")
    << unknown.dump();
  EXPECT_EQ(data->devices["prod-1"].name, "Router prod-1");
  EXPECT_TRUE(data->changes().empty());
}

} // namespace rmcp
