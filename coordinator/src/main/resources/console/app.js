// Consilium console: one page, hash routes, no build step. Every value from the server is put
// in the page as text (never as HTML). Charts are Chart.js from the coordinator's WebJar.

const main = document.getElementById('main');
let session = null;          // {user, role, csrfToken}
let cleanups = [];           // timers, event streams and charts of the current page

// ---------- small helpers ----------

/** Builds an element: h('a', {href: '#'}, 'text', child, ...). Strings become text nodes. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const fmt = (x, digits = 3) => (x === undefined || x === null || Number.isNaN(x) || x === 'NaN') ? '–'
  : (typeof x === 'number' ? (Number.isInteger(x) ? x.toString() : x.toFixed(digits)) : String(x));
/** A value with its 95% interval, as text: "45.2 [43.1, 47.3]"; the value alone when it has none. */
const withCi = (x, ci, digits = 3) => ci && (ci.low !== undefined || ci.high !== undefined)
  ? fmt(num(x), digits) + ' [' + fmt(num(ci.low ?? 0), digits) + ', ' + fmt(num(ci.high ?? 0), digits) + ']' : fmt(num(x), digits);
const num = (x) => (typeof x === 'string' && /^-?\d/.test(x)) ? Number(x) : x;
const when = (iso) => iso ? new Date(iso).toLocaleString() : '–';
const FINAL = ['RELEASED', 'REFUSED', 'FAILED'];   // a job in one of these changes no more
const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
const shortId = (id) => id ? id.replace(/^job-/, '').slice(0, 8) : '';

/** Replaces an element's content, skipping absent parts (null, undefined, false) as h() does. */
function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false));
}

function announce(text) {
  const a = document.getElementById('announcer');
  a.textContent = '';
  setTimeout(() => { a.textContent = text; }, 50);
}

function table(caption, headers, rows, numeric = []) {
  return h('div', {class: 'scroll'}, h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((t, i) => h('th', {scope: 'col', class: numeric.includes(i) ? 'num' : null}, t)))),
    h('tbody', {}, rows.map(r => h('tr', {}, r.map((c, i) => i === 0
      ? h('th', {scope: 'row'}, c) : h('td', {class: numeric.includes(i) ? 'num' : null}, c)))))));
}

function statusBadge(status) {
  const kind = {RELEASED: 'ok', RUNNING: 'warn', OFFERED: 'warn', REFUSED: 'bad', FAILED: 'bad'}[status] || 'neutral';
  return h('span', {class: 'badge ' + kind}, status || 'unknown');
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const headers = {'Accept': 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session && session.csrfToken) headers['X-CSRF-Token'] = session.csrfToken;
  const res = await fetch(path, {method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body)});
  const type = res.headers.get('content-type') || '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (res.status === 401 && !(method === 'POST' && path === '/api/v1/session')) {
    session = null;
    showSignedOut();
    location.hash = '#/login?expired=1&then=' + encodeURIComponent(location.hash);
    throw new ApiError(401, 'Your session has ended; sign in again.');
  }
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || ('HTTP ' + res.status));
  return data;
}

function chart(canvasLabel, config) {
  const canvas = h('canvas', {role: 'img', 'aria-label': canvasLabel});
  const box = h('div', {class: 'chart'}, canvas);
  // Chart.js needs the canvas in the document; draw on the next frame.
  requestAnimationFrame(() => {
    if (!window.Chart || !canvas.isConnected) return;
    config.options = Object.assign({responsive: true, maintainAspectRatio: false, animation: false}, config.options || {});
    const c = new window.Chart(canvas, config);
    cleanups.push(() => c.destroy());
  });
  return box;
}

function page(title, ...content) {
  fill(main, h('h1', {}, title), ...content);
  document.title = title + ' – Consilium console';
  main.focus({preventScroll: true});
}

function failure(e) {
  return h('p', {class: 'error', role: 'alert'}, e.message || String(e));
}

// ---------- session ----------

function showSignedIn() {
  document.getElementById('nav').hidden = false;
  document.getElementById('whoami').hidden = false;
  document.getElementById('user').textContent = session.user + ' (' + session.role + ')';
  document.querySelectorAll('[data-role="admin"]').forEach(el => { el.hidden = session.role !== 'admin'; });
}

function showSignedOut() {
  document.getElementById('nav').hidden = true;
  document.getElementById('whoami').hidden = true;
}

document.getElementById('logout').addEventListener('click', async () => {
  try { await api('DELETE', '/api/v1/session'); } catch (e) { /* already gone */ }
  session = null;
  showSignedOut();
  location.hash = '#/login';
});

function loginPage(params) {
  const error = h('p', {class: 'error', role: 'alert', id: 'login-error'});
  if (params.get('expired')) error.textContent = 'Your session has ended; sign in again.';
  const user = h('input', {id: 'username', name: 'username', autocomplete: 'username', required: true});
  const pass = h('input', {id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const form = h('form', {class: 'login', novalidate: true},
    h('label', {for: 'username'}, 'User name'), user,
    h('label', {for: 'password'}, 'Password'), pass,
    h('p', {}, h('button', {type: 'submit', id: 'sign-in'}, 'Sign in')), error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!user.value || !pass.value) { error.textContent = 'Enter your user name and password.'; return; }
    try {
      session = await api('POST', '/api/v1/session', {username: user.value, password: pass.value});
      pass.value = '';
      showSignedIn();
      location.hash = params.get('then') || '#/jobs';
    } catch (e) {
      error.textContent = e.message;
      pass.focus();
    }
  });
  showSignedOut();
  page('Sign in to the Consilium console', form);
  user.focus();
}

// ---------- consortium ----------

/** The dataset catalog: the consortium's data dictionary (public, provisioned; never read from a site's data). */
async function datasetsPage() {
  page('Datasets', h('p', {}, 'Loading…'));
  try {
    const c = await api('GET', '/api/v1/datasets');
    const out = [h('p', {}, 'The consortium\'s data dictionary, version ' + c.version + '. Every site checks its data against it; ' +
      'jobs may name only these columns, and bounds only narrower than these public ones (differential privacy takes its sensitivities from them).')];
    for (const d of c.datasets || []) {
      out.push(h('h2', {}, d.name), d.description ? h('p', {}, d.description) : null,
        table('Columns of ' + d.name, ['Column', 'Type', 'Unit', 'Bounds', 'Codes', 'Description'], (d.columns || []).map(col => [
          col.name, col.type, col.unit || '–', col.type === 'numeric' ? '[' + fmt(num(col.lower), 4) + ', ' + fmt(num(col.upper), 4) + ']' : '–',
          (col.codes || []).map(k => k.code + ' = ' + k.label).join('; ') || '–', col.description || '–'])));
    }
    page('Datasets', ...out);
  } catch (e) {
    page('Datasets', failure(e));
  }
}

async function consortiumPage() {
  const body = h('div', {});
  page('Consortium', h('p', {class: 'hint'}, 'The hospitals of the consortium, their policies and what is left of each dataset\'s privacy budget. Refreshes every 10 s.'), body);
  const load = async () => {
    try {
      const nodes = await api('GET', '/api/v1/nodes');
      fill(body, nodesTable(nodes, load));
    } catch (e) { fill(body, failure(e)); }
  };
  await load();
  const t = setInterval(load, 10000);
  cleanups.push(() => clearInterval(t));
}

function nodesTable(nodes, reload) {
  const admin = session.role === 'admin';
  const headers = ['Node', 'Status', 'Last seen', 'Datasets', 'Policy', 'Privacy budget (ε)'];
  if (admin) headers.push('Actions');
  return table(plural(nodes.length, 'node'), headers, nodes.map(n => {
    const status = n.suspended ? h('span', {class: 'badge warn'}, 'Suspended')
      : n.online ? h('span', {class: 'badge ok'}, 'Online') : h('span', {class: 'badge bad'}, 'Offline');
    const budgets = h('ul', {class: 'plain'}, (n.policy?.budgets || []).map(b => {
      const capped = Number.isFinite(b.epsilonCap);
      const e = (x) => Number(x || 0).toFixed(2);
      return h('li', {}, b.dataset + ': ' + e(b.epsilonSpent) + ' spent, ' + (capped ? e(b.epsilonRemaining) + ' of ' + e(b.epsilonCap) + ' left ' : 'no cap '),
        capped ? h('meter', {min: 0, max: b.epsilonCap, value: b.epsilonRemaining, 'aria-label': 'remaining budget of ' + n.id + ' for ' + b.dataset}) : null);
    }));
    const p = n.policy || {};
    const policy = h('ul', {class: 'plain'},
      h('li', {}, 'computations: ' + ((p.allowedComputations || []).join(', ') || 'statistics')),
      h('li', {}, 'columns: ' + ((p.allowedColumns || []).join(', ') || 'all')),
      h('li', {}, 'cohorts of at least ' + fmt(p.minCohortSize) + ' rows, jobs with at least ' + fmt(p.minParties) + ' sites'),
      h('li', {}, p.allowExactRelease ? 'allows exact releases (validation only)' : 'differentially private releases only'));
    const row = [n.id, status, when(n.lastSeen), (n.datasets || []).join(', '), policy, budgets];
    if (admin) {
      const action = n.suspended ? 'resume' : 'suspend';
      row.push(h('button', {type: 'button', class: 'secondary', 'data-node': n.id, onclick: async (ev) => {
        ev.target.disabled = true;
        try { await api('POST', '/api/v1/nodes/' + encodeURIComponent(n.id) + '/' + action); announce(n.id + ' ' + action + 'd'); await reload(); }
        catch (e) { alert(e.message); ev.target.disabled = false; }
      }}, action === 'suspend' ? 'Suspend' : 'Resume', h('span', {class: 'visually-hidden'}, ' ' + n.id)));
    }
    return row;
  }));
}

// ---------- jobs ----------

async function jobsPage(params) {
  const status = h('select', {id: 'filter-status'}, ['', 'OFFERED', 'RUNNING', 'RELEASED', 'REFUSED', 'FAILED']
    .map(s => h('option', {value: s, selected: params.get('status') === s}, s || 'any')));
  const computation = h('select', {id: 'filter-computation'}, ['', 'statistics', 'train', 'datasheet']
    .map(s => h('option', {value: s, selected: params.get('computation') === s}, s || 'any')));
  const list = h('div', {});
  const filters = h('form', {class: 'filters', role: 'search', 'aria-label': 'Filter jobs'},
    h('div', {}, h('label', {for: 'filter-status'}, 'Status'), status),
    h('div', {}, h('label', {for: 'filter-computation'}, 'Computation'), computation),
    h('a', {class: 'button', href: '#/submit'}, 'New job'));
  const load = async () => {
    const q = new URLSearchParams();
    if (status.value) q.set('status', status.value);
    if (computation.value) q.set('computation', computation.value);
    try {
      const jobs = await api('GET', '/api/v1/jobs' + (q.toString() ? '?' + q : ''));
      fill(list, jobs.length === 0 ? h('p', {}, 'No jobs match.') : table(plural(jobs.length, 'job') + ', newest first',
        ['Job', 'Computation', 'Status', 'Submitted', 'By', 'Participants'],
        jobs.map(j => [h('a', {href: '#/jobs/' + j.id}, j.spec?.documentation?.title || shortId(j.id)), j.computation, statusBadge(j.status),
          when(j.submittedAt), j.submittedBy || '–', (j.participants || []).join(', ')])));
    } catch (e) { fill(list, failure(e)); }
  };
  for (const s of [status, computation]) s.addEventListener('change', () => { history.replaceState(null, '', '#/jobs?' + new URLSearchParams({status: status.value, computation: computation.value})); load(); });
  page('Jobs', filters, list);
  await load();
  const t = setInterval(load, 5000);
  cleanups.push(() => clearInterval(t));
}

async function jobPage(id) {
  const summary = h('div', {});
  const progress = h('section', {'aria-labelledby': 'progress-h'}, h('h2', {id: 'progress-h'}, 'Progress'));
  const live = h('p', {id: 'live', role: 'status'});
  const results = h('section', {'aria-labelledby': 'result-h'});
  page('Job ' + shortId(id), summary, progress, live, results);
  let current = null;
  let lastRendered = '';
  const render = (job) => {
    if (current && job.updatedAt && current.updatedAt && job.updatedAt < current.updatedAt) return; // an older copy
    current = job;
    const key = job.status + '|' + (job.rounds || []).length + '|' + (job.progress || []).length + '|' + (job.result ? 'r' : '');
    fill(summary, jobSummary(job));
    live.textContent = liveText(job);
    if (key === lastRendered) return;
    lastRendered = key;
    fill(progress, h('h2', {id: 'progress-h'}, 'Progress'), ...progressView(job));
    fill(results, ...resultView(job));
  };
  try {
    render(await api('GET', '/api/v1/jobs/' + encodeURIComponent(id)));
  } catch (e) { fill(summary, failure(e)); return; }
  if (FINAL.includes(current.status)) return;
  // Live updates pushed by the coordinator (server-sent events).
  const stream = new EventSource('/api/v1/jobs/' + encodeURIComponent(id) + '/events');
  stream.addEventListener('job', ev => {
    const job = JSON.parse(ev.data);
    render(job);
    if (FINAL.includes(job.status)) { stream.close(); announce('Job ' + job.status.toLowerCase()); }
  });
  stream.addEventListener('expired', () => { stream.close(); api('GET', '/api/v1/session').catch(() => {}); });
  stream.onerror = () => { if (stream.readyState === EventSource.CLOSED) api('GET', '/api/v1/session').catch(() => {}); };
  cleanups.push(() => stream.close());
}

function liveText(job) {
  if (job.status === 'RELEASED') return 'Released.';
  if (job.status === 'REFUSED' || job.status === 'FAILED') return job.status === 'REFUSED' ? 'Refused (see above).' : 'Failed (see above).';
  const rounds = (job.rounds || []).length;
  return job.status + (job.step !== undefined ? ', step ' + job.step : '') + ', ' + rounds + ' aggregation rounds closed so far (live).';
}

function jobSummary(job) {
  const s = job.spec || {};
  const epsilon = s.privacy?.epsilon;
  return h('dl', {class: 'summary'},
    h('dt', {}, 'Status'), h('dd', {id: 'job-status'}, statusBadge(job.status)),
    h('dt', {}, 'Computation'), h('dd', {}, job.computation),
    s.documentation?.title ? [h('dt', {}, 'Title'), h('dd', {}, s.documentation.title)] : null,
    h('dt', {}, 'Dataset'), h('dd', {}, s.dataset),
    h('dt', {}, 'Privacy'), h('dd', {}, epsilon === 'Infinity' ? 'exact release (no noise)' : 'ε = ' + fmt(num(epsilon), 3) + ', δ = ' + (s.privacy?.delta || 1e-6)),
    h('dt', {}, 'Aggregation'), h('dd', {}, s.aggregation === 'AGGREGATION_THRESHOLD_PAILLIER' ? 'threshold Paillier encryption' : 'secure aggregation (masking)'),
    h('dt', {}, 'Participants'), h('dd', {}, (job.participants || []).join(', ') + ' (threshold ' + job.threshold + ')'),
    h('dt', {}, 'Submitted'), h('dd', {}, when(job.submittedAt) + ' by ' + (job.submittedBy || '–')),
    h('dt', {}, 'Job id'), h('dd', {}, job.id));
}

function progressView(job) {
  const out = [];
  const train = job.progress || [];
  if (train.length > 0) {
    const dp = job.spec?.privacy?.epsilon !== 'Infinity';
    if (dp) {
      out.push(h('p', {class: 'hint'}, 'Under differential privacy no loss is released per round (the budget goes to the gradients); ' +
        'the curve shows the norm of each round\'s noisy mean gradient.'));
    }
    out.push(chart(dp ? 'Gradient norm by round' : 'Training loss by round', {type: 'line', data: {labels: train.map(r => r.round || 0), datasets: [
      dp ? {label: 'gradient norm (noisy)', data: train.map(r => num(r.gradientNorm)), borderColor: '#0b5cad', backgroundColor: '#0b5cad'}
        : {label: 'loss', data: train.map(r => r.loss), borderColor: '#0b5cad', backgroundColor: '#0b5cad'}]},
      options: {scales: {x: {title: {display: true, text: 'round'}}, y: {title: {display: true, text: dp ? 'gradient norm' : 'mean loss'}}}}}));
    out.push(table('Training rounds', ['Round', 'Loss', 'Gradient norm', 'Largest change', 'Participants'],
      train.map(r => [fmt(r.round || 0), fmt(r.loss, 5), fmt(r.gradientNorm, 5), fmt(r.maxChange, 6), (r.participants || []).join(', ')]), [1, 2, 3]));
  }
  const rounds = job.rounds || [];
  if (rounds.length === 0) {
    out.push(h('p', {}, 'No aggregation round has closed yet.'));
  } else {
    const missing = rounds.filter(r => (r.missing || []).length > 0).length;
    // Long jobs have many protocol rounds: folded, with the count and any dropouts in the summary.
    out.push(h('details', {open: rounds.length <= 12},
      h('summary', {}, 'Aggregation rounds: who took part (' + rounds.length + ' rounds, ' + (missing ? missing + ' with a site missing' : 'every site in every round') + ')'),
      table(null, ['Round', 'Participants', 'Missing', 'Closed'],
        rounds.map(r => [r.round, (r.participants || []).join(', '), (r.missing || []).join(', ') || 'none', when(r.closedAt)]))));
  }
  if ((job.refusals || []).length > 0) {
    out.push(h('div', {class: 'errors', role: 'alert'}, h('h3', {}, 'Refused by policy'),
      h('ul', {}, job.refusals.map(r => h('li', {}, r.node + ' (' + r.policy + '): ' + r.reason)))));
  }
  if (job.error) out.push(h('p', {class: 'error', role: 'alert'}, 'Error: ' + job.error));
  if (job.lastNodeError) out.push(h('p', {class: 'error'}, 'Last node error: ' + job.lastNodeError));
  return out;
}

function resultView(job) {
  if (!job.result) return [h('h2', {id: 'result-h'}, 'Result'), h('p', {}, job.status === 'RELEASED' ? 'No result.' : 'The result appears here when it is released.')];
  const r = job.result;
  const out = [h('h2', {id: 'result-h'}, 'Result')];
  if (r.statistics) out.push(...statisticsView(r.statistics));
  if (r.model) out.push(...modelView(job.id, r.model));
  if (r.datasheet) out.push(h('p', {}, h('a', {href: '#/jobs/' + job.id + '/datasheet'}, 'Open the consortium datasheet')));
  out.push(h('h2', {}, 'Privacy spent'), accountingView(r.accounting || r.model?.privacy || {}));
  return out;
}

function accountingView(a) {
  return h('div', {},
    h('dl', {class: 'summary'},
      h('dt', {}, 'Mechanism'), h('dd', {}, a.mechanism || '–'),
      h('dt', {}, 'ε'), h('dd', {}, fmt(num(a.epsilon), 3)),
      h('dt', {}, 'δ'), h('dd', {}, a.delta ? String(a.delta) : '–'),
      h('dt', {}, 'Contributors'), h('dd', {}, (a.contributors || []).join(', ') || '–'),
      h('dt', {}, 'Dropped'), h('dd', {}, (a.dropped || []).join(', ') || 'none'),
      a.conversion ? [h('dt', {}, 'Accounting'), h('dd', {}, a.conversion)] : null,
      a.noiseFactor ? [h('dt', {}, 'Noise beyond the guarantee'), h('dd', {}, fmt(a.noiseFactor, 3) +
        '× (calibrated for the threshold t; more contributors than t add more noise)')] : null),
    (a.components || []).length ? table('Noise per released component', ['Component', 'Noise std. dev. (data units)', 'Skellam μ'],
      a.components.map(c => [c.name, fmt(c.stddev, 4), fmt(c.mu, 1)]), [1, 2]) : null);
}

function statisticsView(s) {
  const groups = s.groups || [];
  const noisy = groups.some(g => g.countInterval);
  const hasVariance = groups.some(g => g.variance !== undefined && g.variance !== 'NaN' && !Number.isNaN(g.variance));
  const sd = (g) => {
    if (g.variance === undefined || g.variance === 'NaN') return fmt(NaN);
    const root = (v) => Math.sqrt(Math.max(0, num(v) || 0));
    return withCi(root(g.variance), g.varianceInterval && {low: root(g.varianceInterval.low), high: root(g.varianceInterval.high)}, 2);
  };
  const headers = ['Group', noisy ? 'Count [95% interval]' : 'Count', noisy ? 'Mean [95% interval]' : 'Mean'];
  if (hasVariance) headers.push(noisy ? 'Std. dev. [95% interval]' : 'Std. dev.');
  const out = [];
  if (noisy) {
    out.push(h('p', {class: 'notice'}, 'These numbers are differentially private: each carries random noise of a known size, and the ' +
      'interval beside it holds the true value with 95% probability. Counts are never shown below zero, and histogram bins add up to their count.'));
  }
  out.push(table('Statistics of ' + s.column + (groups.length > 1 ? ' by group' : ''), headers,
    groups.map(g => [g.label || g.group || 'all', withCi(g.count, g.countInterval, 0), withCi(g.mean, g.meanInterval, 2), ...(hasVariance ? [sd(g)] : [])]),
    headers.map((_, i) => i).slice(1)));
  const edges = s.histogramEdges || [];
  if (edges.length > 1) {
    const labels = edges.slice(0, -1).map((e, i) => '[' + e + ', ' + edges[i + 1] + (i === edges.length - 2 ? ']' : ')'));
    out.push(table('Histogram of ' + s.histogramColumn + (noisy ? ' (differentially private counts, 95% intervals)' : ''), ['Group', ...labels],
      groups.map(g => [g.label || g.group || 'all', ...(g.histogram || []).map((c, i) => withCi(c, (g.histogramIntervals || [])[i], 0))]),
      labels.map((_, i) => i + 1)));
    const colors = ['#0b5cad', '#d95f02', '#1b9e77', '#7570b3', '#e7298a'];
    out.push(chart('Histogram of ' + s.histogramColumn + ' by group', {type: 'bar', data: {labels,
      datasets: groups.map((g, i) => ({label: g.label || g.group || 'all', data: (g.histogram || []).map(c => num(c)), backgroundColor: colors[i % colors.length]}))},
      options: {scales: {x: {title: {display: true, text: s.histogramColumn}}, y: {min: 0, title: {display: true, text: 'rows'}}}}}));
  }
  return out;
}

function modelView(id, m) {
  const logistic = (m.spec?.model || 'LOGISTIC') === 'LOGISTIC';
  const out = [h('p', {},
    h('a', {href: '#/jobs/' + id + '/fairness'}, 'Fairness report'), ' · ',
    h('a', {href: '#/jobs/' + id + '/model-card'}, 'Model card'), ' · ',
    h('a', {href: '/api/v1/jobs/' + id + '/model', download: id + '-model.json'}, 'Download the model (JSON)'))];
  out.push(h('dl', {class: 'summary'},
    h('dt', {}, 'Model'), h('dd', {}, logistic ? 'logistic regression' : 'linear regression'),
    h('dt', {}, 'Converged'), h('dd', {}, m.converged ? 'yes' : 'no'), h('dt', {}, 'Rounds'), h('dd', {}, String((m.rounds || []).length)),
    h('dt', {}, 'Training rows'), h('dd', {}, fmt(m.rows, 0)),
    logistic ? [h('dt', {}, m.aucInterval ? 'AUC [95% interval]' : 'AUC'), h('dd', {id: 'auc'}, withCi(m.auc, m.aucInterval)),
      h('dt', {}, m.accuracyInterval ? 'Accuracy [95% interval]' : 'Accuracy'), h('dd', {id: 'accuracy'}, withCi(m.accuracy, m.accuracyInterval))] : null,
    h('dt', {}, logistic ? 'Log loss' : 'Mean squared error'), h('dd', {}, fmt(m.logLoss, 4)),
    h('dt', {}, 'Evaluated on'), h('dd', {}, m.evaluation || (m.evaluatedOnHoldout ? 'held-out rows at every site' : 'the training rows')),
    m.boundedScaling ? [h('dt', {}, 'Feature scaling'), h('dd', {}, 'by the data dictionary\'s public bounds, to [-1, 1]')] : null));
  const noise = (m.privacy?.components || []).find(c => /histogram/.test(c.name || ''));
  if (noise && noise.stddev) {
    out.push(h('p', {class: 'notice'}, 'These evaluation figures come from differentially private counts (noise std. dev. ' + fmt(noise.stddev, 1) +
      ' per count); the 95% interval beside each says how far the noise may have moved it.'));
  }
  if (logistic && m.aucInterval && num(m.aucInterval.low) <= 0.5) {
    out.push(h('p', {class: 'notice', role: 'status'}, 'Warning: the AUC interval reaches 0.5, so this evaluation cannot tell the model from chance.'));
  }
  if ((m.sites || []).length) {
    out.push(table('Evaluation per site', ['Site', 'Rows', 'AUC', 'Accuracy'], m.sites.map(s => [s.site, fmt(s.rows, 0),
      withCi(s.auc, s.aucInterval), withCi(s.accuracy, s.accuracyInterval)]), [1, 2, 3]));
  }
  out.push(h('h3', {}, 'Coefficients'));
  const hasSe = (m.coefficients || []).some(c => c.stdError);
  const headers = ['Term', 'Coefficient'];
  if (hasSe) headers.push('Std. error', '95% CI');
  if (logistic) headers.push('Odds ratio');
  if (logistic && hasSe) headers.push('Odds ratio 95% CI');
  out.push(table(null, headers, (m.coefficients || []).map(c => {
    const row = [c.name, fmt(c.value || 0, 4)];
    if (hasSe) row.push(fmt(c.stdError, 4), '[' + fmt(c.ciLow, 3) + ', ' + fmt(c.ciHigh, 3) + ']');
    if (logistic) row.push(fmt(c.oddsRatio ?? Math.exp(c.value || 0), 3));
    if (logistic && hasSe) row.push('[' + fmt(c.oddsRatioCiLow, 3) + ', ' + fmt(c.oddsRatioCiHigh, 3) + ']');
    return row;
  }), [1, 2, 3, 4, 5].slice(0, headers.length - 1)));
  if (logistic) {
    const roc = m.roc || [];
    const cal = m.calibration || [];
    out.push(h('div', {class: 'charts'},
      roc.length ? h('figure', {}, h('figcaption', {}, 'ROC curve (AUC ' + fmt(m.auc, 3) + ')'),
        chart('ROC curve: true positive rate against false positive rate', {type: 'scatter', data: {datasets: [
          {label: 'model', data: roc.map(p => ({x: p.falsePositiveRate || 0, y: p.truePositiveRate || 0})), showLine: true, borderColor: '#0b5cad', backgroundColor: '#0b5cad', pointRadius: 1},
          {label: 'chance', data: [{x: 0, y: 0}, {x: 1, y: 1}], showLine: true, borderDash: [4, 4], borderColor: '#6b7178', pointRadius: 0}]},
          options: {scales: {x: {min: 0, max: 1, title: {display: true, text: 'false positive rate'}}, y: {min: 0, max: 1, title: {display: true, text: 'true positive rate'}}}}})) : null,
      cal.length ? h('figure', {}, h('figcaption', {}, 'Calibration: observed rate per score bin'),
        chart('Calibration plot: observed positive rate against predicted score', {type: 'scatter', data: {datasets: [
          {label: 'observed', data: cal.map(b => ({x: ((b.scoreFrom || 0) + (b.scoreTo || 0)) / 2, y: b.observedRate || 0})), showLine: true, borderColor: '#d95f02', backgroundColor: '#d95f02'},
          {label: 'perfect', data: [{x: 0, y: 0}, {x: 1, y: 1}], showLine: true, borderDash: [4, 4], borderColor: '#6b7178', pointRadius: 0}]},
          options: {scales: {x: {min: 0, max: 1, title: {display: true, text: 'predicted score'}}, y: {min: 0, max: 1, title: {display: true, text: 'observed positive rate'}}}}})) : null));
    if (cal.length) out.push(table('Calibration bins', ['Scores', 'Rows', 'Observed positive rate'],
      cal.map(b => ['[' + fmt(b.scoreFrom || 0, 1) + ', ' + fmt(b.scoreTo, 1) + ')', fmt(b.rows, 0), fmt(b.observedRate || 0, 3)]), [1, 2]));
  }
  if ((m.importance || []).length) {
    out.push(table('Feature importance', ['Feature', 'Permutation: loss increase', 'Mean |SHAP|'],
      m.importance.map(f => [f.feature, fmt(f.permutationLossIncrease || 0, 4), fmt(f.meanAbsShap || 0, 4)]), [1, 2]));
  }
  return out;
}

// ---------- fairness, model card, datasheet ----------

async function withResult(id, title, render) {
  page(title, h('p', {}, 'Loading…'));
  try {
    const job = await api('GET', '/api/v1/jobs/' + encodeURIComponent(id));
    const back = h('p', {}, h('a', {href: '#/jobs/' + id}, '← Back to the job'));
    if (!job.result) { page(title, back, h('p', {}, 'This job has no released result yet.')); return; }
    page(title, back, ...(await render(job)));
  } catch (e) { page(title, failure(e)); }
}

const METRICS = [['selectionRate', 'Selection rate'], ['truePositiveRate', 'True positive rate'], ['falsePositiveRate', 'False positive rate'],
  ['falseNegativeRate', 'False negative rate'], ['trueNegativeRate', 'True negative rate'], ['precision', 'Precision'], ['accuracy', 'Accuracy']];

function fairnessTables(f, caption) {
  const groups = (f.groups || []).concat(f.overall ? [Object.assign({}, f.overall, {group: 'overall'})] : []);
  return [
    table(caption + ': metrics per group', ['Group', 'Rows', ...METRICS.map(m => m[1])],
      groups.map(g => g.suppressed ? [g.group, fmt(g.count, 0), h('span', {}, 'suppressed: ' + (g.suppressionReason || ''))]
        : [g.group, fmt(g.count || 0, 0), ...METRICS.map(m => fmt(g[m[0]] || 0, 3))]), [1, 2, 3, 4, 5, 6, 7, 8]),
    table(caption + ': disparities', ['Measure', 'Between groups', 'To overall'], [
      ['Demographic parity difference', withCi(f.demographicParityDifference || 0, f.demographicParityDifferenceInterval), fmt(f.demographicParityDifferenceToOverall || 0)],
      ['Demographic parity ratio', fmt(f.demographicParityRatio || 0), fmt(f.demographicParityRatioToOverall || 0)],
      ['Equalized odds difference', withCi(f.equalizedOddsDifference || 0, f.equalizedOddsDifferenceInterval), fmt(f.equalizedOddsDifferenceToOverall || 0)],
      ['Equalized odds ratio', fmt(f.equalizedOddsRatio || 0), fmt(f.equalizedOddsRatioToOverall || 0)],
      ['Equal opportunity difference', fmt(f.equalOpportunityDifference || 0), fmt(f.equalOpportunityDifferenceToOverall || 0)]], [1, 2])];
}

function fairnessChart(f, label) {
  const groups = (f.groups || []).filter(g => !g.suppressed);
  const colors = ['#0b5cad', '#d95f02', '#1b9e77'];
  return chart(label, {type: 'bar', data: {labels: groups.map(g => g.group),
    datasets: METRICS.slice(0, 3).map(([key, name], i) => ({label: name, data: groups.map(g => g[key] || 0), backgroundColor: colors[i]}))},
    options: {scales: {y: {min: 0, max: 1}}}});
}

function fairnessPage(id) {
  return withResult(id, 'Fairness report', async (job) => {
    const m = job.result.model;
    if (!m || !m.fairness) return [h('p', {}, 'This job has no fairness report (no sensitive features were declared).')];
    const f = m.fairness;
    const out = [h('p', {}, 'Sensitive features: ' + (f.sensitiveFeatures || []).join(' × ') + '. Metrics on the evaluation rows of every site, from securely aggregated confusion matrices' +
        (job.spec?.privacy?.epsilon === 'Infinity' ? '.' : ', with differential privacy noise.')),
      h('figure', {}, h('figcaption', {}, 'Selection rate, true and false positive rates per group'), fairnessChart(f, 'Bar chart of selection rate, true positive rate and false positive rate per group')),
      ...fairnessTables(f, 'Before mitigation')];
    const mit = m.mitigation;
    if (mit && mit.after) {
      out.push(h('h2', {}, 'Mitigation: ' + (mit.method || 'per-group thresholds')),
        table('Decision threshold per group', ['Group', 'Threshold'], (mit.thresholds || []).map(t => [t.group, fmt(t.threshold || 0, 3)]), [1]),
        h('p', {}, 'Accuracy ' + fmt(mit.accuracyBefore || 0) + ' before, ' + fmt(mit.accuracyAfter || 0) + ' after.'),
        h('figure', {}, h('figcaption', {}, 'After mitigation'), fairnessChart(mit.after, 'Bar chart of the rates per group after mitigation')),
        ...fairnessTables(mit.after, 'After mitigation'));
    }
    return out;
  });
}

function modelCardPage(id) {
  return withResult(id, 'Model card', async () => {
    const c = await api('GET', '/api/v1/jobs/' + encodeURIComponent(id) + '/model-card');
    const d = c.modelDetails || {};
    const section = (title, ...content) => h('section', {class: 'card-section'}, h('h2', {}, title), ...content);
    const text = (t) => h('p', {}, t || 'Not stated.');
    return [
      h('p', {}, h('a', {href: '/api/v1/jobs/' + id + '/model-card.md'}, 'Markdown version')),
      section('Model details', h('dl', {class: 'summary'},
        ...[['Title', d.title], ['Model type', d.modelType], ['Version', d.modelVersion], ['Released', d.releasedAt], ['Owners', d.owners],
          ['Participating sites', (d.participatingNodes || []).join(', ')], ['Aggregation', d.aggregation], ['Optimiser', d.optimizerAndRounds]]
          .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v === undefined || v === '' ? '–' : String(v))]))),
      section('Intended use', text(c.intendedUse)),
      section('Out-of-scope uses', text(c.outOfScopeUses)),
      section('Factors', text((c.factors || []).join(', '))),
      section('Metrics', h('ul', {}, (c.metrics || []).map(x => h('li', {}, x)))),
      section('Evaluation data', text(c.evaluationData)),
      section('Training data', text(c.trainingData)),
      section('Quantitative analyses', c.quantitativeAnalyses ? fairnessTables(c.quantitativeAnalyses, 'Per group') : text(''),
        h('p', {}, h('a', {href: '#/jobs/' + id + '/fairness'}, 'Charts in the fairness report'))),
      section('Coefficients', table(null, ['Term', 'Coefficient', 'Odds ratio'], (c.coefficients || []).map(k => [k.name, fmt(k.value || 0, 4), fmt(k.oddsRatio, 3)]), [1, 2])),
      section('Privacy', accountingView(c.privacy || {})),
      section('Ethical considerations', text(c.ethicalConsiderations)),
      section('Caveats and recommendations', h('ul', {}, (c.caveats || []).map(x => h('li', {}, x))))];
  });
}

function datasheetPage(id) {
  return withResult(id, 'Consortium datasheet', async (job) => {
    const d = job.result.datasheet;
    if (!d) return [h('p', {}, 'This job is not a datasheet job.')];
    const sections = {};
    for (const a of d.answers || []) (sections[a.section] = sections[a.section] || []).push(a);
    const comp = d.composition || [];
    const out = [h('p', {}, h('a', {href: '/api/v1/jobs/' + id + '/datasheet.md'}, 'Markdown version'))];
    for (const [name, answers] of Object.entries(sections)) {
      out.push(h('h2', {}, name.charAt(0).toUpperCase() + name.slice(1)), h('dl', {class: 'summary'}, answers.flatMap(a => [h('dt', {}, a.node), h('dd', {}, a.text)])));
    }
    const margins = d.countMargins || {};
    if (Object.keys(margins).length) {
      out.push(h('p', {class: 'notice'}, 'Counts are differentially private; with 95% probability each is within ± ' +
        Object.entries(margins).map(([k, v]) => fmt(v, 1) + ' (' + k + ')').join(', ') + ' of the true count. None is shown below zero.'));
    }
    out.push(h('h2', {}, 'Composition (differentially private counts per site)'),
      table('Rows, missing values, label and groups per site', ['Site', 'Rows', ...(d.columns || []).map(c => 'missing ' + c),
        'label ' + (d.label || ''), ...(d.groupValues || []).map(v => (d.groupColumn || '') + ' = ' + v)],
      comp.map(s => [s.site, fmt(s.rows || 0, 1), ...(s.missing || []).map(x => fmt(x, 1)), fmt(s.labelPositive || 0, 1), ...(s.groupRows || []).map(x => fmt(x, 1))]),
      Array.from({length: 2 + (d.columns || []).length + (d.groupValues || []).length}, (_, i) => i + 1)));
    for (const s of comp) {
      for (const hist of s.distributions || []) {
        const e = hist.edges || [];
        out.push(table(s.site + ': distribution of ' + hist.column, ['Bin', 'Count'], (hist.counts || []).map((c, i) => ['[' + e[i] + ', ' + e[i + 1] + ')', fmt(c, 1)]), [1]));
      }
    }
    if (d.privacy) out.push(h('h2', {}, 'Privacy spent'), accountingView(d.privacy));
    return out;
  });
}

// ---------- audit trail ----------

async function auditPage(params) {
  const filter = h('input', {id: 'audit-job', value: params.get('job') || '', placeholder: 'job-…'});
  const participant = h('select', {id: 'audit-participant'}, h('option', {value: ''}, 'coordinator'));
  try {
    for (const n of await api('GET', '/api/v1/nodes')) participant.append(h('option', {value: n.id, selected: params.get('participant') === n.id}, n.id));
  } catch (e) { /* the coordinator's own log still works */ }
  const body = h('div', {});
  const load = async () => {
    fill(body, h('p', {}, 'Loading and verifying…'));
    try {
      const q = new URLSearchParams();
      if (participant.value) q.set('participant', participant.value);
      if (filter.value.trim()) q.set('job', filter.value.trim());
      const a = await api('GET', '/api/v1/audit' + (q.toString() ? '?' + q : ''));
      const cross = a.consistentWithCoordinator === undefined ? null
        : h('p', {id: 'audit-crosscheck', class: a.consistentWithCoordinator ? 'verified' : 'unverified'},
          a.consistentWithCoordinator ? 'Consistent with the coordinator\'s log: every job ' + a.writer + ' accepted was offered to it, and every result it received has the digest the coordinator released.'
            : 'NOT consistent with the coordinator\'s log.');
      fill(body, 
        h('p', {id: 'audit-status', class: a.verified ? 'verified' : 'unverified', role: 'status'},
          a.verified ? 'Verified: the ' + a.totalEntries + ' entries of ' + a.writer + '\'s log chain correctly, match their hashes and carry valid signatures under the consortium CA.'
            : 'NOT verified: the log of ' + a.writer + ' has problems.'),
        a.problems.length ? h('ul', {class: 'problem'}, a.problems.map(p => h('li', {}, p))) : null,
        cross,
        (a.crossCheckProblems || []).length ? h('ul', {class: 'problem'}, a.crossCheckProblems.map(p => h('li', {}, p))) : null,
        table('Newest entries first', ['#', 'Time', 'Event', 'Job', 'Details'], a.entries.map(e => [String(e.seq), when(e.at), e.event,
          e.jobId ? h('a', {href: '#/jobs/' + e.jobId}, shortId(e.jobId)) : '–',
          Object.entries(e.details || {}).map(([k, v]) => k + '=' + v).join(', ')])));
    } catch (e) { fill(body, failure(e)); }
  };
  const form = h('form', {class: 'filters', role: 'search', 'aria-label': 'Choose an audit trail'},
    h('div', {}, h('label', {for: 'audit-participant'}, 'Whose log'), participant),
    h('div', {}, h('label', {for: 'audit-job'}, 'Job id'), filter), h('button', {type: 'submit'}, 'Show'));
  form.addEventListener('submit', ev => { ev.preventDefault(); load(); });
  page('Audit trail', h('p', {class: 'hint'}, 'Every participant keeps a tamper-evident log, verified when shown here. A node\'s log is fetched from the node and cross-checked with the coordinator\'s; consilium-audit does the same offline.'), form, body);
  await load();
}

// ---------- submit ----------

function field(id, label, input, hint) {
  input.id = id;
  input.name = id;
  const err = h('p', {class: 'field-error', id: id + '-error', hidden: true});
  if (hint) input.setAttribute('aria-describedby', id + '-hint ' + id + '-error');
  else input.setAttribute('aria-describedby', id + '-error');
  return h('div', {}, h('label', {for: id}, label), hint ? h('p', {class: 'hint', id: id + '-hint'}, hint) : null, input, err);
}

const list = (s) => s.split(',').map(x => x.trim()).filter(x => x.length > 0);
/** "column: a, b, c" per line -> [{column, values}] */
function categoricals(text) {
  return text.split('\n').map(l => l.trim()).filter(l => l).map(l => {
    const [column, values] = l.split(':');
    return {column: (column || '').trim(), values: list(values || '')};
  });
}

async function submitPage() {
  let nodes = [];
  try { nodes = await api('GET', '/api/v1/nodes'); } catch (e) { /* the form still works with every node */ }
  const online = nodes.filter(n => n.online && !n.suspended);
  const kindStats = h('input', {type: 'radio', name: 'kind', id: 'kind-statistics', value: 'statistics', checked: true});
  const kindTrain = h('input', {type: 'radio', name: 'kind', id: 'kind-train', value: 'train'});
  const v = (tag, attrs) => h(tag, attrs);
  const inputs = {
    dataset: v('input', {value: 'heart-disease', required: true}),
    epsilon: v('input', {type: 'number', step: 'any', min: '0', value: '1', required: true}),
    delta: v('input', {type: 'number', step: 'any', min: '0', value: '0.000001'}),
    aggregation: h('select', {}, h('option', {value: 'AGGREGATION_MASKING'}, 'Secure aggregation (masking)'),
      h('option', {value: 'AGGREGATION_THRESHOLD_PAILLIER'}, 'Threshold Paillier encryption')),
    column: v('input', {value: 'age'}), lower: v('input', {type: 'number', step: 'any', value: ''}), upper: v('input', {type: 'number', step: 'any', value: ''}),
    groupColumn: v('input', {value: 'sex'}), groupValues: v('input', {value: '0, 1'}),
    histColumn: v('input', {value: 'num'}), histEdges: v('input', {value: '0, 1, 2, 3, 4, 5'}),
    model: h('select', {}, h('option', {value: 'LOGISTIC'}, 'Logistic regression'), h('option', {value: 'LINEAR'}, 'Linear regression')),
    numeric: v('input', {value: ''}),
    categorical: h('textarea', {rows: 3}, 'sex: 0, 1\ncp: 1, 2, 3, 4\nexang: 0, 1'),
    target: v('input', {value: 'num'}), positiveAbove: v('input', {type: 'number', step: 'any', value: '0'}),
    missing: h('select', {}, h('option', {value: 'DROP_ROWS'}, 'Leave rows with missing values out'), h('option', {value: 'IMPUTE_MEAN'}, 'Impute the securely aggregated mean')),
    standardize: v('input', {type: 'checkbox'}),
    l2: v('input', {type: 'number', step: 'any', min: '0', value: '1'}),
    maxRounds: v('input', {type: 'number', min: '0', step: '1', value: '15'}),
    learningRate: v('input', {type: 'number', step: 'any', min: '0', value: '2'}),
    holdout: v('input', {type: 'number', step: 'any', min: '0', max: '0.9', value: '0.25'}),
    sensitive: h('textarea', {rows: 2}, 'sex: 0, 1'),
    mitigation: v('input', {type: 'checkbox'}),
    title: v('input', {value: ''}), intendedUse: h('textarea', {rows: 2}), outOfScope: h('textarea', {rows: 2})};
  const nodeBoxes = online.map(n => h('input', {type: 'checkbox', id: 'node-' + n.id, value: n.id, checked: true}));
  const errors = h('div', {class: 'errors', role: 'alert', tabindex: '-1', hidden: true});
  const statsSet = h('fieldset', {id: 'statistics-fields'}, h('legend', {}, 'Statistics'),
    h('div', {class: 'row'}, field('column', 'Column', inputs.column), field('lower', 'Lower clipping bound', inputs.lower, 'empty: the data dictionary\'s'), field('upper', 'Upper clipping bound', inputs.upper, 'narrower only')),
    h('div', {class: 'row'}, field('group-column', 'Group by column (optional)', inputs.groupColumn), field('group-values', 'Group values', inputs.groupValues, 'comma-separated')),
    h('div', {class: 'row'}, field('hist-column', 'Histogram column (optional)', inputs.histColumn), field('hist-edges', 'Histogram bin edges', inputs.histEdges, 'increasing, comma-separated')));
  const trainSet = h('fieldset', {id: 'train-fields', hidden: true}, h('legend', {}, 'Training'),
    h('div', {class: 'row'}, field('model', 'Model', inputs.model), field('target', 'Target column', inputs.target),
      field('positive-above', 'Positive when target is above', inputs.positiveAbove, 'logistic models only')),
    field('numeric', 'Numeric features', inputs.numeric, 'comma-separated column names; under differential privacy they enter unscaled, so prefer bounded ones'),
    field('categorical', 'Categorical features', inputs.categorical, 'one per line: column: values (the first value is the reference level)'),
    h('div', {class: 'row'}, field('missing', 'Missing values', inputs.missing), field('l2', 'L2 penalty', inputs.l2), field('max-rounds', 'Maximum rounds', inputs.maxRounds, '0 = default'),
      field('learning-rate', 'Learning rate', inputs.learningRate, 'gradient descent step')),
    h('div', {class: 'row'}, field('holdout', 'Held-out share for evaluation', inputs.holdout, '0 to 0.9'),
      h('div', {}, h('label', {}, inputs.standardize, ' Standardise numeric features'), h('p', {class: 'hint'}, 'Not available with differential privacy.'))),
    field('sensitive', 'Sensitive features for the fairness report', inputs.sensitive, 'one per line: column: values'),
    h('label', {}, inputs.mitigation, ' Mitigate: per-group thresholds for demographic parity'),
    field('title', 'Title (model card)', inputs.title), field('intended-use', 'Intended use', inputs.intendedUse), field('out-of-scope', 'Out-of-scope uses', inputs.outOfScope));
  inputs.standardize.id = 'standardize';
  inputs.mitigation.id = 'mitigation';
  const toggle = () => { statsSet.hidden = !kindStats.checked; trainSet.hidden = kindStats.checked; };
  kindStats.addEventListener('change', toggle);
  kindTrain.addEventListener('change', toggle);
  const form = h('form', {novalidate: true, id: 'submit-form'}, errors,
    h('fieldset', {}, h('legend', {}, 'Kind of job'), h('div', {class: 'inline'},
      kindStats, h('label', {for: 'kind-statistics'}, 'Statistics'), kindTrain, h('label', {for: 'kind-train'}, 'Train a model'))),
    h('fieldset', {}, h('legend', {}, 'Data and privacy'),
      h('div', {class: 'row'}, field('dataset', 'Dataset', inputs.dataset), field('epsilon', 'Privacy budget ε', inputs.epsilon, 'spent at every participating site'),
        field('delta', 'δ', inputs.delta), field('aggregation', 'Protection of the contributions', inputs.aggregation)),
      online.length ? h('fieldset', {}, h('legend', {}, 'Participating sites'), h('div', {class: 'inline'},
        nodeBoxes.map(b => [b, h('label', {for: b.id}, b.value)]))) : h('p', {class: 'hint'}, 'Every connected site takes part.')),
    statsSet, trainSet, h('p', {}, h('button', {type: 'submit', id: 'submit-job'}, 'Submit job')));

  const problems = [];
  const fail = (input, message) => problems.push({input, message});
  const number = (input, name) => { const x = Number(input.value); if (input.value.trim() === '' || !Number.isFinite(x)) fail(input, name + ' must be a number'); return x; };
  function build() {
    problems.length = 0;
    const spec = {specVersion: 1, dataset: inputs.dataset.value.trim(), privacy: {}, aggregation: inputs.aggregation.value};
    if (!spec.dataset) fail(inputs.dataset, 'Dataset is required');
    const eps = number(inputs.epsilon, 'ε');
    if (eps <= 0) fail(inputs.epsilon, 'ε must be greater than 0');
    spec.privacy.epsilon = eps;
    if (inputs.delta.value.trim()) { const d = number(inputs.delta, 'δ'); if (d <= 0 || d >= 1) fail(inputs.delta, 'δ must be between 0 and 1'); spec.privacy.delta = d; }
    const chosen = nodeBoxes.filter(b => b.checked).map(b => b.value);
    if (nodeBoxes.length && chosen.length < 2) fail(nodeBoxes[0], 'Choose at least two participating sites');
    if (nodeBoxes.length && chosen.length < nodeBoxes.length) spec.nodes = chosen;
    if (kindStats.checked) {
      // Empty bounds mean the data dictionary's public bounds; given ones may only narrow them (the server checks).
      const bound = (el, what) => el.value.trim() === '' ? undefined : number(el, what);
      const s = {column: inputs.column.value.trim(), lower: bound(inputs.lower, 'Lower bound'), upper: bound(inputs.upper, 'Upper bound')};
      if (!s.column) fail(inputs.column, 'Column is required');
      if ((s.lower === undefined) !== (s.upper === undefined)) fail(inputs.upper, 'Give both bounds, or neither for the dictionary\'s');
      else if (s.lower !== undefined && s.lower >= s.upper) fail(inputs.upper, 'The upper bound must be above the lower bound');
      if (inputs.groupColumn.value.trim()) {
        s.groupBy = {column: inputs.groupColumn.value.trim(), values: list(inputs.groupValues.value)};
        if (s.groupBy.values.length === 0) fail(inputs.groupValues, 'Name the group values');
      }
      if (inputs.histColumn.value.trim()) {
        const edges = list(inputs.histEdges.value).map(Number);
        if (edges.length < 2 || edges.some(e => !Number.isFinite(e)) || edges.some((e, i) => i > 0 && e <= edges[i - 1])) {
          fail(inputs.histEdges, 'Bin edges must be at least two increasing numbers');
        }
        s.histogram = {column: inputs.histColumn.value.trim(), edges};
      }
      spec.statistics = s;
    } else {
      const t = {model: inputs.model.value, numericFeatures: list(inputs.numeric.value), categoricalFeatures: categoricals(inputs.categorical.value),
        target: inputs.target.value.trim(), positiveAbove: number(inputs.positiveAbove, 'Positive threshold'), missing: inputs.missing.value,
        standardize: inputs.standardize.checked, l2: number(inputs.l2, 'L2 penalty'), maxRounds: number(inputs.maxRounds, 'Maximum rounds'),
        holdoutFraction: number(inputs.holdout, 'Held-out share'), splitSeed: '1', learningRate: number(inputs.learningRate, 'Learning rate'), sensitiveFeatures: categoricals(inputs.sensitive.value)};
      if (!t.target) fail(inputs.target, 'Target column is required');
      if (t.numericFeatures.length + t.categoricalFeatures.length === 0) fail(inputs.numeric, 'Name at least one feature');
      for (const c of t.categoricalFeatures) if (!c.column || c.values.length < 2) fail(inputs.categorical, 'Each categorical feature needs a column and at least two values');
      for (const c of t.sensitiveFeatures) if (!c.column || c.values.length < 1) fail(inputs.sensitive, 'Each sensitive feature needs a column and its values');
      if (t.l2 < 0) fail(inputs.l2, 'The L2 penalty cannot be negative');
      if (t.learningRate <= 0) fail(inputs.learningRate, 'The learning rate must be greater than 0');
      if (t.holdoutFraction < 0 || t.holdoutFraction > 0.9) fail(inputs.holdout, 'The held-out share must be from 0 to 0.9');
      if (t.maxRounds < 0 || !Number.isInteger(t.maxRounds)) fail(inputs.maxRounds, 'Maximum rounds must be a whole number, 0 or more');
      if (t.standardize) fail(inputs.standardize, 'Standardisation is not available with differential privacy');
      if (t.missing === 'IMPUTE_MEAN') fail(inputs.missing, 'Mean imputation is not available with differential privacy');
      if (inputs.mitigation.checked) t.mitigation = 'THRESHOLD_DEMOGRAPHIC_PARITY';
      spec.train = t;
      spec.documentation = {title: inputs.title.value.trim(), intendedUse: inputs.intendedUse.value.trim(), outOfScopeUses: inputs.outOfScope.value.trim()};
    }
    return spec;
  }

  function showProblems(list) {
    form.querySelectorAll('[aria-invalid]').forEach(el => el.removeAttribute('aria-invalid'));
    form.querySelectorAll('.field-error').forEach(el => { el.hidden = true; el.textContent = ''; });
    if (list.length === 0) { errors.hidden = true; return; }
    fill(errors, h('h2', {}, 'The job cannot be submitted'), h('ul', {}, list.map(p => h('li', {},
      p.input ? h('a', {href: '#', onclick: (ev) => { ev.preventDefault(); p.input.focus(); }}, p.message) : p.message))));
    for (const p of list) {
      if (!p.input) continue;
      p.input.setAttribute('aria-invalid', 'true');
      const err = document.getElementById(p.input.id + '-error');
      if (err) { err.textContent = p.message; err.hidden = false; }
    }
    errors.hidden = false;
    errors.focus();
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const spec = build();
    if (problems.length) { showProblems(problems); return; }
    showProblems([]);
    const button = document.getElementById('submit-job');
    button.disabled = true;
    try {
      const job = await api('POST', '/api/v1/jobs', spec);
      location.hash = '#/jobs/' + job.id;
    } catch (e) {
      // The coordinator names the field ("train.target: ..."); point at it when we can.
      const match = /(?:invalid job spec: )?([a-zA-Z_.]+):/.exec(e.message);
      const byPath = {'privacy.epsilon': inputs.epsilon, 'privacy.delta': inputs.delta, dataset: inputs.dataset, nodes: nodeBoxes[0],
        'statistics.column': inputs.column, 'statistics.lower': inputs.lower, 'statistics.upper': inputs.upper, 'train.target': inputs.target,
        'train.numeric_features': inputs.numeric, 'train.categorical_features': inputs.categorical, 'train.holdout_fraction': inputs.holdout};
      showProblems([{input: match ? byPath[match[1]] : null, message: e.message}]);
      button.disabled = false;
    }
  });
  page('New job', h('p', {class: 'hint'}, 'Every site checks the job against its own policy before it computes anything; the released numbers are differentially private.'), form);
}

// ---------- routing ----------

async function route() {
  cleanups.forEach(f => f());
  cleanups = [];
  const [path, query] = (location.hash || '#/jobs').slice(1).split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(p => p);
  document.querySelectorAll('#nav a').forEach(a => a.removeAttribute('aria-current'));
  const navLink = document.querySelector('#nav a[href="#/' + (parts[0] || 'jobs') + '"]');
  if (navLink && parts.length === 1) navLink.setAttribute('aria-current', 'page');
  if (parts[0] === 'login') return loginPage(params);
  if (!session) {
    try { session = await api('GET', '/api/v1/session'); showSignedIn(); } catch (e) { return; }
  }
  switch (parts[0]) {
    case 'consortium': return consortiumPage();
    case 'datasets': return datasetsPage();
    case 'submit': return submitPage();
    case 'audit': return session.role === 'admin' ? auditPage(params) : page('Audit trail', h('p', {class: 'error'}, 'Only administrators see the audit trail.'));
    case 'jobs':
      if (!parts[1]) return jobsPage(params);
      if (parts[2] === 'fairness') return fairnessPage(parts[1]);
      if (parts[2] === 'model-card') return modelCardPage(parts[1]);
      if (parts[2] === 'datasheet') return datasheetPage(parts[1]);
      return jobPage(parts[1]);
    default: location.hash = '#/jobs';
  }
}

window.addEventListener('hashchange', route);
route();
