// The one table of device capability flags (protocol/device.hpp): lookups,
// CLI option names, the capability error, travel in messages, and the
// stored format of records written before the table.

#include <set>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include <gtest/gtest.h>

#include "protocol/device.hpp"
#include "protocol/error.hpp"

namespace rmcp {

TEST(device_flags, every_line_has_its_own_name_and_member) {
  std::set<std::string> names;
  std::vector<bool device_flags::*> members;
  for (auto& def : device_flag_table) {
    names.insert(def.name);
    for (auto seen : members)
      EXPECT_FALSE(seen == def.member) << def.name << " shares a member";
    members.push_back(def.member);
    EXPECT_NE(std::string{def.cli_help}, "") << def.name;
    EXPECT_NE(std::string{def.description}, "") << def.name;
    EXPECT_EQ(find_device_flag(def.member), &def);
    EXPECT_EQ(find_device_flag(std::string_view{def.name}), &def);
  }
  auto count = sizeof(device_flag_table) / sizeof(device_flag_table[0]);
  EXPECT_EQ(names.size(), count);
  EXPECT_EQ(find_device_flag(std::string_view{"allow_everything"}), nullptr);
}

TEST(device_flags, the_cli_option_is_the_name_with_dashes) {
  EXPECT_EQ(
    device_flag_option(*find_device_flag(&device_flags::allow_firewall_writes)),
    "allow-firewall-writes");
  EXPECT_EQ(device_flag_option(*find_device_flag(&device_flags::critical)),
            "critical");
}

TEST(device_flags, the_capability_error_names_the_flag_and_how_to_set_it) {
  auto err = capability_denied("device 'r1'", "plan_add_route",
                               &device_flags::allow_routing_writes, "r1");
  EXPECT_EQ(error_code_of(err), ec::capability_denied);
  EXPECT_EQ(error_message(err),
            "device 'r1' does not allow this: tool 'plan_add_route' needs "
            "the device flag allow_routing_writes (plans may change this "
            "router's routes; set it with `routeros-mcp device update r1 "
            "--allow-routing-writes`)");
}

TEST(device_flags, set_names_round_trip_and_unknown_names_are_reported) {
  device_flags f;
  f.allow_dhcp_writes = true;
  f.critical = true;
  auto names = device_flags_set(f);
  EXPECT_EQ(names, (std::vector<std::string>{"allow_dhcp_writes", "critical"}));
  device_flags back;
  back.allow_advanced_writes = true;
  EXPECT_TRUE(set_device_flags(back, names));
  EXPECT_EQ(back, f);
  EXPECT_FALSE(set_device_flags(back, {"critical", "allow_magic"}));
  EXPECT_TRUE(back.critical);
  EXPECT_FALSE(back.allow_dhcp_writes);
}

TEST(device_flags, flags_travel_in_messages_as_the_names_of_those_set) {
  device_flags f;
  f.allow_bridge_writes = true;
  f.allow_bandwidth_test = true;
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  ASSERT_FALSE(sink(f));
  device_flags out;
  out.allow_advanced_writes = true;
  caf::binary_deserializer source{nullptr, buf};
  ASSERT_FALSE(source(out));
  EXPECT_EQ(out, f);
  EXPECT_FALSE(out.allow_advanced_writes);
}

} // namespace rmcp
