// Drives `routeros-mcp serve --http` with the official MCP TypeScript SDK
// client over Streamable HTTP (/mcp) and legacy HTTP+SSE (/sse), so real
// clients (not only ours) accept the HTTP transports.
//
// Usage: node --test http_client.test.mjs   (ROUTEROS_MCP_BINARY=<path>)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";

const binary = process.env.ROUTEROS_MCP_BINARY;
assert.ok(binary, "ROUTEROS_MCP_BINARY must point to the built routeros-mcp");

let dir;
let server;
let base;

async function waitForPort(file, deadlineMs) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      const m = /^http=(\d+)/.exec(readFileSync(file, "utf8"));
      if (m) return Number(m[1]);
    } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("routeros-mcp did not write its ports file");
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "rmcp-sdk-http-"));
  const ports = join(dir, "ports");
  // The daemon refuses unknown ROUTEROS_MCP_* variables (like ours).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ROUTEROS_MCP_")));
  // A registered device for completion/complete (offline: only its record).
  const add = spawnSync(binary, ["--data-dir", dir, "device", "add", "sdk-http-01", "--host", "127.0.0.1",
                                 "--username", "api"],
                        { env: { ...env, ROUTEROS_MCP_DEVICE_PASSWORD: "pa55-word" }, encoding: "utf8" });
  assert.equal(add.status, 0, add.stderr);
  server = spawn(binary, ["--data-dir", dir, "--log-level", "warn", "serve", "--http", "--listen", "127.0.0.1:0",
                          "--set", `http.ports_file=${ports}`], { env, stdio: ["ignore", "ignore", "inherit"] });
  const port = await waitForPort(ports, 10000);
  base = `http://127.0.0.1:${port}`;
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", (code) => r(code)));
    server.kill("SIGTERM");
    assert.equal(await exited, 0, "the server exits 0 after SIGTERM");
  }
  rmSync(dir, { recursive: true, force: true });
});

async function exercise(client) {
  const info = client.getServerVersion();
  assert.equal(info.name, "routeros-mcp");
  assert.ok(client.getServerCapabilities().tools);
  const { tools } = await client.listTools();
  assert.ok(tools.map((t) => t.name).includes("echo"));
  const result = await client.callTool({ name: "echo", arguments: { message: "over http" } });
  assert.equal(result.structuredContent.message, "over http");
  const bad = await client.callTool({ name: "echo", arguments: { message: 1 } });
  assert.equal(bad.isError, true);
  await assert.rejects(client.callTool({ name: "no_such_tool", arguments: {} }), /Unknown tool/);
  await client.ping();
  await client.setLoggingLevel("warning");
  const { resources } = await client.listResources();
  assert.ok(resources.some((r) => r.uri === "fleet://health-summary"));
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.ok(resourceTemplates.some((t) => t.uriTemplate === "device://{device_id}/health"));
  const summary = await client.readResource({ uri: "fleet://health-summary" });
  // The one device registered in before() (for completion/complete).
  assert.equal(JSON.parse(summary.contents[0].text).summary.total, 1);
  await client.subscribeResource({ uri: "fleet://health-summary" });
  await assert.rejects(client.readResource({ uri: "device://nope/health" }), /Resource not found/);
  const { prompts } = await client.listPrompts();
  assert.equal(prompts.length, 10);
  const review = await client.getPrompt({ name: "fleet-health-review", arguments: { environment: "lab" } });
  assert.match(review.messages[0].content.text, /fleet:\/\/health-summary/);
  await assert.rejects(client.getPrompt({ name: "comprehensive-device-review", arguments: {} }), /device_id/);
  assert.ok(client.getServerCapabilities().completions, "completions capability");
  const done = await client.complete({
    ref: { type: "ref/resource", uri: "device://{device_id}/health" },
    argument: { name: "device_id", value: "SDK-H" },
  });
  assert.deepEqual(done.completion.values, ["sdk-http-01"]);
  assert.equal(done.completion.hasMore, false);
}

test("Streamable HTTP: session, tools, ping, logging, and DELETE at close", async () => {
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`));
  const client = new Client({ name: "sdk-http", version: "1.0.0" });
  await client.connect(transport);
  assert.match(transport.sessionId ?? "", /^[0-9a-f]{32}$/);
  assert.equal(transport.protocolVersion, "2025-11-25");
  await exercise(client);
  const sid = transport.sessionId;
  await transport.terminateSession();
  await client.close();
  // The ended session is gone: 404 for its id.
  const res = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream",
               "mcp-session-id": sid },
    body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "ping" }),
  });
  assert.equal(res.status, 404);
});

test("legacy HTTP+SSE (2024-11-05): endpoint event, POST /messages, answers on the stream", async () => {
  const transport = new SSEClientTransport(new URL(`${base}/sse`));
  const client = new Client({ name: "sdk-sse", version: "1.0.0" });
  await client.connect(transport);
  await exercise(client);
  await client.close();
});

test("DNS rebinding: a foreign Host is refused, localhost passes", async () => {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } });
  const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  const evil = await fetch(`${base}/mcp`, { method: "POST", headers: { ...headers, origin: "http://evil.example" }, body });
  assert.equal(evil.status, 403);
  const ok = await fetch(`${base}/mcp`, { method: "POST", headers: { ...headers, origin: base }, body });
  assert.equal(ok.status, 200);
});
