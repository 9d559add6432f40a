// The console's shell: login, the hash router (#/fleet, #/device/ID,
// #/plans, #/plan/ID) and the live event stream that keeps the open view
// current without a reload.

import * as api from './api.js';
import { h, say, fleetView, deviceView, plansView } from './views.js';
import { planView } from './plan_view.js';

const main = document.getElementById('main');
let me = null;
let stream = null;
// The open view's handler of live events (kind, data), if it has one.
let live = null;

function setHeader() {
  document.getElementById('nav').hidden = !me;
  document.getElementById('logout').hidden = !me;
  document.getElementById('who').textContent = me
    ? `${me.subject} (${me.role})${me.environment ? ' · ' + me.environment : ''}`
    : '';
}

function show(title, node) {
  document.title = `${title} · RouterOS MCP console`;
  main.replaceChildren(node);
  main.focus();
}

function loginView(message) {
  const token = h('input', {
    id: 'token', type: 'password', autocomplete: 'off', required: '',
    'aria-describedby': 'token-help',
  });
  const error = h('p', { class: 'error', role: 'alert' }, message || '');
  const form = h('form', { class: 'login', 'aria-labelledby': 'login-title' },
    h('h2', { id: 'login-title' }, 'Log in'),
    h('label', { for: 'token' }, 'API token or OAuth access token'),
    token,
    h('p', { id: 'token-help', class: 'help' },
      'The same credential as the MCP API (routeros-mcp token create). It is kept by the ' +
      'daemon; the browser only holds a session cookie.'),
    h('button', { type: 'submit' }, 'Log in'),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      me = await api.login(token.value);
      token.value = '';
      started();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  show('Log in', form);
  token.focus();
}

function started() {
  setHeader();
  if (stream) stream.close();
  stream = api.events((kind, data) => {
    if (kind === 'ready') return;
    if (live) live(kind, data);
  });
  if (!location.hash || location.hash === '#/login') location.hash = '#/fleet';
  else route();
}

async function route() {
  if (!me) return;
  const parts = location.hash.replace(/^#\//, '').split('/');
  const view = parts[0] || 'fleet';
  const arg = decodeURIComponent(parts.slice(1).join('/'));
  live = null;
  try {
    if (view === 'device' && arg) {
      const v = await deviceView(arg);
      live = v.live;
      show(`Device ${arg}`, v.node);
    } else if (view === 'plans') {
      const v = await plansView();
      live = v.live;
      show('Plans', v.node);
    } else if (view === 'plan' && arg) {
      const v = await planView(arg);
      live = v.live;
      show(`Plan ${arg}`, v.node);
    } else {
      const v = await fleetView();
      live = v.live;
      show('Fleet', v.node);
    }
  } catch (err) {
    if (err.status === 401) {
      me = null;
      setHeader();
      loginView(err.message);
      return;
    }
    show('Error', h('p', { class: 'error', role: 'alert' }, err.message));
  }
}

async function start() {
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await api.logout();
    } finally {
      me = null;
      if (stream) stream.close();
      stream = null;
      setHeader();
      say('Logged out.');
      loginView();
    }
  });
  window.addEventListener('hashchange', route);
  // A one-time login link (scripts/demo, routeros-mcp console login-link)
  // carries its code in the fragment, which no request, server log or
  // Referer carries; it is dropped from the address at once and works once.
  const m = location.hash.match(/^#code=([A-Za-z0-9_-]+)$/);
  if (m) {
    history.replaceState(null, '', '/ui/');
    try {
      me = await api.loginWithCode(m[1]);
      started();
      return;
    } catch (err) {
      loginView(err.message);
      return;
    }
  }
  try {
    me = await api.session();
    started();
  } catch (err) {
    loginView();
  }
}

start();
