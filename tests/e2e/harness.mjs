// Shared helpers of the node end-to-end tests: start claude-harnessd with a
// generated config, wait until it announces its port, stop it and check that
// nothing it started is left behind.
//
// Environment:
//   CH_DAEMON_BINARY  path of claude-harnessd (required)
//   CH_FAKE_CLAUDE    path of fake-claude (required by the fake-claude tests)

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startMockAnthropic } from './mock_anthropic.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const STARTUP_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 30_000;

/** Daemons started by this process and not yet stopped; killed on exit as a last resort. */
const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

function requireEnvFile(name, what) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: it must name ${what} (ctest sets it; by hand: ${name}=/path/to/... node --test ...)`);
  }
  if (!fs.existsSync(value)) throw new Error(`${name}=${value}: no such file (${what})`);
  return value;
}

export function daemonBinary() {
  return requireEnvFile('CH_DAEMON_BINARY', 'the claude-harnessd binary');
}

export function fakeClaudePath() {
  return requireEnvFile('CH_FAKE_CLAUDE', 'the fake-claude binary');
}

/**
 * The real Claude Code CLI installed by tests/e2e/package.json: the file the
 * package's `bin.claude` names (the npm package ships the native executable as
 * bin/claude.exe; its postinstall would copy the platform package's binary
 * there), else the platform package's binary.  Throws with a clear message when
 * it is missing, so a test that needs it fails instead of skipping.
 */
export function realClaudePath() {
  const require = createRequire(path.join(HERE, 'package.json'));
  const candidates = [];
  let pkgDir;
  try {
    pkgDir = path.dirname(require.resolve('@anthropic-ai/claude-code/package.json'));
  } catch {
    throw new Error(
      `@anthropic-ai/claude-code is not installed under ${HERE}/node_modules: run \`npm ci\` in ${HERE}`);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.claude;
  if (bin) candidates.push(path.join(pkgDir, bin));
  const platformPkg = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  try {
    const dir = path.dirname(require.resolve(`${platformPkg}/package.json`));
    candidates.push(path.join(dir, 'claude'));
  } catch {
    // not installed (other platform or --omit=optional)
  }
  for (const c of candidates) {
    try {
      // The placeholder bin/claude.exe of a package whose postinstall did not run is tiny.
      if (fs.statSync(c).size > 1_000_000) {
        fs.accessSync(c, fs.constants.X_OK);
        return c;
      }
    } catch {
      // try the next one
    }
  }
  throw new Error(`no runnable Claude Code CLI found; looked at: ${candidates.join(', ')} (run \`npm ci\` in ${HERE})`);
}

/** TOML basic string (JSON escapes are valid TOML escapes). */
function tomlString(s) {
  return JSON.stringify(String(s));
}

function tomlValue(v) {
  if (typeof v === 'string') return tomlString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`;
  if (v && typeof v === 'object') {
    return `{ ${Object.entries(v).map(([k, x]) => `${tomlString(k)} = ${tomlValue(x)}`).join(', ')} }`;
  }
  throw new Error(`cannot write ${v} as TOML`);
}

function tomlTable(header, obj) {
  let out = `${header}\n`;
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out += `${k} = ${tomlValue(v)}\n`;
  }
  return out + '\n';
}

/** Is the process alive (a zombie counts as dead)? */
export function pidAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Pids of live processes whose environment contains NAME=VALUE. */
function pidsWithEnv(name, value) {
  const needle = Buffer.from(`${name}=${value}\0`);
  const found = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let env;
    try {
      env = fs.readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue;
    }
    if (env.indexOf(needle) >= 0 && pidAlive(pid)) found.push(pid);
  }
  return found;
}

function describePid(pid) {
  try {
    return `${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()}`;
  } catch {
    return String(pid);
  }
}

/**
 * Start claude-harnessd.
 * @param {object} opts
 * @param {string} opts.claude            the `claude` executable of the provider
 * @param {object} [opts.env]             provider env (string values)
 * @param {object} [opts.limits]          [limits] keys (max_concurrent_jobs defaults to 4)
 * @param {object} [opts.server]          extra [server] keys
 * @param {object[]} [opts.models]        [[models]] tables (default: claude-sonnet / sonnet)
 * @param {boolean} [opts.pidDir=true]    set FAKE_CLAUDE_PID_DIR so fake-claude records its pids
 * @param {number} [opts.warmPool=0]      [[providers]] warm_pool (0: every request starts its CLI)
 * @param {string} [opts.stateDir]        state_dir to use (a restart reuses one); default: a new one
 * @returns {Promise<{baseUrl:string, port:number, dir:string, pidDir:string|null,
 *                    stderr:()=>string, stop:()=>Promise<void>}>}
 */
export async function startDaemon(opts) {
  assert.ok(opts?.claude, 'startDaemon needs opts.claude');
  const binary = daemonBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-e2e-'));
  const stateDir = opts.stateDir ?? path.join(dir, 'state');
  fs.mkdirSync(stateDir, { recursive: true });
  const pidDir = opts.pidDir === false ? null : path.join(dir, 'pids');
  if (pidDir) fs.mkdirSync(pidDir);
  // A marker in every CLI process's environment, to find leftovers of this daemon.
  const marker = crypto.randomUUID();
  const env = { ...(opts.env ?? {}), CH_E2E_MARKER: marker };
  if (pidDir) env.FAKE_CLAUDE_PID_DIR = pidDir;

  const models = opts.models ?? [
    { id: 'claude-sonnet', aliases: ['sonnet'], cli_model: 'sonnet', provider: 'default' },
  ];
  let toml = tomlTable('[server]', {
    listen: ['127.0.0.1:0'],
    state_dir: stateDir,
    ...(opts.server ?? {}),
  });
  toml += tomlTable('[limits]', { max_concurrent_jobs: 4, ...(opts.limits ?? {}) });
  toml += tomlTable('[[providers]]', { name: 'default', claude: opts.claude, env, warm_pool: opts.warmPool ?? 0 });
  for (const m of models) toml += tomlTable('[[models]]', m);
  const configPath = path.join(dir, 'config.toml');
  fs.writeFileSync(configPath, toml);

  const child = spawn(binary, ['--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: dir,
  });
  live.add(child);
  let stderr = '';
  let stdout = '';
  const MAX_LOG = 4 * 1024 * 1024;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    if (stdout.length < MAX_LOG) stdout += d;
  });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });

  const logs = () => `--- daemon stderr ---\n${stderr}--- daemon stdout ---\n${stdout}--- config ${configPath} ---\n${toml}`;

  const port = await new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn, arg) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(arg);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(reject, new Error(`claude-harnessd did not announce "listening on 127.0.0.1:<port>" within ${STARTUP_TIMEOUT_MS} ms\n${logs()}`));
    }, STARTUP_TIMEOUT_MS);
    child.stderr.on('data', (d) => {
      if (stderr.length < MAX_LOG) stderr += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) finish(resolve, Number(m[1]));
    });
    child.on('error', (e) => finish(reject, new Error(`cannot start ${binary}: ${e.message}`)));
    exited.then(({ code, signal }) => finish(reject,
      new Error(`claude-harnessd exited during startup (code ${code}, signal ${signal})\n${logs()}`)));
  });

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    let timer;
    const res = await Promise.race([
      exited,
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (res === null) {
      child.kill('SIGKILL');
      await exited;
    }
    const leftovers = await leftoverPids();
    for (const pid of leftovers.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    const keep = process.env.CH_E2E_KEEP === '1';
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    assert.ok(res !== null, `claude-harnessd did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n${logs()}`);
    assert.equal(res.signal, null, `claude-harnessd was killed by ${res.signal}\n${logs()}`);
    assert.equal(res.code, 0, `claude-harnessd exited with ${res.code} after SIGTERM\n${logs()}`);
    assert.deepEqual(leftovers.described, [],
      `processes started for this daemon are still alive after it exited:\n${leftovers.described.join('\n')}\n${logs()}`);
  }

  // After the daemon exited, the CLI processes it started (and their children)
  // must be gone.  They are not our children, so poll /proc for a bounded time.
  async function leftoverPids() {
    const deadline = Date.now() + 2000;
    for (;;) {
      const pids = new Set(pidsWithEnv('CH_E2E_MARKER', marker));
      if (pidDir && fs.existsSync(pidDir)) {
        for (const f of fs.readdirSync(pidDir)) {
          const pid = Number(f);
          if (pid > 0 && pidAlive(pid)) pids.add(pid);
        }
      }
      if (pids.size === 0 || Date.now() >= deadline) {
        const list = [...pids];
        return { pids: list, described: list.map(describePid) };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    dir,
    pidDir,
    configPath,
    stderr: () => stderr,
    /** Pids fake-claude recorded so far. */
    recordedPids: () => (pidDir ? fs.readdirSync(pidDir).map(Number) : []),
    stop,
  };
}

/** `<exe> --version`, for a clear failure when the CLI does not run at all. */
export function cliVersion(exe) {
  return execFileSync(exe, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
}

/** The Claude Code CLI version the tests are written against (tests/e2e/package.json). */
export const CLI_VERSION = '2.1.197 (Claude Code)';

/**
 * What a test with the real CLI as the backend starts from: the CLI (checked to be the pinned
 * version), the mock upstream, a HOME of its own (so the CLI writes its .claude.json there),
 * and the environment that points the CLI at the mock. The caller stops the mock and removes
 * the HOME.
 */
export async function realCliBackend() {
  const claude = realClaudePath(); // throws "no runnable Claude Code CLI found ..." when missing
  assert.equal(cliVersion(claude), CLI_VERSION, `unexpected CLI at ${claude}`);
  const mock = await startMockAnthropic();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-e2e-home-'));
  const env = { ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'sk-test-dummy', HOME: home };
  return { claude, mock, home, env };
}
