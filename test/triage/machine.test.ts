import { newTriage, transition } from '../../src/triage/machine';
import { type Actor, type TriageRecord } from '../../src/triage/record';
import type { StepResult } from '../../src/triage/model';
import { STEP_IDS } from '../../src/triage/model';

const now = new Date('2026-11-27T12:00:00Z');
const alice: Actor = { kind: 'user', id: 'U1', name: 'alice' };
const bob: Actor = { kind: 'user', id: 'U2', name: 'bob' };

function fresh(): TriageRecord {
  return newTriage('tri-1', { requestId: 'req-1', zoneId: null, symptom: null, error: null }, now).record;
}

function applyOk(record: TriageRecord, event: Parameters<typeof transition>[1]): TriageRecord {
  const r = transition(record, event, now);
  if (!r.ok) throw new Error(`transition refused: ${r.message}`);
  return r.record;
}

function result(id: StepResult['id'], verdict: StepResult['verdict']): StepResult {
  return { id, verdict, summary: `${id} ${verdict}`, evidence: {} };
}

/** A triage whose evidence is in: scope step failed, everything else passed. */
function routed(): TriageRecord {
  let r = fresh();
  for (const id of STEP_IDS) r = applyOk(r, { type: 'step_collected', result: result(id, id === 'requested_scopes' ? 'fail' : 'pass') });
  return applyOk(r, {
    type: 'collection_finished',
    zoneId: 'zone-b',
    symptom: 'token_exchange_denied',
    surface: 'resource_definition',
    diagnosis: { surface: 'resource_definition', step: 'requested_scopes', cause: 'scope_mismatch', summary: 's', confidence: 'high' },
    bundle: null,
  });
}

describe('triage state machine', () => {
  it('starts locating and asks for every step to be collected and the card to be shown', () => {
    const { record, effects } = newTriage('tri-1', { requestId: 'r', zoneId: null, symptom: null, error: null }, now);
    expect(record.state).toBe('locating');
    expect(record.version).toBe(1);
    expect(effects).toEqual([{ type: 'collect', steps: [...STEP_IDS] }, { type: 'update_card' }]);
  });

  it('keeps step results in step order and posts each one to the thread as it arrives', () => {
    let r = fresh();
    const t = transition(r, { type: 'step_collected', result: result('audit_trace', 'pass') }, now);
    expect(t.ok && t.effects).toEqual([{ type: 'post_step', step: 'audit_trace' }, { type: 'update_card' }]);
    r = applyOk(r, { type: 'step_collected', result: result('audit_trace', 'pass') });
    r = applyOk(r, { type: 'step_collected', result: result('readiness', 'pass') });
    expect(r.steps.map((s) => s.id)).toEqual(['readiness', 'audit_trace']);
    expect(r.pending).not.toContain('readiness');
    expect(r.version).toBe(3);
  });

  it('is routed once collection finishes, carrying the diagnosis and the located zone', () => {
    const r = routed();
    expect(r.state).toBe('routed');
    expect(r.zoneId).toBe('zone-b');
    expect(r.diagnosis?.step).toBe('requested_scopes');
  });

  it('walks from the diagnosed step on "Next step", then past passed steps', () => {
    let r = applyOk(routed(), { type: 'next', actor: alice });
    expect(r.state).toBe('walking');
    expect(r.current).toBe('requested_scopes');
    r = applyOk(r, { type: 'next', actor: alice });
    expect(r.current).toBeNull();
    expect(r.history.at(-1)).toMatchObject({ actor: alice, action: 'next step' });
  });

  it('rejects a click made on an older card version and changes nothing', () => {
    const r = routed();
    const t = transition(r, { type: 'next', actor: bob, expectedVersion: r.version - 1 }, now);
    expect(t.ok).toBe(false);
    expect(!t.ok && t.reason).toBe('stale');
  });

  it('applies exactly one of two clicks racing from the same card version', () => {
    const r = routed();
    const first = transition(r, { type: 'escalate', actor: alice, expectedVersion: r.version }, now);
    expect(first.ok).toBe(true);
    const second = transition(first.ok ? first.record : r, { type: 'resolve', actor: bob, expectedVersion: r.version }, now);
    expect(second.ok).toBe(false);
  });

  it('re-collects just the current step on "Fixed, re-check" and audits who asked', () => {
    const walking = applyOk(routed(), { type: 'next', actor: alice });
    const t = transition(walking, { type: 'recheck', actor: bob }, now);
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.effects).toContainEqual({ type: 'collect', steps: ['requested_scopes'] });
    expect(t.effects).toContainEqual(expect.objectContaining({ type: 'audit', action: 'recheck', actor: bob, step: 'requested_scopes' }));
    expect(t.record.pending).toEqual(['requested_scopes']);
  });

  it('marks a skipped step as skipped by the person and moves on', () => {
    const walking = applyOk(routed(), { type: 'next', actor: alice });
    const r = applyOk(walking, { type: 'skip', actor: bob });
    expect(r.steps.find((s) => s.id === 'requested_scopes')).toMatchObject({ verdict: 'skipped', summary: 'Skipped by bob.' });
    expect(r.current).toBeNull();
  });

  it('refuses buttons while evidence is still being collected', () => {
    const t = transition(fresh(), { type: 'next', actor: alice }, now);
    expect(t.ok).toBe(false);
  });

  it('ends on resolve and refuses anything after', () => {
    const r = applyOk(routed(), { type: 'resolve', actor: alice });
    expect(r.state).toBe('resolved');
    const t = transition(r, { type: 'next', actor: bob }, now);
    expect(!t.ok && t.reason).toBe('finished');
  });

  it('can still be resolved after an escalation, but not escalated twice', () => {
    const e = applyOk(routed(), { type: 'escalate', actor: alice });
    expect(transition(e, { type: 'escalate', actor: bob }, now).ok).toBe(false);
    expect(applyOk(e, { type: 'resolve', actor: bob }).state).toBe('resolved');
  });

  it('goes back to locating when a symptom is chosen for a triage started without a request ID', () => {
    const r = applyOk(routed(), { type: 'symptom_chosen', actor: alice, symptom: 'no_audit_event' });
    expect(r.state).toBe('locating');
    expect(r.input.symptom).toBe('no_audit_event');
    expect(r.pending).toEqual([...STEP_IDS]);
  });

  it('abandons a stale triage', () => {
    expect(applyOk(routed(), { type: 'expire' }).state).toBe('abandoned');
  });
});

describe('incidents', () => {
  const am: Actor = { kind: 'webhook', id: 'alertmanager' };
  const view = (status: 'firing' | 'resolved', names: string[]) => ({
    source: 'alertmanager' as const,
    ref: 'alertname=CaracalGatewayRevocationSnapshotStale',
    title: 'Gateway revocation snapshot is stale',
    status,
    surface: 'revocation' as const,
    firstAction: 'Check Gateway readiness and its revocation reload errors.',
    runbookUrl: 'https://docs.caracal.run/operations/alerts/#caracalgatewayrevocationsnapshotstale',
    link: null,
    alerts: names.map((name) => ({ name, status, severity: 'critical', summary: null })),
    moreAlerts: 0,
  });

  it('starts with the incident on the record, and a later notice updates it and the card, audited', () => {
    const start = newTriage('tri-inc', { requestId: null, zoneId: null, symptom: null, error: null }, now, view('firing', ['CaracalGatewayRevocationSnapshotStale']));
    expect(start.record.incident?.alerts).toHaveLength(1);
    const r = transition(start.record, { type: 'incident_updated', actor: am, incident: view('firing', ['CaracalGatewayRevocationSnapshotStale', 'CaracalGatewayRevocationReloadErrors']) }, now);
    expect(r.ok && r.record.incident?.alerts.map((a) => a.name)).toEqual(['CaracalGatewayRevocationSnapshotStale', 'CaracalGatewayRevocationReloadErrors']);
    expect(r.ok && r.effects.map((e) => e.type)).toEqual(['update_card', 'audit']);
    expect(r.ok && r.record.history.at(-1)).toMatchObject({ actor: am, action: 'alertmanager updated the incident' });
    expect(r.ok && r.record.state).toBe('locating');
  });

  it('is resolved by its source like by a person, and a finished triage takes no more notices', () => {
    const start = newTriage('tri-inc', { requestId: null, zoneId: null, symptom: null, error: null }, now, view('firing', ['X'])).record;
    const resolved = applyOk(applyOk(start, { type: 'incident_updated', actor: am, incident: view('resolved', ['X']) }), { type: 'resolve', actor: am });
    expect(resolved.state).toBe('resolved');
    expect(resolved.incident?.status).toBe('resolved');
    const again = transition(resolved, { type: 'incident_updated', actor: am, incident: view('firing', ['X']) }, now);
    expect(again).toMatchObject({ ok: false, reason: 'finished' });
  });
});
