/**
 * A worker that holds off fetching while Redis refuses writes. BullMQ's fetch loop (6.x) tries
 * again at once after an error that is not a lost connection, and a refused write is such an
 * error: `OOM` (maxmemory reached under noeviction), `READONLY` (a replica after a failover),
 * `MISCONF` (a failed snapshot), `NOREPLICAS` (too few replicas to acknowledge a write). Every
 * fetch is then refused, so each worker spun: some 29,000 refused fetches in 7 s in
 * test/queue/write-outage.test.ts, a core kept busy and as many errors logged, while the
 * process's own timers (lock renewal, sweeps) waited for the CPU; that test's first three cases
 * took 12 s each with the spin and take 2.5 s without it.
 *
 * On such a refusal the worker pauses its fetching for `holdMs` (jobs it is running go on) and
 * then resumes; refused again, it holds again. A worker that is closing is left alone. BullMQ's
 * own `pause`/`resume` do the holding; nothing here touches its internals.
 */
import type { Worker } from 'bullmq';

/** The Redis errors that mean "writes refused", not "connection lost". */
export const WRITE_REFUSED = /^(OOM|READONLY|MISCONF|NOREPLICAS)\b/;

export interface WriteRefusalHold {
  /** Called with each worker error: true when it was a refused write (the worker is held). */
  onError(err: Error): boolean;
  /** No more holds or resumes (the worker is closing). */
  stop(): void;
}

export function holdOnWriteRefusal(worker: Worker, holdMs = 1000): WriteRefusalHold {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const closing = () => stopped || worker.closing !== undefined;
  return {
    onError(err) {
      if (!WRITE_REFUSED.test(err.message)) return false;
      if (timer || closing() || worker.isPaused()) return true;
      worker.pause(true).catch(() => undefined);
      timer = setTimeout(() => {
        timer = null;
        if (!closing()) worker.resume().catch(() => undefined);
      }, holdMs);
      return true;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
