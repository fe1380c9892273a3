// The warm pool with the REAL Claude Code CLI (tests/e2e/node_modules) against the mock
// upstream: a request taken by a pre-started process gets its own system prompt (the
// `initialize` control request) and model (`set_model` when it differs from the model the
// process started with), a fresh conversation, and a replacement is started after it.
// Run: CH_DAEMON_BINARY=... node --test tests/e2e/warm_pool.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import OpenAI from 'openai';
import { startDaemon, realCliBackend } from './harness.mjs';
import { REPLY_TEXT } from './mock_anthropic.mjs';

let mock;
let daemon;
let client;
let home;

before(async () => {
  let claude, env;
  ({ claude, mock, home, env } = await realCliBackend());
  daemon = await startDaemon({
    claude,
    pidDir: false,
    warmPool: 1,
    env,
    // The pool starts its processes with the first model (sonnet).
    models: [
      { id: 'claude-sonnet', cli_model: 'sonnet', provider: 'default' },
      { id: 'claude-haiku', cli_model: 'haiku', provider: 'default' },
    ],
  });
  client = new OpenAI({ baseURL: `${daemon.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 120_000 });
});

after(async () => {
  try {
    if (daemon) await daemon.stop();
  } finally {
    if (mock) await mock.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }
});

/** claude_harness_cli_processes from /metrics. */
async function cliProcesses() {
  const text = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
  const m = /^claude_harness_cli_processes (\d+)$/m.exec(text);
  assert.ok(m, `no claude_harness_cli_processes in /metrics:\n${text}`);
  return Number(m[1]);
}

/** Waits until the pool holds an idle process and no request is running. */
async function waitForIdleProcess() {
  const deadline = Date.now() + 30_000;
  while ((await cliProcesses()) !== 1) {
    assert.ok(Date.now() < deadline, `no pre-started process within 30 s\n${daemon.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function takenCount() {
  return daemon.stderr().split('\n').filter((l) => l.includes('took pre-started')).length;
}

function upstreamRequestWith(needle) {
  const hits = mock.messages().filter((r) => JSON.stringify(r.body?.messages ?? []).includes(needle));
  assert.equal(hits.length, 1, `expected one upstream request containing ${needle}, got ${hits.length}`);
  return hits[0];
}

function systemBlocks(req) {
  const system = req.body.system;
  return typeof system === 'string' ? [system] : (system ?? []).map((b) => b.text);
}

test('a pre-started process answers with the request\'s system prompt and switched model', async () => {
  await waitForIdleProcess();
  const tag = crypto.randomUUID();
  const systemText = `You are a warm pool test ${tag}.`;
  const userText = `Say hello, warm request ${tag}.`;
  const r = await client.chat.completions.create({
    model: 'claude-haiku',
    messages: [
      { role: 'system', content: systemText },
      { role: 'user', content: userText },
    ],
  });
  assert.equal(r.choices[0].message.content, REPLY_TEXT);
  assert.equal(takenCount(), 1, `the request did not take the pre-started process\n${daemon.stderr()}`);
  const req = upstreamRequestWith(userText);
  assert.equal(req.body.model, 'claude-haiku-4-5-20251001', 'set_model did not switch the model');
  assert.ok(systemBlocks(req).includes(systemText),
    `the system prompt is not an upstream system block: ${JSON.stringify(systemBlocks(req)).slice(0, 1000)}`);
  assert.equal(req.body.messages.length, 1, 'a pooled process must hold a fresh conversation');
});

test('the replacement serves the next request, streamed, with the model it started with', async () => {
  await waitForIdleProcess();
  const tag = crypto.randomUUID();
  const userText = `Stream a greeting, warm request ${tag}.`;
  const stream = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [{ role: 'user', content: userText }],
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, REPLY_TEXT);
  assert.equal(takenCount(), 2, `the second request did not take the replacement\n${daemon.stderr()}`);
  const req = upstreamRequestWith(userText);
  assert.equal(req.body.model, 'claude-sonnet-5');
  assert.equal(req.body.messages.length, 1, 'the replacement held no earlier conversation');
});
