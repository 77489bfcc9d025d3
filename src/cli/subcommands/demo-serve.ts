/**
 * `caracal-triage demo --serve [--scenario NAME]`: the Caracal simulator on loopback until
 * SIGINT/SIGTERM, so `triage`, `serve` or `start` can be tried against it (in a terminal, or in
 * Slack or Teams) without a Caracal install. stdout is a valid `.env` file: `CARACAL_…=value`
 * lines pointing at the simulator, and `#` comments naming the request IDs the scenario knows
 * and commands to try. `--write-env FILE` writes the same settings to FILE instead and refuses
 * to overwrite one that exists (a shell's `> .env` empties an existing .env before the program
 * even runs). The settings start with a line naming this demo's pid, so a `triage` that cannot
 * reach Caracal later can say the file came from a demo that has stopped.
 */
import { writeFileSync } from 'node:fs';
import { DEMO_MARK_PREFIX } from '../../config/env-file';
import { SCENARIOS, getScenario, simulatorEnv, startSimulator, type Scenario, type Simulator } from '../../../sim';
import { UsageError } from '../exit-codes';
import type { CommandIo } from './triage';

export const DEFAULT_SERVE_SCENARIO = 'grant_missing';

/** The environment a bot set up as the scenario says (its admin token, its zones) would use. */
export function scenarioEnv(sim: Simulator, s: Scenario): Record<string, string> {
  const zones = (s.input.configuredZones ?? []).map((i) => s.zones[i]!.zone.id);
  return simulatorEnv(sim, {
    CARACAL_ADMIN_TOKEN: sim.tokens[s.input.adminToken ?? 'globalRead'],
    ...(zones.length ? { CARACAL_ZONE_IDS: zones.join(',') } : {}),
  });
}

/** Request IDs the scenario's audit trail holds, the one its triage is about first. */
export function knownRequestIds(s: Scenario): string[] {
  const ids = s.zones.flatMap((z) => z.audit.map((row) => row.request_id)).filter((id): id is string => !!id);
  return [...new Set([s.input.requestId, ...ids])];
}

function tryLine(s: Scenario, id: string): string {
  const flags = id === s.input.requestId ? `${s.input.symptom ? ` --symptom ${s.input.symptom}` : ''}${s.input.error ? ` --error '${s.input.error}'` : ''}` : '';
  return `caracal-triage triage ${id}${flags}`;
}

export async function serveDemo(name: string | undefined, io: CommandIo, signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'], writeEnv?: string): Promise<number> {
  let scenario: Scenario;
  try {
    scenario = getScenario(name ?? DEFAULT_SERVE_SCENARIO);
  } catch {
    throw new UsageError(`--scenario ${JSON.stringify(name)}: expected one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  const sim = await startSimulator({ scenario });
  const ids = knownRequestIds(scenario);
  const settings = [
    `${DEMO_MARK_PREFIX}${process.pid}: stale once that process has stopped`,
    `# Caracal simulator on loopback, scenario ${scenario.name}: ${scenario.description}`,
    ...Object.entries(scenarioEnv(sim, scenario)).map(([k, v]) => `${k}=${v}`),
  ];
  if (writeEnv !== undefined) {
    try {
      // 'wx': never overwrite a settings file someone already has.
      writeFileSync(writeEnv, settings.join('\n') + '\n', { flag: 'wx', mode: 0o600 });
    } catch (e) {
      await sim.close();
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(
        code === 'EEXIST' ? `--write-env: ${writeEnv} exists; not overwriting it (remove it or name another file)` : `--write-env: cannot write ${writeEnv} (${code ?? 'error'})`,
      );
    }
  }
  const lines = [
    ...(writeEnv !== undefined
      ? [`# Wrote these settings to ${writeEnv}; use them with: caracal-triage --env-file ${writeEnv} triage …`]
      : ['# Point caracal-triage at it with these settings (this output is a valid .env file):']),
    ...settings,
    `# Request IDs this scenario knows: ${ids.join(' ')}`,
    `# Try: ${tryLine(scenario, ids[0]!)}`,
    `#  or, with the bot running (caracal-triage start): /caracal triage ${ids[0]}${scenario.input.symptom ? ` --symptom ${scenario.input.symptom}` : ''}`,
    `# Other scenarios: caracal-triage demo --serve --scenario <${SCENARIOS.map((s) => s.name).join('|')}>`,
    '# Stop with Ctrl-C (SIGINT) or SIGTERM.',
  ];
  io.stdout.write(lines.join('\n') + '\n');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      for (const s of signals) process.off(s, stop);
      resolve();
    };
    for (const s of signals) process.once(s, stop);
  });
  await sim.close();
  return 0;
}
