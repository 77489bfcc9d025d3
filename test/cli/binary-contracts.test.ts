/**
 * The rest of the terminal contract: `bundle`
 * (exit codes and `--json` shape `{zoneId, items, redactions}`), bad input (one line on stderr,
 * exit 2, cut to ~80 characters), text from Caracal reaching the terminal without control
 * sequences, and the safety net that turns an unsettled command into exit 2, never 0.
 *
 * The built binary, in its own process, runs once per contract: `bundle --json` exit 0 and its
 * shape; `bundle` exit 1 with the human report; bad input refused with one stderr line and exit 2
 * before Caracal is asked; control characters arriving through the real argv; Caracal's hostile
 * text reaching a real pipe as human output; the safety net (only a process can end with work
 * unsettled). The other runs vary only the data through one of those contracts (or the exit 2 of
 * a rejected token test/cli/binary-triage.test.ts proves), so they run `main` in this process
 * (test/cli/io.ts) with the same assertions.
 */
import { join } from 'node:path';
import { SYMPTOMS } from '../../src/triage/model';
import { getScenario, type Scenario } from '../../sim';
import { closedPort, lines, runBinary } from '../support/binary';
import { useBinaryStack } from '../support/binary-stack';
import { runInProcess } from './io';

const stack = useBinaryStack();
const simEnv = stack.simEnv;

describe('caracal-triage bundle', () => {
  it('--json prints {zoneId, items, redactions}, the items a triage carries', async () => {
    stack.sim.setScenario('healthy_allow');
    const run = await runBinary(['bundle', '--json'], simEnv());
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const parsed = JSON.parse(run.stdout) as { zoneId: string | null; items: Array<{ id: string; status: string }>; redactions: number };
    expect(Object.keys(parsed).sort()).toEqual(['deployment', 'items', 'redactions', 'zoneId']);
    expect(parsed.zoneId).toBeNull();
    expect(parsed.items.map((i) => i.id)).toEqual(['config_summary', 'readiness', 'zones', 'preflight', 'provider_binding', 'request_trace', 'recent_changes']);
    expect(typeof parsed.redactions).toBe('number');
  });

  it('--zone is echoed as zoneId', async () => {
    stack.sim.setScenario('healthy_allow');
    const run = await runInProcess(['bundle', '--json', '--zone', stack.sim.zoneIds[1]!], simEnv());
    expect(JSON.parse(run.stdout).zoneId).toBe(stack.sim.zoneIds[1]);
  });

  it('a failing check is exit 1 (audit lag)', async () => {
    stack.sim.setScenario('audit_missing');
    const run = await runBinary(['bundle'], simEnv());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✖ fail\s+readiness/);
  });

  it.each([
    ['a closed port', async () => `http://127.0.0.1:${await closedPort()}`, /api health: unreachable \(ECONNREFUSED: connection refused\)/],
    ['a server that never answers', async () => stack.silent.url, /api health: timeout/],
  ])('Caracal cannot be read (%s): exit 1, the readiness item fails and says why', async (_label, url, detail) => {
    const env = { CARACAL_API_URL: await url(), CARACAL_ADMIN_TOKEN: 'cat_x', CARACAL_TIMEOUT_MS: '800' };
    const human = await runInProcess(['bundle'], env);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✖ fail\s+readiness/);
    expect(human.stdout).toMatch(detail);
    const machine = await runInProcess(['bundle', '--json'], env);
    expect(machine.code).toBe(1);
    const readiness = (JSON.parse(machine.stdout).items as Array<{ id: string; status: string }>).find((i) => i.id === 'readiness')!;
    expect(readiness.status).toBe('fail');
  });

  it('an API that answers HTML: exit 1, the admin api check names it', async () => {
    stack.sim.setScenario('healthy_allow');
    stack.sim.setFault('api', /^\/v1\//, { status: 200, body: '<html><body>Sign in</body></html>', headers: { 'content-type': 'text/html' } });
    const run = await runInProcess(['bundle'], simEnv());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/fail\s+admin api: api_unreadable \(html\)/);
  });

  it('a token every Admin API read refuses: exit 2, one line', async () => {
    const run = await runInProcess(['bundle', '--json'], simEnv({ CARACAL_ADMIN_TOKEN: `cat_${'w'.repeat(43)}` }));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^caracal-triage: Caracal rejected CARACAL_ADMIN_TOKEN/)]);
  });
});

describe('bad input: one line on stderr, exit 2, nothing asked of Caracal', () => {
  it('--error with no Caracal code in it says so and names the symptoms to choose from', async () => {
    const run = await runBinary(['triage', '--error', 'garbage words'], simEnv());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^caracal-triage: --error "garbage words": no Caracal error code, HTTP status or request ID found in it;/);
    for (const s of SYMPTOMS) expect(run.stderr).toContain(s);
    expect(stack.sim.requests).toHaveLength(0);
  });

  it('an unknown code word is named as such', async () => {
    const run = await runInProcess(['triage', 'req-1', '--error', 'totally_made_up'], simEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^caracal-triage: --error "totally_made_up": `totally_made_up` is not an error code Caracal emits/);
  });

  it('the same text with --symptom is accepted: the symptom says what the error could not', async () => {
    stack.sim.setScenario('grant_missing');
    const run = await runInProcess(['triage', 'req-grant-1', '--json', '--symptom', 'token_exchange_denied', '--error', 'garbage words'], simEnv());
    expect(run.code).toBe(1);
  });

  it('a 500-character request ID is cut with an ellipsis in the message', async () => {
    const run = await runInProcess(['triage', `${'r'.repeat(499)}x`], simEnv());
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain(`request ID "${'r'.repeat(79)}…"`);
    expect(run.stderr.length).toBeLessThan(300);
    expect(stack.sim.requests).toHaveLength(0);
  });

  it('control characters in a bad argument never reach the terminal', async () => {
    const run = await runBinary(['triage', 'req\x1b]0;pwned\x07\u202Eid with space'], simEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/[\x07\x1b\u202e]/);
    expect(run.stderr).toContain('[U+202E]');
  });
});

/** A resource_not_found scenario whose audit row names a resource identifier full of terminal tricks. */
const EVIL = 'resource://pay\x1b]0;owned\x07ments\x1b[2J\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\u202Egnp.exe\u200B\x9b31m';
function evilScenario(): Scenario {
  const base = getScenario('resource_not_found');
  return {
    ...base,
    name: 'evil_strings',
    zones: base.zones.map((z) => ({
      ...z,
      audit: z.audit.map((r) => (r.request_id === 'req-rnf-1' && r.evaluation_status === 'resource_not_found' ? { ...r, metadata_json: { ...(r.metadata_json as object), resource: EVIL } } : r)),
    })),
  };
}

describe('text from Caracal reaches the terminal without control characters', () => {
  it('human output: escape sequences, OSC 8 links, BEL, C1 removed; bidi and zero-width shown as [U+XXXX]', async () => {
    stack.sim.setScenario(evilScenario());
    const run = await runBinary(['triage', 'req-rnf-1', '--verbose'], simEnv());
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]/);
    expect(run.stdout).toContain('resource://paymentslink[U+202E]gnp.exe[U+200B]');
    expect(run.stdout).not.toContain('owned');
    expect(run.stdout).not.toContain('evil.example');
  });

  it('--json stays faithful (the same string parses back) with no raw control, bidi or zero-width character in the text', async () => {
    stack.sim.setScenario(evilScenario());
    const run = await runInProcess(['triage', 'req-rnf-1', '--json'], simEnv());
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]/);
    const report = JSON.parse(run.stdout) as { steps: Array<{ id: string; evidence: { requestedResource?: string } }> };
    expect(report.steps.find((s) => s.id === 'configuration')!.evidence.requestedResource).toBe(EVIL);
  });
});

describe('the safety net', () => {
  it('a command whose work is left unsettled with nothing to wait on exits 2 with one line, never 0', async () => {
    const run = await runBinary(['triage', 'req-1'], { CARACAL_API_URL: 'http://127.0.0.1:9', CARACAL_ADMIN_TOKEN: 'cat_x' }, 10_000, ['-r', join(__dirname, 'fixtures', 'main-never-settles.js')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^caracal-triage: the command ended with its work unfinished/)]);
  });
});
