/**
 * The deny watcher's patterns in the routes file: a route with `source: watch` matches by zone,
 * application, resource and reason (then TRIAGE_DEFAULT_CHANNEL), alert sources never reach
 * it; `thresholds:` rules override WATCH_* per zone, application or reason (a replay only when
 * a rule names it), and each mistake in them is one line naming the rule and the key.
 */
import { platformsInUse } from '../../src/app/platforms';
import { triageForWatch, type WatchNotice } from '../../src/incidents/from-watch';
import { parseRoutes, type RoutingTable } from '../../src/incidents/routes/load';
import { destinationFor } from '../../src/incidents/routes/route';
import type { PatternKey } from '../../src/incidents/watch/denial';
import { DEFAULT_THRESHOLDS, thresholdsFor } from '../../src/incidents/watch/thresholds';
import type { WatchPatternView } from '../../src/triage/record';

const FILE = '/etc/caracal-triage/routes.yaml';
const BOTH = platformsInUse(['slack', 'teams']);

function table(text: string, defaultChannel?: string): RoutingTable {
  const r = parseRoutes(text, { file: FILE, platforms: BOTH, defaultChannel });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.table;
}

function errorsOf(text: string): string[] {
  const r = parseRoutes(text, { file: FILE, platforms: BOTH });
  if (r.ok) throw new Error('expected errors');
  return r.errors.map((e) => e.message);
}

const VIEW = {} as WatchPatternView;
function notice(k: Partial<PatternKey>): WatchNotice {
  const key = { zoneId: 'zone-prod', applicationId: 'app-anton', resource: 'resource://payments', reason: 'role_scope_mismatch', ...k };
  return { patternId: 'ab'.repeat(20), key, signal: 'firing', requestId: 'req-1', stateDigest: 'open:1:5:1', occurredAt: '2026-12-01T14:02:11.000Z', view: VIEW };
}

const ROUTES = `
routes:
  - name: alerts-only
    match: { source: alertmanager }
    to: slack:C0ALERTS001
  - name: replays
    match: { source: watch, reason: replay_detected }
    to: slack:C0SECURITY01
  - name: payments-denials
    match: { source: watch, resource: resource://payments, zone: zone-prod }
    to: teams:19:payments@thread.tacv2
  - name: anton
    match: { application: [app-anton, app-carl] }
    to: slack:C0ANTON0001
`;

describe('routing a deny pattern (source: watch)', () => {
  const t = table(ROUTES, 'slack:C0DEFAULT01');
  const to = (k: Partial<PatternKey>): string => {
    const d = destinationFor(triageForWatch(notice(k)), t, BOTH);
    if (!d.ok) return d.reason;
    return d.by.kind === 'route' ? d.by.name! : d.by.kind;
  };

  it('matches zone, application, resource and reason; alert-only routes never take it', () => {
    expect(to({})).toBe('payments-denials');
    expect(to({ reason: 'replay_detected', resource: 'resource://mail' })).toBe('replays');
    expect(to({ zoneId: 'zone-staging' })).toBe('anton');
    expect(to({ zoneId: 'zone-staging', applicationId: 'app-dora' })).toBe('default');
  });

  it('with nowhere to go and no default, it is unroutable and the message names the pattern', () => {
    const d = destinationFor(triageForWatch(notice({ zoneId: 'zone-staging', applicationId: 'app-dora' })), table(ROUTES), BOTH);
    expect(d).toMatchObject({ ok: false, reason: 'unroutable' });
    expect(!d.ok && d.message).toMatch(/source=watch .*zone=zone-staging application=app-dora resource=resource:\/\/payments reason=role_scope_mismatch/);
  });

  it('one incident per pattern, one delivery per state, the newest denial as its time', () => {
    const a = triageForWatch(notice({}));
    const b = triageForWatch({ ...notice({}), stateDigest: 'open:1:9:2' });
    expect(a.incidentKey).toBe(b.incidentKey);
    expect(a.incidentKey).toMatch(/^watch-[0-9a-f]{32}$/);
    expect(a.deliveryKey).not.toBe(b.deliveryKey);
    expect(a).toMatchObject({ source: 'watch', input: { requestId: 'req-1', zoneId: 'zone-prod' }, occurredAt: Date.parse('2026-12-01T14:02:11.000Z') });
  });
});

describe('thresholds in the routes file', () => {
  const t = table(`
routes: []
thresholds:
  - name: staging
    match: { zone: zone-staging }
    min_denials: 20
    window: 10m
  - match: { reason: [replay_detected], application: app-batch }
    min_denials: 3
  - match: { application: app-noisy }
    baseline_factor: 10
`);
  const rules = t.thresholds!;
  const key = (k: Partial<PatternKey>): PatternKey => ({ zoneId: 'zone-prod', applicationId: 'app-anton', resource: 'resource://payments', reason: 'scope_mismatch', ...k });

  it('the first rule that matches overrides what it sets; the rest stays WATCH_*', () => {
    expect(thresholdsFor(key({}), DEFAULT_THRESHOLDS, rules)).toEqual(DEFAULT_THRESHOLDS);
    expect(thresholdsFor(key({ zoneId: 'zone-staging' }), DEFAULT_THRESHOLDS, rules)).toEqual({ minDenials: 20, windowMs: 600_000, baselineFactor: 3 });
    expect(thresholdsFor(key({ applicationId: 'app-noisy' }), DEFAULT_THRESHOLDS, rules)).toEqual({ ...DEFAULT_THRESHOLDS, baselineFactor: 10 });
  });

  it('a replay opens at its first event unless a rule names replay_detected', () => {
    expect(thresholdsFor(key({ reason: 'replay_detected', zoneId: 'zone-staging' }), DEFAULT_THRESHOLDS, rules)).toEqual({ minDenials: 1, windowMs: 300_000, baselineFactor: 0 });
    expect(thresholdsFor(key({ reason: 'replay_detected', applicationId: 'app-batch' }), DEFAULT_THRESHOLDS, rules)).toEqual({ minDenials: 3, windowMs: 300_000, baselineFactor: 0 });
  });

  it.each([
    ['an unknown key', 'thresholds:\n  - match: { zone: z }\n    min_denial: 3\n', /thresholds\[0\] \(line 3\): min_denial: unknown key \(expected name, match, min_denials, window, baseline_factor\)/],
    ['an unknown match key', 'thresholds:\n  - match: { alertname: X }\n    min_denials: 3\n', /thresholds\[0\] \(line 3\): match\.alertname: unknown key \(expected zone, application, resource, reason\)/],
    ['a rule that sets nothing', 'thresholds:\n  - name: empty\n    match: { zone: z }\n', /thresholds\[0\] "empty" \(line 3\): sets nothing: give min_denials, window or baseline_factor/],
    ['a bad window', 'thresholds:\n  - window: 5\n', /thresholds\[0\] \(line 3\): window: must be a duration such as 300s, 10m or 1h/],
    ['a count of zero', 'thresholds:\n  - min_denials: 0\n', /thresholds\[0\] \(line 3\): min_denials: must be at least 1/],
  ])('%s is one line naming the rule and the key', (_what, body, message) => {
    const errors = errorsOf(`routes: []\n${body}`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });
});
