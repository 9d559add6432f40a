// Drives the built routeros-mcp binary over stdio with the official MCP
// TypeScript SDK client, so a real client (not only ours) accepts the server.
//
// Usage: node --test stdio_client.test.mjs   (ROUTEROS_MCP_BINARY=<path>)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { spawnSync } from "node:child_process";

const binary = process.env.ROUTEROS_MCP_BINARY;
assert.ok(binary, "ROUTEROS_MCP_BINARY must point to the built routeros-mcp");

let client;
let transport;

before(async () => {
  // A registered device for completion/complete (offline: the daemon only
  // needs its record). Exit 4 = registered by an earlier run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ROUTEROS_MCP_")));
  const args = (process.env.ROUTEROS_MCP_ARGS ?? "").split(" ").filter(Boolean);
  const add = spawnSync(binary, [...args, "device", "add", "sdk-stdio-01", "--host", "127.0.0.1",
                                 "--username", "api"],
                        { env: { ...env, ROUTEROS_MCP_DEVICE_PASSWORD: "pa55-word" }, encoding: "utf8" });
  assert.ok(add.status === 0 || add.status === 4, add.stderr);
  transport = new StdioClientTransport({
    command: binary,
    args: ["serve", "--stdio", ...(process.env.ROUTEROS_MCP_ARGS ?? "").split(" ").filter(Boolean)],
    stderr: "ignore",
  });
  client = new Client({ name: "sdk-e2e", version: "1.0.0" });
  await client.connect(transport);
});

after(async () => {
  await client?.close();
});

test("completion/complete offers registered device ids", async () => {
  assert.ok(client.getServerCapabilities().completions, "completions capability");
  const byTemplate = await client.complete({
    ref: { type: "ref/resource", uri: "device://{device_id}/overview" },
    argument: { name: "device_id", value: "sdk-std" },
  });
  assert.deepEqual(byTemplate.completion.values, ["sdk-stdio-01"]);
  assert.equal(byTemplate.completion.total, 1);
  assert.equal(byTemplate.completion.hasMore, false);
  const byPrompt = await client.complete({
    ref: { type: "ref/prompt", name: "troubleshoot-device" },
    argument: { name: "device_id", value: "" },
  });
  assert.ok(byPrompt.completion.values.includes("sdk-stdio-01"));
  const envs = await client.complete({
    ref: { type: "ref/resource", uri: "fleet://devices/{environment}" },
    argument: { name: "environment", value: "st" },
  });
  assert.deepEqual(envs.completion.values, ["staging"]);
  await assert.rejects(client.complete({ ref: { type: "ref/prompt", name: "nope" },
                                         argument: { name: "device_id", value: "" } }), /unknown prompt/);
});

test("initialize negotiates the latest revision and names the server", () => {
  const info = client.getServerVersion();
  assert.equal(info.name, "routeros-mcp");
  const caps = client.getServerCapabilities();
  assert.ok(caps.tools, "tools capability");
  assert.ok(caps.logging, "logging capability");
  assert.match(client.getInstructions() ?? "", /RouterOS/);
});

test("tools/list returns valid tools that the SDK accepts", async () => {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  assert.ok(names.includes("echo"));
  assert.ok(names.includes("service_health"));
  for (const t of tools) {
    assert.match(t.name, /^[a-zA-Z0-9_-]{1,64}$/);
    assert.equal(t.inputSchema.type, "object");
    assert.ok(t.description.length > 20, `${t.name} has a description`);
  }
});

test("tools/call returns structured content validated by the SDK", async () => {
  const result = await client.callTool({ name: "echo", arguments: { message: "hello" } });
  assert.equal(result.isError, undefined);
  assert.equal(result.structuredContent.message, "hello");
  assert.equal(result.content[0].type, "text");
  const health = await client.callTool({ name: "service_health", arguments: {} });
  assert.equal(health.structuredContent.status, "ok");
  assert.ok(health.structuredContent.sessions >= 1);
});

test("schema violations come back as tool errors naming the field", async () => {
  const result = await client.callTool({ name: "echo", arguments: { message: 42 } });
  assert.equal(result.isError, true);
  assert.match(result.content[0].text, /\$\.message: expected string, got integer/);
});

test("unknown tools are protocol errors", async () => {
  await assert.rejects(client.callTool({ name: "no_such_tool", arguments: {} }), /Unknown tool/);
});

test("ping and logging/setLevel work", async () => {
  await client.ping();
  await client.setLoggingLevel("warning");
});

test("notifications/message handler can be installed without errors", () => {
  client.setNotificationHandler(LoggingMessageNotificationSchema, () => {});
});
