// Consilium console: an explainable boosting machine's glass box. Each feature's shape function
// with its 95% band, each interaction's grid, and one prediction taken apart into the terms that
// add up to its log odds (computed here from the released model: nothing is sent anywhere).

import {chart, fill, fmt, h, num, table} from './ui.js';

const Z95 = 1.959963984540054;
const finite = (x) => Number.isFinite(num(x));

/** Bin labels: a categorical feature's declared values, or a numeric one's [low–high) ranges. */
function binLabels(s) {
  return (s.categories || []).length ? s.categories
    : (s.edges || []).slice(0, -1).map((e, k) => fmt(num(e), 3) + '–' + fmt(num(s.edges[k + 1]), 3));
}

/** The bin of a value as training binned it: a declared category, or a numeric value clipped into the edges (-1: none). */
function binOf(s, value) {
  if (value === '' || value === null || value === undefined) return -1;
  if ((s.categories || []).length) return s.categories.findIndex(c => Number(c) === Number(value));
  const edges = s.edges.map(num);
  const x = Math.min(Math.max(Number(value), edges[0]), edges[edges.length - 1]);
  if (Number.isNaN(x)) return -1;
  let b = 0;
  while (b < edges.length - 2 && x >= edges[b + 1]) b++;
  return b;
}

/**
 * One record's contribution from every term: main effects, then interactions. With the
 * intercept they add up to the record's log odds; a missing value or undeclared code gives null.
 */
export function contributions(e, values) {
  const terms = (e.shapes || []).map(s => {
    const b = binOf(s, values[s.feature]);
    return {term: s.feature, value: values[s.feature], contribution: b < 0 ? null : num(s.scores[b])};
  });
  for (const t of e.interactions || []) {
    const a = binOf(t.a, values[t.a.feature]);
    const b = binOf(t.b, values[t.b.feature]);
    const width = (t.b.categories || []).length || (t.b.edges.length - 1);
    terms.push({term: t.a.feature + ' × ' + t.b.feature, value: values[t.a.feature] + ', ' + values[t.b.feature],
      contribution: a < 0 || b < 0 ? null : num(t.scores[a * width + b])});
  }
  return terms;
}

function shapeFigure(s) {
  const scores = (s.scores || []).map(num);
  const se = (s.standardErrors || []).map(num);
  const band = se.length === scores.length && se.some(Number.isFinite)
    ? scores.map((v, k) => Number.isFinite(se[k]) ? [v - Z95 * se[k], v + Z95 * se[k]] : null) : null;
  return h('figure', {}, h('figcaption', {}, s.feature),
    chart('Shape function of ' + s.feature + ': the term added to the log odds per bin' + (band ? ', with 95% bands' : ''), {type: 'bar',
      data: {labels: binLabels(s), datasets: [{label: s.feature + ' (log odds)', data: scores, backgroundColor: '#2f5d8a', errorBars: band}]},
      options: {plugins: {legend: {display: false}}}}));
}

function interactionTable(t) {
  const rows = binLabels(t.a);
  const cols = binLabels(t.b);
  return table(t.a.feature + ' × ' + t.b.feature + ' (FAST gain ' + fmt(num(t.gain), 2) + '): the term per cell, log odds',
    [t.a.feature + ' \\ ' + t.b.feature, ...cols],
    rows.map((r, i) => [r, ...cols.map((_, j) => fmt(num(t.scores[i * cols.length + j]), 3))]), cols.map((_, j) => j + 1));
}

/** The explain-a-prediction form: an input per feature, and the record's terms once explained. */
function explainForm(e) {
  const result = h('div', {id: 'explanation', 'aria-live': 'polite'});
  const inputs = (e.shapes || []).map(s => {
    const id = 'explain-' + s.feature;
    const input = (s.categories || []).length
      ? h('select', {id, name: s.feature}, s.categories.map(c => h('option', {value: c}, c)))
      : h('input', {id, name: s.feature, type: 'number', step: 'any', required: true,
        value: fmt((num(s.edges[0]) + num(s.edges[s.edges.length - 1])) / 2, 1),
        'aria-describedby': id + '-range'});
    return h('div', {class: 'field'}, h('label', {for: id}, s.feature), input,
      (s.categories || []).length ? null : h('span', {id: id + '-range', class: 'hint'},
        'bins cover ' + fmt(num(s.edges[0]), 3) + ' to ' + fmt(num(s.edges[s.edges.length - 1]), 3) + '; values outside count as the end bins'));
  });
  const form = h('form', {id: 'explain-form', onsubmit: (ev) => {
    ev.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    const terms = contributions(e, values);
    const missing = terms.filter(t => t.contribution === null);
    if (missing.length) {
      fill(result, h('p', {class: 'error', role: 'alert'}, 'No bin for ' + missing.map(t => t.term).join(', ') + ': the model cannot score this record.'));
      return;
    }
    const logit = num(e.intercept) + terms.reduce((a, t) => a + t.contribution, 0);
    const sorted = [...terms].sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution));
    fill(result,
      h('p', {id: 'explained-score'}, 'Predicted probability ' + fmt(1 / (1 + Math.exp(-logit)), 3) + ' (log odds ' + fmt(logit, 3) +
        ' = intercept ' + fmt(num(e.intercept), 3) + ' + the terms below).'),
      chart('Contributions of each term to this prediction, in log odds', {type: 'bar',
        data: {labels: sorted.map(t => t.term), datasets: [{label: 'contribution (log odds)', data: sorted.map(t => t.contribution),
          backgroundColor: sorted.map(t => t.contribution >= 0 ? '#b2182b' : '#2166ac')}]},
        options: {indexAxis: 'y', plugins: {legend: {display: false}}}}),
      table('Per-term contributions (largest first)', ['Term', 'Value', 'Contribution (log odds)'],
        sorted.map(t => [t.term, String(t.value), fmt(t.contribution, 3)]), [2]));
  }}, inputs, h('button', {type: 'submit'}, 'Explain'));
  return [h('h3', {}, 'Explain a prediction'),
    h('p', {class: 'hint'}, 'Enter a record: its score is the intercept plus one term per feature and interaction. Computed in your browser from the released model.'),
    form, result];
}

/** An EBM's views: shape functions with their uncertainty, interactions, and the explain-a-prediction form. */
export function ebmViews(e) {
  const dp = num(e.smoothingDegree) > 0;
  const out = [h('h3', {}, 'Shape functions'), h('p', {class: 'hint'}, 'Score = sigmoid(' + fmt(num(e.intercept), 4) +
    ' + each feature\'s term at the record\'s bin' + ((e.interactions || []).length ? ' + each interaction\'s term at its cell' : '') +
    '); terms in log odds, centred on the training rows. ' + (dp
      ? 'Differentially private: every cycle ran (' + e.cycles + '), numeric shapes were smoothed by degree-' + e.smoothingDegree +
        ' polynomials and averaged over the last half of the cycles. '
      : 'Model after cycle ' + e.bestCycle + ' of ' + e.cycles + ((e.holdoutLoss || []).length ? ' (the lowest held-out loss). ' : '. ')) +
    (e.uncertainty ? 'Whiskers: ' + e.uncertainty + '.' : ''))];
  for (const s of e.shapes || []) out.push(shapeFigure(s));
  if ((e.interactions || []).length) {
    out.push(h('h3', {}, 'Interactions'), h('p', {class: 'hint'}, 'Pairs chosen by FAST from the main effects\' residuals, each on coarse bins.'));
    for (const t of e.interactions) out.push(interactionTable(t));
  }
  out.push(...explainForm(e));
  return out;
}
