// The official `openai` client against claude-harnessd running fake-claude.
// Run: CH_DAEMON_BINARY=... CH_FAKE_CLAUDE=... node --test tests/e2e/openai_sdk.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startDaemon, fakeClaudePath } from './harness.mjs';

const TEXT = 'Hello from the fake.';
// fake-claude's usage: input 11, cache_creation 17, cache_read 13, output 5.
const PROMPT_TOKENS = 11 + 13 + 17;
const CACHED_TOKENS = 13;
const COMPLETION_TOKENS = 5;

let daemon;
let client;

before(async () => {
  daemon = await startDaemon({
    claude: fakeClaudePath(),
    // The daemon refuses a provider with no Claude login; an API key in the env counts.
    env: { ANTHROPIC_API_KEY: 'sk-test-dummy' },
  });
  // maxRetries 0: a 429 or 5xx must surface as is, not be retried by the SDK.
  client = new OpenAI({ baseURL: `${daemon.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 60_000 });
});

after(async () => {
  if (daemon) await daemon.stop();
});

// A usage limit cools the only login down for later requests: such tests get a daemon of their
// own so the shared one stays usable.
async function withOwnDaemon(fn) {
  const own = await startDaemon({ claude: fakeClaudePath(), env: { ANTHROPIC_API_KEY: 'sk-test-dummy' } });
  try {
    await fn(new OpenAI({ baseURL: `${own.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 60_000 }));
  } finally {
    await own.stop();
  }
}

function header(err, name) {
  const h = err.headers;
  if (!h) return undefined;
  if (typeof h.get === 'function') return h.get(name) ?? undefined;
  return h[name] ?? h[name.toLowerCase()];
}

test('non-streaming chat completion', async () => {
  const before_s = Math.floor(Date.now() / 1000);
  const r = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(typeof r.id, 'string');
  assert.ok(r.id.length > 0, 'id is empty');
  assert.equal(r.object, 'chat.completion');
  assert.equal(typeof r.created, 'number');
  assert.ok(Math.abs(r.created - before_s) < 120, `created ${r.created} is not now (${before_s})`);
  assert.equal(typeof r.model, 'string');
  assert.ok(r.model.length > 0, 'model is empty');
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].index, 0);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(r.choices[0].message.content, TEXT);
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.equal(r.usage.prompt_tokens, PROMPT_TOKENS);
  assert.equal(r.usage.prompt_tokens_details?.cached_tokens, CACHED_TOKENS);
  assert.equal(r.usage.completion_tokens, COMPLETION_TOKENS);
  assert.equal(r.usage.total_tokens, PROMPT_TOKENS + COMPLETION_TOKENS);
});

test('the model alias is accepted', async () => {
  const r = await client.chat.completions.create({
    model: 'sonnet',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(r.choices[0].message.content, TEXT);
});

test('streaming chat completion with include_usage', async () => {
  const stream = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.length >= 3, `only ${chunks.length} chunks`);

  const ids = new Set(chunks.map((c) => c.id));
  assert.equal(ids.size, 1, `chunk ids differ: ${[...ids]}`);
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(typeof c.created, 'number');
    assert.equal(typeof c.model, 'string');
  }

  // The role comes first, before any content.
  const first = chunks[0];
  assert.equal(first.choices.length, 1);
  assert.equal(first.choices[0].delta.role, 'assistant');

  const contentChunks = chunks.filter((c) => c.choices.length > 0 && typeof c.choices[0].delta.content === 'string'
    && c.choices[0].delta.content.length > 0);
  assert.ok(contentChunks.length >= 2, `the reply was not streamed in pieces (${contentChunks.length} content chunks)`);
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  assert.equal(text, TEXT);

  const finishes = chunks.filter((c) => c.choices.length > 0 && c.choices[0].finish_reason);
  assert.equal(finishes.length, 1, 'exactly one chunk carries finish_reason');
  assert.equal(finishes[0].choices[0].finish_reason, 'stop');

  // The usage chunk is last, with an empty choices array; the others carry no usage.
  const last = chunks[chunks.length - 1];
  assert.deepEqual(last.choices, []);
  assert.ok(last.usage, 'the last chunk has no usage');
  assert.equal(last.usage.prompt_tokens, PROMPT_TOKENS);
  assert.equal(last.usage.prompt_tokens_details?.cached_tokens, CACHED_TOKENS);
  assert.equal(last.usage.completion_tokens, COMPLETION_TOKENS);
  assert.equal(last.usage.total_tokens, PROMPT_TOKENS + COMPLETION_TOKENS);
  for (const c of chunks.slice(0, -1)) assert.ok(c.usage == null, 'usage on a chunk before the last');
  assert.ok(chunks.indexOf(finishes[0]) < chunks.length - 1, 'finish_reason must come before the usage chunk');
});

test('streaming without include_usage sends no usage chunk', async () => {
  const stream = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), TEXT);
  for (const c of chunks) {
    assert.ok(c.usage == null, 'usage sent without stream_options.include_usage');
    assert.equal(c.choices.length, 1, 'a chunk without a choice was sent');
  }
});

test('models.list() contains the configured model', async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    assert.equal(m.object, 'model');
    ids.push(m.id);
  }
  assert.ok(ids.includes('claude-sonnet'), `models: ${JSON.stringify(ids)}`);
});

test('an unknown model is a NotFoundError', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
    (err) => {
      assert.ok(err instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${err?.constructor?.name}: ${err?.message}`);
      assert.equal(err.status, 404);
      return true;
    },
  );
});

test('a usage limit is a RateLimitError with retry-after', () => withOwnDaemon(async (client) => {
  await assert.rejects(
    client.chat.completions.create({
      model: 'claude-sonnet',
      messages: [{ role: 'user', content: 'hi FAKE[usage_limit]' }],
    }),
    (err) => {
      assert.ok(err instanceof OpenAI.RateLimitError, `expected RateLimitError, got ${err?.constructor?.name}: ${err?.message}`);
      assert.equal(err.status, 429);
      const ra = header(err, 'retry-after');
      assert.ok(ra !== undefined, 'no retry-after header');
      assert.match(ra, /^\d+$/, `retry-after is not delta-seconds: ${ra}`);
      const secs = Number(ra);
      // "resets 4pm (UTC)": the next 16:00 UTC is at most a day away.
      assert.ok(secs > 0 && secs <= 86400, `retry-after ${secs} is not within (0, 86400]`);
      assert.match(err.message, /session limit/);
      return true;
    },
  );
}));

test('a streaming usage limit is a RateLimitError too', () => withOwnDaemon(async (client) => {
  await assert.rejects(
    (async () => {
      const stream = await client.chat.completions.create({
        model: 'claude-sonnet',
        messages: [{ role: 'user', content: 'hi FAKE[usage_limit]' }],
        stream: true,
      });
      for await (const chunk of stream) void chunk;
    })(),
    (err) => {
      assert.ok(err instanceof OpenAI.RateLimitError, `expected RateLimitError, got ${err?.constructor?.name}: ${err?.message}`);
      assert.ok(header(err, 'retry-after') !== undefined, 'no retry-after header');
      return true;
    },
  );
}));

test('a CLI crash mid-stream raises an error in the iterator after the first deltas', async () => {
  const stream = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [{ role: 'user', content: 'hi FAKE[crash_after=2,delay_ms=50]' }],
    stream: true,
  });
  let text = '';
  let finish = null;
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
    })(),
    (err) => {
      assert.ok(err instanceof OpenAI.APIError, `expected an APIError from the SSE error event, got ${err?.constructor?.name}: ${err?.message}`);
      return true;
    },
  );
  assert.equal(text, 'Hello from', 'the deltas before the crash were not delivered');
  assert.notEqual(finish, 'stop', 'a crashed stream must not end with finish_reason stop');
});

test('a system prompt reaches the CLI through initialize', async () => {
  const r = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [
      { role: 'system', content: 'You are a pirate.' },
      { role: 'user', content: 'FAKE[echo_system]' },
    ],
  });
  assert.equal(r.choices[0].message.content, 'You are a pirate.');
});

test('a single user message reaches the CLI byte for byte', async () => {
  const content = 'héllo 世界 🎉 "quoted" \\ back\nslash\ttab FAKE[echo]';
  const r = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [{ role: 'user', content }],
  });
  assert.equal(r.choices[0].message.content, content);
});

test('multi-byte characters split across reads survive streaming', async () => {
  const stream = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [{ role: 'user', content: 'FAKE[utf8_split]' }],
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'héllo 世界 🎉 ok');
});

test('max_tokens maps to finish_reason length', async () => {
  const r = await client.chat.completions.create({
    model: 'claude-sonnet',
    messages: [{ role: 'user', content: 'FAKE[max_tokens]' }],
  });
  assert.equal(r.choices[0].message.content, TEXT);
  assert.equal(r.choices[0].finish_reason, 'length');
});
