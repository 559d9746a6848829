// Consilium console: one page, hash routes, no build step. Every value from the server is put
// in the page as text (never as HTML). Charts are Chart.js from the coordinator's WebJar.

import {ApiError, FINAL, announce, api, chart, failure, fill, fmt, h, main, num, page, plural, shortId, showSignedIn, showSignedOut, state, statusBadge, table, when, withCi} from './ui.js';
import {STATUSES} from './ui.js';
import {submitPage} from './form.js';
import {auditCsv, comparePage, download, jobActions} from './workbench.js';
import {driftPage, modelPage, modelsPage} from './models.js';
import {ebmViews} from './ebm.js';

document.getElementById('logout').addEventListener('click', async () => {
  try { await api('DELETE', '/api/v1/session'); } catch (e) { /* already gone */ }
  state.session = null;
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
      state.session = await api('POST', '/api/v1/session', {username: user.value, password: pass.value});
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
      const open = new Set([...body.querySelectorAll('details[open]')].map(d => d.id));
      fill(body, nodesTable(nodes, load), h('h2', {}, 'Privacy ledgers'),
        h('p', {class: 'hint'}, 'Each site\'s newest ledger entries, as the site reports them: budget reserved for a job before any of its data left, refunded when nothing did.'),
        nodes.map(n => ledgerView(n, open.has('ledger-' + n.id))));
    } catch (e) { fill(body, failure(e)); }
  };
  await load();
  const t = setInterval(load, 10000);
  state.cleanups.push(() => clearInterval(t));
}

/** A node's privacy ledger history (reservations, refunds, exact runs) per job, newest first. */
function ledgerView(n, open) {
  const entries = [...(n.policy?.ledger || [])].reverse();
  return h('details', {id: 'ledger-' + n.id, open}, h('summary', {}, n.id + ': ' + entries.length + (entries.length === 1 ? ' ledger entry' : ' ledger entries')),
    entries.length === 0 ? h('p', {}, 'No entries yet.') : table('Ledger of ' + n.id + ', newest first', ['#', 'Time', 'Entry', 'Dataset', 'Job', 'ε'],
      entries.map(e => [String(e.seq), when(e.at), e.kind, e.dataset, h('a', {href: '#/jobs/' + e.jobId}, shortId(e.jobId)),
        e.kind === 'EXACT' ? 'exact' : e.kind === 'DATA_SENT' ? '(data left: spent for good)' : (e.kind === 'REFUND' ? '−' : '') + fmt(num(e.epsilon), 3)]), [5]));
}

function nodesTable(nodes, reload) {
  const admin = state.session.role === 'admin';
  const headers = ['Node', 'Status', 'Last seen', 'Datasets', 'Policy', 'Privacy budget (ε)', 'Software and certificate'];
  if (admin) headers.push('Actions');
  return table(plural(nodes.length, 'node'), headers, nodes.map(n => {
    const status = n.member === false ? h('span', {class: 'badge bad'}, 'Not a member')
      : n.suspended ? h('span', {class: 'badge warn'}, 'Suspended')
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
    const days = n.certificateNotAfter ? Math.floor((new Date(n.certificateNotAfter) - Date.now()) / 86400000) : null;
    const cert = h('ul', {class: 'plain'}, h('li', {}, 'version ' + (n.softwareVersion || '–')),
      days === null ? null : h('li', {class: days <= 30 ? 'problem' : null}, 'certificate expires ' + new Date(n.certificateNotAfter).toLocaleDateString() +
        (days <= 30 ? ' (in ' + plural(Math.max(days, 0), 'day') + ': renew it)' : ' (in ' + days + ' days)')));
    const row = [n.id, status, when(n.lastSeen), (n.datasets || []).join(', '), policy, budgets, cert];
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

const PAGE_SIZE = 20;

async function jobsPage(params) {
  const status = h('select', {id: 'filter-status'}, ['', ...STATUSES]
    .map(x => h('option', {value: x, selected: params.get('status') === x}, x || 'any')));
  const computation = h('select', {id: 'filter-computation'}, ['', 'statistics', 'train', 'datasheet']
    .map(x => h('option', {value: x, selected: params.get('computation') === x}, x || 'any')));
  let offset = Math.max(0, Number(params.get('offset')) || 0);
  const chosen = new Set();
  const list = h('div', {}, h('p', {role: 'status'}, 'Loading…'));
  const compare = h('a', {class: 'button secondary', id: 'compare-selected', href: '#/compare', 'aria-disabled': 'true'}, 'Compare the two chosen models');
  const setCompare = () => {
    const ids = [...chosen];
    compare.setAttribute('aria-disabled', String(ids.length !== 2));
    compare.href = ids.length === 2 ? '#/compare?a=' + encodeURIComponent(ids[0]) + '&b=' + encodeURIComponent(ids[1]) : '#/jobs';
    compare.hidden = ids.length === 0;
  };
  setCompare();
  const filters = h('form', {class: 'filters', role: 'search', 'aria-label': 'Filter jobs'},
    h('div', {}, h('label', {for: 'filter-status'}, 'Status'), status),
    h('div', {}, h('label', {for: 'filter-computation'}, 'Computation'), computation),
    h('a', {class: 'button', href: '#/submit'}, 'New job'), compare);
  let timer = null;
  const load = async () => {
    const q = new URLSearchParams({limit: String(PAGE_SIZE), offset: String(offset)});
    if (status.value) q.set('status', status.value);
    if (computation.value) q.set('computation', computation.value);
    try {
      const res = await fetch('/api/v1/jobs?' + q, {headers: {Accept: 'application/json'}, credentials: 'same-origin'});
      if (!res.ok) { await api('GET', '/api/v1/jobs?' + q); return; } // the same request through api() reports the error
      const total = Number(res.headers.get('X-Total-Count') || '0');
      const jobs = await res.json();
      const pick = (j) => {
        if (!(j.computation === 'train' && j.status === 'RELEASED')) return '–';
        const box = h('input', {type: 'checkbox', id: 'pick-' + j.id, checked: chosen.has(j.id), onchange: (ev) => {
          if (ev.target.checked) chosen.add(j.id); else chosen.delete(j.id);
          setCompare();
        }});
        return h('span', {}, box, h('label', {for: box.id, class: 'inline-label'}, h('span', {class: 'visually-hidden'}, 'compare ' + (j.spec?.documentation?.title || shortId(j.id)))));
      };
      const pager = h('nav', {class: 'pager', 'aria-label': 'Pages of jobs'},
        h('button', {type: 'button', class: 'secondary', id: 'jobs-newer', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE_SIZE); load(); }}, 'Newer'),
        h('span', {}, total === 0 ? '' : (offset + 1) + '–' + Math.min(offset + PAGE_SIZE, total) + ' of ' + total),
        h('button', {type: 'button', class: 'secondary', id: 'jobs-older', disabled: offset + PAGE_SIZE >= total, onclick: () => { offset += PAGE_SIZE; load(); }}, 'Older'));
      fill(list, jobs.length === 0 ? h('p', {}, total === 0 && !status.value && !computation.value ? 'No jobs yet. ' : 'No jobs match. ', h('a', {href: '#/submit'}, 'Submit one.'))
        : [table(plural(total, 'job') + ', newest first', ['Job', 'Computation', 'Status', 'Submitted', 'By', 'Participants', 'Compare'],
          jobs.map(j => [h('a', {href: '#/jobs/' + j.id}, j.spec?.documentation?.title || shortId(j.id)), j.computation, statusBadge(j.status),
            when(j.submittedAt), j.submittedBy || '–', (j.participants || []).join(', '), pick(j)])), total > PAGE_SIZE ? pager : null]);
      // Refresh only while something on this page can still change.
      clearTimeout(timer);
      if (jobs.some(j => !FINAL.includes(j.status))) timer = setTimeout(load, 5000);
    } catch (e) { fill(list, failure(e)); }
  };
  for (const x of [status, computation]) x.addEventListener('change', () => {
    offset = 0;
    history.replaceState(null, '', '#/jobs?' + new URLSearchParams({status: status.value, computation: computation.value}));
    load();
  });
  page('Jobs', filters, list);
  await load();
  state.cleanups.push(() => clearTimeout(timer));
}

async function jobPage(id) {
  const summary = h('div', {}, h('p', {role: 'status'}, 'Loading…'));
  const actions = h('div', {});
  const progress = h('section', {'aria-labelledby': 'progress-h'}, h('h2', {id: 'progress-h'}, 'Progress'));
  const live = h('p', {id: 'live', role: 'status'});
  const results = h('section', {'aria-labelledby': 'result-h'});
  page('Job ' + shortId(id), summary, actions, progress, live, results);
  let current = null;
  let lastRendered = '';
  const render = (job) => {
    if (current && job.updatedAt && current.updatedAt && job.updatedAt < current.updatedAt) return; // an older copy
    current = job;
    const key = job.status + '|' + (job.rounds || []).length + '|' + (job.progress || []).length + '|' + (job.result ? 'r' : '');
    fill(summary, jobSummary(job));
    live.textContent = liveText(job);
    if (key === lastRendered) return;
    fill(actions, jobActions(job, async () => render(await api('GET', '/api/v1/jobs/' + encodeURIComponent(id)))));
    lastRendered = key;
    fill(progress, h('h2', {id: 'progress-h'}, 'Progress'), ...progressView(job));
    fill(results, ...resultView(job));
  };
  try {
    render(await api('GET', '/api/v1/jobs/' + encodeURIComponent(id)));
  } catch (e) {
    if (e.status === 404) page('Job not found', h('p', {}, 'There is no job ' + id + '. ', h('a', {href: '#/jobs'}, 'See all jobs.')));
    else fill(summary, failure(e));
    return;
  }
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
  state.cleanups.push(() => stream.close());
}

function liveText(job) {
  if (job.status === 'RELEASED') return 'Released.';
  if (job.status === 'CANCELLED') return 'Cancelled' + (job.cancelledBy ? ' by ' + job.cancelledBy : '') + '.';
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
    h('dt', {}, 'Aggregation'), h('dd', {}, s.aggregation === 'AGGREGATION_THRESHOLD_PAILLIER' ? 'threshold Paillier encryption'
      : 'secure aggregation (masking)' + (s.secaggNeighbours ? ', SecAgg+: ' + s.secaggNeighbours + ' neighbours per site' : '')),
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
  if (r.drift) {
    const d = job.spec.drift;
    out.push(h('p', {}, 'A drift measurement of ', h('a', {href: '#/models/' + encodeURIComponent(d.modelName) + '/' + d.modelVersion + '/drift'},
      d.modelName + ' v' + d.modelVersion), ': its comparison with the baseline is in the model\'s drift history.'),
      table('Distributions measured', ['Site', 'Rows (largest histogram total)', 'Features'],
        (r.drift.sites || []).map(s => [s.site, fmt(num(s.rows), 0), (s.features || []).map(f => f.column).join(', ')]), [1]));
  }
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
    (a.components || []).length ? table('Noise per released component', ['Component', 'Noise std. dev. (data units)', '95% of the noise within ±'],
      a.components.map(c => [c.name, fmt(num(c.stddev), 3), fmt(1.96 * num(c.stddev), 3)]), [1, 2]) : null);
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
    out.push(chart('Histogram of ' + s.histogramColumn + ' by group' + (noisy ? ', with 95% intervals' : ''), {type: 'bar', data: {labels,
      datasets: groups.map((g, i) => ({label: g.label || g.group || 'all', data: (g.histogram || []).map(c => num(c)), backgroundColor: colors[i % colors.length],
        errorBars: g.histogramIntervals ? g.histogramIntervals.map(iv => [num(iv.low ?? 0), num(iv.high ?? 0)]) : null}))},
      options: {scales: {x: {title: {display: true, text: s.histogramColumn}}, y: {min: 0, title: {display: true, text: 'rows'}}}}}));
  }
  return out;
}

function modelView(id, m) {
  const ebm = m.spec?.model === 'EBM';
  const logistic = (m.spec?.model || 'LOGISTIC') !== 'LINEAR';
  const out = [h('p', {},
    h('a', {href: '#/jobs/' + id + '/fairness'}, 'Fairness report'), ' · ',
    h('a', {href: '#/jobs/' + id + '/model-card'}, 'Model card'), ' · ',
    h('a', {href: '/api/v1/jobs/' + id + '/model', download: id + '-model.json'}, 'Download the model (JSON)'))];
  out.push(h('dl', {class: 'summary'},
    h('dt', {}, 'Model'), h('dd', {}, ebm ? 'explainable boosting machine (a shape function per feature)' : logistic ? 'logistic regression' : 'linear regression'),
    h('dt', {}, 'Converged'), h('dd', {}, m.converged ? 'yes' : m.boundedScaling ? 'ran its fixed rounds (DP pays for every round up front)' : 'no'), h('dt', {}, 'Rounds'), h('dd', {}, String((m.rounds || []).length)),
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
  if (!m.converged && !m.boundedScaling) {
    out.push(h('p', {class: 'notice', role: 'status'}, 'Warning: the fit did not converge within its ' + plural((m.rounds || []).length, 'round') +
      '; the coefficients may still change with more rounds.'));
  }
  if (logistic && m.aucInterval && num(m.aucInterval.low) <= 0.5) {
    out.push(h('p', {class: 'notice', role: 'status'}, 'Warning: the AUC interval reaches 0.5, so this evaluation cannot tell the model from chance.'));
  }
  if (ebm && m.ebm) out.push(...ebmViews(m.ebm));
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
      ['Equal opportunity difference', fmt(f.equalOpportunityDifference || 0), fmt(f.equalOpportunityDifferenceToOverall || 0)]], [1, 2]),
    ...biasAuditTable(f.biasAudit, caption)];
}

const AUDIT_METRICS = {fdr: 'False discovery rate', for: 'False omission rate', ppr: 'Predicted positive rate (share of all predicted positives)',
  pprev: 'Predicted prevalence', precision: 'Precision'};

// Aequitas's bias audit: each group's value, its disparity to the reference group, and the verdict (UNDETERMINED is proto3's default, so absent).
function biasAuditTable(a, caption) {
  if (!a) return [];
  const tol = a.tolerance || 0.8;
  const title = caption + ': bias audit (Aequitas), disparity to reference group ' + (a.referenceGroup || '?') +
    ', passing within [' + fmt(tol, 2) + ', ' + fmt(1 / tol, 2) + ']';
  if (a.notApplied) return [h('p', {}, title + ': not applied, ' + a.notApplied + '.')];
  const metrics = a.metrics || [];
  const groups = metrics.length ? (metrics[0].groups || []).map(g => g.group) : [];
  return [table(title, ['Metric', 'Verdict', ...groups], metrics.map(m => [AUDIT_METRICS[m.metric] || m.metric, m.verdict || 'UNDETERMINED',
    ...(m.groups || []).map(g => fmt(g.value, 3) + ' (×' + fmt(g.disparity, 2) + ', ' + (g.verdict || 'UNDETERMINED') + ')')]), [])];
}

// A ThresholdOptimizer group's randomised rule in words.
function policyText(p) {
  // Probabilities to three significant digits: a small share of chance decisions must not read as 0.
  return (p.components || []).map(c => Number(c.probability || 0).toPrecision(3) + ': ' + (c.chance !== undefined ? 'positive with probability ' + fmt(c.chance, 3)
    : Number(c.threshold || 0) > 1 ? 'never positive' : 'score ≥ ' + fmt(c.threshold || 0, 2))).join('; ');
}

function fairnessChart(f, label) {
  const groups = (f.groups || []).filter(g => !g.suppressed);
  const colors = ['#0b5cad', '#d95f02', '#1b9e77'];
  return chart(label, {type: 'bar', data: {labels: groups.map(g => g.group),
    datasets: METRICS.slice(0, 3).map(([key, name], i) => ({label: name, data: groups.map(g => g[key] || 0), backgroundColor: colors[i]}))},
    options: {scales: {x: {title: {display: true, text: 'group'}}, y: {min: 0, max: 1, title: {display: true, text: 'rate'}}}}});
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
    if (mit && mit.notApplied) out.push(h('h2', {}, 'Mitigation: ' + (mit.method || '')), h('p', {}, 'Not applied: ' + mit.notApplied + '.'));
    if (mit && mit.after) {
      const mixture = mit.mixture || [];
      const randomised = (mit.policies || []).length > 0 || mixture.length > 0;
      const names = (m.coefficients || []).map(c => c.name);
      out.push(h('h2', {}, 'Mitigation: ' + (mit.method || 'per-group thresholds')),
        mixture.length > 0 ? table('The mixture (randomised: each record is decided by one model drawn with its probability; largest constraint moment on the training rows ' +
            fmt(num(mit.trainingViolation)) + ')', ['Model', 'Probability', ...names],
            mixture.map((c, i) => [String(i + 1), fmt(num(c.probability)), ...(c.coefficients || []).map(v => fmt(num(v), 4))]), [1])
        : (mit.policies || []).length > 0 ? table('Decision rule per group (randomised: each record draws one rule with its probability)', ['Group', 'Rule'],
            mit.policies.map(p => [p.group, policyText(p)]), [])
          : table('Decision threshold per group', ['Group', 'Threshold'], (mit.thresholds || []).map(t => [t.group, fmt(t.threshold || 0, 3)]), [1]),
        h('p', {}, 'Accuracy ' + fmt(mit.accuracyBefore || 0) + ' before, ' + fmt(mit.accuracyAfter || 0) + ' after' +
          (randomised ? ' (expected under the randomisation; the same record can get different decisions).' : '.')),
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

const AUDIT_PAGE = 50;

async function auditPage(params) {
  const filter = h('input', {id: 'audit-job', value: params.get('job') || '', placeholder: 'job-…'});
  const event = h('input', {id: 'audit-event', value: params.get('event') || '', placeholder: 'job. or job.released'});
  const participant = h('select', {id: 'audit-participant'}, h('option', {value: ''}, 'coordinator'));
  try {
    for (const n of await api('GET', '/api/v1/nodes')) participant.append(h('option', {value: n.id, selected: params.get('participant') === n.id}, n.id));
  } catch (e) { /* the coordinator's own log still works */ }
  const body = h('div', {});
  let offset = 0;
  const load = async () => {
    fill(body, h('p', {role: 'status'}, 'Loading and verifying…'));
    try {
      const q = new URLSearchParams({limit: String(AUDIT_PAGE), offset: String(offset)});
      if (participant.value) q.set('participant', participant.value);
      if (filter.value.trim()) q.set('job', filter.value.trim());
      if (event.value.trim()) q.set('event', event.value.trim());
      const a = await api('GET', '/api/v1/audit?' + q);
      const cross = a.consistentWithCoordinator === undefined ? null
        : h('p', {id: 'audit-crosscheck', class: a.consistentWithCoordinator ? 'verified' : 'unverified'},
          a.consistentWithCoordinator ? 'Consistent with the coordinator\'s log: every job ' + a.writer + ' accepted was offered to it, and every result it received has the digest the coordinator released.'
            : 'NOT consistent with the coordinator\'s log.');
      const matching = a.matchingEntries ?? a.entries.length;
      const pager = h('nav', {class: 'pager', 'aria-label': 'Pages of the audit trail'},
        h('button', {type: 'button', class: 'secondary', id: 'audit-newer', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - AUDIT_PAGE); load(); }}, 'Newer'),
        h('span', {}, matching === 0 ? 'no entries match' : (offset + 1) + '–' + Math.min(offset + a.entries.length, matching) + ' of ' + matching + ' matching'),
        h('button', {type: 'button', class: 'secondary', id: 'audit-older', disabled: offset + AUDIT_PAGE >= matching, onclick: () => { offset += AUDIT_PAGE; load(); }}, 'Older'));
      const name = 'audit-' + a.writer + (offset ? '-from-' + offset : '');
      const exports = h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'secondary', id: 'audit-export-json', onclick: () => download(name + '.json', 'application/json', JSON.stringify(a, null, 2))}, 'These entries as JSON'),
        h('button', {type: 'button', class: 'secondary', id: 'audit-export-csv', onclick: () => download(name + '.csv', 'text/csv', auditCsv(a.entries))}, 'These entries as CSV'));
      fill(body,
        h('p', {id: 'audit-status', class: a.verified ? 'verified' : 'unverified', role: 'status'},
          a.verified ? 'Verified: the ' + a.totalEntries + ' entries of ' + a.writer + '\'s log chain correctly, match their hashes and carry valid signatures under the consortium CA.'
            : 'NOT verified: the log of ' + a.writer + ' has problems.'),
        a.problems.length ? h('ul', {class: 'problem'}, a.problems.map(p => h('li', {}, p))) : null,
        cross,
        (a.crossCheckProblems || []).length ? h('ul', {class: 'problem'}, a.crossCheckProblems.map(p => h('li', {}, p))) : null,
        pager, exports,
        table('Newest entries first', ['#', 'Time', 'Event', 'Job', 'Details'], a.entries.map(e => [String(e.seq), when(e.at), e.event,
          e.jobId ? h('a', {href: '#/jobs/' + e.jobId}, shortId(e.jobId)) : '–',
          Object.entries(e.details || {}).map(([k, v]) => k + '=' + v).join(', ')])));
    } catch (e) { fill(body, failure(e)); }
  };
  const form = h('form', {class: 'filters', role: 'search', 'aria-label': 'Choose an audit trail'},
    h('div', {}, h('label', {for: 'audit-participant'}, 'Whose log'), participant),
    h('div', {}, h('label', {for: 'audit-job'}, 'Job id'), filter),
    h('div', {}, h('label', {for: 'audit-event'}, 'Event'), event), h('button', {type: 'submit'}, 'Show'));
  form.addEventListener('submit', ev => { ev.preventDefault(); offset = 0; load(); });
  page('Audit trail', h('p', {class: 'hint'}, 'Every participant keeps a tamper-evident log, verified when shown here. A node\'s log is fetched from the node and cross-checked with the coordinator\'s; consilium-audit does the same offline.'), form, body);
  await load();
}

// ---------- routing ----------

async function route() {
  state.cleanups.forEach(f => f());
  state.cleanups = [];
  const [path, query] = (location.hash || '#/jobs').slice(1).split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(p => p);
  document.querySelectorAll('#nav a').forEach(a => a.removeAttribute('aria-current'));
  const navLink = document.querySelector('#nav a[href="#/' + (parts[0] || 'jobs') + '"]');
  if (navLink && parts.length === 1) navLink.setAttribute('aria-current', 'page');
  if (parts[0] === 'login') return loginPage(params);
  if (!state.session) {
    try { state.session = await api('GET', '/api/v1/session'); showSignedIn(); } catch (e) { return; }
  }
  switch (parts[0]) {
    case 'consortium': return consortiumPage();
    case 'datasets': return datasetsPage();
    case 'models':
      if (!parts[1]) return modelsPage();
      if (parts[3] === 'drift') return driftPage(decodeURIComponent(parts[1]), parts[2]);
      return modelPage(decodeURIComponent(parts[1]));
    case 'compare': return comparePage(params);
    case 'submit': return submitPage(params);
    case 'audit': return state.session.role === 'admin' ? auditPage(params) : page('Audit trail', h('p', {class: 'error'}, 'Only administrators see the audit trail.'));
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
