// A mock of the Anthropic Messages API for end-to-end tests with the real
// Claude Code CLI.  node:http only, no dependencies.
//
// As a module:
//   import { startMockAnthropic } from './mock_anthropic.mjs';
//   const mock = await startMockAnthropic();   // { port, url, requests, unknown, close() }
//
// As a program (for probing by hand):
//   node mock_anthropic.mjs [--port N] [--log file.jsonl]
//   prints "listening <port>" on stdout, logs one JSON line per request to
//   stderr (or appends it to --log).
//
// Endpoints
//   HEAD (any path)                 200, empty (the CLI's preflight probe)
//   POST /v1/messages[?beta=true]   stream:true  -> SSE in the Messages API wire format
//                                   otherwise    -> a JSON message
//   POST /v1/messages/count_tokens  {"input_tokens": 42}
//   GET  /v1/models                 a one-model list
//   anything else                   404 with an Anthropic-style error body;
//                                   recorded in `unknown` and logged to stderr
//
// Tool use: when the last user message's text contains MOCK[tool=NAME {json}] and the
// request offers a tool whose name ends with NAME, the reply is a tool_use block calling
// that tool with that input (streamed as input_json_delta fragments), stop_reason tool_use.
// Not when a tool result follows the marker (a rendered tool_result turn of the harness's
// transcript, or tool_result blocks in the last message): then the reply is the text.
// TOOL_TEXT is said before the call; toolMarker(name, input) writes the marker.
//
// Every request is recorded as { seq, method, path, query, headers, body, raw }
// where body is the parsed JSON (or null).  The reply and usage numbers are
// exported as REPLY_TEXT and USAGE so tests can compare.

import http from 'node:http';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPLY_TEXT = 'Hello from the mock upstream.';
export const REPLY_DELTAS = ['Hello', ' from', ' the', ' mock', ' upstream.'];
export const USAGE = Object.freeze({
  input_tokens: 21,
  cache_creation_input_tokens: 4,
  cache_read_input_tokens: 8,
  output_tokens: 6,
});

export const TOOL_TEXT = 'Let me look that up.';
export const toolMarker = (name, input) => `MOCK[tool=${name} ${JSON.stringify(input)}]`;

function lastUserText(body) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user') return { text: '', results: false };
  if (typeof last.content === 'string') return { text: last.content, results: false };
  const blocks = Array.isArray(last.content) ? last.content : [];
  return {
    text: blocks.filter((b) => b.type === 'text').map((b) => b.text).join('\n'),
    results: blocks.some((b) => b.type === 'tool_result'),
  };
}

// The tool call the request asks for, or null: { name, input }.
export function wantedToolCall(body) {
  const { text, results } = lastUserText(body);
  if (results) return null;
  const at = text.lastIndexOf('MOCK[tool=');
  if (at < 0) return null;
  if (text.slice(at).includes('role="tool_result"')) return null;
  const m = /^MOCK\[tool=([A-Za-z0-9_-]+) (\{.*?\})\]/s.exec(text.slice(at));
  if (!m) return null;
  const tool = (body.tools ?? []).find((t) => typeof t.name === 'string' && t.name.endsWith(m[1]));
  if (!tool) return null;
  return { name: tool.name, input: JSON.parse(m[2]) };
}

// Cuts JSON text into three fragments, as the API streams input_json_delta.
function fragments(text) {
  const a = Math.floor(text.length / 3);
  const b = Math.floor((2 * text.length) / 3);
  return [text.slice(0, a), text.slice(a, b), text.slice(b)].filter((f) => f.length > 0);
}

function sse(res, event, data) {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function sendJson(res, status, obj, extraHeaders = {}) {
  const body = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

function sendToolUse(res, stream, id, model, call, toolId, reqId) {
  const usage = { ...USAGE };
  if (!stream) {
    sendJson(res, 200, {
      id, type: 'message', role: 'assistant', model,
      content: [{ type: 'text', text: TOOL_TEXT }, { type: 'tool_use', id: toolId, name: call.name, input: call.input }],
      stop_reason: 'tool_use', stop_sequence: null, usage,
    }, { 'request-id': reqId });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': reqId });
  sse(res, 'message_start', {
    type: 'message_start',
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: TOOL_TEXT } });
  sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
  sse(res, 'content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: toolId, name: call.name, input: {} } });
  for (const f of fragments(JSON.stringify(call.input))) {
    sse(res, 'content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: f } });
  }
  sse(res, 'content_block_stop', { type: 'content_block_stop', index: 1 });
  sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

// ----- agent mode: MOCK[bash=<command>] ------------------------------------------------------
// A last user message whose text holds MOCK[bash=<command>] (the command runs to the closing
// bracket) is answered with the text AGENT_NARRATION and a tool_use block for the Bash tool; the
// next request, whose last message carries the tool_result, with AGENT_FINAL_TEXT.

export const AGENT_NARRATION = 'Running the command.';
export const AGENT_FINAL_TEXT = 'The command has run.';

function lastUserBlocks(body) {
  const last = Array.isArray(body.messages) ? body.messages[body.messages.length - 1] : null;
  if (!last || last.role !== 'user') return [];
  return typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content ?? [];
}

/** The content blocks and stop reason of a scripted agent turn, or null for any other request. */
function agentScript(body) {
  const blocks = lastUserBlocks(body);
  if (blocks.some((b) => b.type === 'tool_result')) {
    const asked = (body.messages ?? []).some((m) => JSON.stringify(m.content ?? '').includes('MOCK[bash='));
    return asked ? { content: [{ type: 'text', text: AGENT_FINAL_TEXT }], stop_reason: 'end_turn' } : null;
  }
  for (const b of blocks) {
    const m = b.type === 'text' ? /MOCK\[bash=(.*)\]/s.exec(b.text) : null;
    if (m) {
      return {
        content: [
          { type: 'text', text: AGENT_NARRATION },
          { type: 'tool_use', id: `toolu_mock_${Date.now()}`, name: 'Bash', input: { command: m[1], description: 'run it' } },
        ],
        stop_reason: 'tool_use',
      };
    }
  }
  return null;
}

function sendScripted(res, reqId, id, model, script) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': reqId });
  sse(res, 'message_start', {
    type: 'message_start',
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null,
      usage: { input_tokens: USAGE.input_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } },
  });
  script.content.forEach((block, index) => {
    if (block.type === 'text') {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
    } else {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: script.stop_reason, stop_sequence: null }, usage: { output_tokens: USAGE.output_tokens } });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

/**
 * Start the mock.
 * @param {object} [opts]
 * @param {number} [opts.port=0]
 * @param {string} [opts.reply]         reply text (default REPLY_TEXT)
 * @param {string[]} [opts.deltas]      how the reply is cut into text_delta events
 * @param {(rec: object) => void} [opts.onRequest]  called for every recorded request
 * @returns {Promise<{port:number,url:string,requests:object[],unknown:object[],
 *                    messages:()=>object[],close:()=>Promise<void>}>}
 */
export async function startMockAnthropic(opts = {}) {
  const reply = opts.reply ?? REPLY_TEXT;
  const deltas = opts.deltas ?? (opts.reply ? [opts.reply] : REPLY_DELTAS);
  const requests = [];
  const unknown = [];
  let seq = 0;
  const sockets = new Set();

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = null;
        }
      }
      const url = new URL(req.url, 'http://mock');
      const rec = {
        seq: ++seq,
        t: Date.now() / 1000,
        method: req.method,
        path: url.pathname,
        query: url.search,
        headers: req.headers,
        body,
        raw,
      };
      requests.push(rec);
      if (opts.onRequest) opts.onRequest(rec);
      const reqId = `req_mock_${rec.seq}`;

      if (req.method === 'HEAD') {
        res.writeHead(200, { 'request-id': reqId });
        res.end();
        return;
      }
      if (req.method === 'POST' && url.pathname.endsWith('/v1/messages/count_tokens')) {
        sendJson(res, 200, { input_tokens: 42 }, { 'request-id': reqId });
        return;
      }
      if (req.method === 'GET' && url.pathname.endsWith('/v1/models')) {
        sendJson(res, 200, {
          data: [{ type: 'model', id: 'claude-sonnet-5', display_name: 'Claude Sonnet 5', created_at: '2026-01-01T00:00:00Z' }],
          has_more: false,
          first_id: 'claude-sonnet-5',
          last_id: 'claude-sonnet-5',
        }, { 'request-id': reqId });
        return;
      }
      if (req.method === 'POST' && url.pathname.endsWith('/v1/messages')) {
        if (!body || typeof body !== 'object') {
          sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'mock: body is not JSON' } },
            { 'request-id': reqId });
          return;
        }
        const id = `msg_mock_${rec.seq}`;
        const model = body.model ?? 'claude-sonnet-5';
        const call = wantedToolCall(body);
        if (call) {
          rec.toolCall = call;
          sendToolUse(res, body.stream === true, id, model, call, `toolu_mock_${rec.seq}`, reqId);
          return;
        }
        const script = body.stream === true ? agentScript(body) : null;
        if (script) {
          sendScripted(res, reqId, id, model, script);
          return;
        }
        if (body.stream === true) {
          res.writeHead(200, {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-cache',
            'request-id': reqId,
          });
          sse(res, 'message_start', {
            type: 'message_start',
            message: {
              id, type: 'message', role: 'assistant', model, content: [],
              stop_reason: null, stop_sequence: null,
              usage: {
                input_tokens: USAGE.input_tokens,
                cache_creation_input_tokens: USAGE.cache_creation_input_tokens,
                cache_read_input_tokens: USAGE.cache_read_input_tokens,
                output_tokens: 1,
              },
            },
          });
          sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
          sse(res, 'ping', { type: 'ping' });
          for (const d of deltas) {
            sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: d } });
          }
          sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
          sse(res, 'message_delta', {
            type: 'message_delta',
            delta: { stop_reason: 'end_turn', stop_sequence: null },
            usage: { output_tokens: USAGE.output_tokens },
          });
          sse(res, 'message_stop', { type: 'message_stop' });
          res.end();
        } else {
          sendJson(res, 200, {
            id, type: 'message', role: 'assistant', model,
            content: [{ type: 'text', text: reply }],
            stop_reason: 'end_turn', stop_sequence: null,
            usage: { ...USAGE },
          }, { 'request-id': reqId });
        }
        return;
      }
      unknown.push(rec);
      process.stderr.write(`mock_anthropic: unknown request ${req.method} ${req.url}\n`);
      sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `mock: no route for ${req.method} ${url.pathname}` } },
        { 'request-id': reqId });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const port = server.address().port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    unknown,
    /** The POST /v1/messages requests only. */
    messages: () => requests.filter((r) => r.method === 'POST' && r.path.endsWith('/v1/messages')),
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

// Run directly: print the port, log requests.
if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const logFile = opt('--log');
  const mock = await startMockAnthropic({
    port: Number(opt('--port') ?? 0),
    onRequest: (rec) => {
      const { raw, ...rest } = rec;
      const line = JSON.stringify(rest) + '\n';
      if (logFile) fs.appendFileSync(logFile, line);
      else process.stderr.write(line);
    },
  });
  process.stdout.write(`listening ${mock.port}\n`);
  const stop = async () => {
    await mock.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
