// Consilium console, shared helpers: building elements, calling the API, tables, charts,
// pages. Every value from the server is put in the page as text (never as HTML).

/** The console's state: the signed-in session ({user, role, csrfToken}) and what the current page must clean up. */
export const state = {session: null, cleanups: []};
export const main = document.getElementById('main');

// ---------- small helpers ----------

/** Builds an element: h('a', {href: '#'}, 'text', child, ...). Strings become text nodes. */
export function h(tag, attrs, ...children) {
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

export const fmt = (x, digits = 3) => (x === undefined || x === null || Number.isNaN(x) || x === 'NaN') ? '–'
  : (typeof x === 'number' ? (Number.isInteger(x) ? x.toString() : x.toFixed(digits)) : String(x));
/** A value with its 95% interval, as text: "45.2 [43.1, 47.3]"; the value alone when it has none. */
export const withCi = (x, ci, digits = 3) => ci && (ci.low !== undefined || ci.high !== undefined) && Number.isFinite(num(x))
  ? fmt(num(x), digits) + ' [' + fmt(num(ci.low ?? 0), digits) + ', ' + fmt(num(ci.high ?? 0), digits) + ']' : fmt(num(x), digits);
export const num = (x) => (typeof x === 'string' && /^-?\d/.test(x)) ? Number(x) : x;
export const when = (iso) => iso ? new Date(iso).toLocaleString() : '–';
export const FINAL = ['RELEASED', 'REFUSED', 'FAILED', 'CANCELLED'];   // a job in one of these changes no more
export const STATUSES = ['OFFERED', 'RUNNING', ...FINAL];
export const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
export const shortId = (id) => id ? id.replace(/^job-/, '').slice(0, 8) : '';

/** Replaces an element's content, skipping absent parts (null, undefined, false) as h() does. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false));
}

export function announce(text) {
  const a = document.getElementById('announcer');
  a.textContent = '';
  setTimeout(() => { a.textContent = text; }, 50);
}

export function table(caption, headers, rows, numeric = []) {
  return h('div', {class: 'scroll'}, h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((t, i) => h('th', {scope: 'col', class: numeric.includes(i) ? 'num' : null}, t)))),
    h('tbody', {}, rows.map(r => h('tr', {}, r.map((c, i) => i === 0
      ? h('th', {scope: 'row'}, c) : h('td', {class: numeric.includes(i) ? 'num' : null}, c)))))));
}

export function statusBadge(status) {
  const kind = {RELEASED: 'ok', RUNNING: 'warn', OFFERED: 'warn', REFUSED: 'bad', FAILED: 'bad', CANCELLED: 'neutral'}[status] || 'neutral';
  return h('span', {class: 'badge ' + kind}, status || 'unknown');
}

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export async function api(method, path, body) {
  const headers = {'Accept': 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.session && state.session.csrfToken) headers['X-CSRF-Token'] = state.session.csrfToken;
  const res = await fetch(path, {method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body)});
  const type = res.headers.get('content-type') || '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (res.status === 401 && !(method === 'POST' && path === '/api/v1/session')) {
    // Only a session that existed can have ended: a first visit just goes to the sign-in page.
    const ended = state.session !== null;
    state.session = null;
    showSignedOut();
    location.hash = '#/login?' + (ended ? 'expired=1&' : '') + 'then=' + encodeURIComponent(location.hash);
    throw new ApiError(401, 'Your session has ended; sign in again.');
  }
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || ('HTTP ' + res.status));
  return data;
}

/**
 * Draws 95% intervals on bar charts: a dataset with errorBars [[low, high], ...] gets a whisker
 * per bar (Chart.js has no error bars of its own).
 */
const errorBars = {
  id: 'errorBars',
  afterDatasetsDraw(c) {
    const ctx = c.ctx;
    c.data.datasets.forEach((d, i) => {
      if (!d.errorBars || !c.isDatasetVisible(i)) return;
      const meta = c.getDatasetMeta(i);
      const y = c.scales[meta.yAxisID];
      ctx.save();
      ctx.strokeStyle = '#1a1a1a';
      ctx.lineWidth = 1.5;
      meta.data.forEach((bar, k) => {
        const e = d.errorBars[k];
        if (!e) return;
        const top = y.getPixelForValue(e[1]);
        const bottom = y.getPixelForValue(e[0]);
        const w = Math.min(8, (bar.width || 10) / 3);
        ctx.beginPath();
        ctx.moveTo(bar.x, top); ctx.lineTo(bar.x, bottom);
        ctx.moveTo(bar.x - w, top); ctx.lineTo(bar.x + w, top);
        ctx.moveTo(bar.x - w, bottom); ctx.lineTo(bar.x + w, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  }
};

export function chart(canvasLabel, config) {
  const canvas = h('canvas', {role: 'img', 'aria-label': canvasLabel});
  const box = h('div', {class: 'chart'}, canvas);
  // Chart.js needs the canvas in the document; draw on the next frame.
  requestAnimationFrame(() => {
    if (!window.Chart || !canvas.isConnected) return;
    config.options = Object.assign({responsive: true, maintainAspectRatio: false, animation: false}, config.options || {});
    config.plugins = [...(config.plugins || []), errorBars];
    const c = new window.Chart(canvas, config);
    state.cleanups.push(() => c.destroy());
  });
  return box;
}

export function page(title, ...content) {
  fill(main, h('h1', {}, title), ...content);
  document.title = title + ' – Consilium console';
  main.focus({preventScroll: true});
}

export function failure(e) {
  return h('p', {class: 'error', role: 'alert'}, e.message || String(e));
}


export function showSignedIn() {
  document.getElementById('nav').hidden = false;
  document.getElementById('whoami').hidden = false;
  document.getElementById('user').textContent = state.session.user + ' (' + state.session.role + ')';
  document.querySelectorAll('[data-role="admin"]').forEach(el => { el.hidden = state.session.role !== 'admin'; });
}

export function showSignedOut() {
  document.getElementById('nav').hidden = true;
  document.getElementById('whoami').hidden = true;
}
