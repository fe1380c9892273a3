// End to end with the REAL Claude Code CLI (tests/e2e/node_modules, installed by
// `npm ci` in tests/e2e) against a mock of the Anthropic Messages API:
//   openai client -> claude-harnessd -> claude -p ... -> mock_anthropic.mjs
// Run: CH_DAEMON_BINARY=... node --test tests/e2e/claude_cli.test.mjs
// When the CLI is missing every test fails (never skips) with a message saying so.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import OpenAI from 'openai';
import { startDaemon, realCliBackend } from './harness.mjs';
import { REPLY_TEXT, USAGE } from './mock_anthropic.mjs';

const PROMPT_TOKENS = USAGE.input_tokens + USAGE.cache_read_input_tokens + USAGE.cache_creation_input_tokens;
const CACHED_TOKENS = USAGE.cache_read_input_tokens;
const COMPLETION_TOKENS = USAGE.output_tokens;

let mock;
let daemon;
let client;
let home;

before(async () => {
  let claude, env;
  ({ claude, mock, home, env } = await realCliBackend());
  daemon = await startDaemon({ claude, pidDir: false, env });
  client = new OpenAI({ baseURL: `${daemon.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 120_000 });
});

after(async () => {
  try {
    if (daemon) await daemon.stop();
  } finally {
    if (mock) {
      if (mock.unknown.length > 0) {
        process.stderr.write(`mock upstream got requests it does not know:\n${mock.unknown.map((r) => `${r.method} ${r.path}${r.query}`).join('\n')}\n`);
      }
      await mock.close();
    }
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }
});

/** The upstream POST /v1/messages whose messages mention `needle` (exactly one is expected). */
function upstreamRequestWith(needle) {
  const hits = mock.messages().filter((r) => JSON.stringify(r.body?.messages ?? []).includes(needle));
  assert.equal(hits.length, 1,
    `expected one upstream request containing ${JSON.stringify(needle)}, got ${hits.length}; upstream saw:\n` +
    mock.requests.map((r) => `${r.method} ${r.path}${r.query} ${r.raw.slice(0, 300)}`).join('\n'));
  return hits[0];
}

/** All text of an upstream messages array, block by block. */
function upstreamTexts(messages) {
  const out = [];
  for (const m of messages) {
    if (typeof m.content === 'string') out.push(m.content);
    else for (const b of m.content ?? []) if (typeof b.text === 'string') out.push(b.text);
  }
  return out;
}

function assertSystemBlock(req, systemText) {
  const system = req.body.system;
  const blocks = typeof system === 'string' ? [system] : (system ?? []).map((b) => b.text);
  assert.ok(blocks.includes(systemText),
    `the client's system prompt is not one of the upstream system blocks:\n${JSON.stringify(blocks, null, 1).slice(0, 2000)}`);
}

function assertUsage(usage) {
  assert.ok(usage, 'no usage');
  assert.equal(usage.prompt_tokens, PROMPT_TOKENS, 'prompt_tokens = input + cache_read + cache_creation');
  assert.equal(usage.prompt_tokens_details?.cached_tokens, CACHED_TOKENS, 'cached_tokens = cache_read');
  assert.equal(usage.completion_tokens, COMPLETION_TOKENS);
  assert.equal(usage.total_tokens, PROMPT_TOKENS + COMPLETION_TOKENS);
}

test('non-streaming completion through the real CLI', async () => {
  const tag = crypto.randomUUID();
  const systemText = `You are a careful test assistant ${tag}.`;
  const userText = `Say hello, request ${tag}.`;
  const r = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [
      { role: 'system', content: systemText },
      { role: 'user', content: userText },
    ],
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(r.choices[0].message.content, REPLY_TEXT);
  assert.equal(r.choices[0].finish_reason, 'stop');
  assertUsage(r.usage);

  const req = upstreamRequestWith(userText);
  assert.equal(req.body.stream, true, 'the CLI streams from upstream');
  assertSystemBlock(req, systemText);
  assert.ok(upstreamTexts(req.body.messages).includes(userText),
    `the user message did not reach upstream as one text block: ${JSON.stringify(req.body.messages).slice(0, 2000)}`);
  assert.equal(req.headers['x-api-key'], 'sk-test-dummy');
});

test('streaming completion through the real CLI', async () => {
  const tag = crypto.randomUUID();
  const systemText = `You answer briefly ${tag}.`;
  const userText = `Stream a greeting, request ${tag}.`;
  const stream = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [
      { role: 'system', content: systemText },
      { role: 'user', content: userText },
    ],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.equal(chunks[0].choices[0]?.delta?.role, 'assistant', 'the first chunk carries the role');
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  assert.equal(text, REPLY_TEXT);
  const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
  assert.equal(finishes.length, 1);
  assert.equal(finishes[0].choices[0].finish_reason, 'stop');
  const last = chunks[chunks.length - 1];
  assert.deepEqual(last.choices, []);
  assertUsage(last.usage);

  const req = upstreamRequestWith(userText);
  assertSystemBlock(req, systemText);
});

test('a multi-turn history and the system prompt all reach upstream', async () => {
  const tag = crypto.randomUUID();
  const systemText = `You are the history test assistant ${tag}.`;
  const history = [
    { role: 'user', content: `First question about apples ${tag}?` },
    { role: 'assistant', content: `First answer: apples are red ${tag}.` },
    { role: 'user', content: `Second question about pears ${tag}?` },
  ];
  const r = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [{ role: 'system', content: systemText }, ...history],
  });
  assert.equal(r.choices[0].message.content, REPLY_TEXT);
  assertUsage(r.usage);

  const req = upstreamRequestWith(history[2].content);
  assertSystemBlock(req, systemText);
  const all = upstreamTexts(req.body.messages).join('\n');
  for (const m of history) {
    assert.ok(all.includes(m.content),
      `the ${m.role} message ${JSON.stringify(m.content)} did not reach upstream:\n${all.slice(0, 3000)}`);
  }
  // Order is kept: the first question before the answer before the second question.
  const positions = history.map((m) => all.indexOf(m.content));
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, `history order changed: ${positions}`);
});

test('without a system message the CLI default prompt is not sent', async () => {
  const tag = crypto.randomUUID();
  const userText = `No system prompt here ${tag}.`;
  const r = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [{ role: 'user', content: userText }],
  });
  assert.equal(r.choices[0].message.content, REPLY_TEXT);
  const req = upstreamRequestWith(userText);
  const blocks = (req.body.system ?? []).map((b) => b.text);
  // The CLI always sends its billing header and identity line; its ~25 KB
  // default coding-agent prompt must not be there.
  const total = blocks.reduce((n, t) => n + t.length, 0);
  assert.ok(total < 1000, `the upstream system prompt is ${total} chars: ${JSON.stringify(blocks).slice(0, 500)}`);
});
