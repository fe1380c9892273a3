// The dashboard: one snapshot from /dashboard/api/state, kept current by the event stream
// /v1/events (read with fetch, so the API key travels in a header, never in a URL).
'use strict';

const KEY_STORAGE = 'claude-harness-api-key';
const REFRESH_MS = 15000; // full snapshot even when nothing happens (relative times, health)
const PALETTE = ['#2f6fdf', '#d9480f', '#2b8a3e', '#ae3ec9', '#e8590c', '#1098ad', '#c2255c', '#5c940d'];
const ERROR_LABELS = {
  timeout: 'Timeouts', usage_limit: 'Usage limits', auth: 'Authentication',
  cli: 'CLI crashes and errors', bad_request: 'Bad requests', other: 'Other',
};

const $ = (id) => document.getElementById(id);
const state = { snapshot: null, period: 'since_start', charts: {}, started: null, refreshTimer: null,
  secondRequests: [], secondTokens: [], stream: null };

// ---- formatting -----------------------------------------------------------------------------

function fmtCount(n) {
  if (n === null || n === undefined) return '–';
  if (n >= 1e9) return (n / 1e9).toFixed(1) + ' G';
  if (n >= 1e6) return (n / 1e6).toFixed(1) + ' M';
  if (n >= 1e4) return (n / 1e3).toFixed(1) + ' k';
  return String(Math.round(n));
}
function fmtTokens(n) { return fmtCount(n) + ' tok'; }
function fmtDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}
function fmtRelative(ms) {
  if (!ms) return '–';
  const d = ms - Date.now();
  return d >= 0 ? 'in ' + fmtDuration(d) : fmtDuration(-d) + ' ago';
}
function fmtClock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
function fmtAbsolute(ms) { return new Date(ms).toLocaleString(); }

// A <time> showing a relative time, the absolute one on hover; kept fresh by tickClocks().
function timeElement(ms, text) {
  const t = document.createElement('time');
  if (!ms) { t.textContent = '–'; return t; }
  t.dateTime = new Date(ms).toISOString();
  t.title = fmtAbsolute(ms);
  t.dataset.ms = String(ms);
  t.textContent = text ?? fmtRelative(ms);
  if (text === undefined) t.classList.add('relative');
  return t;
}
function tickClocks() {
  for (const t of document.querySelectorAll('time.relative')) t.textContent = fmtRelative(Number(t.dataset.ms));
  for (const t of document.querySelectorAll('[data-age-ms]')) t.textContent = fmtDuration(Date.now() - Number(t.dataset.ageMs));
  if (state.started) $('uptime').textContent = 'up ' + fmtDuration(Date.now() - state.started);
}

function cell(row, content, cls) {
  const td = document.createElement('td');
  if (content instanceof Node) td.append(content); else td.textContent = content ?? '';
  if (cls) td.className = cls;
  row.append(td);
  return td;
}
function pill(text, kind) {
  const s = document.createElement('span');
  s.className = 'pill ' + kind;
  s.textContent = text;
  return s;
}
function replaceRows(tbody, rows) { tbody.replaceChildren(...rows); }

// ---- access ---------------------------------------------------------------------------------

function apiKey() { return sessionStorage.getItem(KEY_STORAGE) || ''; }
function authHeaders() {
  const key = apiKey();
  return key ? { Authorization: 'Bearer ' + key } : {};
}
function showKeyPrompt(message) {
  stopStream();
  state.snapshot = null;
  $('data').hidden = true;
  $('key-prompt').hidden = false;
  $('forget-key').hidden = !apiKey();
  $('key-error').hidden = !message;
  $('key-error').textContent = message || '';
  setLive(false, 'key required');
  $('key-input').focus();
}
function onKeySubmit(ev) {
  ev.preventDefault();
  sessionStorage.setItem(KEY_STORAGE, $('key-input').value.trim());
  $('key-input').value = '';
  start();
}
function forgetKey() {
  sessionStorage.removeItem(KEY_STORAGE);
  showKeyPrompt('');
}

// ---- charts ---------------------------------------------------------------------------------

function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
// By position: the daemon sends names sorted, so a series keeps its colour between updates.
function colorFor(index) { return PALETTE[index % PALETTE.length]; }
function makeChart(id, yUnit) {
  const text = cssVar('--muted');
  const grid = cssVar('--grid');
  return new Chart($(id), {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
      interaction: { mode: 'index', intersect: false },
      elements: { point: { radius: 0 }, line: { borderWidth: 1.5, tension: 0 } },
      scales: {
        x: { type: 'linear', ticks: { color: text, maxRotation: 0, autoSkipPadding: 20,
          callback: (v) => new Date(v).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) },
        grid: { color: grid } },
        y: { beginAtZero: true, ticks: { color: text, precision: 0, callback: (v) => fmtCount(v) + yUnit },
          grid: { color: grid } },
      },
      plugins: {
        legend: { labels: { color: text, boxWidth: 12 } },
        tooltip: { callbacks: {
          title: (items) => items.length ? new Date(items[0].parsed.x).toLocaleString() : '',
          label: (item) => `${item.dataset.label}: ${fmtCount(item.parsed.y)}${yUnit}` } },
      },
    },
  });
}
function setSeries(chart, minutes, named, field) {
  const old = new Map(chart.data.datasets.map((d) => [d.label, d]));
  chart.data.datasets = Object.keys(named).map((name, i) => {
    const d = old.get(name) || { label: name, fill: false };
    d.borderColor = d.backgroundColor = colorFor(i);
    d.data = minutes.map((x, j) => ({ x, y: named[name][field][j] }));
    return d;
  });
  chart.update('none');
}
function renderCharts(h) {
  $('charts-missing').hidden = typeof Chart !== 'undefined';
  if (typeof Chart === 'undefined') return;
  const c = state.charts;
  if (!c.reqModel) {
    c.reqModel = makeChart('ch-req-model', ' req');
    c.tokModel = makeChart('ch-tok-model', ' tok');
    c.reqProvider = makeChart('ch-req-provider', ' req');
    c.tokProvider = makeChart('ch-tok-provider', ' tok');
    c.errors = makeChart('ch-errors', '');
  }
  setSeries(c.reqModel, h.minute_ms, h.by_model, 'requests');
  setSeries(c.tokModel, h.minute_ms, h.by_model, 'tokens');
  setSeries(c.reqProvider, h.minute_ms, h.by_provider, 'requests');
  setSeries(c.tokProvider, h.minute_ms, h.by_provider, 'tokens');
  const errors = {};
  for (const [k, v] of Object.entries(h.errors)) errors[ERROR_LABELS[k] || k] = { count: v };
  setSeries(c.errors, h.minute_ms, errors, 'count');
}
function restyleCharts() {
  for (const chart of Object.values(state.charts)) {
    for (const axis of Object.values(chart.options.scales)) {
      axis.ticks.color = cssVar('--muted');
      axis.grid.color = cssVar('--grid');
    }
    chart.options.plugins.legend.labels.color = cssVar('--muted');
    chart.update('none');
  }
}

// ---- rendering the snapshot -----------------------------------------------------------------

function sumLast(arrays, n) {
  let total = 0;
  for (const a of arrays) for (let i = Math.max(0, a.length - n); i < a.length; i++) total += a[i];
  return total;
}
function renderCards(s) {
  const c = s.counts || {};
  $('c-running').textContent = fmtCount(c.running);
  $('c-capacity').textContent = `of ${c.max_concurrent} slots`;
  $('c-queued').textContent = fmtCount(c.queued);
  $('c-queue-cap').textContent = `queue holds ${c.max_queued}`;
  const models = Object.values(s.history.by_model);
  // The current minute is still filling; the last complete one is what "per minute" means.
  const lastFull = (field) => models.reduce((t, m) => t + (m[field][m[field].length - 2] || 0), 0);
  $('c-rpm').textContent = fmtCount(lastFull('requests')) + ' req/min';
  $('c-tpm').textContent = fmtTokens(lastFull('tokens')) + '/min';
  $('c-errors').textContent = fmtCount(sumLast(Object.values(s.history.errors), 60));
  $('c-served').textContent = `${fmtCount(c.finished)} served since start, ${fmtCount(c.failed)} failed`;
}
function renderProviders(list) {
  replaceRows($('providers').tBodies[0], list.map((p) => {
    const tr = document.createElement('tr');
    cell(tr, p.name);
    cell(tr, p.user);
    const ready = p.ready ? pill(p.state === 'unknown' ? 'ready' : p.state, p.state === 'cooling_down' ? 'warn' : 'ok')
      : pill(p.state === 'unknown' ? 'not ready' : p.state, 'bad');
    if (p.reason) ready.title = p.reason;
    cell(tr, ready);
    cell(tr, p.login);
    const exp = p.login_expires_ms ? timeElement(p.login_expires_ms,
      p.login_expires_ms > Date.now() ? ((p.login_expires_ms - Date.now()) / 86400000).toFixed(1) + ' days' : 'expired') : '–';
    cell(tr, exp);
    cell(tr, p.max_concurrent ? `${p.running} / ${p.max_concurrent}` : String(p.running), 'num');
    cell(tr, p.cooldown_until_ms && p.cooldown_until_ms > Date.now() ? timeElement(p.cooldown_until_ms) : '–');
    const err = cell(tr, p.last_error || (p.ready ? '' : p.reason) || '–', 'wrap');
    if (p.last_error_ms) err.title = fmtAbsolute(p.last_error_ms);
    return tr;
  }));
}
async function cancelJob(id, button) {
  button.disabled = true;
  try {
    const res = await fetch(`/dashboard/api/jobs/${encodeURIComponent(id)}/cancel`, {
      method: 'POST', headers: { ...authHeaders(), 'X-Harness-Dashboard': '1' } });
    if (res.status === 401) return showKeyPrompt('The key was not accepted.');
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      button.disabled = false;
      button.title = body?.error?.message || `cancel failed (${res.status})`;
      addEvent({ type: 'cancel_refused', data: { at_ms: Date.now(), job: id, message: button.title } });
      return;
    }
  } catch (e) {
    button.disabled = false;
    return;
  }
  scheduleRefresh(200);
}
function renderJobs(s) {
  const jobs = s.jobs;
  const cancel = s.cancel || {};
  $('cancel-note').hidden = !!cancel.allowed || jobs.length === 0;
  $('cancel-note').textContent = cancel.reason || '';
  $('no-jobs').hidden = jobs.length > 0;
  replaceRows($('jobs').tBodies[0], jobs.map((j) => {
    const tr = document.createElement('tr');
    tr.dataset.job = j.id;
    cell(tr, j.id.slice(0, 12)).title = j.id;
    cell(tr, pill(j.state, j.state === 'running' ? 'ok' : 'warn'));
    cell(tr, j.model);
    cell(tr, j.provider);
    cell(tr, j.client);
    const age = cell(tr, fmtDuration(Date.now() - j.created_ms), 'num');
    age.dataset.ageMs = String(j.created_ms);
    age.title = 'submitted ' + fmtAbsolute(j.created_ms) + (j.started_ms ? ', started ' + fmtAbsolute(j.started_ms) : '');
    cell(tr, j.output_tokens ? fmtTokens(j.output_tokens) : (j.text_chars ? fmtCount(j.text_chars) + ' chars' : '–'), 'num');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'danger cancel';
    b.textContent = 'Cancel';
    b.disabled = !cancel.allowed;
    if (!cancel.allowed) b.title = cancel.reason || '';
    b.addEventListener('click', () => cancelJob(j.id, b));
    cell(tr, b);
    return tr;
  }));
}
function totalsRows(rows) {
  return rows.map((r) => {
    const tr = document.createElement('tr');
    cell(tr, r.key);
    cell(tr, fmtCount(r.requests), 'num');
    cell(tr, fmtCount(r.failed), 'num');
    cell(tr, fmtTokens(r.input_tokens), 'num');
    cell(tr, fmtTokens(r.output_tokens), 'num');
    cell(tr, fmtTokens(r.cache_read_tokens), 'num');
    return tr;
  });
}
function renderTotals(s) {
  const t = s.totals[state.period];
  replaceRows($('totals-model').tBodies[0], totalsRows(t.by_model));
  replaceRows($('totals-client').tBodies[0], totalsRows(t.by_client));
  $('coverage').textContent = state.period === 'since_start' ? '' : `(${s.totals.coverage})`;
  for (const b of document.querySelectorAll('.tabs button')) b.classList.toggle('active', b.dataset.period === state.period);
}

// ---- events ---------------------------------------------------------------------------------

function describe(e) {
  const d = e.data || {};
  switch (e.type) {
    case 'job_started': return [`${d.model} on ${d.provider} for ${d.client}`, 'job ' + d.job, ''];
    case 'job_finished':
      return d.ok ? [`${d.model}: ok, ${fmtTokens(d.output_tokens)} out` + (d.duration_ms ? ` in ${fmtDuration(d.duration_ms)}` : ''), 'job ' + d.job, 'ok']
        : [`${d.model}: ${d.code} (${ERROR_LABELS[d.category] || d.category}) ${d.message || ''}`, 'job ' + d.job, 'bad'];
    case 'provider': return [`${d.provider}: ${d.ready ? 'ready' : 'not ready'} (${d.state})${d.reason ? ' – ' + d.reason : ''}`, '', d.ready ? 'ok' : 'warn'];
    case 'reload': return [`configuration reloaded from ${d.config}`, '', 'warn'];
    case 'cancel_refused': return [`cancel of ${d.job} refused: ${d.message}`, '', 'bad'];
    default: return [JSON.stringify(d), '', ''];
  }
}
function addEvent(e, atTop = true) {
  const li = document.createElement('li');
  const [text, title, cls] = describe(e);
  li.append(timeElement(e.data?.at_ms, fmtClock(e.data?.at_ms || Date.now())));
  const kind = document.createElement('span');
  kind.className = 'kind ' + cls;
  kind.textContent = e.type.replace('_', ' ');
  const body = document.createElement('span');
  body.textContent = text;
  if (title) body.title = title;
  li.append(kind, body);
  const list = $('events');
  if (atTop) list.prepend(li); else list.append(li);
  while (list.children.length > 200) list.lastChild.remove();
}

// ---- loading --------------------------------------------------------------------------------

async function loadState() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(loadState, REFRESH_MS);
  let res;
  try {
    res = await fetch('/dashboard/api/state?minutes=' + $('range').value, { headers: authHeaders(), cache: 'no-store' });
  } catch (e) {
    setLive(false, 'daemon unreachable');
    return false;
  }
  if (res.status === 401) {
    showKeyPrompt(apiKey() ? 'The key was not accepted.' : '');
    return false;
  }
  if (!res.ok) {
    setLive(false, `error ${res.status}`);
    return false;
  }
  const s = await res.json();
  const first = !state.snapshot;
  state.snapshot = s;
  state.started = s.started_ms;
  $('key-prompt').hidden = true;
  $('data').hidden = false;
  $('forget-key').hidden = !apiKey();
  $('version').textContent = 'v' + s.version;
  renderCards(s);
  renderCharts(s.history);
  renderProviders(s.providers);
  renderJobs(s);
  renderTotals(s);
  if (first) {
    $('events').replaceChildren();
    for (const e of s.events) addEvent(e);
  }
  tickClocks();
  return true;
}
function scheduleRefresh(ms = 500) {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(loadState, ms);
}

// ---- the live stream ------------------------------------------------------------------------

function setLive(on, text) {
  const el = $('live');
  el.classList.toggle('on', on);
  el.classList.toggle('off', !on);
  el.textContent = text;
}
function stopStream() {
  if (state.stream) state.stream.abort();
  state.stream = null;
}
function onTick(t) {
  state.secondRequests.push(t.second.requests);
  state.secondTokens.push(t.second.tokens);
  if (state.secondRequests.length > 60) { state.secondRequests.shift(); state.secondTokens.shift(); }
  $('c-running').textContent = fmtCount(t.running);
  $('c-queued').textContent = fmtCount(t.queued);
  const n = state.secondRequests.length;
  $('c-rps').textContent = `${fmtCount(state.secondRequests.reduce((a, b) => a + b, 0))} in the last ${n} s`;
  $('c-tps').textContent = `${fmtTokens(state.secondTokens.reduce((a, b) => a + b, 0))} in the last ${n} s`;
  tickClocks();
}
function onStreamEvent(type, data, id) {
  const parsed = data ? JSON.parse(data) : {};
  if (type === 'hello') {
    // A different start time means the daemon restarted: its history starts again.
    if (state.started && parsed.started_ms !== state.started) state.snapshot = null;
    loadState();
  } else if (type === 'tick') {
    onTick(parsed);
  } else {
    addEvent({ seq: Number(id), type, data: parsed });
    scheduleRefresh(type === 'job_started' || type === 'job_finished' ? 300 : 1000);
  }
}
async function runStream() {
  const controller = new AbortController();
  state.stream = controller;
  let lastId = '';
  for (;;) {
    if (controller.signal.aborted) return;
    try {
      const headers = { ...authHeaders(), Accept: 'text/event-stream' };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const res = await fetch('/v1/events', { headers, cache: 'no-store', signal: controller.signal });
      if (res.status === 401) return showKeyPrompt(apiKey() ? 'The key was not accepted.' : '');
      if (!res.ok || !res.body) throw new Error('status ' + res.status);
      setLive(true, 'live');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = 'message', data = '', id = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
            else if (line.startsWith('id: ')) id = line.slice(4);
          }
          if (id) lastId = id;
          if (data) onStreamEvent(type, data, id);
        }
      }
    } catch (e) {
      if (controller.signal.aborted) return;
    }
    setLive(false, 'reconnecting');
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function start() {
  stopStream();
  state.snapshot = null;
  if (await loadState()) runStream();
}

document.addEventListener('DOMContentLoaded', () => {
  $('key-form').addEventListener('submit', onKeySubmit);
  $('forget-key').addEventListener('click', forgetKey);
  $('range').addEventListener('change', () => loadState());
  for (const b of document.querySelectorAll('.tabs button')) {
    b.addEventListener('click', () => {
      state.period = b.dataset.period;
      if (state.snapshot) renderTotals(state.snapshot);
    });
  }
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', restyleCharts);
  setInterval(tickClocks, 1000);
  start();
});
