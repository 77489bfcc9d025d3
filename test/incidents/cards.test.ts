/**
 * Incident cards use what the incident says: an alert from Caracal's catalogue names the surface
 * the triage starts at (so the card shows it and does not ask for the symptom), and a generic
 * hook's card leads with its title instead of a made-up "`alert` firing" line. Driven from the
 * recorded payloads through the real mapping, the state machine and both card renderers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStatusCard as slackCard } from '../../adapters/slack/render';
import { buildStatusCard as teamsCard } from '../../adapters/teams/render';
import { triageForAlertGroup } from '../../src/incidents/from-alertmanager';
import { triageForGenericHook } from '../../src/incidents/from-generic';
import type { IncidentTriage } from '../../src/incidents/incident';
import { parseAlertmanagerWebhook } from '../../src/incidents/payloads/alertmanager';
import { incidentView } from '../../src/incidents/view';
import { newTriage, transition } from '../../src/triage/machine';
import type { TriageRecord } from '../../src/triage/record';

const KEY = 'k'.repeat(48);
const NOW = new Date('2026-11-27T12:00:00.000Z');

/** The triage an incident opens, after its (readiness-first) collection found nothing failing. */
function concluded(t: IncidentTriage): TriageRecord {
  const { record } = newTriage('tri-01jdxyz0123456789abcdefghj', t.input, NOW, incidentView(t));
  const done = transition(record, { type: 'collection_finished', zoneId: null, symptom: null, surface: null, diagnosis: null, bundle: null }, NOW);
  if (!done.ok) throw new Error(done.message);
  return done.record;
}

function alertGroup(alertname: string): IncidentTriage {
  const raw = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'incidents', 'alertmanager-0.25', 'firing.json'), 'utf8')) as Record<string, unknown>;
  const text = JSON.stringify(raw).split('CaracalGatewayRevocationSnapshotStale').join(alertname);
  const parsed = parseAlertmanagerWebhook(JSON.parse(text));
  if (!parsed.ok) throw new Error(parsed.message);
  return triageForAlertGroup(parsed.value);
}

const slackText = (r: TriageRecord): string => JSON.stringify(slackCard(r, { signingKey: KEY, now: NOW }).blocks);
const teamsText = (r: TriageRecord): string => JSON.stringify(teamsCard(r, { signingKey: KEY, now: NOW }).body);

describe('an Alertmanager card for a catalogued Caracal alert (fails on the old code: "Surface _not determined_" and a symptom question)', () => {
  const record = concluded(alertGroup('CaracalAuditDLQGrowth'));

  it('the triage starts at the alert’s surface', () => {
    expect(record.incident?.surface).toBe('audit_pipeline');
    expect(record.surface).toBe('audit_pipeline');
  });

  it('Slack shows the surface and asks no symptom', () => {
    const text = slackText(record);
    expect(text).toContain('`audit_pipeline`');
    expect(text).not.toContain('_not determined_');
    expect(text).not.toContain('What does the failing caller see?');
    expect(text).not.toContain('triage:symptoms');
  });

  it('Teams shows the surface and asks no symptom', () => {
    const text = teamsText(record);
    expect(text).toContain('Audit pipeline (audit_pipeline)');
    expect(text).not.toContain('not determined');
    expect(text).not.toContain('What does the failing caller see?');
  });
});

describe('a generic hook card (fails on the old code: "• `alert` firing")', () => {
  const t = triageForGenericHook({ incident_id: 'INC-42', title: 'Checkout answers 403 since 12:00', channel: { platform: 'slack', channel: 'C0INC' } });
  const record = concluded(t);

  it('leads with the hook’s title and invents no alert line', () => {
    const slack = slackText(record);
    expect(slack).toContain('Checkout answers 403 since 12:00');
    expect(slack).not.toMatch(/`alert`/);
    expect(teamsText(record)).not.toMatch(/• alert /);
  });

  it('a title that names a Caracal alert still lists that alert', () => {
    const named = concluded(triageForGenericHook({ incident_id: 'INC-43', title: 'CaracalAuditDLQGrowth fired', channel: { platform: 'slack', channel: 'C0INC' } }));
    expect(slackText(named)).toContain('`CaracalAuditDLQGrowth`');
    expect(named.surface).toBe('audit_pipeline');
  });
});
