// The import file formats of `device import` (src/cli/device_import.hpp):
// CSV quoting, line numbers in refusals, YAML shapes, and export → parse
// giving the same records.

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "src/cli/device_import.hpp"

namespace rmcp {

using cli::export_devices;
using cli::parse_import;

TEST(device_import_format, csv_quotes_line_breaks_and_crlf) {
  auto parsed = parse_import("id,host,username,name,tags\r\n"
                             "a-1,192.0.2.1,mcp,\"Edge \"\"one\"\"\",x=1\r\n"
                             "\r\n"
                             "a-2,192.0.2.2,mcp,\"two\nlines\",\"k=a,b\"\n",
                             "csv", "staging");
  ASSERT_TRUE(parsed) << error_message(parsed.error());
  EXPECT_TRUE(parsed->refused.empty()) << parsed->refused.front();
  ASSERT_EQ(parsed->rows.size(), 2u);
  EXPECT_EQ(parsed->rows[0].record.name, "Edge \"one\"");
  EXPECT_EQ(parsed->rows[0].record.environment, "staging");
  EXPECT_EQ(parsed->rows[1].record.name, "two\nlines");
  EXPECT_EQ(parsed->rows[1].record.tags.at("k"), "a,b");
  EXPECT_EQ(parsed->rows[1].line, 4u);
}

TEST(device_import_format, refusals_name_the_line_and_the_field) {
  auto parsed = parse_import("id,host,username,flags\n"
                             "a-1,192.0.2.1,mcp,no-such-flag\n"
                             "a-2,192.0.2.2\n",
                             "csv", "lab");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->refused.size(), 2u);
  EXPECT_NE(parsed->refused[0].find("line 2 (a-1): flags: unknown flag "
                                    "'no-such-flag'"),
            std::string::npos)
    << parsed->refused[0];
  EXPECT_NE(parsed->refused[1].find("line 3 (a-2): 2 fields"),
            std::string::npos)
    << parsed->refused[1];
}

TEST(device_import_format, unusable_files_fail_whole) {
  EXPECT_FALSE(parse_import("host,username\n", "csv", "lab"));
  EXPECT_FALSE(parse_import("id,colour\n", "csv", "lab"));
  EXPECT_FALSE(parse_import("id,host\n\"open,1\n", "csv", "lab"));
  EXPECT_FALSE(parse_import("[1, 2", "yaml", "lab"));
  EXPECT_FALSE(parse_import("devices: 5", "yaml", "lab"));
  auto not_map = parse_import("devices: [5]", "yaml", "lab");
  ASSERT_TRUE(not_map);
  EXPECT_EQ(not_map->refused.size(), 1u);
}

TEST(device_import_format, an_export_parses_back_to_the_same_records) {
  device_record r;
  r.id = "edge-01";
  r.name = "Edge, one";
  r.host = "192.0.2.1";
  r.port = 8443;
  r.username = "mcp";
  r.environment = "staging";
  r.tls.mode = "pin";
  r.tls.fingerprint_sha256 = normalize_fingerprint(std::string(64, 'a'));
  r.tags = {{"site", "ams"}, {"role", "edge"}};
  r.flags.critical = true;
  r.flags.allow_dhcp_writes = true;
  r.management_path = true;
  for (auto format : {"csv", "yaml"}) {
    auto parsed = parse_import(export_devices({r}, format), format, "lab");
    ASSERT_TRUE(parsed) << format;
    ASSERT_TRUE(parsed->refused.empty()) << parsed->refused.front();
    ASSERT_EQ(parsed->rows.size(), 1u);
    EXPECT_TRUE(parsed->rows[0].record == r) << format;
  }
}

} // namespace rmcp
