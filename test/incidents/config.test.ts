/**
 * The incident sources' settings at start-up: each problem names the variable that is actually
 * set, and the words about routing say what the routes file really changes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformsInUse } from '../../src/app/platforms';
import { parseIncidentsConfig } from '../../src/incidents/config';

const SECRET = 'x'.repeat(32);
const none = platformsInUse([]);
const slack = platformsInUse(['slack']);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'incidents-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseIncidentsConfig', () => {
  it('with only INCIDENT_WEBHOOK_SECRET set and no chat platform, names INCIDENT_WEBHOOK_SECRET (fails on the old code, which blamed ALERTMANAGER_TOKEN)', () => {
    const r = parseIncidentsConfig({ INCIDENT_WEBHOOK_SECRET: SECRET }, none);
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems.map((p) => p.variable)).toEqual(['INCIDENT_WEBHOOK_SECRET']);
    expect(problems[0]!.message).toMatch(/no chat platform is configured/);
  });

  it('names PAGERDUTY_WEBHOOK_SECRET when that is the one set', () => {
    const r = parseIncidentsConfig({ PAGERDUTY_WEBHOOK_SECRET: SECRET }, none);
    expect(r.ok ? [] : r.problems.map((p) => p.variable)).toContain('PAGERDUTY_WEBHOOK_SECRET');
    expect(r.ok ? [] : r.problems.map((p) => p.variable)).not.toContain('ALERTMANAGER_TOKEN');
  });

  it('asks for TRIAGE_DEFAULT_CHANNEL only when there are no routes, naming the source set', () => {
    const r = parseIncidentsConfig({ PAGERDUTY_WEBHOOK_SECRET: SECRET }, slack);
    expect(r.ok ? null : r.problems).toEqual([expect.objectContaining({ variable: 'TRIAGE_DEFAULT_CHANNEL', message: expect.stringContaining('is required with PAGERDUTY_WEBHOOK_SECRET when TRIAGE_ROUTES_FILE lists no routes') })]);
  });

  it('routes without a default or a catch-all start, with a warning that an unmatched incident is answered 422', () => {
    const file = join(dir, 'routes.yaml');
    writeFileSync(file, 'routes:\n  - name: gateway\n    match: { component: gateway }\n    to: slack:C0GATEWAY\n');
    const r = parseIncidentsConfig({ ALERTMANAGER_TOKEN: SECRET, TRIAGE_ROUTES_FILE: file }, slack);
    expect(r.ok).toBe(true);
    expect(r.ok && r.value!.warnings.join('\n')).toMatch(/no route in .* matches every incident: an incident no route matches is answered 422/);
    writeFileSync(file, 'routes:\n  - name: all\n    match: {}\n    to: slack:C0ALL\n');
    const all = parseIncidentsConfig({ ALERTMANAGER_TOKEN: SECRET, TRIAGE_ROUTES_FILE: file }, slack);
    expect(all.ok && all.value!.warnings).toEqual([]);
  });

  it('WATCH_ENABLED needs a chat platform and somewhere for source: watch, and loads the routes without any webhook secret', () => {
    expect(parseIncidentsConfig({ WATCH_ENABLED: 'true' }, none)).toMatchObject({ ok: false, problems: [{ variable: 'WATCH_ENABLED', message: expect.stringContaining("no chat platform is configured") }, { variable: 'TRIAGE_DEFAULT_CHANNEL' }] });
    const file = join(dir, 'watch-routes.yaml');
    writeFileSync(file, 'routes:\n  - match: { source: alertmanager }\n    to: slack:C0ALERTS\n');
    expect(parseIncidentsConfig({ WATCH_ENABLED: 'true', TRIAGE_ROUTES_FILE: file }, slack)).toMatchObject({ ok: false, problems: [{ variable: 'TRIAGE_DEFAULT_CHANNEL', message: expect.stringContaining('no route in TRIAGE_ROUTES_FILE can take `source: watch`') }] });
    writeFileSync(file, 'routes:\n  - match: { source: watch }\n    to: slack:C0WATCH\nthresholds:\n  - min_denials: 9\n');
    const r = parseIncidentsConfig({ WATCH_ENABLED: 'true', TRIAGE_ROUTES_FILE: file }, slack);
    expect(r.ok && r.value!.routing.thresholds).toEqual([{ index: 0, name: null, match: {}, set: { minDenials: 9 } }]);
    expect(parseIncidentsConfig({ WATCH_ENABLED: 'false' }, none)).toEqual({ ok: true, value: null });
  });
});
