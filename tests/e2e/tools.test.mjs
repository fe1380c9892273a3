// Client-defined tools end to end: the official `openai` and `@anthropic-ai/sdk` clients
// against claude-harnessd, whose backend is the REAL Claude Code CLI talking to the mock
// upstream. The daemon offers the request's tools to the CLI through its MCP bridge; the mock
// calls one (MOCK[tool=...] marker) and the call must come back to the client as tool_calls
// or a tool_use block; the follow-up request with the tool's result must reach upstream.
// Run: CH_DAEMON_BINARY=... node --test tests/e2e/tools.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startDaemon, realCliBackend } from './harness.mjs';
import { toolMarker, TOOL_TEXT, REPLY_TEXT } from './mock_anthropic.mjs';

const INPUT = { city: 'Paris', days: [1, 2], units: 'metric' };
const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'array', items: { type: 'integer' } }, units: { type: 'string' } },
  required: ['city'],
};

let mock;
let daemon;
let openai;
let anthropic;
let home;

before(async () => {
  let claude, env;
  ({ claude, mock, home, env } = await realCliBackend());
  daemon = await startDaemon({ claude, pidDir: false, env });
  openai = new OpenAI({ baseURL: `${daemon.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 120_000 });
  anthropic = new Anthropic({ baseURL: daemon.baseUrl, apiKey: 'unused', maxRetries: 0, timeout: 120_000 });
});

after(async () => {
  try {
    if (daemon) await daemon.stop(); // fails when a CLI or bridge process is left behind
  } finally {
    if (mock) await mock.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }
});

/** The upstream requests whose messages mention `needle`. */
function upstreamWith(needle) {
  return mock.messages().filter((r) => JSON.stringify(r.body?.messages ?? []).includes(needle));
}

/** The one upstream request that asked for a tool call with `needle` in its prompt. */
function upstreamToolRequest(needle) {
  const hits = upstreamWith(needle);
  // Exactly one: the CLI was stopped at the call instead of going on with a refusal.
  assert.equal(hits.length, 1, `expected one upstream request for ${needle}, got ${hits.length}`);
  assert.ok(hits[0].toolCall, 'the upstream request did not ask for the tool');
  return hits[0];
}

function openaiTools(name) {
  return [{ type: 'function', function: { name, description: 'The weather in a city', parameters: SCHEMA } }];
}

function checkOfferedTool(req, name) {
  const offered = (req.body.tools ?? []).find((t) => t.name === `mcp__client__${name}`);
  assert.ok(offered, `upstream was not offered mcp__client__${name}: ${JSON.stringify(req.body.tools)}`);
  assert.equal(offered.description, 'The weather in a city');
  assert.deepEqual(offered.input_schema, SCHEMA);
  // Only the client's tools: no built-in tool of the CLI.
  assert.deepEqual(req.body.tools.map((t) => t.name), [`mcp__client__${name}`]);
}

async function openaiFollowUp(name, prompt, call, result) {
  const c = await openai.chat.completions.create({
    model: 'claude-sonnet',
    tools: openaiTools(name),
    messages: [
      { role: 'user', content: prompt },
      { role: 'assistant', content: TOOL_TEXT, tool_calls: [{ id: call.id, type: 'function', function: call.function }] },
      { role: 'tool', tool_call_id: call.id, content: result },
    ],
  });
  assert.equal(c.choices[0].finish_reason, 'stop');
  assert.equal(c.choices[0].message.content, REPLY_TEXT);
  const [req] = upstreamWith(result);
  assert.ok(req, 'the tool result never reached upstream');
  const text = JSON.stringify(req.body.messages);
  assert.ok(text.includes(`tool_call_id=\\"${call.id}\\"`), 'the result does not name its call');
}

test('openai: non-streaming tool call and the result round trip', async () => {
  const prompt = `Weather please. ${toolMarker('get_weather_a', INPUT)}`;
  const c = await openai.chat.completions.create({
    model: 'claude-sonnet',
    tools: openaiTools('get_weather_a'),
    tool_choice: 'auto',
    messages: [{ role: 'user', content: prompt }],
  });
  const choice = c.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, TOOL_TEXT);
  assert.equal(choice.message.tool_calls.length, 1);
  const call = choice.message.tool_calls[0];
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather_a');
  assert.deepEqual(JSON.parse(call.function.arguments), INPUT);
  assert.match(call.id, /^toolu_mock_/);
  checkOfferedTool(upstreamToolRequest('get_weather_a'), 'get_weather_a');
  await openaiFollowUp('get_weather_a', prompt, call, 'Sunny, 24 degrees (result A)');
});

test('openai: streamed tool call arguments accumulate to the input', async () => {
  const prompt = `Weather please. ${toolMarker('get_weather_b', INPUT)}`;
  const stream = await openai.chat.completions.create({
    model: 'claude-sonnet',
    stream: true,
    tools: openaiTools('get_weather_b'),
    messages: [{ role: 'user', content: prompt }],
  });
  let content = '';
  let finish = null;
  const calls = [];
  let fragments = 0;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.delta.content) content += choice.delta.content;
    for (const d of choice.delta.tool_calls ?? []) {
      if (d.id) calls[d.index] = { id: d.id, function: { name: d.function.name, arguments: '' } };
      if (d.function?.arguments) {
        calls[d.index].function.arguments += d.function.arguments;
        fragments += 1;
      }
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  assert.equal(finish, 'tool_calls');
  assert.equal(content, TOOL_TEXT);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].function.name, 'get_weather_b');
  assert.deepEqual(JSON.parse(calls[0].function.arguments), INPUT);
  assert.ok(fragments >= 2, `arguments came in ${fragments} fragment(s), not incrementally`);
  checkOfferedTool(upstreamToolRequest('get_weather_b'), 'get_weather_b');
  await openaiFollowUp('get_weather_b', prompt, calls[0], 'Rainy, 12 degrees (result B)');
});

function anthropicTools(name) {
  return [{ name, description: 'The weather in a city', input_schema: SCHEMA }];
}

async function anthropicFollowUp(name, prompt, toolUse, result) {
  const m = await anthropic.messages.create({
    model: 'claude-sonnet',
    max_tokens: 1024,
    tools: anthropicTools(name),
    messages: [
      { role: 'user', content: prompt },
      { role: 'assistant', content: [{ type: 'text', text: TOOL_TEXT }, toolUse] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: result }] },
    ],
  });
  assert.equal(m.stop_reason, 'end_turn');
  assert.deepEqual(m.content, [{ type: 'text', text: REPLY_TEXT }]);
  assert.equal(upstreamWith(result).length, 1, 'the tool result never reached upstream');
}

test('anthropic: non-streaming tool_use block and the tool_result round trip', async () => {
  const prompt = `Weather please. ${toolMarker('get_weather_c', INPUT)}`;
  const m = await anthropic.messages.create({
    model: 'claude-sonnet',
    max_tokens: 1024,
    tools: anthropicTools('get_weather_c'),
    tool_choice: { type: 'auto' },
    messages: [{ role: 'user', content: prompt }],
  });
  assert.equal(m.stop_reason, 'tool_use');
  assert.equal(m.content.length, 2);
  assert.deepEqual(m.content[0], { type: 'text', text: TOOL_TEXT });
  const toolUse = m.content[1];
  assert.equal(toolUse.type, 'tool_use');
  assert.equal(toolUse.name, 'get_weather_c');
  assert.deepEqual(toolUse.input, INPUT);
  checkOfferedTool(upstreamToolRequest('get_weather_c'), 'get_weather_c');
  await anthropicFollowUp('get_weather_c', prompt, toolUse, 'Foggy, 8 degrees (result C)');
});

test('anthropic: messages.stream() delivers input_json_delta and the final tool_use', async () => {
  const prompt = `Weather please. ${toolMarker('get_weather_d', INPUT)}`;
  const stream = anthropic.messages.stream({
    model: 'claude-sonnet',
    max_tokens: 1024,
    tools: anthropicTools('get_weather_d'),
    messages: [{ role: 'user', content: prompt }],
  });
  const partials = [];
  const starts = [];
  stream.on('streamEvent', (event) => {
    if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') partials.push(event.delta.partial_json);
    if (event.type === 'content_block_start') starts.push([event.index, event.content_block.type]);
  });
  const m = await stream.finalMessage();
  assert.deepEqual(starts, [[0, 'text'], [1, 'tool_use']]);
  assert.ok(partials.length >= 2, `input came in ${partials.length} fragment(s)`);
  assert.deepEqual(JSON.parse(partials.join('')), INPUT);
  assert.equal(m.stop_reason, 'tool_use');
  assert.deepEqual(m.content[0], { type: 'text', text: TOOL_TEXT });
  assert.equal(m.content[1].type, 'tool_use');
  assert.equal(m.content[1].name, 'get_weather_d');
  assert.deepEqual(m.content[1].input, INPUT);
  checkOfferedTool(upstreamToolRequest('get_weather_d'), 'get_weather_d');
  await anthropicFollowUp('get_weather_d', prompt, m.content[1], 'Windy, 15 degrees (result D)');
});

test('forced tool_choice is refused with a 400 in both dialects', async () => {
  await assert.rejects(
    openai.chat.completions.create({
      model: 'claude-sonnet',
      tools: openaiTools('get_weather_e'),
      tool_choice: 'required',
      messages: [{ role: 'user', content: 'hi' }],
    }),
    (err) => err.status === 400 && /cannot be made to call a tool/.test(err.message),
  );
  await assert.rejects(
    anthropic.messages.create({
      model: 'claude-sonnet',
      max_tokens: 100,
      tools: anthropicTools('get_weather_e'),
      tool_choice: { type: 'tool', name: 'get_weather_e' },
      messages: [{ role: 'user', content: 'hi' }],
    }),
    (err) => err.status === 400 && /cannot be made to call a tool/.test(err.message),
  );
});
