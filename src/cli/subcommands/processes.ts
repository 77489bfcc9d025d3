/**
 * `caracal-triage serve` (web), `worker`, and `start` (both in one process): the configuration
 * is read and checked in full first (every problem at once, exit 2, before anything listens or
 * connects), then the processes run until SIGTERM/SIGINT.
 */
import { loadWebConfig, loadWorkerConfig } from '../../app/config';
import { runProcesses } from '../../app/processes';
import type { CommandIo } from './triage';

const forever = (): Promise<number> => new Promise<number>(() => undefined);

export async function runProcessCommand(io: CommandIo, what: { web: boolean; worker: boolean }): Promise<number> {
  if (what.worker) await runProcesses(loadWorkerConfig(io.env), what);
  else await runProcesses(loadWebConfig(io.env), { ...what, worker: false });
  return forever();
}
