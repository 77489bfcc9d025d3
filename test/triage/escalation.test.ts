/**
 * Escalation, reminders and the end of a triage, as the pure state machine applies them: whom
 * *Escalate* names (the route's targets before TRIAGE_ESCALATE), the notice that mentions them,
 * the worker's PagerDuty job only when there is something to call, one reminder per idle
 * period (a click starts a new one; a reminder is not activity), the abandon reason, and
 * delivery reports that land even after the triage ended.
 */
import { newTriage, transition, type TriageEvent } from '../../src/triage/machine';
import { idleSince, type Actor, type EscalationTargets, type TriageRecord } from '../../src/triage/record';
import { parseEscalateText } from '../../src/triage/escalation';
import { STEP_IDS } from '../../src/triage/model';
import { CHAT_PLATFORMS } from '../../src/app/platforms';

const t0 = new Date('2026-11-27T12:00:00Z');
const at = (min: number): Date => new Date(t0.getTime() + min * 60_000);
const alice: Actor = { kind: 'user', id: 'U0ALICE1', name: 'alice' };
const ONCALL: EscalationTargets = { mentions: [{ platform: 'slack', id: 'S0ONCALL1' }], pagerduty: true };
const ROUTE: EscalationTargets = { mentions: [{ platform: 'slack', id: 'S0PAYMENTS' }], pagerduty: false };

function apply(r: TriageRecord, e: TriageEvent, when = t0) {
  const t = transition(r, e, when);
  if (!t.ok) throw new Error(`refused: ${t.message}`);
  return t;
}

function routed(over: Partial<TriageRecord> = {}): TriageRecord {
  let r: TriageRecord = { ...newTriage('tri-esc1', { requestId: 'req-1', zoneId: null, symptom: null, error: null }, t0).record, ...over };
  for (const id of STEP_IDS) r = apply(r, { type: 'step_collected', result: { id, verdict: id === 'grant_policy' ? 'fail' : 'pass', summary: id, evidence: {} } }).record;
  return apply(r, {
    type: 'collection_finished',
    zoneId: 'zone-a',
    symptom: null,
    surface: 'sts_policy',
    diagnosis: { surface: 'sts_policy', step: 'grant_policy', cause: 'grant_missing', summary: 'no grant', confidence: 'high' },
    bundle: null,
  }).record;
}

describe('Escalate', () => {
  it('reaches the default targets when no route named any, asks for the thread mention and the PagerDuty job, and audits whom', () => {
    const t = apply(routed(), { type: 'escalate', actor: alice, defaults: ONCALL }, at(1));
    expect(t.record.state).toBe('escalated');
    expect(t.record.escalations).toEqual([{ n: 1, at: at(1).toISOString(), actor: alice, from: 'default', mentions: ONCALL.mentions, pagerduty: { status: 'pending' } }]);
    expect(t.record.notices).toEqual([{ key: 'escalate.1', kind: 'escalation', at: at(1).toISOString(), escalation: 1 }]);
    expect(t.effects).toEqual(
      expect.arrayContaining([
        { type: 'post_notice', key: 'escalate.1' },
        { type: 'escalate', n: 1 },
        expect.objectContaining({ type: 'audit', action: 'escalation 1 to slack S0ONCALL1, PagerDuty', actor: alice }),
        expect.objectContaining({ type: 'audit', action: 'escalate', from: 'routed', to: 'escalated' }),
      ]),
    );
  });

  it("prefers the incident route's targets to the default, and calls no worker when there is nothing to call", () => {
    const t = apply(routed({ escalateTo: ROUTE }), { type: 'escalate', actor: alice, defaults: ONCALL });
    expect(t.record.escalations![0]).toMatchObject({ from: 'route', mentions: ROUTE.mentions, pagerduty: null });
    expect(t.effects.filter((e) => e.type === 'escalate')).toEqual([]);
    expect(t.effects).toContainEqual({ type: 'post_notice', key: 'escalate.1' });
  });

  it('with no targets anywhere still records who escalated (the card says no one was set to be reached); the audit has the click alone', () => {
    const t = apply(routed(), { type: 'escalate', actor: alice });
    expect(t.record.escalations![0]).toMatchObject({ from: 'none', mentions: [], pagerduty: null });
    expect(t.effects.filter((e) => e.type === 'audit').map((e) => e.type === 'audit' && e.action)).toEqual(['escalate']);
  });

  it('a second escalation after walking on is escalation 2 with its own notice; resolving asks for the PagerDuty resolve', () => {
    let r = apply(routed(), { type: 'escalate', actor: alice, defaults: ONCALL }).record;
    r = apply(r, { type: 'next', actor: alice }).record;
    r = apply(r, { type: 'escalate', actor: alice, defaults: ONCALL }).record;
    expect(r.escalations!.map((e) => e.n)).toEqual([1, 2]);
    expect(r.notices!.map((n) => n.key)).toEqual(['escalate.1', 'escalate.2']);
    expect(apply(r, { type: 'resolve', actor: alice }).effects).toContainEqual({ type: 'pagerduty_resolve' });
    expect(apply(routed(), { type: 'resolve', actor: alice }).effects).not.toContainEqual({ type: 'pagerduty_resolve' });
  });

  it("records the worker's reports, even once the triage is resolved, without counting them as activity", () => {
    let r = apply(routed(), { type: 'escalate', actor: alice, defaults: ONCALL }, at(1)).record;
    r = apply(r, { type: 'resolve', actor: alice }, at(2)).record;
    const t = apply(r, { type: 'escalation_delivered', n: 1, channel: 'pagerduty', delivery: { status: 'sent', at: at(3).toISOString(), detail: 'dedup key k' } }, at(3));
    expect(t.record.escalations![0].pagerduty).toEqual({ status: 'sent', at: at(3).toISOString(), detail: 'dedup key k' });
    expect(t.record.state).toBe('resolved');
    expect(idleSince(t.record)).toBe(at(2).toISOString());
    expect(t.effects).toContainEqual(expect.objectContaining({ type: 'audit', action: 'escalation 1: PagerDuty trigger sent' }));
    expect(transition(r, { type: 'escalation_delivered', n: 7, channel: 'pagerduty', delivery: { status: 'pending' } }, at(3)).ok).toBe(false);
  });
});

describe('reminders', () => {
  it('one per idle period: posted once, refused again until someone acts, then possible again', () => {
    const r0 = routed();
    const first = apply(r0, { type: 'remind', afterMs: 7_200_000 }, at(121));
    expect(first.record.notices).toEqual([{ key: `remind.v${r0.version + 1}`, kind: 'reminder', at: at(121).toISOString(), step: 'grant_policy', idleMs: 121 * 60_000 }]);
    expect(first.effects).toEqual(expect.arrayContaining([{ type: 'post_notice', key: `remind.v${r0.version + 1}` }, expect.objectContaining({ type: 'audit', action: 'remind' })]));
    // Not activity: the idle clock (and the abandon sweep) still counts from before it.
    expect(idleSince(first.record)).toBe(idleSince(r0));
    expect(transition(first.record, { type: 'remind', afterMs: 7_200_000 }, at(300)).ok).toBe(false);
    const clicked = apply(first.record, { type: 'next', actor: alice }, at(301)).record;
    expect(idleSince(clicked)).toBe(at(301).toISOString());
    const again = apply(clicked, { type: 'remind', afterMs: 7_200_000 }, at(430));
    expect(again.record.notices!.filter((n) => n.kind === 'reminder')).toHaveLength(2);
  });

  it('never while evidence is still being collected or once finished', () => {
    const locating = newTriage('tri-esc2', { requestId: 'r', zoneId: null, symptom: null, error: null }, t0).record;
    expect(transition(locating, { type: 'remind', afterMs: 1000 }, at(200)).ok).toBe(false);
    const resolved = apply(routed(), { type: 'resolve', actor: alice }).record;
    expect(transition(resolved, { type: 'remind', afterMs: 1000 }, at(200)).ok).toBe(false);
  });
});

describe('abandoned', () => {
  it('records for how long no one acted, in the history the card shows', () => {
    const r = apply(routed(), { type: 'expire', afterMs: 24 * 3_600_000 }, at(24 * 60 + 5)).record;
    expect(r.state).toBe('abandoned');
    expect(r.abandonedAfterMs).toBe(24 * 3_600_000);
    expect(r.history.at(-1)!.action).toBe('abandoned: no one acted for 24 h');
  });
});

describe('TRIAGE_ESCALATE', () => {
  it('reads JSON and the compact form alike', () => {
    const json = parseEscalateText('{"slack":"S0ONCALL1","teams":{"id":"00000000-0000-4000-8000-000000000001","name":"Payments on-call"},"pagerduty":true}', CHAT_PLATFORMS);
    const compact = parseEscalateText('slack=S0ONCALL1, teams=00000000-0000-4000-8000-000000000001, pagerduty', CHAT_PLATFORMS);
    expect(json).toEqual({
      ok: true,
      targets: {
        mentions: [
          { platform: 'slack', id: 'S0ONCALL1' },
          { platform: 'teams', id: '00000000-0000-4000-8000-000000000001', name: 'Payments on-call' },
        ],
        pagerduty: true,
      },
    });
    expect(compact).toEqual({ ok: true, targets: { mentions: [{ platform: 'slack', id: 'S0ONCALL1' }, { platform: 'teams', id: '00000000-0000-4000-8000-000000000001' }], pagerduty: true } });
  });

  it.each([
    ['slack=oncall', /slack: "oncall" is not a Slack user group ID \(S…\) or user ID/],
    ['email=ops@example.com', /email: unknown key \(expected slack, teams, pagerduty\)/],
    ['{"slack": 7}', /slack: must be an ID, or \{id, name\}/],
    ['{"slack":', /is not JSON/],
    ['pagerduty=maybe', /pagerduty: must be true or false/],
    ['teams=bob', /teams: "bob" is not a user's Entra object ID/],
    ['{"teams":{"id":"00000000-0000-4000-8000-000000000001","name":"<at>x</at>"}}', /teams\.name: may hold letters/],
  ])('refuses %s, saying what is wrong', (text, why) => {
    const r = parseEscalateText(text, CHAT_PLATFORMS);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(why);
  });
});
