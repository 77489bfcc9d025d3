/**
 * Several Caracal deployments from the terminal: two simulators as
 * `staging` (grant_missing: holds req-grant-1) and `production` (healthy_allow: holds
 * req-allow-1), named in a CARACAL_DEPLOYMENTS_FILE with their token files. Without
 * --deployment a request is looked for in each and triaged where it is (and said so); one in
 * both is triaged in both; one in neither asks which (exit 2). --deployment overrides; an
 * unknown one is exit 2 naming those that exist; a bad file is exit 2 naming the entry and key;
 * `deployments --json` lists them with readiness (exit 1 when one is unreachable). Each
 * deployment is read only with its own token, and neither token is ever printed.
 *
 * The built binary runs once per contract this file adds: a triage that reads the deployments
 * file and its token files, exit 1 with the human report; `deployments --json` exit 0 and
 * `deployments` exit 1 with its table; a bad file refused at start-up, exit 2 with one stderr
 * line per problem and nothing on stdout. The other runs vary only which deployment holds what,
 * through contracts those runs (and test/cli/binary-triage.test.ts, binary-watch.test.ts) prove,
 * so they run `main` in this process (test/cli/io.ts) with the same assertions.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { denialRows, startSimulator, watchScenario, watchZoneId, ZONE_A, type Simulator } from '../../sim';
import { assertFreshBuild, closedPort, lines, removeWorkDirs, runBinary, workDir } from '../support/binary';
import { runInProcess } from './io';

let staging: Simulator;
let production: Simulator;
let dir: string;

beforeAll(async () => {
  assertFreshBuild();
  [staging, production] = await Promise.all([startSimulator({ scenario: 'grant_missing' }), startSimulator({ scenario: 'healthy_allow' })]);
  dir = workDir();
});
afterAll(async () => {
  await Promise.all([staging?.close(), production?.close()]);
  removeWorkDirs();
});
afterEach(() => {
  staging.clearRequests();
  production.clearRequests();
});

function tokenFile(name: string, value: string): string {
  const file = join(dir, `${name}.token`);
  writeFileSync(file, `${value}\n`);
  return file;
}

function entry(name: string, sim: Simulator, extra = ''): string {
  return [
    `  - name: ${name}`,
    `    apiUrl: ${sim.apiUrl}`,
    `    adminTokenFile: ${tokenFile(`${name}-admin`, sim.tokens.globalRead)}`,
    `    probes: { sts: ${sim.stsUrl}, gateway: ${sim.gatewayUrl}, audit: ${sim.auditUrl}, coordinator: ${sim.coordinatorUrl} }`,
    `    metricsBearerFile: ${tokenFile(`${name}-metrics`, sim.metricsBearer)}`,
    `    coordinatorTokenFile: ${tokenFile(`${name}-coordinator`, sim.coordinatorToken)}`,
    extra,
  ]
    .filter(Boolean)
    .join('\n');
}

function deploymentsEnv(body?: string): Record<string, string> {
  const file = join(dir, `deployments-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, body ?? `version: 1\ndeployments:\n${entry('staging', staging)}\n${entry('production', production)}\n`);
  return { CARACAL_DEPLOYMENTS_FILE: file, CARACAL_TIMEOUT_MS: '2000' };
}

const secretsOf = (...sims: Simulator[]) => sims.flatMap((s) => [s.tokens.globalRead, s.metricsBearer, s.coordinatorToken]);
const apiCalls = (sim: Simulator) => sim.requests.filter((r) => r.service === 'api').length;

describe('a request looked for in every deployment when nothing names one', () => {
  it('is triaged in the deployment that holds it, and the output says where it was found', async () => {
    const env = deploymentsEnv();
    const human = await runBinary(['triage', 'req-grant-1', '--symptom', 'token_exchange_denied'], env);
    expect(human.code).toBe(1);
    expect(lines(human.stdout)[0]).toBe('Found in staging (searched staging and production).');
    expect(human.stdout).toContain('deployment staging · request req-grant-1');
    for (const s of secretsOf(staging, production)) expect(human.stdout + human.stderr).not.toContain(s);

    const machine = await runInProcess(['triage', 'req-grant-1', '--symptom', 'token_exchange_denied', '--json'], env);
    expect(machine.code).toBe(1);
    const report = JSON.parse(machine.stdout) as { deployment: string; diagnosis: { cause: string } | null; bundle: { items: Array<{ id: string; evidence: Record<string, unknown> }> } };
    expect(report.deployment).toBe('staging');
    expect(report.diagnosis?.cause).toBe(staging.scenario.expect.cause);
    // The bundle's config summary names the deployment it describes.
    expect(report.bundle.items.find((i) => i.id === 'config_summary')?.evidence.deployment).toBe('staging');
  });

  it('finds the other deployment’s request there: the two never answer for each other', async () => {
    const run = await runInProcess(['triage', 'req-allow-1', '--json'], deploymentsEnv());
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { deployment: string; diagnosis: unknown; zoneId: string };
    expect(report).toMatchObject({ deployment: 'production', diagnosis: null });
    expect(report.zoneId).toBe(production.scenario.zones[1]!.zone.id);
  });

  it('a request in both is triaged in both, one report each', async () => {
    // Two simulators of the same scenario hold the same request IDs.
    const twin = await startSimulator({ scenario: 'grant_missing' });
    try {
      const env = deploymentsEnv(`deployments:\n${entry('staging', staging)}\n${entry('production', twin)}\n`);
      const machine = await runInProcess(['triage', 'req-grant-1', '--symptom', 'token_exchange_denied', '--json'], env);
      expect(machine.code).toBe(1);
      const out = JSON.parse(machine.stdout) as { results: Array<{ deployment: string; requestId: string }> };
      expect(out.results.map((r) => r.deployment)).toEqual(['staging', 'production']);
      expect(out.results.every((r) => r.requestId === 'req-grant-1')).toBe(true);

      const human = await runInProcess(['triage', 'req-grant-1', '--symptom', 'token_exchange_denied'], env);
      expect(lines(human.stdout)[0]).toBe('Found in staging and production (searched staging and production).');
      expect(human.stdout).toContain('Deployment staging\n');
      expect(human.stdout).toContain('Deployment production\n');
    } finally {
      await twin.close();
    }
  });

  it('a request in neither: says which were searched and asks for --deployment (exit 2), triaging nothing', async () => {
    const run = await runInProcess(['triage', 'req-nowhere-1'], deploymentsEnv());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual(['caracal-triage: Request req-nowhere-1 is in none of the zones of staging and production. Which deployment is it in? Name it with --deployment NAME (one of staging, production).']);
  });

  it('a deployment that cannot be read is not called empty: the sentence says it could not be read', async () => {
    const port = await closedPort();
    const env = deploymentsEnv(`deployments:\n${entry('staging', staging)}\n  - name: production\n    apiUrl: http://127.0.0.1:${port}\n    adminTokenFile: ${tokenFile('dead', 'cat_dead_token_value')}\n`);
    const run = await runInProcess(['triage', 'req-nowhere-1'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^caracal-triage: Request req-nowhere-1 is in none of the zones of staging; production could not be read \(.*ECONNREFUSED.*\)\. Which deployment is it in\?/);
  });
});

describe('--deployment', () => {
  it('reads only the deployment named, even for a request another one holds', async () => {
    const run = await runInProcess(['triage', 'req-grant-1', '--deployment', 'production', '--json'], deploymentsEnv());
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { deployment: string; steps: Array<{ id: string; verdict: string; cause?: string }> };
    expect(report.deployment).toBe('production');
    expect(report.steps.find((s) => s.id === 'request_trace')).toMatchObject({ verdict: 'fail', cause: 'request_not_found' });
    expect(apiCalls(staging)).toBe(0);
    expect(apiCalls(production)).toBeGreaterThan(0);
  });

  it('an unknown name is exit 2 naming the deployments that exist', async () => {
    for (const args of [['triage', 'req-grant-1'], ['bundle'], ['zones']]) {
      const run = await runInProcess([...args, '--deployment', 'prod'], deploymentsEnv());
      expect(run.code).toBe(2);
      expect(lines(run.stderr)).toEqual(['caracal-triage: --deployment "prod": no such deployment; the deployments are staging, production']);
    }
  });

  it('bundle and zones read one deployment: with several, they ask for it', async () => {
    const run = await runInProcess(['bundle'], deploymentsEnv());
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual(['caracal-triage: The bundle reads one deployment and the bot serves 2 (staging, production): name one with --deployment NAME']);
    const bundle = await runInProcess(['bundle', '--deployment', 'staging', '--json'], deploymentsEnv());
    expect(bundle.code).toBe(0);
    expect((JSON.parse(bundle.stdout) as { deployment: string }).deployment).toBe('staging');
    expect(apiCalls(production)).toBe(0);
  });
});

describe('caracal-triage deployments', () => {
  it('--json lists each with its API, readiness and zones; exit 0 when all are ready', async () => {
    const run = await runBinary(['deployments', '--json'], deploymentsEnv());
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      deployments: [
        { name: 'staging', apiUrl: staging.apiUrl, ready: true, zones: staging.zoneIds, reason: null },
        { name: 'production', apiUrl: production.apiUrl, ready: true, zones: production.zoneIds, reason: null },
      ],
    });
  });

  it('exit 1 when one is unreachable, which the listing names', async () => {
    const port = await closedPort();
    const env = deploymentsEnv(`deployments:\n${entry('staging', staging)}\n  - name: production\n    apiUrl: http://127.0.0.1:${port}\n    adminTokenFile: ${tokenFile('dead', 'cat_dead_token_value')}\n`);
    const run = await runInProcess(['deployments', '--json'], env);
    expect(run.code).toBe(1);
    const rows = (JSON.parse(run.stdout) as { deployments: Array<{ name: string; ready: boolean; reason: string | null }> }).deployments;
    expect(rows.map((r) => [r.name, r.ready])).toEqual([
      ['staging', true],
      ['production', false],
    ]);
    expect(rows[1]!.reason).toMatch(/unreachable/);
    const human = await runBinary(['deployments'], env);
    expect(human.code).toBe(1);
    expect(lines(human.stdout)[0]).toMatch(/^NAME\s+READY\s+ZONES\s+API$/);
  });

  it('the single-deployment variables are one deployment named default', async () => {
    const env = { CARACAL_API_URL: staging.apiUrl, CARACAL_ADMIN_TOKEN: staging.tokens.globalRead };
    const run = await runInProcess(['deployments', '--json'], env);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { deployments: Array<{ name: string }> }).deployments.map((d) => d.name)).toEqual(['default']);
    const triage = await runInProcess(['triage', 'req-grant-1', '--symptom', 'token_exchange_denied', '--json'], env);
    expect((JSON.parse(triage.stdout) as { deployment: string }).deployment).toBe('default');
  });
});

describe('a bad deployments file at start-up', () => {
  it('names the file, the entry and the key, every problem at once (exit 2)', async () => {
    const env = deploymentsEnv(
      [
        'deployments:',
        entry('staging', staging),
        '  - name: production',
        '    apiUrl: ftp://caracal.example.com',
        `    adminTokenFile: ${join(dir, 'missing.token')}`,
        '    probse: { sts: http://sts:8080 }',
        '  - name: staging',
        `    apiUrl: ${production.apiUrl}`,
        `    adminTokenFile: ${tokenFile('p', production.tokens.globalRead)}`,
        '    channels:',
        '      - channel: irc:#ops',
        '',
      ].join('\n'),
    );
    const file = env.CARACAL_DEPLOYMENTS_FILE!;
    const run = await runBinary(['triage', 'req-grant-1'], env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([
      `caracal-triage: CARACAL_DEPLOYMENTS_FILE: ${file}: deployments[1] "production" (line 8): apiUrl: must be a URL starting with http:// or https://, e.g. https://caracal.example.com`,
      `caracal-triage: CARACAL_DEPLOYMENTS_FILE: ${file}: deployments[1] "production" (line 8): probse: unknown key (expected name, apiUrl, adminTokenFile, zones, probes, metricsBearerFile, coordinatorTokenFile, fixTokenFile, approveTokenFile, consoleUrl, channels)`,
    ]);
    // The schema's problems come first; the rest (names, files, channels) once the shape is right.
    const fixed = deploymentsEnv(
      ['deployments:', entry('staging', staging), '  - name: staging', `    apiUrl: ${production.apiUrl}`, `    adminTokenFile: ${join(dir, 'missing.token')}`, '    channels:', '      - channel: irc:#ops', ''].join('\n'),
    );
    const again = await runInProcess(['triage', 'req-grant-1'], fixed);
    expect(again.code).toBe(2);
    const f = fixed.CARACAL_DEPLOYMENTS_FILE!;
    expect(lines(again.stderr)).toEqual([
      `caracal-triage: CARACAL_DEPLOYMENTS_FILE: ${f}: deployments[1] "staging" (line 8): name: "staging" is already the name of deployments[0]`,
      `caracal-triage: CARACAL_DEPLOYMENTS_FILE: ${f}: deployments[1] "staging" (line 8): adminTokenFile: cannot be read (no such file: ${join(dir, 'missing.token')})`,
      expect.stringMatching(new RegExp(`^caracal-triage: CARACAL_DEPLOYMENTS_FILE: .*: deployments\\[1\\] "staging" \\(line 8\\): channels\\[0\\]\\.channel: "irc:#ops" is not a channel`)),
    ]);
  });

  it('the file and a single-deployment variable together: each variable named', async () => {
    const run = await runInProcess(['triage', 'req-grant-1'], { ...deploymentsEnv(), CARACAL_API_URL: staging.apiUrl });
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual(['caracal-triage: CARACAL_API_URL: is set, and so is CARACAL_DEPLOYMENTS_FILE: give it in the deployments file instead (its deployments each name their own), or unset CARACAL_DEPLOYMENTS_FILE']);
  });
});

describe('watch --once with several deployments', () => {
  it('reads every deployment in turn (--json names each pattern\'s deployment); --deployment reads one; an unknown one is exit 2', async () => {
    const now = Date.now();
    staging.streamAudit(
      Array.from({ length: 6 }, (_, i) =>
        denialRows({ zoneId: ZONE_A, applicationId: 'app-anton', resource: 'resource://payments', reason: 'role_scope_mismatch', kind: 'policy', requestId: `req-w-${i}`, occurredAt: now - 60_000 + i * 1000, ingestedAt: now - 60_000 + i * 1000 }),
      ).flat(),
    );
    const env = deploymentsEnv();
    const all = await runInProcess(['watch', '--once', '--since', '15m', '--json'], env);
    expect(all.code).toBe(1);
    const out = JSON.parse(all.stdout) as { patterns: Array<{ deployment: string; requestIds: string[]; overThreshold: boolean }> };
    expect(out.patterns.filter((p) => p.requestIds.some((id) => id.startsWith('req-w-')))).toEqual([expect.objectContaining({ deployment: 'staging', overThreshold: true })]);
    expect(out.patterns.every((p) => p.deployment === 'staging' || p.deployment === 'production')).toBe(true);
    expect(production.requests.some((r) => r.path.endsWith('/audit'))).toBe(true);

    const one = await runInProcess(['watch', '--once', '--since', '15m', '--json', '--deployment', 'production'], env);
    expect((JSON.parse(one.stdout) as { patterns: Array<{ deployment: string }> }).patterns.every((p) => p.deployment === 'production')).toBe(true);
    expect(one.stdout).not.toContain('req-w-');

    const unknown = await runInProcess(['watch', '--once', '--deployment', 'qa'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no such deployment; the deployments are staging, production');
  });
});

describe('watch --once --zone without --deployment', () => {
  it('reads the zone in every deployment that has it, and is exit 2 only when none has it, naming them', async () => {
    // A third Caracal whose only zone is watch-0: staging does not have it.
    const eu = await startSimulator({ scenario: watchScenario(1) });
    try {
      const now = Date.now();
      eu.streamAudit(
        Array.from({ length: 6 }, (_, i) =>
          denialRows({ zoneId: watchZoneId(0), applicationId: 'app-eu', resource: 'resource://ledger', reason: 'role_scope_mismatch', kind: 'policy', requestId: `req-eu-${i}`, occurredAt: now - 60_000 + i * 1000, ingestedAt: now - 60_000 + i * 1000 }),
        ).flat(),
      );
      const env = deploymentsEnv(`deployments:\n${entry('staging', staging)}\n${entry('eu', eu)}\n`);
      const only = await runInProcess(['watch', '--once', '--since', '15m', '--zone', watchZoneId(0), '--json'], env);
      expect(only.code).toBe(1);
      const out = JSON.parse(only.stdout) as { patterns: Array<{ deployment: string; zoneId: string; overThreshold: boolean }> };
      expect(out.patterns).toEqual([expect.objectContaining({ deployment: 'eu', zoneId: watchZoneId(0), overThreshold: true })]);
      expect(lines(only.stderr)).toEqual([`caracal-triage: note: staging has no zone "${watchZoneId(0)}"; read in eu`]);
      // Staging's zone list was read, and no audit of it.
      expect(staging.requests.some((r) => r.path.endsWith('/audit'))).toBe(false);

      // A zone both have is read in both (no note).
      staging.clearRequests();
      const both = await runInProcess(['watch', '--once', '--since', '15m', '--zone', ZONE_A, '--json'], deploymentsEnv());
      expect([0, 1]).toContain(both.code);
      expect(both.stderr).toBe('');
      for (const sim of [staging, production]) expect(sim.requests.some((r) => r.path.endsWith('/audit'))).toBe(true);

      const none = await runInProcess(['watch', '--once', '--zone', 'zone-nowhere'], env);
      expect(none.code).toBe(2);
      expect(none.stdout).toBe('');
      expect(lines(none.stderr)).toEqual(['caracal-triage: --zone "zone-nowhere": no deployment has this zone (looked in staging and eu)']);

      // Named, a deployment without the zone is still an error of its own.
      const named = await runInProcess(['watch', '--once', '--zone', watchZoneId(0), '--deployment', 'staging'], env);
      expect(named.code).toBe(2);
      expect(named.stderr).toContain(`no zone has the ID, name or slug "${watchZoneId(0)}"`);
    } finally {
      await eu.close();
    }
  });
});
