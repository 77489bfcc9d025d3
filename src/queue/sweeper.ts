/**
 * Moves triages with no activity for `staleAfterMs` (TRIAGE_ABANDON_AFTER, default 24 h) to
 * `abandoned` through the machine's `expire` event, which records for how long no one acted, so
 * their cards say so and why, and they stop holding the active set. Activity is the record's
 * `activeAt` (a reminder or a delivery report is not activity). Runs as
 * a BullMQ job scheduler on the collect queue (scheduleSweeps): one sweep per interval across
 * all workers. The worker's sweep job also posts reminders (src/followup/reminders.ts) and wakes
 * idle posting pumps (src/posting/thread-pump.ts wakeBusyPumps); those halves are composed beside
 * this one in src/app/worker.ts.
 */
import type { Logger } from 'pino';
import type { RedisWatch } from '../store/redis-watch';
import type { TriageStore } from '../store/triage-store';
import { idleSince } from '../triage/record';
import { carryOutEffects, type EffectContext } from './effects';
import { COLLECT_JOBS } from './jobs';
import type { TriageMetrics } from './metrics';
import type { TriageQueues } from './queues';

export interface SweepDeps extends EffectContext {
  store: TriageStore;
  metrics: TriageMetrics;
  logger: Logger;
  staleAfterMs: number;
  now?: () => number;
}

export async function sweepStale(deps: SweepDeps, batch = 100): Promise<{ abandoned: string[] }> {
  const now = deps.now ?? Date.now;
  const cutoff = now() - deps.staleAfterMs;
  const abandoned: string[] = [];
  for (;;) {
    const ids = await deps.store.findStale(cutoff, batch);
    let progressed = false;
    for (const id of ids) {
      // Only if still idle when the write lands (the CAS re-checks the version this guard saw).
      const r = await deps.store.apply(id, { type: 'expire', afterMs: deps.staleAfterMs }, { guard: (rec) => Date.parse(idleSince(rec)) <= cutoff });
      if (r.ok) {
        progressed = true;
        abandoned.push(id);
        deps.metrics.swept.inc();
        await carryOutEffects(deps, r, 'sweeper');
      } else if (r.reason === 'not_found' || r.reason === 'finished') {
        progressed = true;
        await deps.store.redis.zrem(deps.store.keys.active(), id);
      }
    }
    if (ids.length < batch || !progressed) break;
  }
  if (abandoned.length) deps.logger.info({ count: abandoned.length }, 'abandoned idle triages');
  return { abandoned };
}

export const SWEEP_SCHEDULER = 'sweep-idle-triages';

/**
 * Puts the sweep on the collect queue every `everyMs` (one schedule for all workers: BullMQ
 * job schedulers are keyed by name). A Redis that restarts without persistence comes back
 * empty: the schedule is gone with everything else. Its absence is how the loss shows; say so
 * once and put the schedule back, or idle triages would never be abandoned again.
 */
export function scheduleSweeps(queues: TriageQueues, everyMs: number, watch: RedisWatch, logger: Logger): void {
  const schedule = (): Promise<unknown> =>
    queues.collect.upsertJobScheduler(SWEEP_SCHEDULER, { every: everyMs }, { name: COLLECT_JOBS.sweep, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } });
  void schedule().catch((e: Error) => logger.error({ err: e.message }, 'could not schedule the idle-triage sweeper'));
  watch.onBack(() => {
    void (async () => {
      if (await queues.collect.getJobScheduler(SWEEP_SCHEDULER)) return;
      logger.warn({}, 'Redis came back without its data (restarted without persistence?): triages, threads and jobs from before the outage are gone; rescheduled the idle-triage sweeper');
      await schedule();
    })().catch((e: Error) => logger.error({ err: e.message }, 'could not reschedule the idle-triage sweeper after Redis came back'));
  });
}
