/**
 * How many dependent rounds of Caracal calls the bundle and the whole triage need. With every
 * service answering in the same time, wall time is rounds × latency, so this is what a user
 * waits for. Measured deterministically: every call made while round N is in flight is held
 * until all of round N has answered, then released together; the count of rounds is the depth
 * of the longest chain of calls that waited for one another.
 */
import type { CaracalClient } from '../../../src/caracal/client-api';
import { createTriageSession } from '../../../src/triage/session';
import { startSimulator, type Simulator } from '../../../sim';
import { closeSimClients, simClient } from '../support/simulated';

/** Wraps a client so that calls resolve in lock-step rounds. */
class Rounds {
  private pending: Array<{ settled: Promise<void>; release: () => void }> = [];

  wrap(client: CaracalClient): CaracalClient {
    return new Proxy(client, {
      get: (target, key, receiver) => {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          let release!: () => void;
          const gate = new Promise<void>((r) => (release = r));
          this.pending.push({ settled: result.then(() => undefined, () => undefined), release });
          return gate.then(() => result);
        };
      },
    });
  }

  /** Runs rounds until `work` settles; returns how many rounds it took. */
  async drive(work: Promise<unknown>): Promise<number> {
    let finished = false;
    void work.finally(() => (finished = true)).catch(() => undefined);
    let rounds = 0;
    for (let idle = 0; !finished && idle < 50; ) {
      // Let released results run their continuations (and start the next calls).
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      const batch = this.pending.splice(0);
      if (batch.length === 0) {
        idle++;
        continue;
      }
      idle = 0;
      await Promise.all(batch.map((b) => b.settled));
      rounds++;
      for (const b of batch) b.release();
    }
    await work;
    return rounds;
  }
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ scenario: 'scope_mismatch' });
});
afterAll(async () => {
  await sim.close();
});
afterEach(closeSimClients);

async function depth(requestId: string | null, what: 'bundle' | 'run'): Promise<number> {
  const rounds = new Rounds();
  const session = createTriageSession(rounds.wrap(simClient(sim)), { requestId, zoneId: null, symptom: null, error: null });
  return rounds.drive(what === 'bundle' ? session.collectBundle() : session.run());
}

describe('dependent rounds of calls', () => {
  it('the bundle for a request ID: zones, then explain with the zone reads, then everything about the request at once', async () => {
    expect(await depth('req-scope-1', 'bundle')).toBe(3);
  });

  it('the bundle without a request ID: zones, then the per-zone Doctor reads', async () => {
    expect(await depth(null, 'bundle')).toBe(2);
  });

  it('the whole triage takes no more rounds than its bundle', async () => {
    expect(await depth('req-scope-1', 'run')).toBe(3);
  });

  it('an ID the by-request path cannot carry goes straight to the audit list, no extra round', async () => {
    sim.setScenario(JSON.parse(JSON.stringify(sim.scenario).replaceAll('req-scope-1', 'gw/scope-1')));
    sim.clearRequests();
    try {
      expect(await depth('gw/scope-1', 'bundle')).toBe(3);
      expect(sim.requests.some((r) => r.path.includes('/explain'))).toBe(false);
    } finally {
      sim.setScenario('scope_mismatch');
    }
  });
});
