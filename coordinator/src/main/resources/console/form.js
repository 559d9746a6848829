// Consilium console: the job form, driven by the dataset catalog (the consortium's data
// dictionary) and the sites' published policies. Nothing here looks at any site's data: the
// pre-check uses only what every site publishes (its policy and remaining budget).

import {api, failure, fill, h, page} from './ui.js';

const OPS = [['EQ', '='], ['NE', '≠'], ['LT', '<'], ['LE', '≤'], ['GT', '>'], ['GE', '≥']];
const majority = (n) => Math.floor(n / 2) + 1;

/** A labelled form field with an optional hint and a place for its error. */
function field(id, label, input, hint) {
  input.id = id;
  if (!input.name) input.name = id;
  const err = h('p', {class: 'field-error', id: id + '-error', hidden: true});
  input.setAttribute('aria-describedby', (hint ? id + '-hint ' : '') + id + '-error');
  return h('div', {}, h('label', {for: id}, label), hint ? h('p', {class: 'hint', id: id + '-hint'}, hint) : null, input, err);
}

/** A column's name as the form shows it: "age (years)". */
const columnLabel = (c) => c.name + (c.unit ? ' (' + c.unit + ')' : '') + (c.type === 'categorical' ? ', categorical' : '');

/** A select of the dataset's columns passing keep; with none, a first "none" option. */
function columnSelect(columns, keep = () => true, none = null, selected = null) {
  return h('select', {}, none ? h('option', {value: ''}, none) : null,
    columns.filter(keep).map(c => h('option', {value: c.name, selected: c.name === selected}, columnLabel(c))));
}

/** One checkbox per item, in a group with a legend; returns {element, boxes}. */
function checkboxGroup(idPrefix, legend, items, checked = () => false, hint = null) {
  const boxes = items.map(([value, label]) => h('input', {type: 'checkbox', id: idPrefix + '-' + value, value, checked: checked(value)}));
  const element = h('fieldset', {class: 'choices', id: idPrefix}, h('legend', {}, legend), hint ? h('p', {class: 'hint'}, hint) : null,
    h('div', {class: 'inline'}, boxes.map((b, i) => h('span', {class: 'choice'}, b, h('label', {for: b.id}, items[i][1])))));
  return {element, boxes, values: () => boxes.filter(b => b.checked).map(b => b.value)};
}

/** Edges for a histogram of a column: one bin per code, or four equal bins over the public bounds. */
function defaultEdges(c) {
  if (!c) return '';
  if (c.type === 'categorical') {
    const codes = (c.codes || []).map(k => Number(k.code)).sort((a, b) => a - b);
    return [...codes, codes[codes.length - 1] + 1].join(', ');
  }
  const lo = Number(c.lower);
  const hi = Number(c.upper);
  return [0, 1, 2, 3, 4].map(i => +(lo + (hi - lo) * i / 4).toFixed(4)).join(', ');
}

/** What a site's published policy says about a job, before anything is sent: [] or refusals {rule, reason}. */
export function precheck(node, job) {
  const p = node.policy || {};
  const out = [];
  const allowed = (p.allowedComputations || []).length ? p.allowedComputations : ['statistics'];
  if (!allowed.includes(job.computation)) {
    out.push({rule: 'policy.allowed_computations', reason: job.computation + ' is not among the computations it allows (' + allowed.join(', ') + ')'});
  }
  if (!(node.datasets || []).includes(job.dataset)) out.push({rule: 'datasets', reason: 'it holds no dataset ' + job.dataset});
  const cols = p.allowedColumns || [];
  const refused = cols.length ? job.columns.filter(c => !cols.includes(c)) : [];
  if (refused.length) out.push({rule: 'policy.allowed_columns', reason: 'it does not allow the column' + (refused.length > 1 ? 's ' : ' ') + refused.join(', ')});
  if (job.exact && !p.allowExactRelease) out.push({rule: 'policy.allow_exact_release', reason: 'it allows only differentially private releases'});
  const budget = (p.budgets || []).find(b => b.dataset === job.dataset);
  // A DP job also reserves the site's noisy cohort test (published as dpJobOverheadEpsilon).
  const overhead = Number(p.dpJobOverheadEpsilon) || 0;
  if (!job.exact && budget && Number.isFinite(Number(budget.epsilonRemaining)) && job.epsilon + overhead > Number(budget.epsilonRemaining) + 1e-12) {
    out.push({rule: 'policy.epsilon_cap', reason: 'ε ' + job.epsilon + (overhead ? ' + ' + overhead + ' for its cohort test' : '') +
      ' is more than the ' + Number(budget.epsilonRemaining).toFixed(2) + ' it has left'});
  }
  // SecAgg+ (Policy.java): a sparse graph (k below the other sites' number) needs the site's consent.
  if (job.neighbours && job.neighbours < job.sites - 1) {
    const min = p.secaggMinNeighbours || 0;
    if (min === 0 || job.neighbours < min) {
      out.push({rule: 'policy.secagg_min_neighbours', reason: 'the job masks with ' + job.neighbours + ' neighbours per site; it ' +
        (min === 0 ? 'masks with every other site only' : 'requires at least ' + min)});
    }
  }
  if (job.threshold < (p.minParties || 0)) {
    out.push({rule: 'policy.min_parties', reason: 'it needs jobs of at least ' + p.minParties + ' sites (threshold ' + job.threshold + ')'});
  }
  return out;
}

export async function submitPage(params) {
  page('New job', h('p', {role: 'status'}, 'Loading the dataset catalog and the sites\' policies…'));
  let catalog;
  let nodes;
  let from = null;
  try {
    [catalog, nodes] = await Promise.all([api('GET', '/api/v1/datasets'), api('GET', '/api/v1/nodes')]);
    if (params.get('from')) from = (await api('GET', '/api/v1/jobs/' + encodeURIComponent(params.get('from')))).spec;
  } catch (e) {
    page('New job', failure(e));
    return;
  }
  const datasets = catalog.datasets || [];
  if (!datasets.length) {
    page('New job', h('p', {class: 'error'}, 'The consortium\'s data dictionary declares no dataset.'));
    return;
  }
  nodes.sort((a, b) => a.id.localeCompare(b.id));
  const problems = [];
  const fail = (input, message) => problems.push({input, message});
  const number = (input, name) => {
    const x = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(x)) fail(input, name + ' must be a number');
    return x;
  };

  // ----- data, privacy and sites -----
  const kinds = [['statistics', 'Statistics'], ['train', 'Train a model'], ['datasheet', 'Datasheet']];
  const kindRadios = kinds.map(([value]) => h('input', {type: 'radio', name: 'kind', id: 'kind-' + value, value,
    checked: value === (from ? (from.train ? 'train' : from.datasheet ? 'datasheet' : 'statistics') : 'statistics')}));
  const kind = () => kindRadios.find(r => r.checked).value;
  const dataset = h('select', {}, datasets.map(d => h('option', {value: d.name, selected: from && from.dataset === d.name}, d.name)));
  const columnsOf = () => (datasets.find(d => d.name === dataset.value) || datasets[0]).columns || [];
  const epsilon = h('input', {type: 'number', step: 'any', min: '0', value: from ? String(from.privacy?.epsilon ?? '1') : '1', required: true});
  const delta = h('input', {type: 'number', step: 'any', min: '0', value: String(from?.privacy?.delta || '0.000001')});
  const aggregation = h('select', {}, h('option', {value: 'AGGREGATION_MASKING'}, 'Secure aggregation (masking)'),
    h('option', {value: 'AGGREGATION_THRESHOLD_PAILLIER', selected: from?.aggregation === 'AGGREGATION_THRESHOLD_PAILLIER'}, 'Threshold Paillier encryption'));
  const neighbours = h('input', {type: 'number', min: '2', step: '2', value: from?.secaggNeighbours ? String(from.secaggNeighbours) : ''});
  const usable = (n) => n.online && !n.suspended;
  const siteBoxes = nodes.map(n => h('input', {type: 'checkbox', id: 'node-' + n.id, value: n.id, disabled: !usable(n),
    checked: usable(n) && (!from || !(from.nodes || []).length || from.nodes.includes(n.id))}));
  const siteRows = nodes.map((n, i) => {
    const b = (n.policy?.budgets || []).find(x => x.dataset === dataset.value);
    const left = b ? Number(b.epsilonRemaining).toFixed(2) : '–';
    return h('li', {class: 'site'}, siteBoxes[i], ' ', h('label', {for: siteBoxes[i].id, class: 'inline-label'}, h('strong', {}, n.id),
      !usable(n) ? ' (' + (n.suspended ? 'suspended' : 'offline') + ')' : ''),
      h('p', {class: 'hint'}, 'ε left ' + left + ' · jobs of ' + (n.policy?.minParties ?? '?') + '+ sites · ' +
        ((n.policy?.allowedComputations || []).join(', ') || 'statistics')));
  });
  const threshold = h('input', {type: 'number', min: '2', step: '1'});
  let thresholdEdited = Boolean(from && from.threshold);
  const chosenSites = () => siteBoxes.filter(b => b.checked).map(b => b.value);
  const defaultThreshold = () => {
    const chosen = nodes.filter(n => chosenSites().includes(n.id));
    const needed = Math.max(majority(chosen.length), ...chosen.map(n => n.policy?.minParties || 0));
    return Math.max(2, Math.min(chosen.length, needed));
  };
  threshold.value = String(from && from.threshold ? from.threshold : defaultThreshold());
  threshold.addEventListener('input', () => { thresholdEdited = true; });

  // ----- cohort conditions -----
  const conditions = h('ul', {class: 'plain', id: 'cohort'});
  const conditionRows = [];
  const valueInput = (column, value) => column && column.type === 'categorical'
    ? h('select', {}, (column.codes || []).map(k => h('option', {value: k.code, selected: String(value) === k.code}, k.code + ' = ' + k.label)))
    : h('input', {type: 'number', step: 'any', value: value ?? ''});
  function addCondition(cond) {
    const n = conditionRows.length;
    const col = columnSelect(columnsOf(), () => true, null, cond?.column);
    const op = h('select', {}, OPS.map(([v, t]) => h('option', {value: v, selected: cond?.op === v}, t)));
    const cell = h('span', {});
    const row = {col, op, value: null};
    const refresh = (v) => { row.value = valueInput(columnsOf().find(c => c.name === col.value), v); row.value.id = 'cohort-value-' + n; fill(cell, row.value); };
    col.id = 'cohort-column-' + n;
    op.id = 'cohort-op-' + n;
    col.addEventListener('change', () => refresh());
    refresh(cond?.value);
    const remove = h('button', {type: 'button', class: 'secondary', onclick: () => { conditionRows.splice(conditionRows.indexOf(row), 1); li.remove(); update(); }},
      'Remove', h('span', {class: 'visually-hidden'}, ' condition ' + (n + 1)));
    const li = h('li', {class: 'condition'}, h('label', {for: col.id, class: 'visually-hidden'}, 'Condition ' + (n + 1) + ' column'), col,
      h('label', {for: op.id, class: 'visually-hidden'}, 'Condition ' + (n + 1) + ' comparison'), op,
      h('label', {for: 'cohort-value-' + n, class: 'visually-hidden'}, 'Condition ' + (n + 1) + ' value'), cell, remove);
    conditionRows.push(row);
    conditions.append(li);
  }
  (from?.cohort || []).forEach(addCondition);

  // ----- statistics -----
  const stats = {};
  const statsSet = h('fieldset', {id: 'statistics-fields'}, h('legend', {}, 'Statistics'));
  function renderStatistics() {
    const cols = columnsOf();
    const s = from?.statistics || {};
    stats.column = columnSelect(cols, () => true, null, s.column || (cols.find(c => c.type === 'numeric') || cols[0]).name);
    stats.lower = h('input', {type: 'number', step: 'any', value: s.lower ?? ''});
    stats.upper = h('input', {type: 'number', step: 'any', value: s.upper ?? ''});
    stats.variance = h('input', {type: 'checkbox', id: 'variance', checked: Boolean(s.variance)});
    stats.groupColumn = columnSelect(cols, c => c.type === 'categorical', 'no groups', s.groupBy?.column);
    stats.groupCodes = h('div', {});
    stats.histColumn = columnSelect(cols, () => true, 'no histogram', s.histogram?.column);
    stats.histEdges = h('input', {value: (s.histogram?.edges || []).join(', ')});
    const boundsHint = () => {
      const c = cols.find(x => x.name === stats.column.value);
      return c ? 'empty: the dictionary\'s [' + c.lower + ', ' + c.upper + ']; narrower only' : '';
    };
    const hint = h('p', {class: 'hint', id: 'bounds-hint'}, boundsHint());
    stats.column.addEventListener('change', () => { hint.textContent = boundsHint(); });
    const renderGroupCodes = () => {
      const c = cols.find(x => x.name === stats.groupColumn.value);
      stats.groupBoxes = c ? checkboxGroup('group-codes', 'Groups', (c.codes || []).map(k => [k.code, k.code + ' = ' + k.label]),
        v => !s.groupBy?.values || s.groupBy.values.includes(v)) : null;
      fill(stats.groupCodes, stats.groupBoxes ? stats.groupBoxes.element : null);
    };
    stats.groupColumn.addEventListener('change', () => { renderGroupCodes(); update(); });
    stats.histColumn.addEventListener('change', () => { stats.histEdges.value = defaultEdges(cols.find(x => x.name === stats.histColumn.value)); update(); });
    renderGroupCodes();
    fill(statsSet, h('legend', {}, 'Statistics'),
      h('div', {class: 'row'}, field('column', 'Column', stats.column), field('lower', 'Lower clipping bound', stats.lower), field('upper', 'Upper clipping bound', stats.upper)),
      hint, h('p', {}, stats.variance, h('label', {for: 'variance', class: 'inline-label'}, ' Also release the variance (costs budget)')),
      h('div', {class: 'row'}, field('group-column', 'Group by', stats.groupColumn), field('hist-column', 'Histogram of', stats.histColumn),
        field('hist-edges', 'Histogram bin edges', stats.histEdges, 'increasing, comma-separated')), stats.groupCodes);
  }

  // ----- training -----
  const train = {};
  const trainSet = h('fieldset', {id: 'train-fields'}, h('legend', {}, 'Training'));
  function renderTraining() {
    const cols = columnsOf();
    const t = from?.train || {};
    train.model = h('select', {}, h('option', {value: 'LOGISTIC'}, 'Logistic regression'), h('option', {value: 'LINEAR', selected: t.model === 'LINEAR'}, 'Linear regression'),
      h('option', {value: 'EBM', selected: t.model === 'EBM'}, 'Explainable boosting machine (exact training)'));
    train.target = columnSelect(cols, () => true, null, t.target || (cols[cols.length - 1] || {}).name);
    train.positiveAbove = h('input', {type: 'number', step: 'any', value: String(t.positiveAbove ?? 0)});
    train.numeric = checkboxGroup('numeric', 'Numeric features', cols.map(c => [c.name, columnLabel(c)]), v => (t.numericFeatures || []).includes(v),
      'Scaled by the dictionary\'s public bounds under differential privacy; a categorical column here enters as its code.');
    train.categorical = checkboxGroup('categorical', 'Categorical features (one-hot; the first code is the reference)',
      cols.filter(c => c.type === 'categorical').map(c => [c.name, c.name]), v => (t.categoricalFeatures || []).some(f => f.column === v));
    train.sensitive = checkboxGroup('sensitive', 'Sensitive features for the fairness report',
      cols.filter(c => c.type === 'categorical').map(c => [c.name, c.name]), v => (t.sensitiveFeatures || []).some(f => f.column === v));
    train.missing = h('select', {}, h('option', {value: 'DROP_ROWS'}, 'Leave rows with missing values out'),
      h('option', {value: 'IMPUTE_MEAN', selected: t.missing === 'IMPUTE_MEAN'}, 'Impute the securely aggregated mean (exact jobs only)'));
    train.l2 = h('input', {type: 'number', step: 'any', min: '0', value: String(t.l2 ?? 1)});
    train.maxRounds = h('input', {type: 'number', min: '0', step: '1', value: String(t.maxRounds ?? 0)});
    train.learningRate = h('input', {type: 'number', step: 'any', min: '0', value: String(t.learningRate ?? 0)});
    train.holdout = h('input', {type: 'number', step: 'any', min: '0', max: '0.9', value: String(t.holdoutFraction ?? 0.25)});
    train.standardize = h('input', {type: 'checkbox', id: 'standardize', checked: t.standardize ?? true});
    train.perSite = h('input', {type: 'checkbox', id: 'per-site', checked: Boolean(t.perSiteEvaluation)});
    train.mitigation = h('select', {id: 'mitigation'}, ...[
      ['NO_MITIGATION', 'None'],
      ['THRESHOLD_DEMOGRAPHIC_PARITY', 'Per-group thresholds for demographic parity'],
      ['THRESHOLD_EQUALIZED_ODDS', 'ThresholdOptimizer: equalized odds (randomised decisions)'],
      ['THRESHOLD_TRUE_POSITIVE_RATE_PARITY', 'ThresholdOptimizer: true positive rate parity (randomised decisions)'],
      ['EXPONENTIATED_GRADIENT_DEMOGRAPHIC_PARITY', 'ExponentiatedGradient: demographic parity within 0.05 (exact training; a randomised mixture)'],
      ['EXPONENTIATED_GRADIENT_EQUALIZED_ODDS', 'ExponentiatedGradient: equalized odds within 0.05 (exact training; a randomised mixture)']]
      .map(([v, label]) => h('option', {value: v, selected: (t.mitigation || 'NO_MITIGATION') === v}, label)));
    train.auditReference = h('input', {id: 'audit-reference', value: t.biasAudit?.referenceGroup || '', placeholder: 'the largest group'});
    train.auditTolerance = h('input', {id: 'audit-tolerance', type: 'number', step: 'any', min: '0', max: '1', value: String(t.biasAudit?.tolerance || 0.8)});
    train.title = h('input', {value: from?.documentation?.title || ''});
    train.intendedUse = h('textarea', {rows: 2}, from?.documentation?.intendedUse || '');
    train.outOfScope = h('textarea', {rows: 2}, from?.documentation?.outOfScopeUses || '');
    fill(trainSet, h('legend', {}, 'Training'),
      h('div', {class: 'row'}, field('model', 'Model', train.model), field('target', 'Target column', train.target),
        field('positive-above', 'Positive when the target is above', train.positiveAbove, 'logistic models only')),
      train.numeric.element, train.categorical.element,
      h('div', {class: 'row'}, field('missing', 'Missing values', train.missing), field('l2', 'L2 penalty', train.l2),
        field('max-rounds', 'Rounds', train.maxRounds, '0 = the default (5 under DP)'), field('learning-rate', 'Learning rate', train.learningRate, '0 = the default')),
      h('div', {class: 'row'}, field('holdout', 'Held-out share for evaluation', train.holdout, '0 to 0.9'),
        h('div', {}, h('p', {}, train.standardize, h('label', {for: 'standardize', class: 'inline-label'}, ' Standardise numeric features (exact jobs)')),
          h('p', {}, train.perSite, h('label', {for: 'per-site', class: 'inline-label'}, ' Evaluate per site too (under DP: more noise on the pooled figures)')))),
      train.sensitive.element,
      h('div', {class: 'row'}, field('mitigation', 'Fairness mitigation', train.mitigation, 'needs a sensitive feature'),
        field('audit-reference', 'Bias audit: reference group', train.auditReference, 'a group label, e.g. sex=male'),
        field('audit-tolerance', 'Bias audit: tolerance', train.auditTolerance, '0.8 = the four-fifths rule')),
      field('title', 'Title (model card)', train.title), field('intended-use', 'Intended use', train.intendedUse),
      field('out-of-scope', 'Out-of-scope uses', train.outOfScope));
  }

  // ----- datasheet -----
  const sheet = {};
  const sheetSet = h('fieldset', {id: 'datasheet-fields'}, h('legend', {}, 'Datasheet'));
  function renderDatasheet() {
    const cols = columnsOf();
    const d = from?.datasheet || {};
    sheet.columns = checkboxGroup('sheet-columns', 'Report missing values of', cols.map(c => [c.name, c.name]),
      v => d.columns ? d.columns.includes(v) : true);
    sheet.label = columnSelect(cols, () => true, null, d.labelColumn || (cols[cols.length - 1] || {}).name);
    sheet.labelAbove = h('input', {type: 'number', step: 'any', value: String(d.labelAbove ?? 0)});
    sheet.group = columnSelect(cols, c => c.type === 'categorical', null, d.group?.column);
    sheet.distributions = checkboxGroup('sheet-distributions', 'Distributions per site of', cols.filter(c => c.type === 'numeric').map(c => [c.name, c.name]),
      v => (d.distributions || []).some(x => x.column === v));
    fill(sheetSet, h('legend', {}, 'Datasheet'), sheet.columns.element,
      h('div', {class: 'row'}, field('label-column', 'Label column', sheet.label), field('label-above', 'Label positive when above', sheet.labelAbove),
        field('sheet-group', 'Group sizes by', sheet.group)), sheet.distributions.element);
  }

  const renderKind = () => {
    statsSet.hidden = kind() !== 'statistics';
    trainSet.hidden = kind() !== 'train';
    sheetSet.hidden = kind() !== 'datasheet';
  };
  const renderAll = () => { renderStatistics(); renderTraining(); renderDatasheet(); renderKind(); };

  // ----- the spec -----
  function build() {
    problems.length = 0;
    const cols = columnsOf();
    const byName = Object.fromEntries(cols.map(c => [c.name, c]));
    const spec = {specVersion: 1, dataset: dataset.value, privacy: {}, aggregation: aggregation.value};
    const eps = epsilon.value.trim() === 'Infinity' ? Infinity : number(epsilon, 'ε');
    if (!(eps > 0)) fail(epsilon, 'ε must be greater than 0');
    spec.privacy.epsilon = eps === Infinity ? 'Infinity' : eps;
    if (delta.value.trim()) {
      const d = number(delta, 'δ');
      if (d <= 0 || d >= 0.001) fail(delta, 'δ must be between 0 and 0.001');
      spec.privacy.delta = d;
    }
    const chosen = chosenSites();
    if (chosen.length < 2) fail(siteBoxes.find(b => !b.disabled) || null, 'Choose at least two participating sites');
    spec.nodes = chosen;
    const t = number(threshold, 'Threshold');
    if (!Number.isInteger(t) || t < 2 || t > chosen.length) fail(threshold, 'The threshold must be a whole number from 2 to the ' + chosen.length + ' chosen sites');
    spec.threshold = t;
    if (aggregation.value === 'AGGREGATION_MASKING' && neighbours.value.trim() !== '') {
      const k = number(neighbours, 'Neighbours');
      if (!Number.isInteger(k) || k < 2 || k % 2 !== 0) fail(neighbours, 'Neighbours must be an even whole number of at least 2, or empty for every other site');
      else spec.secaggNeighbours = k;
    }
    spec.cohort = conditionRows.map(r => ({column: r.col.value, op: r.op.value, value: Number(r.value.value)}));
    conditionRows.forEach(r => { if (r.value.value === '' || !Number.isFinite(Number(r.value.value))) fail(r.value, 'A cohort condition needs a number'); });
    const used = spec.cohort.map(c => c.column);
    if (kind() === 'statistics') {
      const s = {column: stats.column.value};
      const lo = stats.lower.value.trim();
      const hi = stats.upper.value.trim();
      if ((lo === '') !== (hi === '')) fail(stats.upper, 'Give both bounds, or neither for the dictionary\'s');
      else if (lo !== '') {
        s.lower = number(stats.lower, 'Lower bound');
        s.upper = number(stats.upper, 'Upper bound');
        const c = byName[s.column];
        if (s.lower >= s.upper) fail(stats.upper, 'The upper bound must be above the lower bound');
        else if (c && (s.lower < Number(c.lower) || s.upper > Number(c.upper))) fail(stats.lower, 'Bounds may only narrow the dictionary\'s [' + c.lower + ', ' + c.upper + ']');
      }
      if (stats.variance.checked) s.variance = true;
      if (stats.groupColumn.value) {
        s.groupBy = {column: stats.groupColumn.value, values: stats.groupBoxes ? stats.groupBoxes.values() : []};
        if (!s.groupBy.values.length) fail(stats.groupBoxes?.boxes[0] || stats.groupColumn, 'Choose at least one group');
        used.push(s.groupBy.column);
      }
      if (stats.histColumn.value) {
        const edges = stats.histEdges.value.split(',').map(x => x.trim()).filter(x => x).map(Number);
        if (edges.length < 2 || edges.some(e => !Number.isFinite(e)) || edges.some((e, i) => i > 0 && e <= edges[i - 1])) {
          fail(stats.histEdges, 'Bin edges must be at least two increasing numbers');
        }
        s.histogram = {column: stats.histColumn.value, edges};
        used.push(s.histogram.column);
      }
      used.push(s.column);
      spec.statistics = s;
    } else if (kind() === 'train') {
      const codes = (name) => (byName[name]?.codes || []).map(k => k.code);
      const tr = {model: train.model.value, target: train.target.value, numericFeatures: train.numeric.values(),
        categoricalFeatures: train.categorical.values().map(c => ({column: c, values: codes(c)})),
        positiveAbove: number(train.positiveAbove, 'Positive threshold'), missing: train.missing.value,
        standardize: train.standardize.checked, l2: number(train.l2, 'L2 penalty'), maxRounds: number(train.maxRounds, 'Rounds'),
        learningRate: number(train.learningRate, 'Learning rate'), holdoutFraction: number(train.holdout, 'Held-out share'), splitSeed: '1',
        sensitiveFeatures: train.sensitive.values().map(c => ({column: c, values: codes(c)}))};
      if (tr.numericFeatures.length + tr.categoricalFeatures.length === 0) fail(train.numeric.boxes[0], 'Choose at least one feature');
      if ([...tr.numericFeatures, ...tr.categoricalFeatures.map(c => c.column)].includes(tr.target)) fail(train.target, 'The target cannot also be a feature');
      if (tr.l2 < 0) fail(train.l2, 'The L2 penalty cannot be negative');
      if (tr.learningRate < 0) fail(train.learningRate, 'The learning rate cannot be negative (0 = the default)');
      if (tr.holdoutFraction < 0 || tr.holdoutFraction > 0.9) fail(train.holdout, 'The held-out share must be from 0 to 0.9');
      if (tr.maxRounds < 0 || !Number.isInteger(tr.maxRounds)) fail(train.maxRounds, 'Rounds must be a whole number, 0 or more');
      if (eps !== Infinity && tr.missing === 'IMPUTE_MEAN') fail(train.missing, 'Mean imputation is not available with differential privacy');
      if (train.perSite.checked) tr.perSiteEvaluation = true;
      if (train.mitigation.value !== 'NO_MITIGATION') {
        tr.mitigation = train.mitigation.value;
        if (!tr.sensitiveFeatures.length) fail(train.mitigation, 'Mitigation needs at least one sensitive feature');
      }
      const reference = train.auditReference.value.trim();
      const tolerance = Number(train.auditTolerance.value);
      if (!(tolerance > 0 && tolerance <= 1)) fail(train.auditTolerance, 'The tolerance must be above 0 and at most 1 (0.8 = the four-fifths rule)');
      if (reference || tolerance !== 0.8) {
        if (!tr.sensitiveFeatures.length) fail(train.auditReference, 'A bias audit needs at least one sensitive feature');
        tr.biasAudit = {referenceGroup: reference, tolerance};
      }
      used.push(tr.target, ...tr.numericFeatures, ...tr.categoricalFeatures.map(c => c.column), ...tr.sensitiveFeatures.map(c => c.column));
      spec.train = tr;
      spec.documentation = {title: train.title.value.trim(), intendedUse: train.intendedUse.value.trim(), outOfScopeUses: train.outOfScope.value.trim()};
    } else {
      const g = byName[sheet.group.value];
      const ds = {columns: sheet.columns.values(), labelColumn: sheet.label.value, labelAbove: number(sheet.labelAbove, 'Label threshold'),
        group: {column: sheet.group.value, values: (g?.codes || []).map(k => k.code)},
        distributions: sheet.distributions.values().map(c => ({column: c, edges: defaultEdges(byName[c]).split(', ').map(Number)}))};
      if (!ds.columns.length) fail(sheet.columns.boxes[0], 'Choose at least one column');
      if (!g) fail(sheet.group, 'Choose a categorical column for the group sizes');
      used.push(...ds.columns, ds.labelColumn, ds.group.column, ...ds.distributions.map(d => d.column));
      spec.datasheet = ds;
    }
    const job = {computation: kind(), dataset: spec.dataset, columns: [...new Set(used)], exact: eps === Infinity, epsilon: eps, threshold: t,
      neighbours: spec.secaggNeighbours || 0, sites: chosen.length};
    return {spec, job};
  }

  // ----- the pre-check, from published policies only -----
  const precheckBox = h('section', {id: 'precheck', 'aria-labelledby': 'precheck-h', 'aria-live': 'polite'});
  let refusals = [];
  function update() {
    if (!thresholdEdited) threshold.value = String(defaultThreshold());
    neighbours.disabled = aggregation.value !== 'AGGREGATION_MASKING';
    const {job} = build();
    problems.length = 0;
    refusals = nodes.filter(n => chosenSites().includes(n.id)).flatMap(n => precheck(n, job).map(r => ({site: n.id, ...r})));
    fill(precheckBox, h('h2', {id: 'precheck-h'}, 'Pre-check'),
      h('p', {class: 'hint'}, 'From each chosen site\'s published policy and remaining budget, before anything is sent (never from data: ' +
        'a site may still refuse a cohort smaller than its minimum).'),
      refusals.length ? h('ul', {class: 'problem', id: 'precheck-refusals'}, refusals.map(r => h('li', {}, r.site + ' would refuse (' + r.rule + '): ' + r.reason)))
        : h('p', {class: 'ok-text', id: 'precheck-ok'}, chosenSites().length + ' sites chosen; by their published policies none would refuse.'));
  }

  const errors = h('div', {class: 'errors', role: 'alert', tabindex: '-1', hidden: true});
  const form = h('form', {novalidate: true, id: 'submit-form'}, errors,
    h('fieldset', {}, h('legend', {}, 'Kind of job'), h('div', {class: 'inline'},
      kindRadios.map((r, i) => [r, h('label', {for: r.id}, kinds[i][1])]))),
    h('fieldset', {}, h('legend', {}, 'Data and privacy'),
      h('div', {class: 'row'}, field('dataset', 'Dataset', dataset, 'from the consortium\'s data dictionary'),
        field('epsilon', 'Privacy budget ε', epsilon, 'spent at every participating site'), field('delta', 'δ', delta),
        field('aggregation', 'Protection of the contributions', aggregation),
        field('secagg-neighbours', 'Neighbours per site (SecAgg+)', neighbours,
          'empty: each site masks with every other; an even k: with k neighbours only (masking; each site must allow k)')),
      h('fieldset', {id: 'sites'}, h('legend', {}, 'Participating sites'), h('ul', {class: 'plain'}, siteRows)),
      field('threshold', 'Threshold t', threshold, 'the fewest sites whose data any release may come from; noise is calibrated for t'),
      h('fieldset', {}, h('legend', {}, 'Cohort (optional)'), conditions,
        h('button', {type: 'button', class: 'secondary', id: 'add-condition', onclick: () => { addCondition(); update(); }}, 'Add a condition'))),
    statsSet, trainSet, sheetSet, precheckBox, h('p', {}, h('button', {type: 'submit', id: 'submit-job'}, 'Submit job')));

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

  form.addEventListener('input', update);
  form.addEventListener('change', (ev) => {
    if (ev.target === dataset) { renderAll(); update(); }
    else if (kindRadios.includes(ev.target)) { renderKind(); update(); }
    else if (ev.target === aggregation) update(); // SecAgg+ applies to masking only
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    update();
    const {spec} = build();
    const found = [...problems];
    for (const r of refusals) found.push({input: document.getElementById('node-' + r.site), message: r.site + ' would refuse (' + r.rule + '): ' + r.reason});
    if (found.length) { showProblems(found); return; }
    showProblems([]);
    const button = document.getElementById('submit-job');
    button.disabled = true;
    try {
      const job = await api('POST', '/api/v1/jobs', spec);
      location.hash = '#/jobs/' + job.id;
    } catch (e) {
      // The coordinator names the field ("train.target: ..."); point at it when we can.
      const match = /(?:invalid job spec: )?([a-zA-Z_./]+):/.exec(e.message);
      const byPath = {'privacy.epsilon': epsilon, 'privacy.delta': delta, dataset, nodes: siteBoxes[0], threshold,
        secagg_neighbours: neighbours, 'statistics.column': stats.column, 'statistics.lower/upper': stats.lower, 'train.target': train.target};
      showProblems([{input: match ? byPath[match[1]] : null, message: e.message}]);
      button.disabled = false;
    }
  });
  renderAll();
  update();
  page(from ? 'New job (a copy of ' + params.get('from').replace(/^job-/, '').slice(0, 8) + ')' : 'New job',
    h('p', {class: 'hint'}, 'Every site checks the job against its own policy before it computes anything; the released numbers are differentially private.'), form);
}
