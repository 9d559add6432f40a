// The fleet, device and plans views, and the DOM helpers every view uses.
// Text from routers and plans is untrusted: it only ever goes into
// textContent and attribute values, never into markup.

import * as api from './api.js';

const SVG = 'http://www.w3.org/2000/svg';

// An element with attributes and children (strings become text nodes).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export function say(text) {
  document.getElementById('status').textContent = text;
}

export function badge(state) {
  return h('span', { class: `badge state-${String(state).replace(/[^a-z_-]/g, '')}` }, state);
}

export function when(iso) {
  if (!iso) return 'never';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function pct(v) {
  return v === null || v === undefined ? '—' : `${Number(v).toFixed(1)} %`;
}

function tagText(tags) {
  return Object.entries(tags || {}).map(([k, v]) => (v ? `${k}=${v}` : k)).join(', ');
}

// -- fleet ---------------------------------------------------------------------

function select(id, label, values) {
  return [
    h('label', { for: id }, label),
    h('select', { id }, h('option', { value: '' }, 'any'),
      [...values].sort().map((v) => h('option', { value: v }, v))),
  ];
}

export async function fleetView() {
  const { devices } = await api.devices();
  const byId = new Map(devices.map((d) => [d.id, d]));
  const envs = new Set(devices.map((d) => d.environment));
  const states = new Set(['healthy', 'degraded', 'unreachable', 'unknown']);
  const tags = new Set(devices.flatMap((d) => Object.entries(d.tags || {}).map(([k, v]) => (v ? `${k}=${v}` : k))));
  const filters = h('form', { class: 'filters', 'aria-label': 'Filter devices' },
    ...select('f-env', 'Environment', envs),
    ...select('f-health', 'Health', states),
    ...select('f-tag', 'Tag', tags));
  const body = h('tbody');
  const count = h('p', { id: 'fleet-count', 'aria-live': 'polite' });
  const table = h('table', { class: 'fleet', 'aria-describedby': 'fleet-count' },
    h('caption', {}, 'Devices'),
    h('thead', {}, h('tr', {}, ['Device', 'Health', 'Last check', 'RouterOS', 'CPU', 'Memory', 'Environment', 'Tags']
      .map((t) => h('th', { scope: 'col' }, t)))),
    body);
  const render = () => {
    const env = filters.querySelector('#f-env').value;
    const health = filters.querySelector('#f-health').value;
    const tag = filters.querySelector('#f-tag').value;
    const shown = [...byId.values()].filter((d) =>
      (!env || d.environment === env) &&
      (!health || d.health.status === health) &&
      (!tag || tagText(d.tags).split(', ').includes(tag)));
    body.replaceChildren(...shown.map((d) => h('tr', { 'data-device': d.id },
      h('th', { scope: 'row' }, h('a', { href: `#/device/${encodeURIComponent(d.id)}` }, d.id)),
      h('td', {}, badge(d.health.status)),
      h('td', {}, when(d.health.checked_at)),
      h('td', {}, d.health.routeros_version || '—'),
      h('td', {}, pct(d.health.cpu_percent)),
      h('td', {}, pct(d.health.memory_percent)),
      h('td', {}, d.environment),
      h('td', {}, tagText(d.tags)))));
    count.textContent = `${shown.length} of ${byId.size} devices shown`;
  };
  filters.addEventListener('change', render);
  render();
  const node = h('section', { 'aria-labelledby': 'fleet-title' },
    h('h2', { id: 'fleet-title' }, 'Fleet'), filters, count, table);
  const live = (kind, data) => {
    if (kind !== 'health' || !byId.has(data.device_id)) return;
    byId.get(data.device_id).health = data;
    render();
  };
  return { node, live };
}

// -- device --------------------------------------------------------------------

// CPU and memory of the recent checks as a line chart (oldest left).
export function healthChart(history) {
  const W = 480, H = 160, P = 30;
  const points = [...history].reverse().filter((x) => x.cpu_percent !== null);
  const x = (i) => P + (points.length < 2 ? 0 : (i * (W - 2 * P)) / (points.length - 1));
  const y = (v) => H - P - (Math.max(0, Math.min(100, v)) * (H - 2 * P)) / 100;
  const line = (key, cls) => s('polyline', {
    class: cls, fill: 'none',
    points: points.map((p, i) => `${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' '),
  });
  const last = points[points.length - 1];
  const label = points.length
    ? `Health history, ${points.length} checks: CPU now ${pct(last.cpu_percent)}, memory ${pct(last.memory_percent)}`
    : 'Health history: no measured checks yet';
  return s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': label },
    s('title', {}, label),
    [0, 50, 100].map((v) => [
      s('line', { class: 'grid', x1: P, x2: W - P, y1: y(v), y2: y(v) }),
      s('text', { class: 'axis', x: 2, y: y(v) + 4 }, `${v}%`),
    ]),
    line('cpu_percent', 'cpu'), line('memory_percent', 'mem'),
    points.flatMap((p, i) => [
      s('circle', { class: 'cpu', cx: x(i).toFixed(1), cy: y(p.cpu_percent).toFixed(1), r: 3 }),
      s('circle', { class: 'mem', cx: x(i).toFixed(1), cy: y(p.memory_percent).toFixed(1), r: 3 }),
    ]),
    s('text', { class: 'legend cpu', x: W - P - 110, y: 14 }, 'CPU'),
    s('text', { class: 'legend mem', x: W - P - 60, y: 14 }, 'memory'));
}

function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export async function deviceView(id) {
  const d = await api.device(id);
  const dev = d.device;
  const chart = h('figure', {}, healthChart(d.history),
    h('figcaption', {}, `Last ${d.history.length} health checks (CPU and memory, percent)`));
  const snap = d.snapshot
    ? dl([['Snapshot', d.snapshot.id], ['Taken', when(d.snapshot.taken_at)],
      ['Lines', d.snapshot.lines], ['SHA-256', d.snapshot.sha256]])
    : h('p', {}, 'No configuration snapshot yet (capture_config_snapshot, or the periodic snapshots).');
  let drift = h('p', {}, 'No drift recorded between snapshots.');
  if (d.drift) {
    const lines = [];
    for (const l of d.drift.removed || d.drift.first_removed || []) lines.push(h('span', { class: 'del' }, `- ${l}\n`));
    for (const l of d.drift.added || d.drift.first_added || []) lines.push(h('span', { class: 'add' }, `+ ${l}\n`));
    drift = h('div', {},
      h('p', {}, `Drift recorded ${when(d.drift.recorded_at)}: ${d.drift.lines_added ?? '?'} lines added, ` +
        `${d.drift.lines_removed ?? '?'} removed (previous snapshot ${d.drift.previous_snapshot_id || '—'}).`),
      lines.length ? h('pre', { class: 'diff', tabindex: '0', 'aria-label': 'Changed lines' }, lines)
        : h('pre', { class: 'diff', tabindex: '0' }, JSON.stringify(d.drift, null, 2)));
  }
  const overview = dl([
    ['Name', dev.name || '—'], ['Address', dev.address], ['Environment', dev.environment],
    ['Tags', tagText(dev.tags) || '—'], ['Health', badge(dev.health.status)],
    ['Last check', when(dev.health.checked_at)], ['RouterOS', dev.health.routeros_version || '—'],
    ['Board', dev.health.board || '—'], ['CPU', pct(dev.health.cpu_percent)],
    ['Memory', pct(dev.health.memory_percent)],
    ['Issues', (dev.health.issues || []).join('; ') || 'none']]);
  const node = h('section', { 'aria-labelledby': 'device-title' },
    h('p', {}, h('a', { href: '#/fleet' }, '← Fleet')),
    h('h2', { id: 'device-title' }, `Device ${dev.id}`),
    h('h3', {}, 'Overview'), overview,
    h('h3', {}, 'Recent health'), chart,
    h('h3', {}, 'Configuration snapshot'), snap,
    h('h3', {}, 'Last snapshot diff'), drift);
  const live = (kind, data) => {
    if (kind === 'health' && data.device_id === id) say(`${id} is now ${data.status}`);
  };
  return { node, live };
}

// -- plans ---------------------------------------------------------------------

const GROUPS = [
  ['Pending', ['pending', 'approved']],
  ['Executing', ['executing', 'rolling_back']],
  ['Finished', ['completed', 'failed', 'cancelled', 'rolled_back']],
];

export async function plansView() {
  const { plans } = await api.plans();
  const sections = GROUPS.map(([title, states]) => {
    const mine = plans.filter((p) => states.includes(p.state));
    const id = `plans-${title.toLowerCase()}`;
    return h('section', { 'aria-labelledby': id },
      h('h3', { id }, `${title} (${mine.length})`),
      mine.length === 0 ? h('p', {}, 'None.') : h('table', { class: 'plans' },
        h('thead', {}, h('tr', {}, ['Plan', 'State', 'Kind', 'Devices', 'Risk', 'Created by', 'Updated']
          .map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, mine.map((p) => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `#/plan/${encodeURIComponent(p.id)}` }, p.id)),
          h('td', {}, badge(p.state)), h('td', {}, p.kind),
          h('td', {}, p.devices.join(', ')), h('td', {}, p.risk || '—'),
          h('td', {}, p.created_by), h('td', {}, when(p.updated_at)))))));
  });
  const node = h('section', { 'aria-labelledby': 'plans-title' },
    h('h2', { id: 'plans-title' }, 'Plans'), sections);
  let pending = false;
  const live = (kind) => {
    if (kind !== 'plan' || pending) return;
    pending = true;
    setTimeout(() => { if (location.hash === '#/plans') window.dispatchEvent(new HashChangeEvent('hashchange')); }, 300);
  };
  return { node, live };
}
