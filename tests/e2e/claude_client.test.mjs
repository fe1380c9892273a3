// The REAL Claude Code CLI as a client of claude-harnessd's /v1/messages (fake-claude behind):
//   claude -p ... -> claude-harnessd POST /v1/messages -> fake-claude
// Run: CH_DAEMON_BINARY=... CH_FAKE_CLAUDE=... node --test tests/e2e/claude_client.test.mjs
// Claude Code sends its own tools, which the daemon offers the backend as client tools (a call
// comes back to Claude Code, which runs it); it asks for its own default model unless given
// `--model`, and unknown names are a 404.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, fakeClaudePath, realClaudePath, cliVersion, CLI_VERSION } from './harness.mjs';

const claude = realClaudePath(); // throws "no runnable Claude Code CLI found ..." when missing
assert.equal(cliVersion(claude), CLI_VERSION, `unexpected CLI at ${claude}`);
const daemon = await startDaemon({ claude: fakeClaudePath(), env: { ANTHROPIC_API_KEY: 'sk-test-dummy' } });
// The client's own HOME, so it writes its .claude.json there and not in the user's home.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-e2e-client-'));
after(async () => {
  try {
    await daemon.stop();
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

/** `claude -p PROMPT --output-format json ARGS...` against the daemon: the parsed result. */
function ask(prompt, args) {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    ANTHROPIC_BASE_URL: daemon.baseUrl,
    ANTHROPIC_API_KEY: 'sk-client',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
  return new Promise((resolve, reject) => {
    execFile(claude, ['-p', prompt, '--output-format', 'json', ...args],
      { env, cwd: home, timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`claude printed no JSON result (${err?.message})\nstdout: ${stdout}\nstderr: ${stderr}\n${daemon.stderr()}`));
        }
      });
  });
}

test('claude -p gets the answer and the usage from the daemon', async () => {
  const r = await ask('hi', ['--tools', '', '--model', 'claude-sonnet']);
  assert.equal(r.is_error, false, JSON.stringify(r));
  assert.equal(r.result, 'Hello from the fake.');
  assert.equal(r.stop_reason, 'end_turn');
  assert.equal(r.usage.input_tokens, 11);
  assert.equal(r.usage.cache_creation_input_tokens, 17);
  assert.equal(r.usage.cache_read_input_tokens, 13);
  assert.equal(r.usage.output_tokens, 5);
});

// Before the usage limit: that marks the only login as limited.
test('with its own tools: the call comes back to claude, which runs it and gets the answer', async () => {
  const file = path.join(home, 'note.txt');
  fs.writeFileSync(file, 'the note\n');
  const prompt = `Read the note. FAKE[tool_call=Read:${JSON.stringify({ file_path: file })}]`;
  const r = await ask(prompt, ['--model', 'claude-sonnet', '--allowedTools', 'Read']);
  assert.equal(r.is_error, false, JSON.stringify(r));
  assert.equal(r.result, 'Hello from the fake.');
  assert.equal(r.num_turns, 2, JSON.stringify(r)); // the tool call, then the answer
});

test('a usage limit reaches claude as a 429', async () => {
  const r = await ask('FAKE[usage_limit]', ['--tools', '', '--model', 'claude-sonnet']);
  assert.equal(r.is_error, true, JSON.stringify(r));
  assert.equal(r.api_error_status, 429, JSON.stringify(r));
});

test('its default model, not configured, is a 404 it explains', async () => {
  const r = await ask('hi', ['--tools', '']);
  assert.equal(r.is_error, true, JSON.stringify(r));
  assert.equal(r.api_error_status, 404, JSON.stringify(r));
  assert.match(r.result, /model/);
});
