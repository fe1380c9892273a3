// The dashboard in a real browser (Debian's chromium, driven by playwright-core) against the
// real daemon and fake-claude: it loads without console errors, its charts follow new
// requests, a running job can be cancelled from the job table (by root, not by nobody), the
// page reconnects by itself after a daemon restart, and a page loaded through a non-loopback
// address without a key shows the key prompt and no data.
//
// Environment: CH_DAEMON_BINARY, CH_FAKE_CLAUDE (see harness.mjs); CH_OFF_LOOPBACK_ADDR, a
// non-loopback address of this host (in_netns.sh provides one); CH_ARTIFACTS, where the
// screenshots go; CH_CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startDaemon, fakeClaudePath } from './harness.mjs';

const CHROMIUM = process.env.CH_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.CH_ARTIFACTS || fs.mkdtempSync(path.join(os.tmpdir(), 'ch-dashboard-'));
const PROVIDER_ENV = { ANTHROPIC_API_KEY: 'sk-test-dummy' };

let browser;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} not found: install Debian's chromium (scripts/install-deps.sh)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Root cannot use chromium's sandbox; the page is our own.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
});

after(async () => {
  await browser?.close();
});

/** A page that records console errors, uncaught exceptions and every URL it requested. */
async function openPage(colorScheme = 'light') {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme });
  const page = await context.newPage();
  const problems = [];
  const urls = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => urls.push(r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  return { context, page, problems, urls };
}

async function chat(baseUrl, prompt, { signal, headers = {} } = {}) {
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'claude-sonnet', messages: [{ role: 'user', content: prompt }] }),
    signal,
  });
  await res.arrayBuffer();
  return res.status;
}

/** Sum of every point of a chart's datasets, read from the live Chart.js object. */
function chartTotal(page, canvasId) {
  return page.evaluate((id) => {
    const chart = Chart.getChart(id);
    if (!chart) return -1;
    return chart.data.datasets.reduce((t, d) => t + d.data.reduce((s, p) => s + p.y, 0), 0);
  }, canvasId);
}

async function shot(page, name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

test('loads without console errors, charts follow requests, a running job is cancelled', async () => {
  const daemon = await startDaemon({ claude: fakeClaudePath(), env: PROVIDER_ENV });
  const { context, page, problems } = await openPage('light');
  try {
    const response = await page.goto(`${daemon.baseUrl}/dashboard`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-security-policy'], /default-src 'none'/);
    await page.locator('#data').waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator('#live.on').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#key-prompt').isHidden(), true);
    assert.equal(await chartTotal(page, 'ch-req-model'), 0, 'no requests yet');

    // Traffic: three answers, a job that runs until cancelled, and one usage-limit failure
    // (after which the only login cools down, so the long job must be running by then).
    for (let i = 0; i < 3; i++) assert.equal(await chat(daemon.baseUrl, `hello ${i} FAKE[delay_ms=20]`), 200);
    const hanging = chat(daemon.baseUrl, 'FAKE[hang]');
    const row = page.locator('#jobs tbody tr', { hasText: 'running' });
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await chat(daemon.baseUrl, 'FAKE[usage_limit]'), 429);
    // Refused before it became a job: a bad request all the same.
    const unknown = await fetch(`${daemon.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(unknown.status, 404);
    await page.waitForFunction(() => {
      const total = (id) => Chart.getChart(id).data.datasets.reduce((t, d) => t + d.data.reduce((s, p) => s + p.y, 0), 0);
      return total('ch-req-model') === 4 && total('ch-tok-model') > 0 && total('ch-errors') === 2;
    }, null, { timeout: 5_000 });
    const byCategory = await page.evaluate(() => Object.fromEntries(Chart.getChart('ch-errors').data.datasets
      .map((d) => [d.label, d.data.reduce((s, p) => s + p.y, 0)])));
    assert.equal(byCategory['Usage limits'], 1, JSON.stringify(byCategory));
    assert.equal(byCategory['Bad requests'], 1, JSON.stringify(byCategory));
    assert.equal(await chartTotal(page, 'ch-req-provider'), 4);
    assert.ok(await chartTotal(page, 'ch-tok-provider') > 0, 'tokens by provider');
    await page.locator('#events li', { hasText: 'usage_limit' }).first().waitFor({ timeout: 5_000 });
    await page.locator('#totals-model tbody tr', { hasText: 'claude-sonnet' }).waitFor();
    await page.locator('#providers tbody tr', { hasText: 'default' }).waitFor();

    // The job that runs until cancelled is in the table, and its cancel button ends it.
    assert.equal(await row.locator('td', { hasText: 'claude-sonnet' }).count(), 1);
    await shot(page, 'light-running-job');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'dark-running-job');
    await page.emulateMedia({ colorScheme: 'light' });
    await row.locator('button.cancel').click();
    assert.equal(await hanging, 410, 'the cancelled request ends with 410');
    await page.locator('#jobs tbody tr').first().waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('#events li', { hasText: 'cancelled' }).first().waitFor({ timeout: 5_000 });
    await shot(page, 'light-after-cancel');

    // The page reconnects by itself after a daemon restart (here: the same daemon's stream
    // ends when it stops; the status shows it).
    assert.deepEqual(problems, [], `browser console:\n${problems.join('\n')}`);
  } finally {
    await context.close();
    await daemon.stop();
  }
});

test('the page goes offline when the daemon stops and reconnects by itself when it is back', async () => {
  const first = await startDaemon({ claude: fakeClaudePath(), env: PROVIDER_ENV });
  const port = new URL(first.baseUrl).port;
  const { context, page } = await openPage('light');
  let second;
  try {
    await page.goto(`${first.baseUrl}/dashboard`);
    await page.locator('#live.on').waitFor({ timeout: 10_000 });
    await first.stop();
    await page.locator('#live:not(.on)').waitFor({ timeout: 10_000 });
    await shot(page, 'light-daemon-stopped');

    // The same address again, with traffic the page can only know from the new daemon.
    second = await startDaemon({
      claude: fakeClaudePath(),
      env: PROVIDER_ENV,
      server: { listen: [`127.0.0.1:${port}`] },
    });
    await page.locator('#live.on').waitFor({ timeout: 20_000 });
    assert.equal(await chat(second.baseUrl, 'after the restart'), 200);
    await page.waitForFunction(() => Chart.getChart('ch-req-model').data.datasets
      .reduce((t, d) => t + d.data.reduce((s, p) => s + p.y, 0), 0) === 1, null, { timeout: 10_000 });
  } finally {
    await context.close();
    if (second) await second.stop();
  }
});

/** POST .../cancel as the dashboard page would, from this process or as another user. */
function cancelAs(user, baseUrl, id) {
  const script = `
    const url = new URL(process.argv[1]);
    const req = require('node:http').request(url, { method: 'POST', headers: {
      'X-Harness-Dashboard': '1', Origin: url.origin } }, (res) => {
      let body = ''; res.on('data', (d) => { body += d; });
      res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, body })));
    });
    req.on('error', (e) => { process.stderr.write(String(e)); process.exit(2); });
    req.end();`;
  const argv = [process.execPath, '-e', script, `${baseUrl}/dashboard/api/jobs/${id}/cancel`];
  const run = user === 'root'
    ? spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' })
    : spawnSync('setpriv', [`--reuid=${user}`, '--regid=nogroup', '--clear-groups', ...argv], { encoding: 'utf8' });
  assert.equal(run.status, 0, `cancel as ${user}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

test('cancelling from the dashboard needs the rights of CancelJob: root yes, nobody no', async () => {
  const daemon = await startDaemon({ claude: fakeClaudePath(), env: PROVIDER_ENV });
  try {
    const hanging = chat(daemon.baseUrl, 'FAKE[hang]');
    let id;
    for (let i = 0; i < 100 && !id; i++) {
      const state = await (await fetch(`${daemon.baseUrl}/dashboard/api/state`)).json();
      id = state.jobs.find((j) => j.state === 'running')?.id;
      if (!id) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(id, 'the hanging job never showed as running');

    const refused = cancelAs('nobody', daemon.baseUrl, id);
    assert.equal(refused.status, 403, refused.body);
    const state = await (await fetch(`${daemon.baseUrl}/dashboard/api/state`)).json();
    assert.ok(state.jobs.some((j) => j.id === id), 'the job was cancelled anyway');

    const allowed = cancelAs('root', daemon.baseUrl, id);
    assert.equal(allowed.status, 200, allowed.body);
    assert.equal(await hanging, 410);
  } finally {
    await daemon.stop();
  }
});

test('off loopback without a key: the key prompt and no data; with the key: the data', async () => {
  const address = process.env.CH_OFF_LOOPBACK_ADDR;
  assert.ok(address, 'CH_OFF_LOOPBACK_ADDR is not set: run this file through tests/e2e/in_netns.sh (ctest does)');
  const key = 'sk-dashboard-test-' + Math.random().toString(36).slice(2);
  const keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-keys-'));
  const keysFile = path.join(keysDir, 'api-keys');
  fs.writeFileSync(keysFile, `${key}\n`, { mode: 0o600 });
  const daemon = await startDaemon({
    claude: fakeClaudePath(),
    env: PROVIDER_ENV,
    server: { listen: ['127.0.0.1:0', `${address}:0`], api_keys_file: keysFile },
  });
  const { context, page, problems, urls } = await openPage('light');
  try {
    let port;
    for (const deadline = Date.now() + 5_000; !port && Date.now() < deadline;) {
      port = new RegExp(`listening on ${address.replaceAll('.', '\\.')}:(\\d+)`).exec(daemon.stderr())?.[1];
      if (!port) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(port, `the daemon did not announce ${address}\n${daemon.stderr()}`);
    const base = `http://${address}:${port}`;
    assert.equal(await chat(base, 'hello FAKE[delay_ms=10]', { headers: { authorization: `Bearer ${key}` } }), 200);

    const stateReply = page.waitForResponse((r) => r.url().includes('/dashboard/api/state'));
    await page.goto(`${base}/dashboard`);
    assert.equal((await stateReply).status(), 401);
    await page.locator('#key-prompt').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.locator('#data').isHidden(), true);
    assert.equal(await page.locator('#totals-model tbody tr').count(), 0, 'no data without a key');
    assert.equal(await page.locator('#events li').count(), 0, 'no events without a key');
    await shot(page, 'off-loopback-key-prompt');

    await page.fill('#key-input', key);
    await page.click('#key-form button[type=submit]');
    await page.locator('#data').waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator('#live.on').waitFor({ timeout: 10_000 });
    await page.locator('#totals-model tbody tr', { hasText: 'claude-sonnet' }).waitFor({ timeout: 5_000 });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('claude-harness-api-key')), key);
    assert.deepEqual(urls.filter((u) => u.includes(key)), [], 'the key never appears in a URL');
    await shot(page, 'off-loopback-with-key');

    // The only console error allowed is the browser's own note about the refused snapshot.
    const unexpected = problems.filter((p) => !/status of 401|HTTP 401 for \S*\/dashboard\/api\/state\?/.test(p));
    assert.deepEqual(unexpected, [], `browser console:\n${unexpected.join('\n')}`);
  } finally {
    await context.close();
    await daemon.stop();
    fs.rmSync(keysDir, { recursive: true, force: true });
  }
});
