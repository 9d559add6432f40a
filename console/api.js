// Talks to the daemon's /ui/api: JSON over fetch with the session cookie,
// the CSRF token on every POST, and the live event stream.

let csrf = '';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method === 'POST') {
    headers['Content-Type'] = 'application/json';
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  const res = await fetch('/ui/api/' + path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let doc = null;
  try {
    doc = await res.json();
  } catch (e) {
    doc = null;
  }
  if (!res.ok) {
    const msg = doc && doc.error && doc.error.message ? doc.error.message : res.statusText;
    throw new ApiError(res.status, msg);
  }
  return doc;
}

export async function login(token) {
  const s = await call('POST', 'login', { token });
  csrf = s.csrf;
  return s;
}

// A one-time login code (from a login link): exchanged once for a session.
export async function loginWithCode(code) {
  const s = await call('POST', 'login', { code });
  csrf = s.csrf;
  return s;
}

export async function session() {
  const s = await call('GET', 'session');
  csrf = s.csrf;
  return s;
}

export async function logout() {
  await call('POST', 'logout', {});
  csrf = '';
}

export const devices = () => call('GET', 'devices');
export const device = (id) => call('GET', 'devices/' + encodeURIComponent(id));
export const plans = () => call('GET', 'plans');
export const plan = (id) => call('GET', 'plans/' + encodeURIComponent(id));
export const approve = (id) => call('POST', 'plans/' + encodeURIComponent(id) + '/approve', {});
export const reject = (id, reason) =>
  call('POST', 'plans/' + encodeURIComponent(id) + '/reject', { reason });

// The live stream: `on(kind, data)` for every `plan` and `health` event.
export function events(on) {
  const source = new EventSource('/ui/api/events');
  for (const kind of ['ready', 'plan', 'health']) {
    source.addEventListener(kind, (e) => {
      let data = null;
      try {
        data = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      on(kind, data);
    });
  }
  return source;
}
