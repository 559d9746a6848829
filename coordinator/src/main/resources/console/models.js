// Consilium console: the model registry (models, versions, stages, comparison, retraining) and
// drift monitoring (a version's history and reports, and new monitors accepted with their budget plan).

import {announce, api, chart, failure, fill, fmt, h, num, page, plural, shortId, state, statusBadge, table, when, withCi} from './ui.js';

const enc = encodeURIComponent;
const modelPath = (name) => '/api/v1/models/' + enc(name);
const versionPath = (name, v) => modelPath(name) + '/versions/' + v;

/** Every registered model, and every drift monitor with its alerts. */
export async function modelsPage() {
  page('Models', h('p', {}, 'Loading…'));
  try {
    const [models, monitors] = await Promise.all([api('GET', '/api/v1/models'), api('GET', '/api/v1/monitors')]);
    page('Models',
      h('p', {class: 'hint'}, 'Every released training job is a version of the model its documentation title names. ' +
        'Stages change only by an administrator, with a reason; drift monitors compare what the sites hold now with each version\'s baseline.'),
      models.length === 0 ? h('p', {id: 'no-models'}, 'No model has been released yet.')
        : table('Registered models', ['Model', 'Versions', 'Latest', 'Stages'], models.map(m => [
          h('a', {href: '#/models/' + enc(m.name)}, m.name), String(m.versions), String(m.latest),
          m.stages.map(s => 'v' + s.version + ' ' + s.stage).join(', ')])),
      h('h2', {}, 'Drift monitors'),
      monitors.length === 0 ? h('p', {}, 'No drift monitor yet: start one from a model version.')
        : table('Drift monitors, newest first', ['Monitor', 'Model', 'Status', 'Runs', 'Alerts', 'Created'], monitors.map(m => [
          h('a', {href: '#/models/' + enc(m.model) + '/' + m.version + '/drift'}, shortMonitor(m.id)),
          m.model + ' v' + m.version, m.status, m.runsDone + ' of ' + m.runs,
          m.alerts > 0 ? h('span', {class: 'badge bad'}, String(m.alerts)) : '0', when(m.createdAt)])));
  } catch (e) {
    page('Models', failure(e));
  }
}

const shortMonitor = (id) => id.replace(/^monitor-/, '').slice(0, 8);

/** A model: its versions with lineage links, stage changes (administrators), retraining and a comparison of two versions. */
export async function modelPage(name) {
  page('Model ' + name, h('p', {}, 'Loading…'));
  let model;
  try {
    model = await api('GET', modelPath(name));
  } catch (e) {
    page('Model ' + name, failure(e));
    return;
  }
  const versions = model.versions;
  const rows = versions.map(v => [
    'v' + v.version, h('span', {class: 'badge ' + ({approved: 'ok', retired: 'neutral'}[v.stage] || 'warn')}, v.stage),
    h('a', {href: '#/jobs/' + v.jobId}, shortId(v.jobId)), fmt(num(v.model.auc)), fmt(num(v.privacy.epsilon)),
    when(v.lineage.submittedAt),
    h('span', {}, h('a', {href: '#/jobs/' + v.jobId + '/model-card'}, 'card'), ' · ',
      v.lineage.datasheet ? h('a', {href: '#/jobs/' + v.lineage.datasheet.jobId + '/datasheet'}, 'datasheet') : 'no datasheet', ' · ',
      h('a', {href: '#/models/' + enc(name) + '/' + v.version + '/drift'}, 'drift'))]);
  const status = h('div', {role: 'status'});
  const out = [
    table('Versions of ' + name, ['Version', 'Stage', 'Job', 'AUC', 'Epsilon', 'Submitted', 'Documents'], rows, [3, 4]),
    status];
  if (state.session.role === 'admin') out.push(stageForm(name, versions, status));
  out.push(h('h2', {}, 'Retrain'), h('p', {}, 'Offers a version\'s spec again to the sites connected now; once released it is the next version.'),
    h('div', {class: 'actions'}, versions.map(v => h('button', {type: 'button', class: 'secondary', id: 'retrain-' + v.version, onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        const job = await api('POST', versionPath(name, v.version) + '/retrain');
        location.hash = '#/jobs/' + job.id;
      } catch (e) { ev.target.disabled = false; fill(status, failure(e)); }
    }}, 'Retrain v' + v.version))));
  if (versions.length >= 2) out.push(compareForm(name, versions));
  page('Model ' + name, ...out);
}

function stageForm(name, versions, status) {
  const version = h('select', {id: 'stage-version'}, versions.map(v => h('option', {value: String(v.version)}, 'v' + v.version)));
  const stage = h('select', {id: 'stage-value'}, ['candidate', 'approved', 'retired'].map(s => h('option', {value: s}, s)));
  const reason = h('input', {id: 'stage-reason', required: true, placeholder: 'why'});
  const form = h('form', {class: 'filters', 'aria-label': 'Change a version\'s stage'},
    h('div', {}, h('label', {for: 'stage-version'}, 'Version'), version),
    h('div', {}, h('label', {for: 'stage-value'}, 'Stage'), stage),
    h('div', {}, h('label', {for: 'stage-reason'}, 'Reason'), reason),
    h('button', {type: 'submit', id: 'stage-change'}, 'Change stage'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', versionPath(name, version.value) + '/stage', {stage: stage.value, reason: reason.value});
      announce('Stage changed');
      await modelPage(name);
    } catch (e) { fill(status, failure(e)); }
  });
  return h('section', {}, h('h2', {}, 'Stage'), form);
}

function compareForm(name, versions) {
  const pick = (id, at) => h('select', {id}, versions.map(v => h('option', {value: String(v.version), selected: v.version === at}, 'v' + v.version)));
  const a = pick('compare-a', versions[versions.length - 2].version);
  const b = pick('compare-b', versions[versions.length - 1].version);
  const body = h('div', {id: 'comparison'});
  const form = h('form', {class: 'filters', 'aria-label': 'Compare two versions'},
    h('div', {}, h('label', {for: 'compare-a'}, 'Version'), a), h('div', {}, h('label', {for: 'compare-b'}, 'with'), b),
    h('button', {type: 'submit', id: 'compare-versions'}, 'Compare'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const c = await api('GET', modelPath(name) + '/compare?a=' + a.value + '&b=' + b.value);
      const metric = (k) => [k, fmt(num(c.a.metrics[k])), fmt(num(c.b.metrics[k]))];
      fill(body,
        table('Metrics and privacy', ['', 'v' + c.a.version, 'v' + c.b.version],
          [metric('auc'), metric('accuracy'), ['epsilon', fmt(num(c.a.privacy.epsilon)), fmt(num(c.b.privacy.epsilon))],
            ['demographic parity difference', fmt(num(c.a.fairness.demographicParityDifference)), fmt(num(c.b.fairness.demographicParityDifference))],
            ['stage', c.a.stage, c.b.stage]], [1, 2]),
        table('Coefficients', ['Term', 'v' + c.a.version, 'v' + c.b.version], c.coefficients.map(k => [k.name, fmt(num(k.a), 4), fmt(num(k.b), 4)]), [1, 2]));
    } catch (e) { fill(body, failure(e)); }
  });
  return h('section', {}, h('h2', {}, 'Compare versions'), form, body);
}

/** A version's drift: the baseline, every run, the latest report per site and feature, and a new monitor with its budget plan. */
export async function driftPage(name, version) {
  const title = 'Drift of ' + name + ' v' + version;
  page(title, h('p', {}, 'Loading…'));
  let history;
  let features;
  try {
    const [h2, v] = await Promise.all([api('GET', versionPath(name, version) + '/drift'), api('GET', versionPath(name, version))]);
    history = h2;
    const train = v.lineage.spec.train || {};
    features = [...(train.numericFeatures || []), ...(train.categoricalFeatures || []).map(c => c.column)];
  } catch (e) {
    page(title, failure(e));
    return;
  }
  const out = [h('p', {}, h('a', {href: '#/models/' + enc(name)}, '← All versions of ' + name))];
  if (!history.baseline) {
    out.push(h('p', {id: 'drift-no-baseline'}, 'No baseline yet: the first run of a monitor measures it.'));
  } else {
    const changed = history.baseline.sitesWhoseDataChangedSinceTraining || [];
    out.push(h('p', {id: 'drift-baseline'}, 'Baseline: job ', h('a', {href: '#/jobs/' + history.baseline.jobId}, shortId(history.baseline.jobId)),
      ' measured ' + when(history.baseline.at) + (history.baseline.perSite ? ', each site on its own' : ', pooled') + '; ' +
      (changed.length ? 'the data of ' + changed.join(', ') + ' had changed since training.' : 'every site still held its training data.')));
  }
  const measured = history.runs.filter(r => r.report);
  const alerts = measured.flatMap(r => (r.alerts || []).map(a => [when(r.at), a.site, a.feature, fmt(num(a.psi)), fmt(num(a.noiseFloor))]));
  out.push(h('h2', {}, 'Alerts'), alerts.length === 0 ? h('p', {id: 'drift-alerts'}, 'No alert in ' + measured.length + ' measurement(s).')
    : h('div', {id: 'drift-alerts'}, table('Alerts: PSI above the threshold plus the noise floor', ['Time', 'Site', 'Feature', 'PSI', 'Noise floor'],
      alerts, [3, 4])));
  if (measured.length) out.push(reportView(measured[measured.length - 1]));
  out.push(h('h2', {}, 'Runs'), table('Every run, oldest first', ['Time', 'Job', 'Status', 'Alerts'], history.runs.map(r => [
    when(r.at), r.jobId ? h('a', {href: '#/jobs/' + r.jobId}, shortId(r.jobId)) : '–', r.baseline ? 'baseline' : statusBadge(r.status),
    r.report ? String((r.alerts || []).length) : (r.error || '–')])));
  out.push(monitorForm(name, version, features, history.baseline?.features));
  page(title, ...out);
}

function reportView(run) {
  const r = run.report;
  const rows = r.features.map(f => [f.site, f.feature,
    f.note ? h('span', {title: f.note}, '–') : withCi(num(f.psi), f.psiInterval), fmt(num(f.noiseFloor)), withCi(num(f.jsDistance), f.jsInterval),
    f.alert ? h('span', {class: 'badge bad'}, 'alert') : (f.note || 'ok')]);
  const alerted = r.features.filter(f => f.alert);
  const measurable = r.features.filter(f => !f.note);
  const shown = (alerted.length ? alerted : [...measurable].sort((a, b) => num(b.psi) - num(a.psi))).slice(0, 6);
  return h('section', {id: 'drift-report'},
    h('h2', {}, 'Latest report (' + when(run.at) + ')'),
    h('p', {class: 'hint'}, 'Population stability index and Jensen-Shannon distance against the baseline, with 95% intervals under both releases\' noise. ' +
      'An alert needs the PSI above ' + fmt(num(r.psiThreshold), 2) + ' plus the noise floor (what DP noise alone exceeds 1% of the time).'),
    measurable.length === 0 ? h('p', {class: 'error', id: 'drift-unmeasurable'}, 'At this epsilon per run no feature of any site could be told ' +
      'from the noise. Measure fewer features (the noise on each grows with their number) or spend more epsilon per run.')
    : measurable.length < r.features.length ? h('p', {class: 'hint'}, (r.features.length - measurable.length) + ' of ' + r.features.length +
      ' site and feature pairs could not be told from the noise at this epsilon per run.') : null,
    shown.length === 0 ? null : chart('PSI per site and feature (' + (alerted.length ? 'the alerts' : 'the largest') + ') against the threshold plus noise floor', {
      type: 'bar',
      data: {labels: shown.map(f => f.site + ' / ' + f.feature), datasets: [
        {label: 'PSI', data: shown.map(f => num(f.psi)), backgroundColor: '#2f5d8a',
          errorBars: shown.map(f => f.psiInterval ? [num(f.psiInterval.low), num(f.psiInterval.high)] : null)},
        {label: 'threshold + noise floor', data: shown.map(f => num(r.psiThreshold) + num(f.noiseFloor)), backgroundColor: '#c98a2b'}]}}),
    table('Drift per site and feature', ['Site', 'Feature', 'PSI [95%]', 'Noise floor', 'Jensen-Shannon [95%]', 'Verdict'], rows, [2, 3, 4]),
    (r.performance || []).length ? table('Performance where labels arrived', ['Site', 'Labelled rows', 'AUC then', 'AUC now', 'Calibration error then', 'now'],
      r.performance.map(p => [p.site, fmt(num(p.labelledRows), 0), p.notAvailable ? p.notAvailable : withCi(num(p.baselineAuc), p.baselineAucInterval),
        withCi(num(p.auc), p.aucInterval), fmt(num(p.baselineCalibrationError)), withCi(num(p.calibrationError), p.calibrationErrorInterval)]), [1, 2, 3, 4, 5])
      : null);
}

/** A new monitor: the schedule, then its budget plan, then its acceptance (the plan's total is what is accepted). */
function monitorForm(name, version, features, baselineFeatures) {
  const field = (id, label, value, attrs = {}) => h('div', {}, h('label', {for: id}, label), h('input', Object.assign({id, value, type: 'number'}, attrs)));
  const form = h('form', {class: 'filters', id: 'monitor-form', 'aria-label': 'A new drift monitor'},
    field('monitor-every', 'Every (seconds)', '86400', {min: 1}), field('monitor-runs', 'Runs', '10', {min: 1, max: 1000}),
    field('monitor-epsilon', 'Epsilon per run', '2', {min: 0.01, step: 'any'}), field('monitor-threshold', 'PSI threshold', '0.25', {min: 0.01, step: 'any'}),
    h('fieldset', {class: 'choices'}, h('legend', {}, 'Features to measure (the noise on each grows with their number)'),
      h('div', {class: 'inline'}, features.map(f => h('label', {class: 'choice'}, h('input', {type: 'checkbox', id: 'monitor-feature-' + f,
        value: f, checked: !baselineFeatures || baselineFeatures.includes(f), disabled: !!baselineFeatures && !baselineFeatures.includes(f)}), ' ' + f)))),
    h('button', {type: 'submit', id: 'monitor-plan'}, 'Show the budget plan'));
  const planView = h('div', {id: 'monitor-plan-view'});
  const schedule = () => ({everySeconds: Number(form.querySelector('#monitor-every').value), runs: Number(form.querySelector('#monitor-runs').value),
    epsilon: Number(form.querySelector('#monitor-epsilon').value), psiThreshold: Number(form.querySelector('#monitor-threshold').value),
    features: [...form.querySelectorAll('input[id^=monitor-feature-]:checked')].map(c => c.value)});
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const s = schedule();
      const plan = await api('POST', versionPath(name, version) + '/monitors/plan', s);
      const accept = h('button', {type: 'button', id: 'monitor-accept', disabled: !plan.feasible, onclick: async () => {
        accept.disabled = true;
        try {
          await api('POST', versionPath(name, version) + '/monitors', Object.assign({acceptedEpsilon: plan.epsilonTotalPerSite}, s));
          announce('Monitor started');
          await driftPage(name, version);
        } catch (e) { accept.after(failure(e)); }
      }}, 'Accept this plan and start the monitor');
      fill(planView,
        h('p', {}, plural(plan.runs, 'run') + (plan.baselineRun ? ' and a baseline' : '') + ', every ' + plan.everySeconds + ' s, ' +
          (plan.perSite ? 'each site measured on its own' : 'pooled (a site allows pooled releases only)') + ', measuring ' +
          plan.features.join(', ') + ' and the score. Each site would reserve up to ' +
          fmt(num(plan.epsilonTotalPerSite)) + ' epsilon of its ' + plan.dataset + ' budget.'),
        table('Budget plan per site', ['Site', 'Online', 'Takes part', 'Epsilon per run', 'Needed', 'Left', 'Fits'], plan.sites.map(s2 => [
          s2.site, s2.online ? 'yes' : 'no', s2.takesPartInDrift ? 'yes' : 'no', fmt(num(s2.epsilonPerRun)), fmt(num(s2.epsilonNeeded)),
          fmt(num(s2.epsilonRemaining)), s2.fits ? 'yes' : h('span', {class: 'badge bad'}, 'no')]), [3, 4, 5]),
        plan.problems.length ? h('ul', {class: 'problem'}, plan.problems.map(p => h('li', {}, p))) : null, accept);
    } catch (e) { fill(planView, failure(e)); }
  });
  return h('section', {}, h('h2', {}, 'New drift monitor'),
    h('p', {class: 'hint'}, 'Each run is a drift job at every site of the model, paid from each site\'s budget; the plan says what before anything runs.'),
    form, planView);
}
