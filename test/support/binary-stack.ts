/**
 * The services the terminal binary tests run against, started once per file: the Caracal
 * simulator (faults and recorded requests cleared after each test) and a server that accepts
 * connections and never answers. `simEnv` is the simulator's environment with a short timeout.
 */
import { simulatorEnv, startSimulator, type Simulator } from '../../sim';
import { assertFreshBuild, removeWorkDirs, silentServer, type SilentServer } from './binary';

export interface BinaryStack {
  readonly sim: Simulator;
  readonly silent: SilentServer;
  simEnv(over?: Record<string, string>): Record<string, string>;
}

export function useBinaryStack(): BinaryStack {
  let sim: Simulator | undefined;
  let silent: SilentServer | undefined;
  beforeAll(async () => {
    assertFreshBuild();
    [sim, silent] = await Promise.all([startSimulator(), silentServer()]);
  });
  afterAll(async () => {
    await Promise.all([sim?.close(), silent?.close()]);
    removeWorkDirs();
  });
  afterEach(() => {
    sim?.clearFaults();
    sim?.clearRequests();
  });
  const started = <T>(v: T | undefined, what: string): T => {
    if (!v) throw new Error(`${what} is not started (use it inside a test)`);
    return v;
  };
  return {
    get sim() {
      return started(sim, 'the simulator');
    },
    get silent() {
      return started(silent, 'the silent server');
    },
    simEnv: (over = {}) => simulatorEnv(started(sim, 'the simulator'), { CARACAL_TIMEOUT_MS: '2000', ...over }),
  };
}
