/**
 * Every cause the engine can name has its own section in docs/runbooks.md, so no card links a
 * diagnosis to "other causes" for a cause the bot itself wrote. The causes are gathered three
 * ways: the literal causes of every judge in src/triage, the families Caracal's own codes come
 * in (STS denial reasons, readiness reasons, services), and every cause every simulator scenario
 * actually produces (as given, API only, readiness first).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from '../../src/caracal/client-api';
import { OTHER_CAUSES_ANCHOR, RUNBOOK_CAUSES, runbookAnchor, runbookRef } from '../../src/report/runbooks';
import { STS_DENIAL_REASONS } from '../../src/triage/error-codes';
import { AUDIT_READINESS_REASONS, REVOCATION_READINESS_REASONS } from '../../src/triage/health';
import { createTriageSession } from '../../src/triage/session';
import { SCENARIOS, startSimulator, type Simulator } from '../../sim';
import { apiOnly, closeSimClients, inputOf, scenarioAuth, simClient } from '../triage/support/simulated';

const ROOT = join(__dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'runbooks.md'), 'utf8');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `fail('step', 'cause', …` and `unknown('step', …, 'cause')` written with a literal cause. */
function literalCauses(): string[] {
  const out = new Set<string>();
  for (const f of files(join(ROOT, 'src', 'triage'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bfail\(\s*'[a-z_]+',\s*'([a-z0-9_]+)'/g)) out.add(m[1]!);
    for (const line of text.split('\n')) {
      const m = /\bunknown\(\s*'[a-z_]+',.*,\s*'([a-z0-9_]+)'\)[;,]?\s*$/.exec(line);
      if (m) out.add(m[1]!);
    }
  }
  return [...out].sort();
}

describe('docs/runbooks.md', () => {
  it('has exactly the sections the code links to, in its order', () => {
    expect([...doc.matchAll(/^### ([a-z0-9_]+)$/gm)].map((m) => m[1])).toEqual([...RUNBOOK_CAUSES]);
    expect(doc).toMatch(/^## Other causes$/m);
  });

  it('says for every cause what it means', () => {
    const sections = doc.split(/^### /m).slice(1);
    for (const s of sections) expect({ section: s.split('\n')[0], means: /\*\*Means:\*\*/.test(s) }).toEqual({ section: s.split('\n')[0], means: true });
  });

  it('has a section for every literal cause a judge writes', () => {
    const causes = literalCauses();
    expect(causes.length).toBeGreaterThan(15);
    expect(causes.filter((c) => runbookAnchor(c) !== c)).toEqual([]);
  });

  it('has a section for every cause family Caracal names', () => {
    const family = [
      ...STS_DENIAL_REASONS,
      ...AUDIT_READINESS_REASONS,
      ...REVOCATION_READINESS_REASONS,
      ...SERVICES.filter((s) => s !== 'api').map((s) => `${s}_unreachable`),
      'api_unreachable',
      'api_timeout',
      'api_unreadable',
      'resource_not_granted',
      'role_scope_mismatch',
      'no_rule_matched',
    ];
    expect(family.filter((c) => runbookAnchor(c) !== c)).toEqual([]);
    expect(runbookAnchor('gateway_denied_bad_bearer')).toBe('gateway_denied');
  });

  it('links an unknown cause to the other-causes section, and with TRIAGE_RUNBOOK_URL to the served page', () => {
    expect(runbookRef('something_new', null)).toEqual({ anchor: OTHER_CAUSES_ANCHOR, url: null, pointer: 'docs/runbooks.md#other-causes' });
    expect(runbookRef('scope_mismatch', 'https://git.example.com/x/docs/runbooks.md').url).toBe('https://git.example.com/x/docs/runbooks.md#scope_mismatch');
  });
});

describe('every cause the simulator scenarios produce', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('has its own section (or its family\'s)', async () => {
    const seen = new Set<string>();
    for (const scenario of SCENARIOS) {
      for (const variant of ['as given', 'API only', 'readiness first'] as const) {
        sim.setScenario(scenario);
        const auth = variant === 'API only' ? apiOnly(sim, scenario) : scenarioAuth(sim, scenario);
        const input = variant === 'readiness first' ? inputOf(scenario, { requestId: null, error: null }) : inputOf(scenario);
        const report = await createTriageSession(simClient(sim, auth), input).run();
        for (const s of report.steps) if (s.cause) seen.add(s.cause);
        if (report.diagnosis) seen.add(report.diagnosis.cause);
        await closeSimClients();
      }
    }
    expect(seen.size).toBeGreaterThan(30);
    expect([...seen].filter((c) => runbookAnchor(c) === OTHER_CAUSES_ANCHOR).sort()).toEqual([]);
  }, 120_000);
});
