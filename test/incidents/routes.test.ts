/**
 * The routes file as an operator meets it: the shipped example loads; the first matching
 * route wins, then TRIAGE_DEFAULT_CHANNEL, else "unroutable"; every mistake is one line that
 * names the file, the entry (index, name, line) and the key; a destination on a platform the
 * bot does not run stops start-up; the generic hook's own channel is used as given.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destinationFor, routeIncident } from '../../src/incidents/routes/route';
import { loadRoutes, parseRoutes, type RoutingTable } from '../../src/incidents/routes/load';
import { platformsInUse } from '../../src/app/platforms';
import { type RoutingFacts } from '../../src/incidents/incident';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'triage-routes.yaml');
const BOTH = platformsInUse(['slack', 'teams']);
const SLACK = platformsInUse(['slack']);
const FILE = '/etc/caracal-triage/routes.yaml';

const facts = (f: Partial<RoutingFacts>): RoutingFacts => ({ source: 'alertmanager', alertname: null, severity: null, component: null, service: null, zone: null, ...f });

function table(text: string, platforms = BOTH, defaultChannel?: string): RoutingTable {
  const r = parseRoutes(text, { file: FILE, platforms, defaultChannel });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.table;
}

function errorsOf(text: string, platforms = BOTH, defaultChannel?: string): string[] {
  const r = parseRoutes(text, { file: FILE, platforms, defaultChannel });
  if (r.ok) throw new Error('expected errors');
  return r.errors.map((e) => e.message);
}

describe('the example routes file', () => {
  it('loads without errors or warnings and routes as its comments say', () => {
    const r = loadRoutes({ file: EXAMPLE, platforms: BOTH });
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    expect(r.warnings).toEqual([]);
    const t = r.table;
    expect(t.routes.map((x) => x.name)).toEqual(['approvals', 'access-safety', 'audit-security', 'payments-zone', 'replays', 'pagerduty-caracal', 'critical', 'the-rest']);
    expect(t.thresholds).toEqual([{ index: 0, name: 'staging', match: { zone: ['zone-staging'] }, set: { minDenials: 20, windowMs: 600_000, baselineFactor: 0 } }]);
    const to = (f: Partial<RoutingFacts>): unknown => {
      const d = routeIncident(t, facts(f));
      return d.ok ? (d.by.kind === 'route' ? d.by.name : d.by.kind) : d.reason;
    };
    expect(to({ alertname: 'CaracalGatewayRevocationReloadErrors', severity: 'critical', zone: 'zone-payments' })).toBe('access-safety');
    expect(to({ alertname: 'CaracalAuditDLQGrowth', severity: 'critical', zone: 'zone-payments' })).toBe('payments-zone');
    expect(to({ source: 'pagerduty', service: { id: 'PSVC7K2', name: null }, severity: 'high' })).toBe('pagerduty-caracal');
    expect(to({ source: 'pagerduty', service: { id: 'POTHER1', name: 'Caracal production' }, severity: 'HIGH' })).toBe('pagerduty-caracal');
    expect(to({ source: 'pagerduty', service: { id: 'POTHER1', name: 'Billing' }, severity: 'high' })).toBe('critical');
    expect(to({ alertname: 'CaracalAuditDLQNonEmpty', severity: 'warning' })).toBe('the-rest');
    // Caracal's approval holds (source caracal): by tier, ignoring case; other tiers fall through.
    expect(to({ source: 'caracal', zone: 'zone-payments', tier: 'HIGH', application: 'app-1' })).toBe('approvals');
    expect(to({ source: 'caracal', zone: 'zone-payments', tier: 'low', application: 'app-1' })).toBe('payments-zone');
    // An incident never matches a route that names the approval keys.
    expect(to({ alertname: 'CaracalAuditDLQNonEmpty', severity: 'critical' })).toBe('critical');
  });
});

describe('escalate: whom a route\'s triages reach', () => {
  it('is read per route, the mention for the platform the route posts to', () => {
    const t = table(`
routes:
  - name: security
    match: { component: gateway }
    to: slack:C0SECURITY01
    escalate: { slack: S0SECURITY1, pagerduty: true }
  - name: payments
    to: teams:19:abc@thread.tacv2
    escalate:
      teams: { id: 6c1f0d2e-8a4b-4c3d-9e5f-0a1b2c3d4e5f, name: Payments on-call }
`);
    expect(t.routes.map((r) => r.escalate)).toEqual([
      { mentions: [{ platform: 'slack', id: 'S0SECURITY1' }], pagerduty: true },
      { mentions: [{ platform: 'teams', id: '6c1f0d2e-8a4b-4c3d-9e5f-0a1b2c3d4e5f', name: 'Payments on-call' }], pagerduty: false },
    ]);
    const d = routeIncident(t, facts({ component: 'gateway' }));
    expect(d.ok && d.escalate).toEqual({ mentions: [{ platform: 'slack', id: 'S0SECURITY1' }], pagerduty: true });
    const other = routeIncident(t, facts({ component: 'audit' }));
    expect(other.ok && other.escalate).toEqual({ mentions: [{ platform: 'teams', id: '6c1f0d2e-8a4b-4c3d-9e5f-0a1b2c3d4e5f', name: 'Payments on-call' }], pagerduty: false });
    // The default channel is no route: TRIAGE_ESCALATE applies there.
    const byDefault = routeIncident(table('routes: []\n', BOTH, 'slack:C0DEFAULT1'), facts({}));
    expect(byDefault.ok && byDefault.by.kind === 'default' && byDefault.escalate).toBeUndefined();
  });

  it.each([
    ['escalate: { slack: oncall }', 'routes[0] "a" (line 2): escalate.slack: "oncall" is not a Slack user group ID (S…) or user ID (U…, W…)'],
    ['escalate: { email: ops@example.com }', 'routes[0] "a" (line 2): escalate.email: unknown key (expected slack, teams, pagerduty)'],
    ['escalate: { pagerduty: "yes" }', 'routes[0] "a" (line 2): escalate.pagerduty: must be true or false'],
    ['escalate: {}', 'routes[0] "a" (line 2): escalate: names no one: give slack, teams, pagerduty (at least one)'],
    ['escalate: { teams: 00000000-0000-4000-8000-000000000001 }', 'routes[0] "a" (line 2): escalate.teams: this route posts to Slack (to: slack:C0AAAAAAAA), where a Microsoft Teams user cannot be mentioned'],
  ])('refuses %s, naming the entry and the key', (line, message) => {
    const errors = errorsOf(`routes:\n  - name: a\n    to: slack:C0AAAAAAAA\n    ${line}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`TRIAGE_ROUTES_FILE: ${FILE}: ${message}`);
  });
});

describe('matching', () => {
  const text = `
routes:
  - name: gateway-critical
    match: { component: gateway, severity: critical }
    to: slack:C0GATEWAY01
  - name: gateway
    match: { component: gateway }
    to: teams:19:gw@thread.tacv2
`;

  it('takes the first route whose every key holds', () => {
    const t = table(text);
    expect(routeIncident(t, facts({ component: 'gateway', severity: 'critical' }))).toEqual({
      ok: true,
      to: { platform: 'slack', channel: 'C0GATEWAY01' },
      by: { kind: 'route', index: 0, name: 'gateway-critical' },
    });
    expect(routeIncident(t, facts({ component: 'gateway', severity: 'warning' }))).toMatchObject({ ok: true, by: { index: 1 } });
  });

  it('falls back to TRIAGE_DEFAULT_CHANNEL, and is unroutable without it', () => {
    const withDefault = table(text, BOTH, 'slack:C0DEFAULT01');
    expect(routeIncident(withDefault, facts({ component: 'audit' }))).toEqual({ ok: true, to: { platform: 'slack', channel: 'C0DEFAULT01' }, by: { kind: 'default' } });
    const without = routeIncident(table(text), facts({ component: 'audit', alertname: 'CaracalAuditDLQGrowth', zone: 'zone-a' }));
    expect(without).toEqual({
      ok: false,
      reason: 'unroutable',
      message: `no route in ${FILE} matches source=alertmanager alertname=CaracalAuditDLQGrowth component=audit zone=zone-a, and TRIAGE_DEFAULT_CHANNEL is not set`,
    });
  });

  it('never matches a key the incident has no value for', () => {
    const t = table('routes:\n  - match: { zone: zone-a }\n    to: slack:C0ZONEA0001\n');
    expect(routeIncident(t, facts({ zone: null })).ok).toBe(false);
    expect(routeIncident(t, facts({ zone: 'zone-a' })).ok).toBe(true);
  });

  it('works with no routes file: everything goes to the default', () => {
    const r = loadRoutes({ platforms: SLACK, defaultChannel: 'slack:C0DEFAULT01' });
    expect(r.ok && routeIncident(r.table, facts({})).ok).toBe(true);
    const none = loadRoutes({ platforms: SLACK });
    expect(none.ok && routeIncident(none.table, facts({}))).toMatchObject({ ok: false, message: expect.stringMatching(/^no TRIAGE_ROUTES_FILE is set /) });
  });

  it('sends a generic hook incident to its own channel, if that platform is configured', () => {
    const t = table(text);
    const slackChannel = { platform: 'slack' as const, channel: 'C0INCIDENT1' };
    expect(destinationFor({ channel: slackChannel, routing: facts({ source: 'generic' }) }, t, SLACK)).toEqual({ ok: true, to: slackChannel, by: { kind: 'payload' } });
    const teams = destinationFor({ channel: { platform: 'teams', conversationId: '19:x@thread.tacv2' }, routing: facts({ source: 'generic' }) }, t, SLACK);
    expect(teams).toEqual({
      ok: false,
      reason: 'platform_not_configured',
      message: 'channel teams:19:x@thread.tacv2: Microsoft Teams is not configured in this bot (configured platforms: slack)',
    });
    expect(destinationFor({ channel: null, routing: facts({ component: 'gateway' }) }, t, BOTH)).toMatchObject({ ok: true, by: { kind: 'route' } });
  });
});

describe('errors name the file, the entry and the key', () => {
  it.each<[string, string, string[]]>([
    [
      'a misspelt match key',
      'routes:\n  - name: gateway\n    match:\n      severty: critical\n    to: slack:C0GATEWAY01\n',
      [`TRIAGE_ROUTES_FILE: ${FILE}: routes[0] "gateway" (line 2): match.severty: unknown key (expected source, alertname, severity, component, service, zone, tier, application, resource, reason)`],
    ],
    [
      'a misspelt entry key',
      'routes:\n  - name: a\n    to: slack:C0AAAAAAAA1\n  - name: b\n    tO: slack:C0BBBBBBBB1\n',
      [
        `TRIAGE_ROUTES_FILE: ${FILE}: routes[1] "b" (line 4): to: is required`,
        `TRIAGE_ROUTES_FILE: ${FILE}: routes[1] "b" (line 4): tO: unknown key (expected name, match, to, escalate)`,
      ],
    ],
    [
      'a bad destination',
      'routes:\n  - to: slack:#incidents\n',
      [`TRIAGE_ROUTES_FILE: ${FILE}: routes[0] (line 2): to: "#incidents" is not a Slack channel ID (C…, G… or D… in capitals and digits, e.g. slack:C0123ABCDEF)`],
    ],
    [
      'an unknown source and the generic one',
      'routes:\n  - name: s\n    match: { source: [prometheus, generic] }\n    to: slack:C0AAAAAAAA1\n',
      [
        `TRIAGE_ROUTES_FILE: ${FILE}: routes[0] "s" (line 2): match.source: "prometheus" is not a source (expected alertmanager, pagerduty, watch or caracal)`,
        `TRIAGE_ROUTES_FILE: ${FILE}: routes[0] "s" (line 2): match.source: the generic hook names its channel in the body, so routes never see it; remove "generic"`,
      ],
    ],
    [
      'a number where text belongs, and an empty list',
      'routes:\n  - match:\n      zone: 42\n      component: []\n    to: slack:C0AAAAAAAA1\n',
      [
        `TRIAGE_ROUTES_FILE: ${FILE}: routes[0] (line 2): match.component: must list at least one value`,
        `TRIAGE_ROUTES_FILE: ${FILE}: routes[0] (line 2): match.zone: must be text or a list of text (quote values YAML reads as numbers or booleans)`,
      ],
    ],
    [
      'a duplicate route name',
      'routes:\n  - name: x\n    to: slack:C0AAAAAAAA1\n  - name: x\n    to: slack:C0BBBBBBBB1\n',
      [`TRIAGE_ROUTES_FILE: ${FILE}: routes[1] "x" (line 4): name: "x" is already the name of routes[0]`],
    ],
    ['routes that is not a list', 'routes: slack:C0AAAAAAAA1\n', [`TRIAGE_ROUTES_FILE: ${FILE}: line 1: routes: must be a list of routes (each "- to: slack:C…")`]],
    ['no routes key', 'rutes: []\n', [`TRIAGE_ROUTES_FILE: ${FILE}: routes: is required`, `TRIAGE_ROUTES_FILE: ${FILE}: line 1: rutes: unknown key (expected version, routes, thresholds)`]],
    ['a version from the future', 'version: 2\nroutes: []\n', [`TRIAGE_ROUTES_FILE: ${FILE}: line 1: version: must be 1 (the only version of this format)`]],
    ['an empty file', '# nothing yet\n', [`TRIAGE_ROUTES_FILE: ${FILE}: the file is empty; write "routes:" and a list of routes (see examples/triage-routes.yaml)`]],
  ])('%s', (_what, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });

  it('names line and column of a YAML syntax error', () => {
    const errs = errorsOf('routes:\n  - name: a\n    to: slack:C0AAAAAAAA1\n    to: slack:C0BBBBBBBB1\n');
    expect(errs).toEqual([`TRIAGE_ROUTES_FILE: ${FILE}: line 4, column 5: Map keys must be unique`]);
    const flow = errorsOf('routes:\n  - { name: a, to: slack:C0AAAAAAAA1\n');
    expect(flow[0]).toMatch(new RegExp(`^TRIAGE_ROUTES_FILE: ${FILE}: line \\d+, column \\d+: `));
  });

  it('refuses a destination on a platform the bot does not run, and says which it runs', () => {
    expect(errorsOf('routes:\n  - name: team\n    to: teams:19:x@thread.tacv2\n', SLACK)).toEqual([
      `TRIAGE_ROUTES_FILE: ${FILE}: routes[0] "team" (line 2): to: Microsoft Teams is not configured in this bot (configured platforms: slack)`,
    ]);
    expect(errorsOf('routes: []\n', platformsInUse(['teams']), 'slack:C0DEFAULT01')).toEqual([
      'TRIAGE_DEFAULT_CHANNEL: Slack is not configured in this bot (configured platforms: teams)',
    ]);
    expect(errorsOf('routes: []\n', BOTH, '#oncall')).toEqual(['TRIAGE_DEFAULT_CHANNEL: "#oncall" is not a channel: write slack:C0123ABCDEF or teams:19:abc123@thread.tacv2']);
  });

  it('reports every problem at once, the default channel\'s too', () => {
    const errs = errorsOf('routes:\n  - to: teams:19:x@thread.tacv2\n  - to: teams:19:y@thread.tacv2\n', SLACK, 'nowhere');
    expect(errs).toHaveLength(3);
    expect(errs[0]).toMatch(/^TRIAGE_DEFAULT_CHANNEL: /);
    expect(errs.slice(1).map((e) => e.match(/routes\[\d\]/)?.[0])).toEqual(['routes[0]', 'routes[1]']);
  });

  it('names the file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routes-'));
    try {
      const missing = join(dir, 'nope.yaml');
      expect(loadRoutes({ file: missing, platforms: BOTH })).toEqual({ ok: false, errors: [expect.objectContaining({ message: `TRIAGE_ROUTES_FILE: ${missing}: cannot be read (no such file)` })] });
      expect(loadRoutes({ file: dir, platforms: BOTH })).toMatchObject({ ok: false, errors: [expect.objectContaining({ message: `TRIAGE_ROUTES_FILE: ${dir}: cannot be read (is a directory)` })] });
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'routes:\n  - to: slack:nope\n');
      const r = loadRoutes({ file: bad, platforms: BOTH });
      expect(!r.ok && r.errors[0].variable).toBe('TRIAGE_ROUTES_FILE');
      expect(!r.ok && r.errors[0].message).toMatch(new RegExp(`^TRIAGE_ROUTES_FILE: ${bad}: routes\\[0\\] \\(line 2\\): to: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns, without failing, about routes no incident can reach and alert names that are not Caracal\'s', () => {
    const r = parseRoutes(
      'routes:\n  - name: all\n    to: slack:C0AAAAAAAA1\n  - name: late\n    match: { alertname: CaracalAuditDLQGrowht, component: postgres }\n    to: slack:C0BBBBBBBB1\n',
      { file: FILE, platforms: BOTH },
    );
    expect(r.ok && r.warnings).toEqual([
      `TRIAGE_ROUTES_FILE: ${FILE}: routes[1] "late" (line 4): never used, routes[0] "all" (line 2) before it matches every incident`,
      `TRIAGE_ROUTES_FILE: ${FILE}: routes[1] "late" (line 4): match.alertname: "CaracalAuditDLQGrowht" is not one of Caracal's 21 alert rules (a typo?)`,
      `TRIAGE_ROUTES_FILE: ${FILE}: routes[1] "late" (line 4): match.component: "postgres" is not a Caracal component (sts, audit, gateway, api, database, platform)`,
    ]);
  });
});
