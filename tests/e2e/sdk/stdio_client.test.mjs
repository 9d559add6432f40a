// Drives the built routeros-mcp binary over stdio with the official MCP
// TypeScript SDK client, so a real client (not only ours) accepts the server.
//
// Usage: node --test stdio_client.test.mjs   (ROUTEROS_MCP_BINARY=<path>)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const binary = process.env.ROUTEROS_MCP_BINARY;
assert.ok(binary, "ROUTEROS_MCP_BINARY must point to the built routeros-mcp");

let client;
let transport;

before(async () => {
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
