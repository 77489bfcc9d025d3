/**
 * `caracal-triage triage` as a user or a CI gate runs it: exit codes (0 nothing failed, 1 a
 * finding, 2 could not run), stdout and stderr, against the simulator, a closed port and a server
 * that accepts and never answers. A Caracal that is down or unreadable must never exit 0.
 *
 * The built binary, in its own process with only the environment given here, runs once per
 * contract: exit 1 with the human report and an empty stderr (a closed port); exit 1 with the
 * --json report, ended within the timeout by a server that never answers (the process must not
 * hang); a 50 MB answer (the process must neither hang nor run out of memory); exit 2 with one
 * line on stderr and nothing on stdout (a rejected admin token); exit 0 with the check mark.
 * Every other run only varies the data through one of those contracts, so it runs `main` in this
 * process (test/cli/io.ts) with the same assertions.
 */
import { getScenario, type Scenario } from '../../sim';
import { closedPort, lines, runBinary } from '../support/binary';
import { runInProcess } from './io';
import { useBinaryStack } from '../support/binary-stack';

const stack = useBinaryStack();
const simEnv = stack.simEnv;
const json = (stdout: string) => JSON.parse(stdout) as { diagnosis: { surface: string; step: string; cause: string; summary: string } | null; steps: Array<{ id: string; verdict: string; cause?: string; summary: string; evidence: Record<string, unknown> }>; symptom: string | null };

function argsFor(s: Scenario, extra: string[] = []): string[] {
  const args = ['triage', s.input.requestId, ...extra];
  if (s.input.symptom) args.push('--symptom', s.input.symptom);
  if (s.input.error) args.push('--error', s.input.error);
  return args;
}

describe('a Caracal that cannot be reached or read is a finding: exit 1, surface infrastructure, a human report', () => {
  it('a closed port: human report first line names the surface; nothing on stderr', async () => {
    const port = await closedPort();
    const env = { CARACAL_API_URL: `http://127.0.0.1:${port}`, CARACAL_ADMIN_TOKEN: 'cat_x' };
    const human = await runBinary(['triage', 'req-1'], env);
    expect(human.code).toBe(1);
    expect(human.stderr).toBe('');
    expect(lines(human.stdout)[0]).toBe('✖ Failing surface: infrastructure  (step 1 readiness, cause api_unreachable, confidence high)');
    expect(human.stdout).toContain('api is unreachable (ECONNREFUSED: connection refused)');

    const machine = await runInProcess(['triage', 'req-1', '--json'], env);
    expect(machine.code).toBe(1);
    expect(machine.stderr).toBe('');
    expect(json(machine.stdout).diagnosis).toMatchObject({ surface: 'infrastructure', step: 'readiness', cause: 'api_unreachable' });
  });

  it('a server that accepts connections and never answers: api_timeout, within the configured timeout', async () => {
    const env = { CARACAL_API_URL: stack.silent.url, CARACAL_ADMIN_TOKEN: 'cat_x', CARACAL_TIMEOUT_MS: '800' };
    const run = await runBinary(['triage', 'req-1', '--json'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const report = json(run.stdout);
    expect(report.diagnosis).toMatchObject({ surface: 'infrastructure', step: 'readiness', cause: 'api_timeout' });
    expect(report.diagnosis!.summary).toMatch(/^The Caracal API accepts connections but does not answer: GET \/v1\/zones timed out \(no answer within 800 ms\)/);
    expect(run.ms).toBeLessThan(10_000);
    expect(stack.silent.accepted).toBeGreaterThan(0);

    const human = await runInProcess(['triage', 'req-1'], env);
    expect(human.code).toBe(1);
    expect(lines(human.stdout)[0]).toContain('Failing surface: infrastructure');
    expect(human.stdout).toContain('does not answer');
  });

  it('every service of a deployment hanging past CARACAL_TIMEOUT_MS', async () => {
    stack.sim.setScenario('healthy_allow');
    for (const svc of ['api', 'sts', 'gateway', 'audit', 'coordinator'] as const) stack.sim.setFault(svc, /.*/, { hang: true });
    const run = await runInProcess(['triage', 'req-allow-1', '--json'], simEnv({ CARACAL_TIMEOUT_MS: '600' }));
    expect(run.code).toBe(1);
    const report = json(run.stdout);
    expect(report.diagnosis).toMatchObject({ surface: 'infrastructure', cause: 'api_timeout' });
    expect(report.diagnosis!.summary).toContain('Not answering either: sts, gateway, audit, coordinator.');
  });

  it.each([
    ['an HTML page (the Console or a login proxy)', { status: 200, body: '<!doctype html><html><head><title>Caracal Console</title></head></html>', headers: { 'content-type': 'text/html' } }, 'html', /HTML page instead of JSON/],
    ['invalid JSON', { status: 200, body: '{"items": [ {"id": ' }, 'not_json', /not JSON/],
    ['a redirect', { status: 302, body: '', headers: { location: 'https://login.example.com/sso?return=/v1/zones' } }, 'redirected', /redirect.*login\.example\.com\/sso/],
  ])('every API answer is %s: api_unreadable, naming it', async (_label, fault, reason, summary) => {
    stack.sim.setScenario('healthy_allow');
    stack.sim.setFault('api', /.*/, fault);
    const run = await runInProcess(['triage', 'req-allow-1', '--json'], simEnv());
    expect(run.code).toBe(1);
    const report = json(run.stdout);
    expect(report.diagnosis).toMatchObject({ surface: 'infrastructure', step: 'readiness', cause: 'api_unreadable' });
    expect(report.steps[0]!.evidence.api).toMatchObject({ reason });
    expect(report.diagnosis!.summary).toMatch(summary);
    expect(run.stdout).not.toContain('return=');
  });

  it('a 50 MB body: too large, named, and the process neither hangs nor runs out of memory', async () => {
    stack.sim.setScenario('healthy_allow');
    stack.sim.setFault('api', '/v1/zones', { status: 200, body: `{"items":[],"next_cursor":null,"pad":"${'x'.repeat(50 * 1024 * 1024)}"}` });
    // Time enough for the 16 MiB the client reads before it gives up on size, on a loaded machine too: the size is the point.
    const run = await runBinary(['triage', 'req-allow-1', '--json'], simEnv({ CARACAL_TIMEOUT_MS: '15000' }));
    expect(run.code).toBe(1);
    const report = json(run.stdout);
    expect(report.diagnosis).toMatchObject({ surface: 'infrastructure', cause: 'api_unreadable' });
    expect(report.steps[0]!.evidence.api).toMatchObject({ reason: 'too_large' });
    expect(report.diagnosis!.summary).toContain('larger than the client accepts (over 16 MiB)');
  });
});

describe('the admin token: rejected outright is exit 2; one endpoint refusing it is not', () => {
  it('every Admin API read answering 401: exit 2, one line on stderr, nothing on stdout, no token echoed', async () => {
    stack.sim.setScenario('grant_missing');
    const bad = `cat_${'q'.repeat(43)}`;
    for (const [extra, via] of [[[], runBinary], [['--json'], runInProcess]] as const) {
      const run = await via(['triage', 'req-grant-1', ...extra], simEnv({ CARACAL_ADMIN_TOKEN: bad }));
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr).toMatch(/^caracal-triage: Caracal rejected CARACAL_ADMIN_TOKEN \(401 invalid_admin_token on every Admin API read\)/);
      expect(run.stderr).not.toContain(bad);
    }
  });

  it('a 401 on the grants list only: that step is unknown with the reason, the triage goes on (exit 1, diagnosis stands)', async () => {
    stack.sim.setScenario('scope_mismatch');
    stack.sim.setFault('api', /\/grants$/, { status: 401, json: { error: 'invalid_admin_token' } });
    const run = await runInProcess(argsFor(getScenario('scope_mismatch'), ['--json']), simEnv());
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const report = json(run.stdout);
    expect(report.steps.find((s) => s.id === 'grant_policy')).toMatchObject({ verdict: 'unknown', cause: 'invalid_admin_token' });
    expect(report.diagnosis).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch' });
  });
});

describe('three diagnoses a real Caracal exposed', () => {
  it.each([[[]], [['--symptom', 'resource_denied']], [['--symptom', 'unauthenticated']]])('a replayed mandate is the Gateway’s (resource_verifier), with %j', async (extra) => {
    stack.sim.setScenario('replayed_mandate');
    const run = await runInProcess(['triage', 'req-replay-1', '--json', ...extra], simEnv());
    expect(run.code).toBe(1);
    const report = json(run.stdout);
    expect(report.diagnosis).toMatchObject({ surface: 'resource_verifier', step: 'gateway_verifier', cause: 'replay_detected' });
    expect(report.steps.find((s) => s.id === 'request_trace')!.summary).toContain('The Gateway denied it at replay_detected');
    expect(run.stdout).not.toContain('STS denied');
  });

  it('the STS client-authentication body pasted alone: unauthenticated, then configuration / application_expired from the zone overview', async () => {
    const s = getScenario('application_expired_body');
    stack.sim.setScenario(s);
    const run = await runInProcess(argsFor(s, ['--json']), simEnv());
    expect(run.code).toBe(1);
    const report = json(run.stdout);
    expect(report.symptom).toBe('unauthenticated');
    expect(report.diagnosis).toMatchObject({ surface: 'configuration', step: 'configuration', cause: 'application_expired' });
    const configuration = report.steps.find((st) => st.id === 'configuration')!;
    expect(configuration.evidence.overviewExpired).toMatchObject({ [stack.sim.zoneIds[1]!]: 1 });
    expect(configuration.evidence.confidence).toBe('high');
  });

  it('the same body with no request ID at all', async () => {
    stack.sim.setScenario('application_expired_body');
    const run = await runInProcess(['triage', '--json', '--error', '{"error":"access_denied","error_description":"invalid client credentials"}'], simEnv());
    expect(run.code).toBe(1);
    expect(json(run.stdout).diagnosis).toMatchObject({ step: 'configuration', cause: 'application_expired' });
  });

  it('a version older than the active one evaluated: STS has not loaded the activation (human report)', async () => {
    const s = getScenario('activated_not_loaded');
    stack.sim.setScenario(s);
    const run = await runInProcess(argsFor(s), simEnv());
    expect(run.code).toBe(1);
    expect(lines(run.stdout)[0]).toBe('✖ Failing surface: sts_policy  (step 5 policy_set_activation, cause activation_not_loaded, confidence high)');
    expect(lines(run.stdout)[1]).toMatch(/STS evaluated this request with v1 \(.*\) of main, older than the active v2/);
    expect(run.stdout).not.toMatch(/^\s+The active policy denied/m);
  });
});

describe('no green check without evidence', () => {
  it("an error pasted with no request ID or zone: 'Not determined', what could not be checked and what to give, no check mark (fails on the old code: '✔ No failing step found')", async () => {
    stack.sim.setScenario('healthy_allow');
    const human = await runInProcess(['triage', '--error', '401 invalid_token'], simEnv());
    expect(human.code).toBe(0);
    const [first, second] = lines(human.stdout);
    expect(first).toBe('? Not determined  (6 of 8 steps could not be checked; see below)');
    expect(human.stdout).not.toContain('✔ No failing step found');
    expect(second).toContain('Give a request ID (the X-Request-Id or requestId of the failing call) and a zone (--zone, by ID, name or slug) to check them.');

    const machine = await runInProcess(['triage', '--error', '401 invalid_token', '--json'], simEnv());
    const report = JSON.parse(machine.stdout) as { diagnosis: unknown; headline: { state: string; unchecked: string[]; give: string[] } };
    expect(report.diagnosis).toBeNull();
    expect(report.headline).toMatchObject({ state: 'undetermined', give: [expect.stringContaining('request ID'), expect.stringContaining('zone')] });
    expect(report.headline.unchecked).toContain('request_trace');
  });

  it('a healthy request that every step checked keeps its check mark', async () => {
    stack.sim.setScenario('healthy_allow');
    const run = await runBinary(['triage', 'req-allow-1'], simEnv());
    expect(run.code).toBe(0);
    expect(lines(run.stdout)[0]).toBe('✔ No failing step found');
  });
});

describe('every scenario keeps its diagnosis and exit code, with its own token and zones', () => {
  it.each(['healthy_allow', 'redis_down', 'grant_missing', 'scope_mismatch', 'unauthenticated', 'application_expired', 'zone_token_no_grant'])('%s', async (name) => {
    const s = getScenario(name);
    stack.sim.setScenario(s);
    const auth = { CARACAL_ADMIN_TOKEN: stack.sim.tokens[s.input.adminToken ?? 'globalRead'], CARACAL_ZONE_IDS: (s.input.configuredZones ?? []).map((i) => s.zones[i]!.zone.id).join(',') };
    const run = await runInProcess(argsFor(s, ['--json']), simEnv(auth));
    expect(run.code).toBe(s.expect.exit);
    expect(run.stderr).toBe('');
    const report = json(run.stdout);
    if (s.expect.surface === null) expect(report.diagnosis).toBeNull();
    else expect(report.diagnosis).toMatchObject({ surface: s.expect.surface, step: s.expect.step, cause: s.expect.cause });
  });
});
