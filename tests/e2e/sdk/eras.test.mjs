// Both MCP eras against ONE running daemon (`routeros-mcp serve --http`)
// and a simulated router (routeros-sim): the v2 client
// (@modelcontextprotocol/client 2.4.0) in versionNegotiation 'auto' mode
// speaks 2026-07-28 (server/discover, stateless requests,
// subscriptions/listen); the 1.x client (@modelcontextprotocol/sdk 1.32.2)
// speaks the 2025-11-25 handshake era on the same endpoint. Over stdio the
// v2 client probes on a sibling process, then both eras again.
//
// Usage: node --test eras.test.mjs
//   (ROUTEROS_MCP_BINARY=<path>, ROUTEROS_SIM_BINARY=<path>)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttp } from "@modelcontextprotocol/client";
import { StdioClientTransport as ModernStdio } from "@modelcontextprotocol/client/stdio";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyHttp } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport as LegacyStdio } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const binary = process.env.ROUTEROS_MCP_BINARY;
const simBinary = process.env.ROUTEROS_SIM_BINARY;
assert.ok(binary, "ROUTEROS_MCP_BINARY must point to the built routeros-mcp");
assert.ok(simBinary, "ROUTEROS_SIM_BINARY must point to the built routeros-sim");

const password = "sim-pa55-word";
let dir;
let sim;
let server;
let base;
let routers;
// The daemon refuses unknown ROUTEROS_MCP_* variables.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ROUTEROS_MCP_")));

async function waitFor(read, what, deadlineMs = 10000) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      const value = read();
      if (value) return value;
    } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} did not appear`);
}

function cli(...args) {
  const r = spawnSync(binary, ["--data-dir", dir, "--log-level", "warn", ...args],
                      { env: { ...env, ROUTEROS_MCP_DEVICE_PASSWORD: password }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
}

function register(i) {
  cli("device", "add", `sim-${i}`, "--host", "127.0.0.1", "--port", String(routers.devices[i].port),
      "--username", "admin", "--fingerprint", routers.fingerprint);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "rmcp-sdk-eras-"));
  const simPorts = join(dir, "sim.json");
  sim = spawn(simBinary, ["--routers", "2", "--tls", "--seed", "7", "--password", password,
                          "--ports-file", simPorts], { stdio: ["ignore", "ignore", "inherit"] });
  const info = await waitFor(() => JSON.parse(readFileSync(simPorts, "utf8")), "the simulator's ports file");
  const devices = info.routers ?? info.devices ?? info;
  routers = { devices, fingerprint: info.fingerprint_sha256 ?? devices[0].fingerprint_sha256 };
  register(0);
  const ports = join(dir, "ports");
  server = spawn(binary, ["--data-dir", dir, "--log-level", "warn", "serve", "--http", "--listen", "127.0.0.1:0",
                          "--set", `http.ports_file=${ports}`, "--set", "fleet.poll_interval=200ms"],
                 { env, stdio: ["ignore", "ignore", "inherit"] });
  const port = await waitFor(() => /^http=(\d+)/.exec(readFileSync(ports, "utf8"))?.[1], "the daemon's ports file");
  base = `http://127.0.0.1:${port}`;
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", (code) => r(code)));
    server.kill("SIGTERM");
    assert.equal(await exited, 0, "the server exits 0 after SIGTERM");
  }
  if (sim && sim.exitCode === null) {
    const exited = new Promise((r) => sim.once("exit", r));
    sim.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

test("2026-07-28 over HTTP: a 2.4.0 client in auto mode", async () => {
  const client = new ModernClient({ name: "sdk-v2", version: "2.4.0" }, { versionNegotiation: { mode: "auto" } });
  await client.connect(new ModernHttp(new URL(`${base}/mcp`)));
  assert.equal(client.getProtocolEra(), "modern");
  assert.equal(client.getNegotiatedProtocolVersion(), "2026-07-28");
  assert.equal(client.getServerVersion().name, "routeros-mcp");
  assert.ok(client.getServerCapabilities().tools);

  const { tools } = await client.listTools();
  assert.ok(tools.some((t) => t.name === "get_system_overview"));
  const overview = await client.callTool({ name: "get_system_overview", arguments: { device_id: "sim-0" } });
  assert.notEqual(overview.isError, true, JSON.stringify(overview));
  assert.ok(overview.structuredContent, JSON.stringify(overview));
  const read = await client.readResource({ uri: "device://sim-0/overview" });
  assert.equal(JSON.parse(read.contents[0].text).device.id, "sim-0");
  await assert.rejects(client.readResource({ uri: "device://nope/overview" }), /Resource not found/);

  // An update through subscriptions/listen: the fleet summary changes when a
  // newly registered router reports its first health sample.
  const updated = new Promise((resolve) => {
    client.setNotificationHandler("notifications/resources/updated", (n) => resolve(n.params.uri));
  });
  const subscription = await client.listen({ resourceSubscriptions: ["fleet://health-summary"] });
  assert.deepEqual(subscription.honoredFilter.resourceSubscriptions, ["fleet://health-summary"]);
  register(1);
  // The new router is checked on the fleet's schedule; asking for its
  // health makes the first sample come now (bounded: the fleet sees the
  // registration within its poll interval).
  let checked = false;
  for (let i = 0; i < 50 && !checked; ++i) {
    const r = await client.callTool({ name: "device_health", arguments: { device_id: "sim-1" } });
    checked = r.isError !== true;
    if (!checked) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(checked, "sim-1 became known to the fleet");
  const uri = await Promise.race([updated, new Promise((_, rej) => setTimeout(() => rej(new Error("no update")), 15000))]);
  assert.equal(uri, "fleet://health-summary");
  await subscription.close();
  assert.equal(await subscription.closed, "local");
  await client.close();
});

test("2025-11-25 over HTTP: a 1.32.2 client against the same daemon", async () => {
  const transport = new LegacyHttp(new URL(`${base}/mcp`));
  const client = new LegacyClient({ name: "sdk-v1", version: "1.32.2" });
  await client.connect(transport);
  assert.equal(transport.protocolVersion, "2025-11-25");
  assert.match(transport.sessionId ?? "", /^[0-9a-f]{32}$/);
  const { tools } = await client.listTools();
  assert.ok(tools.some((t) => t.name === "get_system_overview"));
  const overview = await client.callTool({ name: "get_system_overview", arguments: { device_id: "sim-0" } });
  assert.notEqual(overview.isError, true, JSON.stringify(overview));
  const read = await client.readResource({ uri: "device://sim-0/overview" });
  assert.equal(JSON.parse(read.contents[0].text).device.id, "sim-0");
  await client.ping();
  await client.subscribeResource({ uri: "fleet://health-summary" });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, () => {});
  await transport.terminateSession();
  await client.close();
});

test("both eras over stdio: the v2 probe, then the 1.x handshake", async () => {
  const args = ["--data-dir", dir, "--log-level", "warn", "serve", "--stdio"];
  const modern = new ModernClient({ name: "sdk-v2-stdio", version: "2.4.0" }, { versionNegotiation: { mode: "auto" } });
  await modern.connect(new ModernStdio({ command: binary, args, env, stderr: "ignore" }));
  assert.equal(modern.getProtocolEra(), "modern");
  assert.equal(modern.getNegotiatedProtocolVersion(), "2026-07-28");
  const overview = await modern.callTool({ name: "get_system_overview", arguments: { device_id: "sim-0" } });
  assert.notEqual(overview.isError, true, JSON.stringify(overview));
  await modern.close();
  const legacy = new LegacyClient({ name: "sdk-v1-stdio", version: "1.32.2" });
  await legacy.connect(new LegacyStdio({ command: binary, args, env, stderr: "ignore" }));
  const tools = await legacy.listTools();
  assert.ok(tools.tools.some((t) => t.name === "get_system_overview"));
  const again = await legacy.callTool({ name: "get_system_overview", arguments: { device_id: "sim-0" } });
  assert.notEqual(again.isError, true, JSON.stringify(again));
  await legacy.close();
});
