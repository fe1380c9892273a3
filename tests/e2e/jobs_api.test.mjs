// Background jobs with plain fetch: start a job, follow its events, drop the connection
// half-way, resume with Last-Event-ID and check every event arrived exactly once.
// Run: CH_DAEMON_BINARY=... CH_FAKE_CLAUDE=... node --test tests/e2e/jobs_api.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, fakeClaudePath } from './harness.mjs';

let daemon;

before(async () => {
  daemon = await startDaemon({
    claude: fakeClaudePath(),
    env: { ANTHROPIC_API_KEY: 'sk-test-dummy' },
  });
});

after(async () => {
  if (daemon) await daemon.stop();
});

// Reads SSE events from a fetch response until it ends or `stopAfter` events were read.
async function readEvents(res, stopAfter = Infinity) {
  const events = [];
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(':')) continue;
      const e = { id: null, event: 'message', data: null };
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) e.id = Number(line.slice(4));
        else if (line.startsWith('event: ')) e.event = line.slice(7);
        else if (line.startsWith('data: ')) e.data = JSON.parse(line.slice(6));
      }
      events.push(e);
      if (events.length >= stopAfter) {
        await reader.cancel();  // drops the connection mid-stream
        return events;
      }
    }
  }
  assert.equal(buffer, '', 'the stream ended inside an event');
  return events;
}

function eventsUrl(id) {
  return `${daemon.baseUrl}/v1/jobs/${id}/events`;
}

test('a job followed across a dropped connection yields every event exactly once', async () => {
  const created = await fetch(`${daemon.baseUrl}/v1/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet', prompt: 'FAKE[delay_ms=150]' }),
  });
  assert.equal(created.status, 202);
  const { id, status } = await created.json();
  assert.match(id, /^[0-9a-f]+$/);
  assert.ok(['queued', 'running'].includes(status), status);

  const first = await readEvents(await fetch(eventsUrl(id)), 3);
  assert.deepEqual(first.map((e) => e.id), [1, 2, 3]);

  const resumed = await fetch(eventsUrl(id), { headers: { 'Last-Event-ID': '3' } });
  assert.equal(resumed.status, 200);
  assert.equal(resumed.headers.get('content-type'), 'text/event-stream');
  const rest = await readEvents(resumed);
  const outcome = rest.at(-1);
  assert.equal(outcome.event, 'outcome');
  assert.equal(outcome.data.status, 'succeeded');
  assert.equal(outcome.data.result, 'Hello from the fake.');

  const got = [...first, ...rest];
  assert.deepEqual(got.map((e) => e.id), got.map((_, i) => i + 1), 'ids 1..n without gaps or repeats');
  // The finished job replays the same stream from the start.
  const replay = await readEvents(await fetch(eventsUrl(id)));
  assert.deepEqual(replay, got);
  assert.ok(got.some((e) => e.data?.type === 'result'), 'the CLI result line is among the events');

  const job = await (await fetch(`${daemon.baseUrl}/v1/jobs/${id}`)).json();
  assert.equal(job.status, 'succeeded');
  assert.equal(job.usage.completion_tokens, 5);
});

test('an unknown job is a 404 in the OpenAI error shape', async () => {
  const res = await fetch(`${daemon.baseUrl}/v1/jobs/nosuchjob`);
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.code, 'job_not_found');
  assert.equal(body.error.type, 'not_found_error');
});
