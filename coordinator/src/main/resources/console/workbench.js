// Consilium console: acting on jobs (cancel, clone, export) and comparing two models side by side.

import {FINAL, api, announce, chart, failure, fill, fmt, h, num, page, shortId, state, table, when, withCi} from './ui.js';

/** Offers a file made in the browser for download (nothing is sent anywhere). */
function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = h('a', {href: url, download: name, hidden: true});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** One CSV field, quoted when it must be. */
const csvField = (v) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
};
export const csv = (rows) => rows.map(r => r.map(csvField).join(',')).join('\n') + '\n';
const low = (i) => i ? num(i.low) : '';
const high = (i) => i ? num(i.high) : '';

/** The statistics of a result as CSV: one row per group, with every interval. */
export function statisticsCsv(s) {
  const edges = s.histogramEdges || [];
  const bins = edges.slice(0, -1).map((e, i) => 'bin [' + e + ', ' + edges[i + 1] + ')');
  const header = ['group', 'label', 'count', 'count_low', 'count_high', 'mean', 'mean_low', 'mean_high', 'variance', 'variance_low', 'variance_high',
    ...bins.flatMap(b => [b, b + ' low', b + ' high'])];
  return csv([header, ...(s.groups || []).map(g => [g.group, g.label, num(g.count), low(g.countInterval), high(g.countInterval), num(g.mean),
    low(g.meanInterval), high(g.meanInterval), num(g.variance), low(g.varianceInterval), high(g.varianceInterval),
    ...(g.histogram || []).flatMap((c, i) => [num(c), low((g.histogramIntervals || [])[i]), high((g.histogramIntervals || [])[i])])])]);
}

/** The coefficients of a model as CSV. */
export function coefficientsCsv(m) {
  return csv([['term', 'coefficient', 'std_error', 'ci_low', 'ci_high', 'odds_ratio'],
    ...(m.coefficients || []).map(c => [c.name, num(c.value || 0), num(c.stdError || ''), num(c.ciLow || ''), num(c.ciHigh || ''), num(c.oddsRatio || '')])]);
}

/** What can be done with a job: cancel it while it runs, clone it into the form, export its result. */
export function jobActions(job, reload) {
  const out = [];
  const mayCancel = state.session && (state.session.role === 'admin' || state.session.user === job.submittedBy);
  if (!FINAL.includes(job.status) && mayCancel) {
    out.push(h('button', {type: 'button', class: 'secondary', id: 'cancel-job', onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        await api('POST', '/api/v1/jobs/' + encodeURIComponent(job.id) + '/cancel');
        announce('Job cancelled');
        await reload();
      } catch (e) {
        ev.target.disabled = false;
        ev.target.after(failure(e));
      }
    }}, 'Cancel job'));
  }
  out.push(h('a', {class: 'button secondary', id: 'clone-job', href: '#/submit?from=' + encodeURIComponent(job.id)}, 'Clone and edit'));
  const r = job.result;
  if (r) {
    out.push(h('button', {type: 'button', class: 'secondary', id: 'export-json', onclick: () => download(job.id + '-result.json', 'application/json',
      JSON.stringify(r, null, 2))}, 'Result as JSON'));
    if (r.statistics) {
      out.push(h('button', {type: 'button', class: 'secondary', id: 'export-csv', onclick: () => download(job.id + '-statistics.csv', 'text/csv',
        statisticsCsv(r.statistics))}, 'Statistics as CSV'));
    }
    if (r.model) {
      out.push(h('button', {type: 'button', class: 'secondary', id: 'export-csv', onclick: () => download(job.id + '-coefficients.csv', 'text/csv',
        coefficientsCsv(r.model))}, 'Coefficients as CSV'),
        h('a', {class: 'button secondary', href: '/api/v1/jobs/' + encodeURIComponent(job.id) + '/model-card.md', download: job.id + '-model-card.md'}, 'Model card as Markdown'));
    }
    if (r.datasheet) {
      out.push(h('a', {class: 'button secondary', href: '/api/v1/jobs/' + encodeURIComponent(job.id) + '/datasheet.md', download: job.id + '-datasheet.md'}, 'Datasheet as Markdown'));
    }
  }
  return h('div', {class: 'actions', role: 'group', 'aria-label': 'Actions on this job'}, out);
}

const COLORS = ['#0b5cad', '#d95f02'];

/** Two released models side by side: metrics with intervals, coefficients, ROC, calibration, fairness, privacy. */
export async function comparePage(params) {
  const ids = [params.get('a'), params.get('b')].filter(Boolean);
  page('Compare models', h('p', {role: 'status'}, 'Loading…'));
  if (ids.length !== 2) {
    page('Compare models', h('p', {}, 'Choose two released training jobs in the ', h('a', {href: '#/jobs?computation=train'}, 'jobs list'), ' to compare them.'));
    return;
  }
  let jobs;
  try {
    jobs = await Promise.all(ids.map(id => api('GET', '/api/v1/jobs/' + encodeURIComponent(id))));
  } catch (e) {
    page('Compare models', failure(e));
    return;
  }
  const bad = jobs.find(j => !j.result?.model);
  if (bad) {
    page('Compare models', h('p', {class: 'error'}, 'Job ' + shortId(bad.id) + ' has no released model (' + bad.computation + ', ' + bad.status + ').'));
    return;
  }
  const [a, b] = jobs.map(j => j.result.model);
  const name = (j) => j.spec?.documentation?.title ? j.spec.documentation.title + ' (' + shortId(j.id) + ')' : 'job ' + shortId(j.id);
  const eps = (j) => j.spec?.privacy?.epsilon === 'Infinity' ? 'exact (no noise)' : 'ε ' + fmt(num(j.spec?.privacy?.epsilon), 3);
  const heads = ['', ...jobs.map(name)];
  const out = [h('p', {}, jobs.map((j, i) => [h('a', {href: '#/jobs/' + j.id}, name(j)), i === 0 ? ' and ' : '.'])),
    table('Quality and privacy', heads, [
      ['Privacy', ...jobs.map(eps)],
      ['AUC [95% interval]', withCi(a.auc, a.aucInterval), withCi(b.auc, b.aucInterval)],
      ['Accuracy [95% interval]', withCi(a.accuracy, a.accuracyInterval), withCi(b.accuracy, b.accuracyInterval)],
      ['Training rows', fmt(a.rows, 0), fmt(b.rows, 0)],
      ['Evaluated on', a.evaluation || '–', b.evaluation || '–'],
      ['Rounds', String((a.rounds || []).length), String((b.rounds || []).length)],
      ['Demographic parity difference', withCi(a.fairness?.demographicParityDifference, a.fairness?.demographicParityDifferenceInterval),
        withCi(b.fairness?.demographicParityDifference, b.fairness?.demographicParityDifferenceInterval)],
      ['Equalized odds difference', withCi(a.fairness?.equalizedOddsDifference, a.fairness?.equalizedOddsDifferenceInterval),
        withCi(b.fairness?.equalizedOddsDifference, b.fairness?.equalizedOddsDifferenceInterval)]]),
    h('p', {class: 'hint'}, 'Coefficients are on each model\'s own feature scale (standardised, or the dictionary\'s bounds under DP): compare signs and ranks, not raw sizes, across scalings.')];
  const terms = [...new Set([...(a.coefficients || []), ...(b.coefficients || [])].map(c => c.name))];
  const coef = (m, t) => {
    const c = (m.coefficients || []).find(x => x.name === t);
    if (!c) return '–';
    return c.stdError ? withCi(c.value || 0, {low: c.ciLow, high: c.ciHigh}, 3) : fmt(num(c.value || 0), 3);
  };
  out.push(table('Coefficients [95% interval where the fit gives one]', ['Term', ...jobs.map(name)], terms.map(t => [t, coef(a, t), coef(b, t)])));
  const rocSets = jobs.map((j, i) => ({label: name(j), data: (j.result.model.roc || []).map(p => ({x: num(p.falsePositiveRate) || 0, y: num(p.truePositiveRate) || 0})),
    showLine: true, borderColor: COLORS[i], backgroundColor: COLORS[i], pointRadius: 1}));
  const calSets = jobs.map((j, i) => ({label: name(j), data: (j.result.model.calibration || []).map(c => ({x: ((num(c.scoreFrom) || 0) + (num(c.scoreTo) || 0)) / 2,
    y: num(c.observedRate) || 0})), showLine: true, borderColor: COLORS[i], backgroundColor: COLORS[i]}));
  const axes = (x, y) => ({scales: {x: {min: 0, max: 1, title: {display: true, text: x}}, y: {min: 0, max: 1, title: {display: true, text: y}}}});
  out.push(h('div', {class: 'charts'},
    h('figure', {}, h('figcaption', {}, 'ROC curves'), chart('ROC curves of both models: true positive rate against false positive rate',
      {type: 'scatter', data: {datasets: rocSets}, options: axes('false positive rate', 'true positive rate')})),
    h('figure', {}, h('figcaption', {}, 'Calibration'), chart('Calibration of both models: observed positive rate against predicted score',
      {type: 'scatter', data: {datasets: calSets}, options: axes('predicted score', 'observed positive rate')}))));
  page('Compare models', ...out);
}

/** The audit entries shown, as CSV. */
export function auditCsv(entries) {
  return csv([['seq', 'at', 'actor', 'event', 'job', 'details'], ...entries.map(e => [e.seq, e.at, e.actor, e.event, e.jobId || '',
    Object.entries(e.details || {}).map(([k, v]) => k + '=' + v).join('; ')])]);
}

export {download, when};
