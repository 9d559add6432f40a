// The routeros-sim executable: start-up JSON on stdout and in --ports-file,
// serving on the printed ports, clean stop on SIGTERM.

#include <csignal>
#include <fstream>

#include "sim_fixture.hpp"
#include "tests/support/child_process.hpp"

namespace rmcp::sim::test {
namespace {

TEST(cli, prints_ports_serves_them_and_stops_on_sigterm) {
  auto ports_file = ::testing::TempDir() + "sim-ports.json";
  rmcp::test::child_process sim(
    {RMCP_SIM_BINARY, "--routers", "3", "--seed", "7", "--time-scale", "0.001",
     "--ports-file", ports_file, "--high-cpu", "--fault-router", "1"});
  auto line = sim.read_line();
  ASSERT_TRUE(line) << sim.stderr_text();
  auto j = parse(*line);
  ASSERT_EQ(j["routers"].size(), 3u);
  EXPECT_EQ(j["tls"], false);
  EXPECT_TRUE(j["fingerprint_sha256"].is_null());
  EXPECT_EQ(j["username"], "admin");
  for (auto& r : j["routers"])
    for (auto* key : {"index", "port", "identity", "board", "version"})
      EXPECT_TRUE(r.contains(key)) << key;
  std::ifstream in(ports_file);
  std::string file_line;
  std::getline(in, file_line);
  EXPECT_EQ(parse(file_line), j);
  http_client c0{j["routers"][0]["port"].get<std::uint16_t>()};
  http_client c1{j["routers"][1]["port"].get<std::uint16_t>()};
  auto r0 = parse(c0.get("/rest/system/resource").body);
  auto r1 = parse(c1.get("/rest/system/resource").body);
  EXPECT_EQ(r0["board-name"], j["routers"][0]["board"]);
  EXPECT_GE(std::stoi(r1["cpu-load"].get<std::string>()), 95);
  sim.kill(SIGTERM);
  EXPECT_EQ(sim.wait(), 0);
}

TEST(cli, same_seed_gives_the_same_fleet) {
  fleet_options o = fast_options(4);
  o.seed = 99;
  fleet a{o}, b{o};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(a.routers()[i].identity, b.routers()[i].identity);
    EXPECT_EQ(a.routers()[i].version, b.routers()[i].version);
    for (auto* path :
         {"/rest/interface?.proplist=name,type,mac-address", "/rest/ip/address",
          "/rest/ip/firewall/filter?.proplist=chain,action,comment"})
      EXPECT_EQ(a.router(i).request("GET", path).body,
                b.router(i).request("GET", path).body)
        << path;
  }
}

} // namespace
} // namespace rmcp::sim::test
