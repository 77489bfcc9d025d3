/**
 * What Slack shows of an escalation, a reminder and an abandon: the user group or user mentioned
 * by ID (and nothing else able to ping), outside text (a person's name from another platform,
 * PagerDuty's refusal) inert, the sentences true to the record: "PagerDuty alert triggered" only
 * once PagerDuty took it, and who was not named on Slack said so.
 */
import { buildNoticeMessage, buildStatusCard, type SlackMessage } from '../../../adapters/slack/render';
import type { Escalation, TriageRecord } from '../../../src/triage/record';
import { HOSTILE, diagnosedRecord } from './records';

const KEY = 'signing-key-'.repeat(4);
const NOW = new Date('2026-11-27T12:03:10Z');
const AT = '2026-11-27T12:02:00.000Z';

function escalated(e: Partial<Escalation> = {}, over: Partial<TriageRecord> = {}): TriageRecord {
  const escalation: Escalation = { n: 1, at: AT, actor: { kind: 'user', id: 'U0ALICE01', name: 'alice' }, from: 'default', mentions: [{ platform: 'slack', id: 'S0ONCALL1' }], pagerduty: { status: 'pending' }, ...e };
  return diagnosedRecord({ state: 'escalated', escalations: [escalation], notices: [{ key: 'escalate.1', kind: 'escalation', at: AT, escalation: 1 }], ...over });
}

const all = (m: SlackMessage): string => JSON.stringify(m);
const summaryOf = (m: SlackMessage): string => (m.blocks[1] as { text: { text: string } }).text.text;

describe('the escalation notice', () => {
  it('mentions the user group by ID, names who escalated, and says where it stands', () => {
    const m = buildNoticeMessage(escalated(), 'escalate.1');
    expect(m.text).toBe('<!subteam^S0ONCALL1>: escalated to you by <@U0ALICE01>.');
    const body = (m.blocks[0] as { text: { text: string } }).text.text;
    expect(body.split('\n')[0]).toBe(':rotating_light: <!subteam^S0ONCALL1>: this triage was escalated to you by <@U0ALICE01>. PagerDuty is being paged too.');
    expect(body).toContain('*Where it stands:* Failing surface: resource_definition (step 6 requested_scopes, cause scope_mismatch, confidence high).');
    // The hostile values Caracal returned reach no mention: only ours are there.
    expect(body.replace('<!subteam^S0ONCALL1>', '').replace('<@U0ALICE01>', '')).not.toMatch(/<[!@#]/);
  });

  it('mentions a user as <@U…>, several as a list', () => {
    const m = buildNoticeMessage(escalated({ mentions: [{ platform: 'slack', id: 'U0BOB0001' }, { platform: 'slack', id: 'S0DBA0001' }], pagerduty: null }), 'escalate.1');
    expect(m.text).toBe('<@U0BOB0001> <!subteam^S0DBA0001>: escalated to you by <@U0ALICE01>.');
  });

  it('with no one named on Slack says so, mentions no one, and escapes a name from elsewhere', () => {
    const m = buildNoticeMessage(escalated({ actor: { kind: 'user', id: '29:teams-user', name: HOSTILE }, mentions: [{ platform: 'teams', id: '00000000-0000-4000-8000-000000000001' }], pagerduty: null }), 'escalate.1');
    expect(all(m)).toContain('No one on Slack is named in TRIAGE_ESCALATE.');
    expect(all(m)).not.toContain('<!channel>');
    expect(all(m)).not.toContain('<@U0ADMIN>');
  });
});

describe('the card', () => {
  it('says to whom, by whom and when, and what PagerDuty answered, only once it answered', () => {
    const pending = summaryOf(buildStatusCard(escalated(), { signingKey: KEY, now: NOW }));
    expect(pending).toContain(':arrow_double_up: *Escalated* to <!subteam^S0ONCALL1> and PagerDuty by <@U0ALICE01> at 12:02:00Z.');
    expect(pending).toContain(':pager: paging PagerDuty….');
    expect(pending).not.toContain('triggered');
    const sent = summaryOf(buildStatusCard(escalated({ pagerduty: { status: 'sent', at: AT, detail: 'dedup key k' } }), { signingKey: KEY, now: NOW }));
    expect(sent).toContain(':pager: PagerDuty alert triggered.');
  });

  it("shows PagerDuty's refusal as inert text", () => {
    const card = buildStatusCard(escalated({ pagerduty: { status: 'failed', at: AT, reason: `the trigger event: PagerDuty answered 400 (${HOSTILE})` } }), { signingKey: KEY, now: NOW });
    const s = summaryOf(card);
    expect(s).toContain('PagerDuty not paged: the trigger event: PagerDuty answered 400 (&lt;!channel&gt;');
    expect(s.replace('<!subteam^S0ONCALL1>', '').replace('<@U0ALICE01>', '')).not.toMatch(/<[!@#]/);
  });

  it('keeps the escalation after the walk went on, and adds the PagerDuty resolve once resolved', () => {
    const r = escalated({ pagerduty: { status: 'sent', at: AT } }, { state: 'resolved', pagerdutyResolve: { status: 'sent', at: AT }, history: [{ at: AT, actor: { kind: 'user', id: 'U0BOB0001' }, action: 'resolve' }] });
    const s = summaryOf(buildStatusCard(r, { signingKey: KEY, now: NOW }));
    expect(s).toContain('*Resolved* by <@U0BOB0001>.');
    expect(s).toContain('*Escalated* to <!subteam^S0ONCALL1> and PagerDuty by <@U0ALICE01>');
    expect(s).toContain('PagerDuty alert triggered; PagerDuty alert resolved.');
  });

  it('says why a triage was abandoned', () => {
    const s = summaryOf(buildStatusCard(diagnosedRecord({ state: 'abandoned', abandonedAfterMs: 24 * 3_600_000 }), { signingKey: KEY, now: NOW }));
    expect(s).toContain(':zzz: *Abandoned*: no one acted for 24 h.');
  });
});

describe('the reminder', () => {
  it('names the step that waits and how long no one acted', () => {
    const r = diagnosedRecord({ state: 'walking', notices: [{ key: 'remind.v9', kind: 'reminder', at: AT, step: 'grant_policy', idleMs: 2 * 3_600_000 }] });
    const m = buildNoticeMessage(r, 'remind.v9');
    expect(m.text).toBe('No one has acted on this triage for 2 h.');
    expect(all(m)).toContain('Waiting on step 4 of 8, Grant and policy.');
    expect(all(m)).not.toMatch(/<[!@]/);
  });
});
