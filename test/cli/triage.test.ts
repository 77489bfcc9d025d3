import { createServer } from 'node:net';
import { SCENARIOS, SEEDED_SECRETS, simulatorEnv, startSimulator, type Simulator } from '../../sim';
import { runInProcess } from './io';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => sim.clearFaults());

function envFor(s: Simulator, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return simulatorEnv(s, { CARACAL_TIMEOUT_MS: '2000', ...extra });
}

describe('caracal-triage triage --json', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: names the expected surface, step and cause, with the contract exit code', async (_name, scenario) => {
    sim.setScenario(scenario);
    const args = ['triage', scenario.input.requestId, '--json'];
    if (scenario.input.symptom) args.push('--symptom', scenario.input.symptom);
    if (scenario.input.error) args.push('--error', scenario.input.error);
    const { code, stdout: out } = await runInProcess(args, envFor(sim));
    const report = JSON.parse(out);
    expect(Object.keys(report).sort()).toEqual(['bundle', 'changes', 'deployment', 'diagnosis', 'headline', 'names', 'requestId', 'steps', 'surface', 'symptom', 'zoneId']);
    // Names stand beside the IDs (which stay): the zone the request was found in has one.
    expect(Object.keys(report.names).sort()).toEqual(['applications', 'policySets', 'resources', 'zones']);
    if (report.zoneId) expect(typeof report.names.zones[report.zoneId]).toBe('string');
    expect(report.steps.map((s: { id: string }) => s.id)).toEqual([
      'readiness',
      'configuration',
      'request_trace',
      'grant_policy',
      'policy_set_activation',
      'requested_scopes',
      'gateway_verifier',
      'audit_trace',
    ]);
    expect(report.bundle.items.map((i: { id: string }) => i.id).sort()).toEqual(
      ['config_summary', 'preflight', 'provider_binding', 'readiness', 'recent_changes', 'request_trace', 'zones'].sort(),
    );
    if (scenario.expect.surface === null) {
      expect(report.diagnosis).toBeNull();
    } else {
      expect(report.diagnosis).toMatchObject({ surface: scenario.expect.surface, step: scenario.expect.step, cause: scenario.expect.cause });
      expect(report.steps.find((s: { id: string }) => s.id === scenario.expect.step).verdict).toBe('fail');
      expect(report.surface).toBe(scenario.expect.surface);
    }
    expect(code).toBe(scenario.expect.exit);
  });

  it('never prints a secret that Caracal leaked, in JSON or human output', async () => {
    for (const name of ['healthy_allow', 'grant_missing']) {
      sim.setScenario(name);
      const rid = SCENARIOS.find((s) => s.name === name)!.input.requestId;
      const json = await runInProcess(['triage', rid, '--json'], envFor(sim));
      const human = await runInProcess(['triage', rid, '--verbose'], envFor(sim));
      for (const secret of [...SEEDED_SECRETS, sim.tokens.globalRead, sim.metricsBearer, sim.coordinatorToken]) {
        expect(json.stdout).not.toContain(secret);
        expect(human.stdout).not.toContain(secret);
        expect(human.stderr).not.toContain(secret);
      }
      if (name === 'grant_missing') expect(JSON.parse(json.stdout).bundle.redactions).toBeGreaterThan(0);
    }
  });

  it('routes a pasted Caracal error body, taking the request ID from it', async () => {
    sim.setScenario('scope_mismatch');
    const body = JSON.stringify({ error: 'access_denied', error_description: 'policy denied (scope_mismatch)', requestId: 'req-scope-1' });
    const { code, stdout: out } = await runInProcess(['triage', '--error', body, '--json'], envFor(sim));
    const report = JSON.parse(out);
    expect(report.requestId).toBe('req-scope-1');
    expect(report.symptom).toBe('token_exchange_denied');
    expect(report.diagnosis).toMatchObject({ surface: 'resource_definition', step: 'requested_scopes', cause: 'scope_mismatch' });
    expect(code).toBe(1);
  });

  it('prints the diagnosis first in human output', async () => {
    sim.setScenario('grant_missing');
    const { stdout: out } = await runInProcess(['triage', 'req-grant-1'], envFor(sim));
    const firstLine = out.split('\n')[0];
    expect(firstLine).toContain('Failing surface: sts_policy');
    expect(out.indexOf('Denied-call steps')).toBeGreaterThan(out.indexOf('Failing surface'));
    expect(out).not.toMatch(/\x1b\[/); // no colour codes when not a TTY
  });

  it('starts from readiness when no request ID is given', async () => {
    sim.setScenario('redis_down');
    const { code, stdout: out } = await runInProcess(['triage', '--json'], envFor(sim));
    const report = JSON.parse(out);
    expect(report.requestId).toBeNull();
    expect(report.diagnosis).toMatchObject({ surface: 'infrastructure', step: 'readiness' });
    expect(code).toBe(1);
  });
});

describe('caracal-triage cannot run (exit 2, one clear line)', () => {
  it('refuses a malformed request ID before calling Caracal', async () => {
    sim.clearRequests();
    const { code, stdout: out, stderr: err } = await runInProcess(['triage', 'not a valid id'], envFor(sim));
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^caracal-triage: request ID "not a valid id": /);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(sim.requests).toHaveLength(0);
  });

  it('names a missing admin token', async () => {
    const env = envFor(sim);
    delete env.CARACAL_ADMIN_TOKEN;
    const { code, stderr: err } = await runInProcess(['triage', 'req-1'], env);
    expect(code).toBe(2);
    expect(err).toContain('CARACAL_ADMIN_TOKEN');
  });

  it('says the admin token was rejected, without echoing it', async () => {
    sim.setScenario('grant_missing');
    const bad = 'cat_' + 'x'.repeat(43);
    const { code, stdout: out, stderr: err } = await runInProcess(['triage', 'req-grant-1', '--json'], envFor(sim, { CARACAL_ADMIN_TOKEN: bad }));
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('rejected CARACAL_ADMIN_TOKEN');
    expect(err).not.toContain(bad);
  });

  it('says a zone-scoped token needs CARACAL_ZONE_IDS instead of reporting a clean triage', async () => {
    sim.setScenario('grant_missing');
    const env = envFor(sim, { CARACAL_ADMIN_TOKEN: sim.tokens.zoneRead });
    const { code, stdout: out, stderr: err } = await runInProcess(['triage', 'req-grant-1', '--json'], env);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('CARACAL_ZONE_IDS');
  });

  it('bundle: says the admin token was rejected', async () => {
    const { code, stderr: err } = await runInProcess(['bundle'], envFor(sim, { CARACAL_ADMIN_TOKEN: 'cat_' + 'y'.repeat(43) }));
    expect(code).toBe(2);
    expect(err).toContain('rejected CARACAL_ADMIN_TOKEN');
  });

  it('refuses an unknown symptom and an unknown option', async () => {
    expect((await runInProcess(['triage', 'req-1', '--symptom', 'broken'], envFor(sim))).code).toBe(2);
    expect((await runInProcess(['triage', 'req-1', '--frobnicate'], envFor(sim))).code).toBe(2);
  });
});

describe('caracal-triage findings', () => {
  it('treats an unreachable Caracal API as an infrastructure finding (exit 1)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const { code, stdout: out } = await runInProcess(['triage', 'req-1', '--json'], {
      CARACAL_API_URL: `http://127.0.0.1:${port}`,
      CARACAL_ADMIN_TOKEN: sim.tokens.globalRead,
      CARACAL_TIMEOUT_MS: '1000',
    });
    expect(code).toBe(1);
    expect(JSON.parse(out).diagnosis).toMatchObject({ surface: 'infrastructure', step: 'readiness' });
  });

  it('keeps going when one service times out: that part is unknown, the diagnosis still stands', async () => {
    sim.setScenario('scope_mismatch');
    sim.setFault('audit', '/metrics.json', { hang: true });
    sim.setFault('coordinator', '/ready', { body: '<html>oops</html>', status: 200 });
    const started = Date.now();
    const { code, stdout: out } = await runInProcess(['triage', 'req-scope-1', '--json'], envFor(sim, { CARACAL_TIMEOUT_MS: '500' }));
    expect(Date.now() - started).toBeLessThan(10_000);
    const report = JSON.parse(out);
    expect(report.diagnosis).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch' });
    const readiness = report.bundle.items.find((i: { id: string }) => i.id === 'readiness');
    expect(['warn', 'fail', 'unavailable']).toContain(readiness.status);
    expect(code).toBe(1);
  });

  it('finds the request with a zone-scoped token through CARACAL_ZONE_IDS', async () => {
    sim.setScenario('grant_missing');
    const env = envFor(sim, { CARACAL_ADMIN_TOKEN: sim.tokens.zoneRead, CARACAL_ZONE_IDS: sim.zoneIds.join(',') });
    const { stdout: out } = await runInProcess(['triage', 'req-grant-1', '--json'], env);
    const report = JSON.parse(out);
    expect(report.zoneId).toBe(sim.zoneIds[sim.zoneIds.length - 1]);
    expect(report.diagnosis).toMatchObject({ surface: 'sts_policy', step: 'grant_policy' });
  });
});

describe('caracal-triage bundle', () => {
  it('shows, in human output, each Doctor check that is not ok on its own line', async () => {
    sim.setScenario('audit_missing');
    const { code, stdout: out } = await runInProcess(['bundle'], envFor(sim));
    expect(out).toMatch(/✖ fail\s+readiness/);
    expect(out).toMatch(/\n\s+fail\s+audit readiness: .*audit_lag_threshold/);
    expect(out).toMatch(/\n\s+warn\s+audit metrics: .*consumer_lag/);
    expect(code).toBe(1);
  });

  it('prints the seven items as JSON with the redaction count', async () => {
    sim.setScenario('healthy_allow');
    const { code, stdout: out } = await runInProcess(['bundle', '--json'], envFor(sim));
    const parsed = JSON.parse(out);
    expect(Object.keys(parsed).sort()).toEqual(['deployment', 'items', 'redactions', 'zoneId']);
    expect(parsed.items).toHaveLength(7);
    expect(typeof parsed.redactions).toBe('number');
    expect(code).toBe(0);
    for (const secret of SEEDED_SECRETS) expect(out).not.toContain(secret);
  });
});
