// The official `@anthropic-ai/sdk` client against claude-harnessd's /v1/messages, running
// fake-claude.
// Run: CH_DAEMON_BINARY=... CH_FAKE_CLAUDE=... node --test tests/e2e/anthropic_sdk.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startDaemon, fakeClaudePath } from './harness.mjs';

const TEXT = 'Hello from the fake.';
// fake-claude's usage: input 11, cache_creation 17, cache_read 13, output 5.
const USAGE = { input_tokens: 11, cache_creation_input_tokens: 17, cache_read_input_tokens: 13, output_tokens: 5 };
// A 1x1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

// Started at module load (top-level await), stopped after the last test. The API key in the
// provider env is the login the daemon requires; maxRetries 0 makes a 429 or 5xx surface as is.
const daemon = await startDaemon({ claude: fakeClaudePath(), env: { ANTHROPIC_API_KEY: 'sk-test-dummy' } });
after(() => daemon.stop());
const client = new Anthropic({ baseURL: daemon.baseUrl, apiKey: 'unused', maxRetries: 0, timeout: 60_000 });

function pickUsage(u) {
  return {
    input_tokens: u.input_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens,
    cache_read_input_tokens: u.cache_read_input_tokens,
    output_tokens: u.output_tokens,
  };
}

async function expectError(promise, cls, status) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.status, status);
    assert.equal(err.error?.type, 'error', JSON.stringify(err.error));
    return true;
  });
}

test('non-streaming message', async () => {
  const m = await client.messages.create({
    model: 'claude-sonnet',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.match(m.id, /^msg_/);
  assert.equal(m.type, 'message');
  assert.equal(m.role, 'assistant');
  assert.equal(m.model, 'claude-sonnet');
  assert.deepEqual(m.content, [{ type: 'text', text: TEXT }]);
  assert.equal(m.stop_reason, 'end_turn');
  assert.equal(m.stop_sequence, null);
  assert.deepEqual(pickUsage(m.usage), USAGE);
});

test('messages.stream() collects the text and the final message', async () => {
  const stream = client.messages.stream({
    model: 'sonnet',
    max_tokens: 1024,
    system: [{ type: 'text', text: 'be brief' }],
    messages: [{ role: 'user', content: 'hi' }],
  });
  let text = '';
  stream.on('text', (delta) => {
    text += delta;
  });
  const final = await stream.finalMessage();
  assert.equal(text, TEXT);
  assert.deepEqual(final.content, [{ type: 'text', text: TEXT }]);
  assert.equal(final.stop_reason, 'end_turn');
  assert.deepEqual(pickUsage(final.usage), USAGE);
});

test('thinking arrives as a thinking block before the text', async () => {
  const final = await client.messages.stream({
    model: 'claude-sonnet',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'FAKE[thinking]' }],
  }).finalMessage();
  assert.deepEqual(final.content.map((b) => b.type), ['thinking', 'text']);
  assert.ok(final.content[0].thinking.length > 0);
  assert.equal(final.content[1].text, TEXT);
});

test('an image block reaches the CLI', async () => {
  const m = await client.messages.create({
    model: 'claude-sonnet',
    max_tokens: 1024,
    messages: [{
      role: 'user',
      content: [
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        { type: 'text', text: 'FAKE[echo]' },
      ],
    }],
  });
  const echoed = JSON.parse(m.content[0].text);
  assert.equal(echoed[0].type, 'image');
  assert.equal(echoed[0].source.data, PNG);
});

test('a missing max_tokens is a BadRequestError', async () => {
  await expectError(
    client.messages.create({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    Anthropic.BadRequestError, 400);
});

test('an image URL is a BadRequestError naming the field', async () => {
  await assert.rejects(client.messages.create({
    model: 'claude-sonnet',
    max_tokens: 10,
    messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] }],
  }), (err) => {
    assert.ok(err instanceof Anthropic.BadRequestError, err?.message);
    assert.match(err.message, /messages\.0\.content\.0\.source\.type: image URLs are not supported/);
    return true;
  });
});

test('an unknown model is a NotFoundError', async () => {
  await expectError(
    client.messages.create({ model: 'gpt-4', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    Anthropic.NotFoundError, 404);
});

test('a usage limit is a RateLimitError with retry-after', async () => {
  // The limit cools the only login down: a daemon of its own keeps the shared one usable.
  const own = await startDaemon({ claude: fakeClaudePath(), env: { ANTHROPIC_API_KEY: 'sk-test-dummy' } });
  try {
    const limited = new Anthropic({ baseURL: own.baseUrl, apiKey: 'unused', maxRetries: 0 });
    await assert.rejects(limited.messages.create({
      model: 'claude-sonnet',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'FAKE[usage_limit]' }],
    }), (err) => {
      assert.ok(err instanceof Anthropic.RateLimitError, `got ${err?.constructor?.name}: ${err?.message}`);
      assert.equal(err.status, 429);
      assert.equal(err.error.error.type, 'rate_limit_error');
      assert.match(err.headers.get('retry-after') ?? '', /^\d+$/);
      return true;
    });
  } finally {
    await own.stop();
  }
});

test('a CLI error is an InternalServerError', async () => {
  await expectError(client.messages.create({
    model: 'claude-sonnet',
    max_tokens: 10,
    messages: [{ role: 'user', content: 'FAKE[error=500]' }],
  }), Anthropic.InternalServerError, 502);
});

test('a crash mid-stream raises an error after the first text', async () => {
  const stream = client.messages.stream({
    model: 'claude-sonnet',
    max_tokens: 10,
    messages: [{ role: 'user', content: 'FAKE[crash_after=2,delay_ms=300]' }],
  });
  let text = '';
  stream.on('text', (delta) => {
    text += delta;
  });
  await assert.rejects(stream.finalMessage(), (err) => {
    assert.ok(err instanceof Anthropic.APIError, `got ${err?.constructor?.name}: ${err?.message}`);
    return true;
  });
  assert.equal(text, 'Hello from');
});

test('models.list() answers in Anthropic\'s shape', async () => {
  const page = await client.models.list();
  const ids = page.data.map((m) => m.id);
  assert.deepEqual(ids, ['claude-sonnet']);
  assert.equal(page.data[0].type, 'model');
  assert.ok(!Number.isNaN(Date.parse(page.data[0].created_at)));
});
