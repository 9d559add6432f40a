// The web console in a real browser: Debian's chromium, headless, driven
// by puppeteer-core (nothing downloads a browser) against the built daemon
// (`serve --http`, API tokens) and five simulated routers (routeros-sim).
// An approver logs in and sees the 5 devices, opens a device, opens a
// pending DNS plan made by another identity and approves it, then watches
// the rollout reach `completed` without a reload; a second plan is rolled
// back after an injected gate failure (high CPU on one router); a
// read_only identity sees no approve button and a crafted POST is refused.
// A one-time login link logs an approver in once (the second use is
// refused), and approving a plan made with hand_to_apply releases the
// apply call waiting for it, with no token shown.
// Every view is saved as a screenshot into RMCP_SCREENSHOT_DIR; axe-core
// checks labels, names and keyboard access, and the page must raise no
// Content-Security-Policy violation.
//
// Usage: node --test console.test.mjs
//   (ROUTEROS_MCP_BINARY, ROUTEROS_SIM_BINARY, RMCP_SCREENSHOT_DIR;
//    CHROMIUM, default /usr/bin/chromium)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const binary = process.env.ROUTEROS_MCP_BINARY;
const simBinary = process.env.ROUTEROS_SIM_BINARY;
const shots = process.env.RMCP_SCREENSHOT_DIR;
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
assert.ok(binary, 'ROUTEROS_MCP_BINARY must point to the built routeros-mcp');
assert.ok(simBinary, 'ROUTEROS_SIM_BINARY must point to the built routeros-sim');
assert.ok(shots, 'RMCP_SCREENSHOT_DIR must name the folder for screenshots');

const password = 'sim-pa55-word';
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ROUTEROS_MCP_')));
let dir, sim, simInfo, server, serverLog, base, browser;
const tokens = {};
const cspViolations = [];
// Errors the pages threw (each fails the test at its end).
const pageErrors = [];

async function waitFor(read, what, deadlineMs = 15000) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      const value = await read();
      if (value) return value;
    } catch {}
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} did not appear`);
}

function cli(...args) {
  const r = spawnSync(binary, ['--data-dir', dir, '--log-level', 'warn', ...args],
    { env: { ...env, ROUTEROS_MCP_DEVICE_PASSWORD: password }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// A minimal MCP client over Streamable HTTP (each message one POST).
async function mcpClient(token) {
  let sid = '';
  let next = 1;
  const post = async (msg) => {
    const headers = {
      'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${token}`,
    };
    if (sid) Object.assign(headers, { 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' });
    const res = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify(msg) });
    if (!sid) sid = res.headers.get('mcp-session-id') || '';
    const text = await res.text();
    if (!text) return null;
    if ((res.headers.get('content-type') || '').startsWith('text/event-stream')) {
      const data = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
      return JSON.parse(data[data.length - 1]);
    }
    return JSON.parse(text);
  };
  await post({ jsonrpc: '2.0', id: next++, method: 'initialize', params: {
    protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'browser-test', version: '1' } } });
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return {
    call: async (name, args) => {
      const r = await post({ jsonrpc: '2.0', id: next++, method: 'tools/call', params: { name, arguments: args } });
      return r.result;
    },
  };
}

async function planDns(server_, batch, handToApply = false) {
  const alice = await mcpClient(tokens.alice);
  const r = await alice.call('config_plan_dns_ntp_rollout', {
    device_ids: ['sim-1', 'sim-2', 'sim-3', 'sim-4', 'sim-5'], dns_servers: [server_],
    batch_size: batch, pause_seconds: 0, description: `DNS to ${server_}`, hand_to_apply: handToApply });
  assert.ok(!r.isError, JSON.stringify(r));
  return r.structuredContent.plan_id;
}

async function applyAsAlice(planId, token) {
  const alice = await mcpClient(tokens.alice);
  return alice.call('config_apply_dns_ntp_rollout', token ? { plan_id: planId, approval_token: token } : { plan_id: planId });
}

async function control(method, path, body) {
  const res = await fetch(`http://127.0.0.1:${simInfo.control_port}${path}`, {
    method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function newPage() {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

async function login(page, token) {
  await page.goto(`${base}/ui/`);
  await page.waitForSelector('#token');
  await page.type('#token', token);
  await page.keyboard.press('Enter');
  await page.waitForSelector('table.fleet tbody tr');
}

// Critical or serious accessibility problems of the open view (axe-core,
// evaluated through the DevTools protocol, which the page's CSP does not
// govern: the page itself still allows only its own scripts).
async function axeCheck(page, what) {
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(() => globalThis.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }));
  const bad = result.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [],
    `accessibility of ${what}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rmcp-console-'));
  mkdirSync(shots, { recursive: true });
  const simPorts = join(dir, 'sim.json');
  sim = spawn(simBinary, ['--routers', '5', '--tls', '--seed', '11', '--password', password,
    '--ports-file', simPorts], { stdio: ['ignore', 'ignore', 'inherit'] });
  simInfo = await waitFor(() => JSON.parse(readFileSync(simPorts, 'utf8')), "the simulator's ports file");
  simInfo.routers.forEach((r, i) => cli('device', 'add', `sim-${i + 1}`, '--host', '127.0.0.1',
    '--port', String(r.port), '--username', 'admin', '--fingerprint', simInfo.fingerprint_sha256,
    '--tag', `site=${i < 3 ? 'fra' : 'ams'}`, '--allow-professional-workflows'));
  for (const [subject, role] of [['alice', 'admin'], ['bob', 'approver'], ['carol', 'read_only']])
    tokens[subject] = JSON.parse(cli('token', 'create', '--subject', subject, '--role', role, '--json')).token;
  const ports = join(dir, 'ports');
  // At the default log level (info): the console's live rollout follows
  // the rollout's log records, as MCP log notifications do. Its log goes
  // to a file in the test's temporary folder.
  serverLog = join(dir, 'daemon.log');
  server = spawn(binary, ['--data-dir', dir, 'serve', '--http', '--listen', '127.0.0.1:0',
    '--set', `http.ports_file=${ports}`, '--set', 'auth.api_tokens=true', '--set', 'rollout.gate_delay=0',
    '--set', 'server.toolsets=all', '--set', 'device.health_interval=5s', '--set', 'snapshots.interval=3s'],
  { env, stdio: ['ignore', 'ignore', openSync(serverLog, 'w')] });
  const port = await waitFor(() => /^http=(\d+)/.exec(readFileSync(ports, 'utf8'))?.[1], "the daemon's ports file");
  base = `http://127.0.0.1:${port}`;
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  if (browser) await browser.close();
  for (const p of [server, sim]) {
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

test('an approver sees the fleet, approves a plan and watches it roll out and roll back', async () => {
  const page = await newPage();
  await page.goto(`${base}/ui/`);
  await page.waitForSelector('#token');
  await shot(page, 'login');
  await axeCheck(page, 'the login page');
  await page.type('#token', 'rmcp_wrong');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.login .error')?.textContent.includes('refused'));
  await page.$eval('#token', (el) => { el.value = ''; });
  await page.type('#token', tokens.bob);
  await page.keyboard.press('Enter');
  await page.waitForSelector('table.fleet tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('table.fleet tbody tr').length === 5);
  // Health checks have run: every device shows a state and a version.
  await page.waitForFunction(() => [...document.querySelectorAll('table.fleet tbody tr .badge')]
    .every((b) => b.textContent === 'healthy'), { timeout: 20000 });
  assert.equal(await page.$eval('#who', (el) => el.textContent), 'bob (approver) · lab');
  await shot(page, 'fleet');
  await axeCheck(page, 'the fleet view');
  await page.select('#f-tag', 'site=ams');
  assert.equal(await page.$$eval('table.fleet tbody tr', (r) => r.length), 2);
  await page.select('#f-tag', '');

  // Keyboard only: tab to the first device's link and open it.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.textContent === 'sim-1')) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'sim-1');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#device-title');
  await page.waitForSelector('svg.chart');
  await axeCheck(page, 'the device view');

  const planId = await planDns('10.9.9.9', 2);
  await page.click('nav a[href="#/plans"]');
  await page.waitForSelector(`a[href="#/plan/${planId}"]`);
  await shot(page, 'plans');
  await axeCheck(page, 'the plans view');
  await page.click(`a[href="#/plan/${planId}"]`);
  await page.waitForSelector('.preview').catch(async (e) => {
    const text = await page.$eval('main', (m) => m.textContent);
    throw new Error(`${e.message}; page errors: ${pageErrors.join('; ')}; the page: ${text.slice(0, 500)}`);
  });
  assert.equal(await page.$$eval('.preview', (p) => p.length), 5);
  await shot(page, 'plan');
  await axeCheck(page, 'the plan view');

  await page.click('#approve');
  await page.click('#approve-confirm');
  await page.waitForSelector('#approval-token');
  const approval = await page.$eval('#approval-token', (el) => el.value);
  assert.match(approval, /./);
  await shot(page, 'approved');
  await page.evaluate(() => { globalThis.__sameDocument = true; });
  const applying = applyAsAlice(planId, approval);
  await page.waitForFunction(() => document.querySelector('#plan-state')?.textContent === 'completed',
    { timeout: 60000 });
  assert.equal(await page.evaluate(() => globalThis.__sameDocument), true, 'no reload');
  await page.waitForFunction(() => document.querySelector('#rollout-progress')?.value === 5);
  assert.equal((await applying).structuredContent.state, 'completed');
  await shot(page, 'rollout');

  // The periodic snapshots (every 3 s here) record the rollout as drift;
  // the device view shows the changed lines and the health history.
  await page.goto(`${base}/ui/#/device/sim-1`);
  await waitFor(async () => {
    await page.reload();
    await page.waitForSelector('#device-title');
    if (await page.$('pre.diff')) return true;
    await new Promise((r) => setTimeout(r, 500));
    return false;
  }, 'the drift of sim-1', 30000);
  assert.ok(await page.$eval('pre.diff', (el) => el.textContent.includes('10.9.9.9')));
  await shot(page, 'device');

  // A gate failure: sim-3 (batch 1, after the canary sim-1) reports 95 % CPU.
  const second = await planDns('10.8.8.8', 2);
  await page.goto(`${base}/ui/#/plan/${second}`);
  await page.waitForSelector('#approve');
  await page.click('#approve');
  await page.click('#approve-confirm');
  await page.waitForSelector('#approval-token');
  const token2 = await page.$eval('#approval-token', (el) => el.value);
  await control('PUT', '/routers/2/faults', { high_cpu: true });
  await page.evaluate(() => { globalThis.__sameDocument = true; });
  const rolling = applyAsAlice(second, token2);
  await page.waitForFunction(() => document.querySelector('#plan-state')?.textContent === 'rolled_back',
    { timeout: 60000 });
  assert.equal(await page.evaluate(() => globalThis.__sameDocument), true, 'no reload');
  assert.ok(await page.$eval('.gates', (el) => el.textContent.includes('gate-failed')));
  assert.ok(await page.$('.rollback'));
  assert.equal((await rolling).structuredContent.state, 'rolled_back');
  await control('DELETE', '/routers/2/faults');
  await shot(page, 'rollback');
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
});

test('a read_only identity sees plans but cannot approve, even with a crafted POST', async () => {
  const planId = await planDns('10.7.7.7', 2);
  const page = await newPage();
  await login(page, tokens.carol);
  await page.goto(`${base}/ui/#/plan/${planId}`);
  await page.waitForSelector('#decision');
  assert.equal(await page.$('#approve'), null);
  await shot(page, 'read-only');
  const crafted = await page.evaluate(async (id) => {
    const s = await (await fetch('/ui/api/session')).json();
    const res = await fetch(`/ui/api/plans/${id}/approve`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf }, body: '{}' });
    return { status: res.status, body: await res.text() };
  }, planId);
  assert.equal(crafted.status, 403, crafted.body);
  const state = await page.evaluate(async (id) => (await (await fetch(`/ui/api/plans/${id}`)).json()).plan.state,
    planId);
  assert.equal(state, 'pending');
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
});

test('a one-time login link logs in once; approving a hand_to_apply plan releases the waiting apply', async () => {
  const res = await fetch(`${base}/admin/console/login-link`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens.alice}` },
    body: JSON.stringify({ subject: 'dora', role: 'approver', ttl_seconds: 300 }) });
  assert.equal(res.status, 200);
  const { url } = await res.json();
  assert.match(url, /\/ui\/#code=rmcpc_[0-9a-f]{64}$/);
  const page = await newPage();
  await page.goto(url);
  await page.waitForSelector('table.fleet tbody tr');
  assert.equal(await page.$eval('#who', (el) => el.textContent), 'dora (approver) · lab');
  assert.ok(!page.url().includes('code='), page.url());
  // The same link again, in a fresh browser context: refused.
  const again = await newPage();
  await again.goto(url);
  await again.waitForFunction(() => document.querySelector('.login .error')?.textContent.includes('already used'));
  await shot(again, 'login-link-used');

  const planId = await planDns('10.6.6.6', 2, true);
  const applying = applyAsAlice(planId);
  // The apply waits: the daemon logs it (at info) before the approval.
  await waitFor(() => readFileSync(serverLog, 'utf8').split('\n')
    .some((l) => l.includes('plan-apply-waiting') && l.includes(planId)), 'the waiting apply');
  await page.goto(`${base}/ui/#/plan/${planId}`);
  await page.waitForSelector('#hand-to-apply');
  await page.click('#approve');
  await page.click('#approve-confirm');
  await page.waitForSelector('#handed');
  assert.ok(await page.$eval('#handed', (el) => el.textContent.includes('handed to the waiting apply')));
  assert.equal(await page.$('#approval-token'), null);
  await shot(page, 'handed');
  await page.waitForFunction(() => document.querySelector('#plan-state')?.textContent === 'completed',
    { timeout: 60000 });
  assert.equal((await applying).structuredContent.state, 'completed');
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
});
