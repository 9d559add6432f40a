// One plan: parameters, the per-device preview side by side, batches with
// the live rollout (device steps, gate results, rollback) and the journal;
// approve (the token shown once) and reject (with a reason).

import * as api from './api.js';
import { h, badge, when, say } from './views.js';

// JSON with sorted keys, so that current and intended line up.
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k]);
    return out;
  }
  return v;
}

function lines(v) {
  return JSON.stringify(canonical(v), null, 2).split('\n');
}

// Two columns; lines that differ from the other side are marked.
function sideBySide(p) {
  const a = lines(p.current);
  const b = lines(p.intended);
  const setA = new Set(a);
  const setB = new Set(b);
  const col = (title, ls, other, cls) => h('div', { class: 'col' },
    h('h5', {}, title),
    h('pre', { tabindex: '0', 'aria-label': `${title} settings of ${p.device_id}` },
      ls.map((l) => h('span', { class: other.has(l) ? null : cls }, l + '\n'))));
  return h('div', { class: 'preview', 'data-device': p.device_id },
    h('h4', {}, p.device_id, p.changes === false ? ' (no change)' : ''),
    h('div', { class: 'cols' }, col('Current', a, setB, 'del'), col('Intended', b, setA, 'add')),
    (p.warnings || []).length ? h('ul', { class: 'warnings' }, p.warnings.map((w) => h('li', {}, w))) : null);
}

const DONE = new Set(['applied', 'rolled_back', 'apply_failed', 'rollback_failed']);

function rollout(plan, journal) {
  const states = new Map(plan.devices.map((d) => [d.id, d]));
  const total = plan.devices.length;
  const done = plan.devices.filter((d) => DONE.has(d.state)).length;
  const gates = journal.filter((s) => s.event.startsWith('gate-'));
  const rollbacks = journal.filter((s) => s.event.includes('roll'));
  const batchState = (i) => {
    const ev = journal.filter((s) => s.batch === i).map((s) => s.event);
    if (ev.includes('gate-failed')) return 'gate failed';
    if (ev.includes('gate-passed')) return 'gate passed';
    if (ev.includes('batch-started')) return 'running';
    return 'waiting';
  };
  return h('section', { id: 'rollout', 'aria-labelledby': 'rollout-title' },
    h('h3', { id: 'rollout-title' }, 'Rollout'),
    h('p', {}, h('label', { for: 'rollout-progress' }, 'Devices finished '),
      h('progress', { id: 'rollout-progress', max: total || 1, value: done }),
      ` ${done} of ${total} · plan ${plan.state}`),
    h('ol', { class: 'batches' }, plan.batches.map((ids, i) => h('li', { 'data-batch': i },
      h('span', { class: 'batch-title' }, `Batch ${i}${i === 0 ? ' (canary)' : ''}: `), badge(batchState(i)),
      h('ul', {}, ids.map((id) => {
        const d = states.get(id) || { state: 'pending' };
        return h('li', { 'data-device': id }, `${id} `, badge(d.state), d.error ? ` — ${d.error}` : '');
      }))))),
    h('h4', {}, 'Gate results'),
    gates.length ? h('ul', { class: 'gates' }, gates.map((g) => h('li', {},
      `batch ${g.batch}: ${g.event}`, g.device_id ? ` (${g.device_id})` : '',
      g.detail && g.detail.error ? ` — ${g.detail.error}` : '',
      g.detail && Array.isArray(g.detail.failures) ? ` — ${g.detail.failures.join('; ')}` : '')))
      : h('p', {}, 'No gate has run yet.'),
    rollbacks.length ? [h('h4', {}, 'Rollback'), h('ul', { class: 'rollback' }, rollbacks.map((r) =>
      h('li', {}, `${r.event}`, r.device_id ? ` ${r.device_id}` : '')))] : null);
}

function journalTable(journal) {
  return h('table', { class: 'journal' },
    h('caption', {}, 'Journal'),
    h('thead', {}, h('tr', {}, ['#', 'Time', 'Event', 'Batch', 'Device', 'State', 'Detail']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, journal.map((s) => h('tr', {},
      h('td', {}, s.seq), h('td', {}, when(new Date(s.timestamp).toISOString())),
      h('td', {}, s.event), h('td', {}, s.batch >= 0 ? s.batch : ''),
      h('td', {}, s.device_id), h('td', {}, s.to_state || s.device_state),
      h('td', {}, Object.keys(s.detail || {}).length ? JSON.stringify(s.detail) : '')))));
}

function decisions(plan, mayDecide, refresh) {
  const box = h('section', { id: 'decision', 'aria-labelledby': 'decision-title' },
    h('h3', { id: 'decision-title' }, 'Decision'));
  if (!mayDecide) {
    box.append(h('p', {}, plan.state === 'pending'
      ? 'You cannot decide this plan: approving needs the approver or admin role, and nobody approves their own plan.'
      : `Decided: ${plan.state}${plan.approved_by ? ' by ' + plan.approved_by : ''}${plan.reason ? ' (' + plan.reason + ')' : ''}.`));
    return box;
  }
  const out = h('div', { 'aria-live': 'polite' });
  const approve = h('button', { type: 'button', id: 'approve' }, 'Approve…');
  const confirm = h('button', { type: 'button', id: 'approve-confirm', hidden: true }, 'Confirm approval');
  approve.addEventListener('click', () => {
    confirm.hidden = false;
    confirm.focus();
  });
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      const r = await api.approve(plan.id);
      if (r.handed_to_apply) {
        // No token exists: the daemon hands the approval to the apply call.
        out.replaceChildren(h('p', { id: 'handed' }, r.apply_waiting
          ? `Approved by ${r.approved_by}; the approval was handed to the waiting apply call: the rollout has started. No token is needed.`
          : `Approved by ${r.approved_by}; no apply call is waiting yet: the creator's next ${plan.apply_tool || 'apply'} call takes the approval (until ${when(r.expires_at)}). No token is needed.`));
        approve.hidden = confirm.hidden = true;
        rejectForm.hidden = true;
        say(`Plan ${plan.id} approved and handed to the apply call.`);
        return;
      }
      out.replaceChildren(
        h('p', {}, `Approved by ${r.approved_by}; the token expires ${when(r.expires_at)}. ` +
          `It is shown once: pass it as approval_token to ${plan.apply_tool || 'the apply tool'}.`),
        h('label', { for: 'approval-token' }, 'Approval token'),
        h('input', { id: 'approval-token', readonly: true, value: r.approval_token, size: 60 }));
      approve.hidden = confirm.hidden = true;
      rejectForm.hidden = true;
      say(`Plan ${plan.id} approved.`);
    } catch (err) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message));
      confirm.disabled = false;
    }
  });
  const reason = h('textarea', { id: 'reject-reason', required: true, rows: 2, cols: 50 });
  const rejectForm = h('form', { id: 'reject-form' },
    h('label', { for: 'reject-reason' }, 'Reason for rejecting'), reason,
    h('button', { type: 'submit', id: 'reject' }, 'Reject'));
  rejectForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.reject(plan.id, reason.value);
      say(`Plan ${plan.id} rejected.`);
      refresh();
    } catch (err) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message));
    }
  });
  box.append(h('div', { class: 'actions' }, approve, confirm), rejectForm, out);
  return box;
}

export async function planView(id) {
  let { plan, journal, may_decide: mayDecide } = await api.plan(id);
  const node = h('section', { 'aria-labelledby': 'plan-title' });
  const refresh = async () => {
    const r = await api.plan(id);
    ({ plan, journal } = r);
    mayDecide = r.may_decide;
    render(true);
  };
  let liveBox = null;
  let journalBox = null;
  const render = (full) => {
    const roll = rollout(plan, journal);
    const jt = journalTable(journal);
    if (!full && liveBox) {
      liveBox.replaceWith(roll);
      journalBox.replaceWith(jt);
      liveBox = roll;
      journalBox = jt;
      node.querySelector('#plan-state').replaceChildren(badge(plan.state));
      return;
    }
    liveBox = roll;
    journalBox = jt;
    node.replaceChildren(...[
      h('p', {}, h('a', { href: '#/plans' }, '← Plans')),
      h('h2', { id: 'plan-title' }, `Plan ${plan.id}`),
      h('p', {}, h('span', { id: 'plan-state' }, badge(plan.state)), ` ${plan.kind} · risk ${plan.risk || '—'} · ` +
        `created by ${plan.created_by} ${when(new Date(plan.created_at).toISOString())}`),
      h('p', {}, plan.description),
      plan.hand_to_apply ? h('p', { id: 'hand-to-apply' },
        'Made with hand_to_apply: approving hands the approval to the creator\'s apply call; no token is shown.') : null,
      decisions(plan, mayDecide, refresh),
      h('h3', {}, 'Parameters'),
      h('pre', { class: 'params', tabindex: '0', 'aria-label': 'Parameters' }, JSON.stringify(plan.params, null, 2)),
      (plan.warnings || []).length ? h('ul', { class: 'warnings' }, plan.warnings.map((w) => h('li', {}, w))) : null,
      h('h3', {}, 'Preview per device'),
      plan.preview.map(sideBySide),
      roll,
      jt].flat().filter((c) => c));
  };
  render(true);
  const live = (kind, data) => {
    if (kind !== 'plan' || data.plan.id !== id) return;
    plan = data.plan;
    journal = data.journal;
    if (plan.state !== 'pending') mayDecide = false;
    render(false);
    say(`Plan ${id}: ${plan.state}`);
  };
  return { node, live };
}
