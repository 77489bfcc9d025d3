/**
 * Every sentence true, on every simulator scenario: the engine runs each scenario as given, with
 * only the Admin API configured, and readiness-first (no request ID), and every step it returns
 * is held to the rules below. The rules read only a step's verdict, summary and evidence and the
 * report's trace, so a new step or a new scenario is checked without touching this file.
 *
 * - A summary never states a fact its evidence contradicts: "expired" with no expiry, a compile
 *   error with zero errors, "STS denied" when STS denied nothing, an empty value ("null", "``",
 *   "minted  but").
 * - A `pass` never carries an alarming sentence its evidence does not show.
 * - When nothing failed and more steps are `unknown` than checked, the headline (terminal,
 *   `--json`, both chat cards) says what could not be checked and what to give, with no check mark.
 */
import { buildStatusCard as slackCard } from '../../adapters/slack/render';
import { buildStatusCard as teamsCard } from '../../adapters/teams/render';
import { renderReport } from '../../src/cli/render-report';
import type { Styler } from '../../src/cli/style';
import type { TriageReport } from '../../src/triage/model';
import type { TriageRecord } from '../../src/triage/record';
import { createTriageSession } from '../../src/triage/session';
import { SCENARIOS, startSimulator, type Scenario, type Simulator } from '../../sim';
import { triageRecord } from '../support/triage-records';
import { apiOnly, closeSimClients, inputOf, scenarioAuth, simClient } from './support/simulated';

type Step = TriageReport['steps'][number];

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  await closeSimClients();
});

const VARIANTS = ['as given', 'API only', 'readiness first'] as const;
type Variant = (typeof VARIANTS)[number];

async function run(scenario: Scenario, variant: Variant): Promise<TriageReport> {
  sim.setScenario(scenario);
  const auth = variant === 'API only' ? apiOnly(sim, scenario) : scenarioAuth(sim, scenario);
  const input = variant === 'readiness first' ? inputOf(scenario, { requestId: null, error: null }) : inputOf(scenario);
  return createTriageSession(simClient(sim, auth), input).run();
}

// ---- what the report's evidence shows -------------------------------------------------------

interface TraceEvidence {
  finalDecision?: string;
  events?: Array<{ eventType?: string; decision?: string | null; gatewayStatus?: number | null }>;
}
const traceOf = (r: TriageReport): TraceEvidence | null => (r.steps.find((s) => s.id === 'request_trace')?.evidence.trace as TraceEvidence | undefined) ?? null;
const stsDenied = (r: TriageReport): boolean => !!traceOf(r)?.events?.some((e) => e.eventType === 'token_exchange' && e.decision === 'deny');
const somethingRefused = (r: TriageReport): boolean => !!traceOf(r)?.events?.some((e) => e.decision === 'deny' || (e.gatewayStatus ?? 0) >= 400) || r.symptom !== null;
const notReadyServices = (r: TriageReport): boolean =>
  ((r.steps.find((s) => s.id === 'readiness')?.evidence.services as Array<{ state?: string }> | undefined) ?? []).some((s) => s.state === 'not_ready');

/** Any `expires_at`/`archivedAt`/… with a value, at any depth of the step's evidence. */
function holdsValue(evidence: unknown, keys: readonly string[]): boolean {
  if (Array.isArray(evidence)) return evidence.some((e) => holdsValue(e, keys));
  if (evidence === null || typeof evidence !== 'object') return false;
  return Object.entries(evidence).some(([k, v]) => (keys.includes(k) && v !== null && v !== undefined && v !== '') || holdsValue(v, keys));
}

/** Any string in the step's evidence that says `word` (e.g. an evaluation status `approval_expired`). */
function saysInEvidence(evidence: unknown, word: RegExp): boolean {
  if (typeof evidence === 'string') return word.test(evidence);
  if (Array.isArray(evidence)) return evidence.some((e) => saysInEvidence(e, word));
  return evidence !== null && typeof evidence === 'object' && Object.values(evidence).some((v) => saysInEvidence(v, word));
}

/** The summary's own words: without quoted values (code spans) and the request ID, which may say anything. */
const ownWords = (s: Step, r: TriageReport): string => (r.requestId ? s.summary.split(r.requestId).join('<id>') : s.summary).replace(/`[^`]*`/g, '<code>');

// ---- the rules --------------------------------------------------------------------------------

interface Rule {
  name: string;
  /** A message when the step breaks the rule, else null. */
  broken(step: Step, report: TriageReport): string | null;
}

const RULES: Rule[] = [
  {
    name: 'no empty value reads as a fact',
    broken: (s) => (/\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]|``|\S {2,}\S/.test(s.summary) ? 'the summary prints an empty or missing value' : null),
  },
  {
    name: '"expired" needs an expiry',
    broken: (s, r) =>
      /\bexpired\b/i.test(ownWords(s, r)) && !holdsValue(s.evidence, ['expires_at', 'overviewExpired']) && !saysInEvidence(s.evidence, /expired/) ? 'says expired, but its evidence holds no expiry' : null,
  },
  {
    name: 'compile errors only as the metrics show them',
    broken: (s) =>
      s.evidence.stsCompileErrors === 0 && /Check STS opa\.compile_errors|does not compile|check opa\.compile_errors/i.test(s.summary) ? 'points at compile errors while STS reports opa.compile_errors=0' : null,
  },
  {
    name: '"STS denied" only when STS denied',
    broken: (s, r) => (/\bSTS denied\b|\bdenied by STS\b/.test(s.summary) && traceOf(r) !== null && !stsDenied(r) ? 'says STS denied, but the trace has no STS denial' : null),
  },
  {
    name: '"STS minted" names what it minted',
    broken: (s) => (/STS minted (but|,|\.|;)/.test(s.summary) ? 'says STS minted nothing in particular' : null),
  },
  {
    name: 'a pass carries no alarm its evidence does not show',
    broken(s, r) {
      if (s.verdict !== 'pass') return null;
      const alarms: Array<[RegExp, () => boolean]> = [
        [/\bexpired\b|will be refused/i, () => holdsValue(s.evidence, ['expires_at', 'archivedResource'])],
        [/\barchived\b/i, () => holdsValue(s.evidence, ['archivedResource', 'archived_at'])],
        [/\bnot ready\b|\bunreachable\b/i, () => notReadyServices(r)],
        [/does not compile|compile errors=[1-9]/i, () => typeof s.evidence.stsCompileErrors === 'number' && s.evidence.stsCompileErrors > 0],
        [/\brefused\b|\brejecting\b/i, () => somethingRefused(r)],
      ];
      const unshown = alarms.filter(([words, shown]) => words.test(ownWords(s, r)) && !shown()).map(([w]) => String(w));
      return unshown.length > 0 ? `a pass says ${unshown.join(', ')} without evidence for it` : null;
    },
  },
];

// ---- the headline, in every renderer ------------------------------------------------------------

const plain: Styler = Object.assign((_f: unknown, text: string) => text, { enabled: false }) as Styler;

function recordOf(report: TriageReport, scenario: Scenario, variant: Variant): TriageRecord {
  return triageRecord({
    state: 'routed',
    input: { requestId: report.requestId, zoneId: null, symptom: variant === 'readiness first' ? (scenario.input.symptom ?? null) : null, error: null },
    zoneId: report.zoneId,
    steps: report.steps.map((s) => ({ ...s })),
    symptom: report.symptom,
    // A readiness-first triage asks for the symptom before it concludes; give it one so the card concludes.
    ...(report.requestId === null && report.symptom === null ? { symptom: 'token_exchange_denied' as const } : {}),
    surface: report.surface,
    diagnosis: report.diagnosis,
  });
}

const slackSummary = (r: TriageRecord): string => JSON.stringify(slackCard(r, { signingKey: 'k'.repeat(32) }).blocks.find((b) => 'block_id' in b && b.block_id === 'triage:summary'));
const teamsSummary = (r: TriageRecord): string => JSON.stringify(teamsCard(r, { signingKey: 'k'.repeat(32) }).body[1]);

const cases = SCENARIOS.flatMap((s) => VARIANTS.map((v) => [`${s.name} (${v})`, s, v] as const));

describe.each(cases)('%s', (_name, scenario, variant) => {
  let report: TriageReport;
  beforeAll(async () => {
    report = await run(scenario, variant);
  });

  it('every step keeps every rule', () => {
    const broken = report.steps.flatMap((s) => RULES.map((rule) => [rule, rule.broken(s, report)] as const).filter(([, m]) => m !== null).map(([rule, m]) => `${s.id} (${s.verdict}) breaks "${rule.name}": ${m}\n    ${s.summary}`));
    expect(broken).toEqual([]);
  });

  it('the headline claims no more than the steps checked', () => {
    const unknown = report.steps.filter((s) => s.verdict === 'unknown').length;
    const checked = report.steps.filter((s) => s.verdict === 'pass' || s.verdict === 'fail').length;
    const terminal = renderReport(report, plain).split('\n')[0]!;
    const record = recordOf(report, scenario, variant);
    if (report.diagnosis) {
      expect(report.headline.state).toBe('failing');
      expect(terminal).toMatch(/^✖ Failing surface/);
      return;
    }
    if (unknown > checked) {
      expect(report.headline.state).toBe('undetermined');
      if (report.requestId === null) expect(report.headline.text).toMatch(/request ID/);
      if (report.zoneId === null) expect(report.headline.text).toMatch(/zone/);
      expect(terminal).not.toMatch(/✔/);
      expect(terminal).toMatch(/Not determined/);
      expect(slackSummary(record)).not.toMatch(/white_check_mark/);
      expect(slackSummary(record)).toMatch(/Not determined/);
      expect(teamsSummary(record)).not.toMatch(/✅/);
      expect(teamsSummary(record)).toMatch(/Not determined/);
    } else {
      expect(report.headline.state).toBe('clear');
      expect(terminal).toMatch(/^✔ No failing step found/);
    }
  });
});
