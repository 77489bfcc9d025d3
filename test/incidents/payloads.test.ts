/**
 * Payload schemas against real bodies (Alertmanager 0.25 as recorded, PagerDuty V3 as
 * documented, the generic hook) and against broken ones: a wrong shape is one 400 whose
 * message names the field, never a throw; fields we do not read are left alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAlertmanagerWebhook } from '../../src/incidents/payloads/alertmanager';
import { parseGenericHook } from '../../src/incidents/payloads/generic';
import { CHANNEL_ADDRESSES } from '../../src/app/platforms';
import { parsePagerDutyWebhook } from '../../src/incidents/payloads/pagerduty';

const FIX = join(__dirname, '..', 'fixtures', 'incidents');
const raw = (dir: string, name: string): Buffer => readFileSync(join(FIX, dir, name));
const json = (dir: string, name: string): Record<string, unknown> => JSON.parse(raw(dir, name).toString('utf8')) as Record<string, unknown>;
const bodyFiles = (dir: string): string[] => readdirSync(join(FIX, dir)).filter((f) => f.endsWith('.json') && !f.endsWith('.headers.json'));

describe('Alertmanager webhook v4', () => {
  it.each(bodyFiles('alertmanager-0.25'))('parses the recorded %s', (name) => {
    const r = parseAlertmanagerWebhook(raw('alertmanager-0.25', name));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.version).toBe('4');
      expect(r.value.alerts.length).toBeGreaterThan(0);
    }
  });

  it('keeps fields it does not read', () => {
    const body = { ...json('alertmanager-0.25', 'firing.json'), someFutureField: { x: 1 } };
    const r = parseAlertmanagerWebhook(body);
    expect(r.ok && (r.value as Record<string, unknown>).someFutureField).toEqual({ x: 1 });
  });

  it('reads a body from before truncatedAlerts existed as 0 truncated', () => {
    const { truncatedAlerts: _t, ...older } = json('alertmanager-0.25', 'firing.json');
    const r = parseAlertmanagerWebhook(older);
    expect(r.ok && r.value.truncatedAlerts).toBe(0);
  });

  const firing = (): Record<string, unknown> => json('alertmanager-0.25', 'firing.json');
  const firstAlert = (b: Record<string, unknown>): Record<string, unknown> => (b.alerts as Array<Record<string, unknown>>)[0];

  it.each<[string, (b: Record<string, unknown>) => void, RegExp]>([
    ['version 3', (b) => void (b.version = '3'), /^not an Alertmanager webhook \(version 4\): version: only webhook version "4"/],
    ['no groupKey', (b) => void delete b.groupKey, /groupKey: /],
    ['status "pending"', (b) => void (b.status = 'pending'), /status: /],
    ['no alerts', (b) => void (b.alerts = []), /alerts: a notice carries at least one alert/],
    ['alerts as an object', (b) => void (b.alerts = {}), /alerts: /],
    ['a label that is a number', (b) => void ((firstAlert(b).labels as Record<string, unknown>).severity = 2), /alerts\[0\]\.labels\.severity: /],
    ['startsAt that is not a time', (b) => void (firstAlert(b).startsAt = 'yesterday'), /alerts\[0\]\.startsAt: expected an RFC 3339 timestamp/],
    ['a fingerprint that is not hex', (b) => void (firstAlert(b).fingerprint = 'zz'), /alerts\[0\]\.fingerprint: /],
  ])('refuses %s with 400 naming the field', (_what, breakIt, message) => {
    const b = firing();
    breakIt(b);
    const r = parseAlertmanagerWebhook(b);
    expect(r).toMatchObject({ ok: false, status: 400 });
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it.each([
    ['an empty body', ''],
    ['not JSON', 'receiver=caracal'],
    ['JSON null', 'null'],
    ['a JSON string', '"just a string"'],
    ['a JSON array', '[1,2,3]'],
  ])('refuses %s with 400', (_what, text) => {
    const r = parseAlertmanagerWebhook(Buffer.from(text));
    expect(r).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses bytes that are not UTF-8', () => {
    const r = parseAlertmanagerWebhook(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(r).toEqual({ ok: false, status: 400, message: 'not an Alertmanager webhook (version 4): the body is not UTF-8' });
  });
});

describe('PagerDuty V3 webhooks', () => {
  it.each(bodyFiles('pagerduty-v3'))('parses %s', (name) => {
    expect(parsePagerDutyWebhook(raw('pagerduty-v3', name)).ok).toBe(true);
  });

  it('reads an incident event as the incident, a note as its incident, a ping as nothing', () => {
    const t = parsePagerDutyWebhook(raw('pagerduty-v3', 'incident.triggered.json'));
    expect(t.ok && t.value.subject).toMatchObject({ kind: 'incident', incident: { id: 'Q2F7XJ1KD9LMN0', number: 1042, service: { id: 'PSVC7K2', summary: 'Caracal production' } } });
    expect(t.ok && t.value.agent).toEqual({ id: 'PSVC7K2', summary: 'Caracal production', type: 'service_reference' });
    const note = parsePagerDutyWebhook(raw('pagerduty-v3', 'incident.annotated.json'));
    expect(note.ok && note.value.subject).toMatchObject({ kind: 'incident_attachment', dataType: 'incident_note', incident: { id: 'Q2F7XJ1KD9LMN0' } });
    const ping = parsePagerDutyWebhook(raw('pagerduty-v3', 'pagey.ping.json'));
    expect(ping.ok && ping.value).toMatchObject({ eventType: 'pagey.ping', agent: null, subject: { kind: 'other', dataType: 'ping' } });
  });

  const triggered = (): { event: Record<string, unknown> } => json('pagerduty-v3', 'incident.triggered.json') as { event: Record<string, unknown> };

  it.each<[string, (b: { event: Record<string, unknown> }) => void, RegExp]>([
    ['no event', (b) => void delete (b as Partial<typeof b>).event, /^not a PagerDuty V3 webhook: event: /],
    ['an event type without a dot', (b) => void (b.event.event_type = 'triggered'), /event\.event_type: expected an event type/],
    ['occurred_at that is not a time', (b) => void (b.event.occurred_at = 'now'), /event\.occurred_at: /],
    ['an incident without a title', (b) => void delete (b.event.data as Record<string, unknown>).title, /event\.data\.title: /],
    ['an incident without a service', (b) => void delete (b.event.data as Record<string, unknown>).service, /event\.data\.service: /],
    ['an incident ID with a slash', (b) => void ((b.event.data as Record<string, unknown>).id = '../x'), /event\.data\.id: expected a PagerDuty ID/],
    ['data that is null', (b) => void (b.event.data = null), /event\.data: /],
  ])('refuses %s with 400 naming the field', (_what, breakIt, message) => {
    const b = triggered();
    breakIt(b);
    const r = parsePagerDutyWebhook(b);
    expect(r).toMatchObject({ ok: false, status: 400 });
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('refuses an incident note that does not say which incident', () => {
    const b = json('pagerduty-v3', 'incident.annotated.json') as { event: { data: Record<string, unknown> } };
    delete b.event.data.incident;
    const r = parsePagerDutyWebhook(b);
    expect(!r.ok && r.message).toMatch(/event\.data\.incident: /);
  });
});

describe('generic incident webhook', () => {
  it('parses a full body and a Teams one, ignoring fields it does not know', () => {
    const full = parseGenericHook(raw('generic', 'request.json'), CHANNEL_ADDRESSES);
    expect(full.ok && full.value).toMatchObject({
      incident_id: 'INC-2026-0412',
      channel: { platform: 'slack', channel: 'C0INCIDENT1' },
      request_id: '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
      zone_id: 'zone-prod',
    });
    const teams = parseGenericHook(raw('generic', 'teams.json'), CHANNEL_ADDRESSES);
    expect(teams.ok && teams.value.channel).toEqual({ platform: 'teams', conversationId: '19:3f2a9c1b7d4e4f5a@thread.tacv2' });
  });

  it('reads an empty or null request_id and zone_id as absent', () => {
    const r = parseGenericHook(raw('generic', 'templated-empty.json'), CHANNEL_ADDRESSES);
    expect(r.ok && [r.value.request_id, r.value.zone_id]).toEqual([undefined, undefined]);
  });

  const base = { incident_id: 'INC-1', title: 'x', channel: 'slack:C0INCIDENT1' };
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no incident_id', { ...base, incident_id: undefined }, /incident_id: /],
    ['an incident_id with spaces', { ...base, incident_id: 'INC 1' }, /incident_id: expected 1 to 200 printable ASCII/],
    ['an empty title', { ...base, title: '   ' }, /title: must not be empty/],
    ['a title of 1001 characters', { ...base, title: 'x'.repeat(1001) }, /title: must be at most 1000/],
    ['no channel', { ...base, channel: undefined }, /channel: /],
    ['a bare channel ID', { ...base, channel: 'C0INCIDENT1' }, /channel: "C0INCIDENT1" is not a channel: write slack:/],
    ['a Slack channel name', { ...base, channel: 'slack:#incidents' }, /channel: "#incidents" is not a Slack channel ID/],
    ['an unknown platform', { ...base, channel: 'discord:123' }, /channel: "discord:123" is not a channel/],
    ['a Teams ID with a space', { ...base, channel: 'teams:19:a b@thread.tacv2' }, /channel: .* is not a Teams conversation ID/],
    ['a request ID with a space', { ...base, request_id: 'req 1' }, /request_id: a request ID is 1 to 128 printable ASCII/],
    ['a zone with a slash', { ...base, zone_id: 'zone/1' }, /zone_id: a zone ID is 1 to 128 characters/],
  ])('refuses %s with 400 naming the field', (_what, body, message) => {
    const r = parseGenericHook(body, CHANNEL_ADDRESSES);
    expect(r).toMatchObject({ ok: false, status: 400 });
    if (!r.ok) expect(r.message).toMatch(message);
  });
});
