// Agent mode end to end with the REAL Claude Code CLI against the mock upstream: the mock asks
// for the Bash tool (MOCK[bash=<command>]); the command runs in the directory the request
// chose, the jobs API's event stream carries the CLI's tool_use and tool_result lines, the
// OpenAI and Anthropic answers hold only the model's final words with the activity summarised
// in a separate "agent" member, and cancelling a job whose command left a detached process
// behind leaves nothing running.
// Run: CH_DAEMON_BINARY=... node --test tests/e2e/agent.test.mjs
// When the CLI is missing every test fails (never skips) with a message saying so.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startDaemon, realCliBackend, pidAlive } from './harness.mjs';
import { AGENT_NARRATION, AGENT_FINAL_TEXT } from './mock_anthropic.mjs';

let mock;
let daemon;
let root;
let home;

function freshDir(name) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  return dir;
}

async function jobsPost(body) {
  const res = await fetch(`${daemon.baseUrl}/v1/jobs`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json()).id;
}

async function jobGet(id) {
  return (await fetch(`${daemon.baseUrl}/v1/jobs/${id}`)).json();
}

/** The whole event stream of a job (it ends after the job has). */
async function jobEvents(id) {
  const text = await (await fetch(`${daemon.baseUrl}/v1/jobs/${id}/events`)).text();
  return text.split('\n\n').filter((b) => b.includes('data: ')).map((b) => {
    const event = /^event: (.*)$/m.exec(b)?.[1] ?? '';
    return { event, data: JSON.parse(/^data: (.*)$/m.exec(b)[1]) };
  });
}

/** Waits (on the event stream, which ends with the job) for the outcome. */
async function finished(id) {
  const events = await jobEvents(id);
  const outcome = events.at(-1);
  assert.equal(outcome.event, 'outcome');
  return { job: outcome.data, events };
}

before(async () => {
  let claude, env;
  ({ claude, mock, home, env } = await realCliBackend());
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ch-e2e-agent-')));
  daemon = await startDaemon({
    claude,
    pidDir: false,
    // Bash runs as this test's user (root here); the CLI refuses nothing for that in acceptEdits.
    env,
    models: [
      { id: 'claude-sonnet', aliases: ['sonnet'], cli_model: 'sonnet', provider: 'default' },
      {
        id: 'agent', cli_model: 'sonnet', provider: 'default',
        agent: { tools: ['Bash', 'Read'], permission_mode: 'acceptEdits', max_turns: 4, allowed_roots: [root] },
      },
    ],
  });
});

after(async () => {
  await daemon?.stop();
  await mock?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

test('a Bash command runs in the chosen directory; events show the tool, the answer only the final text', async () => {
  const dir = freshDir('jobs');
  const id = await jobsPost({ model: 'agent', cwd: dir, prompt: 'MOCK[bash=echo agent-ran > marker.txt]' });
  const { job, events } = await finished(id);
  assert.equal(job.status, 'succeeded', JSON.stringify(job));
  assert.equal(fs.readFileSync(path.join(dir, 'marker.txt'), 'utf8'), 'agent-ran\n');
  assert.equal(job.result, AGENT_FINAL_TEXT);
  assert.deepEqual(job.agent.tool_uses, [{ name: 'Bash', is_error: false }]);
  assert.equal(job.agent.directory, dir);
  assert.equal(job.agent.turns, 2);
  const lines = events.filter((e) => e.event === '').map((e) => e.data);
  const toolUse = lines.find((l) => l.type === 'assistant' && l.message.content.some((b) => b.type === 'tool_use'));
  assert.ok(toolUse, 'no tool_use line in the events');
  assert.equal(toolUse.message.content.find((b) => b.type === 'tool_use').input.command, 'echo agent-ran > marker.txt');
  const toolResult = lines.find((l) => l.type === 'user' && l.message.content.some((b) => b.type === 'tool_result'));
  assert.ok(toolResult, 'no tool_result line in the events');
  assert.equal(lines.find((l) => l.type === 'system' && l.subtype === 'init').cwd, dir);
});

test('OpenAI: the answer is the final text, the activity is in "agent"', async () => {
  const dir = freshDir('openai');
  const client = new OpenAI({ baseURL: `${daemon.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 120_000 });
  const completion = await client.chat.completions.create({
    model: 'agent', cwd: dir, messages: [{ role: 'user', content: 'MOCK[bash=echo openai > marker.txt]' }],
  });
  assert.equal(completion.choices[0].message.content, AGENT_FINAL_TEXT);
  assert.deepEqual(completion.agent.tool_uses, [{ name: 'Bash', is_error: false }]);
  assert.ok(fs.existsSync(path.join(dir, 'marker.txt')));

  // Streamed: the narration before the tool call, a blank line, the final text; no tool input
  // or output.
  const stream = await client.chat.completions.create({
    model: 'agent', stream: true, messages: [{ role: 'user', content: 'MOCK[bash=echo streamed-output]' }],
  }, { headers: { 'X-Claude-Working-Directory': dir } });
  let text = '';
  let last;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.choices[0]?.finish_reason) last = chunk;
  }
  assert.equal(text, `${AGENT_NARRATION}\n\n${AGENT_FINAL_TEXT}`);
  assert.ok(!text.includes('streamed-output'));
  assert.deepEqual(last.agent.tool_uses, [{ name: 'Bash', is_error: false }]);
});

test('Anthropic: the message holds the final text, the activity is in "agent"', async () => {
  const dir = freshDir('anthropic');
  const client = new Anthropic({ baseURL: daemon.baseUrl, apiKey: 'unused', maxRetries: 0, timeout: 120_000 });
  const message = await client.messages.create({
    model: 'agent', max_tokens: 1000, messages: [{ role: 'user', content: 'MOCK[bash=echo anthropic > marker.txt]' }],
  }, { headers: { 'X-Claude-Working-Directory': dir } });
  assert.deepEqual(message.content.map((b) => b.type), ['text']);
  assert.equal(message.content[0].text, AGENT_FINAL_TEXT);
  assert.deepEqual(message.agent.tool_uses, [{ name: 'Bash', is_error: false }]);
  assert.ok(fs.existsSync(path.join(dir, 'marker.txt')));

  const events = [];
  const stream = client.messages.stream({
    model: 'agent', max_tokens: 1000, messages: [{ role: 'user', content: 'MOCK[bash=echo streamed-output]' }],
  }, { headers: { 'X-Claude-Working-Directory': dir } });
  for await (const event of stream) events.push(event);
  const text = events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta.text).join('');
  assert.equal(text, `${AGENT_NARRATION}\n\n${AGENT_FINAL_TEXT}`);
  const delta = events.find((e) => e.type === 'message_delta');
  assert.deepEqual(delta.agent.tool_uses, [{ name: 'Bash', is_error: false }]);
});

test('a directory outside the allowed roots is refused with 400', async () => {
  const res = await fetch(`${daemon.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'agent', cwd: os.tmpdir(), messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error.message, /outside the allowed roots/);
});

test('cancelling a job whose command detached a process leaves nothing running', async () => {
  const dir = freshDir('cancel');
  // The first command detaches a sleep in a session of its own and records its pid, then the
  // tool call waits long enough to be cancelled while running.
  const id = await jobsPost({
    model: 'agent', cwd: dir,
    prompt: 'MOCK[bash=setsid sleep 300 > /dev/null 2>&1 < /dev/null & echo $! > sleep.pid; sleep 120]',
  });
  const pidFile = path.join(dir, 'sleep.pid');
  const deadline = Date.now() + 60_000;
  // The CLI writes no event until the tool ends; the pid file is what shows the command ran.
  while (!(fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  assert.ok(pid > 0 && pidAlive(pid), 'the detached sleep did not start');
  const res = await fetch(`${daemon.baseUrl}/v1/jobs/${id}`, { method: 'DELETE' });
  assert.equal(res.status, 200);
  const { job } = await finished(id);
  assert.equal(job.status, 'cancelled');
  assert.ok(!pidAlive(pid), `the detached sleep ${pid} outlived the cancelled job`);
});
