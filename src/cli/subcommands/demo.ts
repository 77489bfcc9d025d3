/**
 * `caracal-triage demo`: starts the Caracal simulator the tests use (five real HTTP servers
 * on loopback), triages every scenario with the real client and engine, and prints what the
 * bot concluded next to what the scenario is known to be. `--scenario NAME` prints one in full.
 */
import { buildTriageInput, type CommandIo } from './triage';
import { createTriageEngine } from '../../triage/engine';
import { SCENARIOS, getScenario, simulatorConfig, startSimulator, type Scenario, type Simulator } from '../../../sim';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK, UsageError } from '../exit-codes';
import { renderReport } from '../render-report';
import { createStyler } from '../style';
import type { TriageReport } from '../../triage/model';

async function triageScenario(sim: Simulator, scenario: Scenario): Promise<TriageReport> {
  sim.setScenario(scenario);
  const config = simulatorConfig(sim);
  const engine = createTriageEngine(config, [config.adminToken, sim.metricsBearer, sim.coordinatorToken]);
  try {
    const input = buildTriageInput(scenario.input.requestId, { symptom: scenario.input.symptom, error: scenario.input.error });
    return await engine.session(input).run();
  } finally {
    await engine.close();
  }
}

/** The diagnosis, and the admin change it names: the expected one, or none at all (no scenario may blame an unrelated change). */
function matchesExpectation(report: TriageReport, scenario: Scenario): boolean {
  const d = report.diagnosis;
  const e = scenario.expect;
  if (e.surface === null) return d === null;
  const c = d?.change ?? null;
  const change = e.change ? c !== null && c.entityType === e.change.entityType && c.entityId === e.change.entityId && c.actor === e.change.actor : c === null;
  return d !== null && d.surface === e.surface && d.step === e.step && d.cause === e.cause && change;
}

export async function runDemo(opts: { scenario?: string }, io: CommandIo): Promise<number> {
  const style = createStyler(io.stdout, io.env);
  let only: Scenario | undefined;
  if (opts.scenario !== undefined) {
    try {
      only = getScenario(opts.scenario);
    } catch {
      throw new UsageError(`--scenario ${JSON.stringify(opts.scenario)}: expected one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
    }
  }
  const sim = await startSimulator();
  try {
    if (only) {
      io.stdout.write(style('gray', `Simulated Caracal at ${sim.apiUrl} · scenario ${only.name}: ${only.description}\n`));
      io.stdout.write(style('gray', `$ caracal-triage triage ${only.input.requestId}${only.input.symptom ? ` --symptom ${only.input.symptom}` : ''}${only.input.error ? ` --error '${only.input.error}'` : ''}\n\n`));
      const report = await triageScenario(sim, only);
      io.stdout.write(renderReport(report, style));
      return report.steps.some((s) => s.verdict === 'fail') ? EXIT_FINDING : EXIT_OK;
    }
    io.stdout.write(style('bold', `Caracal simulator on ${sim.apiUrl} (API) plus STS, Gateway, Audit and Coordinator on loopback.\n`));
    io.stdout.write(`Triaging ${SCENARIOS.length} scenarios with the real client and engine:\n\n`);
    let mismatches = 0;
    for (const scenario of SCENARIOS) {
      const started = Date.now();
      const report = await triageScenario(sim, scenario);
      const ms = Date.now() - started;
      const ok = matchesExpectation(report, scenario);
      if (!ok) mismatches++;
      const d = report.diagnosis;
      const verdict = d ? `${d.surface} · step ${d.step} · ${d.cause}` : 'no failing step';
      io.stdout.write(`${ok ? style('green', '✔') : style('red', '✖')} ${scenario.name.padEnd(32)} ${verdict} ${style('gray', `(${ms} ms)`)}\n`);
      io.stdout.write(style('gray', `    ${d ? d.summary : scenario.description}\n`));
      if (!ok) {
        io.stdout.write(style('red', `    expected ${scenario.expect.surface ?? 'no failure'} · ${scenario.expect.step ?? '-'} · ${scenario.expect.cause ?? '-'}\n`));
      }
    }
    io.stdout.write(`\n${SCENARIOS.length - mismatches}/${SCENARIOS.length} scenarios diagnosed as expected.`);
    io.stdout.write(style('gray', ` Run \`caracal-triage demo --scenario grant_missing\` to see one triage in full.\n`));
    return mismatches === 0 ? EXIT_OK : EXIT_CANNOT_RUN;
  } finally {
    await sim.close();
  }
}
