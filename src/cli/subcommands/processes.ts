/**
 * `caracal-triage serve` (web), `worker`, and `start` (both in one process): the configuration
 * is read and checked in full first (every problem at once, exit 2, before anything listens or
 * connects), then the processes run until SIGTERM/SIGINT.
 */
import { NEEDS, loadAppConfig } from '../../app/config';
import { runProcesses } from '../../app/processes';
import type { CommandIo } from './triage';

const forever = (): Promise<number> => new Promise<number>(() => undefined);

export async function runProcessCommand(io: CommandIo, what: { web: boolean; worker: boolean }): Promise<number> {
  const config = loadAppConfig(io.env, what.worker ? NEEDS.worker : NEEDS.serve);
  await runProcesses(config, what);
  return forever();
}
