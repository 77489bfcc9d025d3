/** Shared set-up for the client tests: a simulator and a client pointed at it. */
import type { CaracalConfig } from '../../src/caracal/config';
import { createCaracalClient, type CaracalClientHandle, type CaracalClientOptions } from '../../src/caracal/client';
import { simulatorConfig, type Simulator } from '../../sim';

export function configFor(sim: Simulator, over: Partial<CaracalConfig> = {}): CaracalConfig {
  return simulatorConfig(sim, over);
}

const open: CaracalClientHandle[] = [];

/** A client for `sim`; closed by `closeClients()` in afterEach/afterAll. */
export function clientFor(sim: Simulator, over: Partial<CaracalConfig> = {}, opts?: CaracalClientOptions): CaracalClientHandle {
  const c = createCaracalClient(configFor(sim, over), opts);
  open.push(c);
  return c;
}

export async function closeClients(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close()));
}

/** The rejection of `p` (fails the test when `p` resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
