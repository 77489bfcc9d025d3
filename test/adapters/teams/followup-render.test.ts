/**
 * What Teams shows of an escalation, a reminder and an abandon: the @mention of the configured
 * user (its `<at>` text in the card and a matching entity, or the card is refused), no mention on
 * the status card itself, outside text inert, and sentences true to the record.
 */
import { AdaptiveCardSchema, buildStatusCard, type AdaptiveCard } from '../../../adapters/teams/render';
import { buildNoticeMessage } from '../../../adapters/teams/render/followup';
import type { Escalation, TriageRecord } from '../../../src/triage/record';
import { HOSTILE, diagnosedRecord } from './records';

const KEY = 'k'.repeat(48);
const NOW = new Date('2026-11-27T12:03:00.000Z');
const AT = '2026-11-27T12:02:00.000Z';
const OID = '6c1f0d2e-8a4b-4c3d-9e5f-0a1b2c3d4e5f';

function escalated(e: Partial<Escalation> = {}, over: Partial<TriageRecord> = {}): TriageRecord {
  const escalation: Escalation = { n: 1, at: AT, actor: { kind: 'user', id: '29:alice', name: 'Ada Lovelace' }, from: 'route', mentions: [{ platform: 'teams', id: OID, name: 'Payments on-call' }], pagerduty: null, ...e };
  return diagnosedRecord({ state: 'escalated', escalations: [escalation], notices: [{ key: 'escalate.1', kind: 'escalation', at: AT, escalation: 1 }], ...over });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const texts = (c: AdaptiveCard): string[] => JSON.parse(JSON.stringify(c.body)).flatMap(function walk(n: any): string[] {
  return n.type === 'TextBlock' ? [n.text] : n.type === 'Container' ? n.items.flatMap(walk) : [];
});

describe('the escalation notice', () => {
  it('@mentions the configured user: <at>Name</at> in the text and the entity naming their object ID', () => {
    const c = buildNoticeMessage(escalated(), 'escalate.1');
    expect(texts(c)[0]).toBe('🚨 <at>Payments on-call</at>: this triage was escalated to you by Ada Lovelace.');
    expect(c.msteams).toEqual({ width: 'Full', entities: [{ type: 'mention', text: '<at>Payments on-call</at>', mentioned: { id: OID, name: 'Payments on-call' } }] });
    expect(c.fallbackText).toBe('Escalated to Payments on-call');
  });

  it('names an unnamed user On-call; outside text in the escalator\'s name stays inert', () => {
    const c = buildNoticeMessage(escalated({ mentions: [{ platform: 'teams', id: OID }], actor: { kind: 'user', id: '29:x', name: HOSTILE } }), 'escalate.1');
    expect(texts(c)[0]).toMatch(/^🚨 <at>On-call<\/at>: this triage was escalated to you by /);
    // Every markdown or mention character of the name is escaped: no link, no second mention.
    expect(texts(c)[0].replace('<at>On-call</at>', '')).not.toMatch(/(^|[^\\])[[<]/);
  });

  it('mentions no one when no Teams user is named, and says so', () => {
    const c = buildNoticeMessage(escalated({ mentions: [{ platform: 'slack', id: 'S0ONCALL1' }], from: 'default' }), 'escalate.1');
    expect(c.msteams).toEqual({ width: 'Full' });
    expect(texts(c)[0]).toBe('⏫ **Escalated** by Ada Lovelace. No one on Teams is named in TRIAGE_ESCALATE.');
  });

  it('a mention entity whose text is not in the card is refused by the card check', () => {
    const c = buildNoticeMessage(escalated(), 'escalate.1');
    const broken = { ...c, msteams: { width: 'Full' as const, entities: [{ type: 'mention' as const, text: '<at>Someone else</at>', mentioned: { id: OID, name: 'Someone else' } }] } };
    expect(AdaptiveCardSchema.safeParse(broken).success).toBe(false);
  });
});

describe('the card', () => {
  it('names whom, by whom and when as text (no mention on an edited card), and what PagerDuty answered', () => {
    const card = buildStatusCard(escalated({ pagerduty: { status: 'failed', at: AT, reason: `PagerDuty answered 400 (${HOSTILE})` } }), { signingKey: KEY, now: NOW });
    const all = texts(card).join('\n');
    expect(all).toContain('⏫ **Escalated** to Payments on-call and PagerDuty by Ada Lovelace at 12:02:00Z.');
    expect(all).toContain('📟 PagerDuty not paged: PagerDuty answered 400 (');
    expect(card.msteams?.entities).toBeUndefined();
    expect(all).not.toContain('<!channel>');
  });

  it('says why a triage was abandoned', () => {
    const card = buildStatusCard(diagnosedRecord({ state: 'abandoned', abandonedAfterMs: 90 * 60_000 }), { signingKey: KEY, now: NOW });
    expect(texts(card).join('\n')).toContain('💤 **Abandoned**: no one acted for 1 h 30 min.');
  });
});

describe('the reminder', () => {
  it('names the step that waits', () => {
    const r = diagnosedRecord({ state: 'routed', notices: [{ key: 'remind.v9', kind: 'reminder', at: AT, step: 'requested_scopes', idleMs: 7_200_000 }] });
    expect(texts(buildNoticeMessage(r, 'remind.v9'))[0]).toBe('⏰ **No one has acted on this triage for 2 h.** Waiting on step 6 of 8, Requested scopes.');
  });
});
