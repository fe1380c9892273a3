// Sessions end to end with the REAL Claude Code CLI against the mock upstream: a conversation
// continued by id makes the CLI send the earlier turns upstream itself (the client sends only
// its new message), also after the daemon was restarted.
// Run: CH_DAEMON_BINARY=... node --test tests/e2e/sessions.test.mjs
// When the CLI is missing every test fails (never skips) with a message saying so.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { startDaemon, realCliBackend } from './harness.mjs';
import { REPLY_TEXT } from './mock_anthropic.mjs';

let mock;
let home;
let stateDir;
let claude;
let env;
const running = [];

async function daemonOnSameState() {
  const daemon = await startDaemon({
    claude,
    pidDir: false,
    stateDir,
    env,
  });
  running.push(daemon);
  return daemon;
}

function clientOf(daemon) {
  return new OpenAI({ baseURL: `${daemon.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 120_000 });
}

/** The one upstream POST /v1/messages whose messages mention `needle`. */
function upstreamWith(needle) {
  const hits = mock.messages().filter((r) => JSON.stringify(r.body?.messages ?? []).includes(needle));
  assert.equal(hits.length, 1, `expected one upstream request mentioning ${needle}, got ${hits.length}`);
  return hits[0].body.messages;
}

async function turn(client, text, session) {
  const { data, response } = await client.chat.completions
    .create({ model: 'claude-sonnet', messages: [{ role: 'user', content: text }] },
      { headers: { 'X-Claude-Session': session } })
    .withResponse();
  assert.equal(data.choices[0].message.content, REPLY_TEXT);
  return response.headers.get('x-claude-session');
}

before(async () => {
  ({ claude, mock, home, env } = await realCliBackend());
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-e2e-state-'));
});

after(async () => {
  try {
    for (const d of running) await d.stop();
  } finally {
    if (mock) await mock.close();
    for (const dir of [home, stateDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a continued session sends the earlier turns upstream, also after a restart', async () => {
  const first = await daemonOnSameState();
  const client = clientOf(first);
  const id = await turn(client, 'first turn e2e-s1', 'new');
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(upstreamWith('e2e-s1').length, 1);

  assert.equal(await turn(client, 'second turn e2e-s2', id), id);
  const second = upstreamWith('e2e-s2');
  assert.equal(second.length, 3, JSON.stringify(second));
  assert.match(JSON.stringify(second[0]), /first turn e2e-s1/);
  assert.equal(second[1].role, 'assistant');
  assert.match(JSON.stringify(second[1]), new RegExp(REPLY_TEXT));

  await first.stop();
  running.splice(running.indexOf(first), 1);
  const again = await daemonOnSameState();
  assert.equal(await turn(clientOf(again), 'third turn e2e-s3', id), id);
  const third = upstreamWith('e2e-s3');
  assert.equal(third.length, 5, JSON.stringify(third));
  assert.match(JSON.stringify(third[0]), /first turn e2e-s1/);
  assert.match(JSON.stringify(third[2]), /second turn e2e-s2/);
});
