/**
 * The three sources through one pipeline, as the web host will run them: unauthenticated
 * requests are refused before the body counts (even a huge one), an authenticated body over
 * the cap is 413, a wrong shape 400, and an accepted one is the triage; only sources with a
 * secret are mounted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanagerSource, enabledIncidentSources, genericHookSource, pagerDutySource, receiveIncident } from '../../src/incidents/sources';
import { CHANNEL_ADDRESSES } from '../../src/app/platforms';
import { signGenericHook } from '../../src/incidents/auth/generic';
import { signPagerDuty } from '../../src/incidents/auth/pagerduty';

const FIX = join(__dirname, '..', 'fixtures', 'incidents');
const NOW = new Date('2026-12-01T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const TOKEN = 'am-token-0123456789abcdef';
const PD = 'pd-secret-aaaaaaaaaaaaaaaaaaaaaaaa';
const HOOK = 'hook-secret-cccccccccccccccccccccc';

describe('receiveIncident', () => {
  it('accepts each source\'s real body with its real authentication', () => {
    const amBody = readFileSync(join(FIX, 'alertmanager-0.25', 'firing.json'));
    const amHeaders = JSON.parse(readFileSync(join(FIX, 'alertmanager-0.25', 'firing.headers.json'), 'utf8')) as Record<string, string>;
    expect(receiveIncident(alertmanagerSource(TOKEN), amHeaders, amBody, NOW)).toMatchObject({ kind: 'accepted', triage: { source: 'alertmanager', signal: 'firing' } });

    const pdBody = readFileSync(join(FIX, 'pagerduty-v3', 'incident.resolved.json'));
    const pdHeaders = { 'x-pagerduty-signature': signPagerDuty(pdBody, [PD]) };
    // A minute after it occurred (the fixture's occurred_at is 2026-11-30T08:41:27.930Z).
    const pdNow = new Date('2026-11-30T08:42:27Z');
    expect(receiveIncident(pagerDutySource(PD), pdHeaders, pdBody, pdNow)).toMatchObject({ kind: 'accepted', triage: { source: 'pagerduty', signal: 'resolved', occurredAt: Date.parse('2026-11-30T08:41:27.930Z') } });
    // The same signed body a day later: a replay, refused (401), however well signed.
    expect(receiveIncident(pagerDutySource(PD), pdHeaders, pdBody, NOW)).toEqual({
      kind: 'replayed',
      status: 401,
      message: 'the event occurred at 2026-11-30T08:41:27.930Z, more than 1 h ago: refused as a replay (PAGERDUTY_REPLAY_WINDOW)',
    });
    expect(receiveIncident(pagerDutySource(PD, 2 * 86_400_000), pdHeaders, pdBody, NOW)).toMatchObject({ kind: 'accepted' });

    const hookBody = readFileSync(join(FIX, 'generic', 'request.json'));
    expect(receiveIncident(genericHookSource(HOOK, CHANNEL_ADDRESSES), signGenericHook(hookBody, HOOK, NOW_S), hookBody, NOW)).toMatchObject({ kind: 'accepted', triage: { source: 'generic' } });
  });

  it('refuses an unauthenticated 10 MB body as unauthenticated, not as too large', () => {
    const huge = Buffer.alloc(10 * 1024 * 1024, 0x61);
    expect(receiveIncident(alertmanagerSource(TOKEN), {}, huge, NOW)).toMatchObject({ kind: 'refused', status: 401, failure: { reason: 'missing_credentials' } });
    expect(receiveIncident(pagerDutySource(PD), {}, huge, NOW)).toMatchObject({ kind: 'refused', status: 401 });
    expect(receiveIncident(genericHookSource(HOOK, CHANNEL_ADDRESSES), signGenericHook('x', HOOK, NOW_S - 3600), huge, NOW)).toMatchObject({ kind: 'refused', failure: { reason: 'stale_timestamp' } });
  });

  it('answers 413 for an authenticated body over the source\'s cap', () => {
    const big = Buffer.alloc(16 * 1024 + 1, 0x20);
    const r = receiveIncident(genericHookSource(HOOK, CHANNEL_ADDRESSES), signGenericHook(big, HOOK, NOW_S), big, NOW);
    expect(r).toEqual({ kind: 'too_large', status: 413, message: 'the body is 16385 bytes; /hooks/incident takes at most 16384' });
    const pdBig = Buffer.alloc(256 * 1024 + 1, 0x20);
    expect(receiveIncident(pagerDutySource(PD), { 'x-pagerduty-signature': signPagerDuty(pdBig, [PD]) }, pdBig, NOW)).toMatchObject({ kind: 'too_large' });
  });

  it('answers 403 for a PagerDuty body whose signature does not match, 400 for a signed body of the wrong shape', () => {
    const body = Buffer.from('{"event":{}}');
    expect(receiveIncident(pagerDutySource(PD), { 'x-pagerduty-signature': signPagerDuty(body, ['other-secret']) }, body, NOW)).toMatchObject({ kind: 'refused', status: 403 });
    expect(receiveIncident(pagerDutySource(PD), { 'x-pagerduty-signature': signPagerDuty(body, [PD]) }, body, NOW)).toMatchObject({
      kind: 'bad_request',
      status: 400,
      message: expect.stringMatching(/^not a PagerDuty V3 webhook: event\.id: is required/),
    });
    const empty = Buffer.alloc(0);
    expect(receiveIncident(alertmanagerSource(TOKEN), { authorization: `Bearer ${TOKEN}` }, empty, NOW)).toMatchObject({ kind: 'bad_request', message: expect.stringMatching(/the body is empty/) });
  });

  it('mounts only the sources whose secret is set, at their routes', () => {
    expect(enabledIncidentSources({}, CHANNEL_ADDRESSES).map((s) => s.path)).toEqual([]);
    expect(enabledIncidentSources({ alertmanagerToken: '', pagerDutySecret: PD }, CHANNEL_ADDRESSES).map((s) => [s.source, s.path, s.maxBodyBytes])).toEqual([['pagerduty', '/hooks/pagerduty', 262144]]);
    expect(enabledIncidentSources({ alertmanagerToken: TOKEN, pagerDutySecret: PD, incidentWebhookSecret: [HOOK] }, CHANNEL_ADDRESSES).map((s) => s.path)).toEqual([
      '/hooks/alertmanager',
      '/hooks/pagerduty',
      '/hooks/incident',
    ]);
  });
});
