/**
 * Moves triages with no activity for `staleAfterMs` (default 24 h) to `abandoned` through the
 * machine's `expire` event, so their cards say so and they stop holding the active set; and
 * wakes the pump of every conversation that still has replies to post (a pump that failed for
 * good leaves its outbox to the next one). Runs as a BullMQ job scheduler on the collect
 * queue: one sweep per interval across all workers.
 */
import type { Logger } from 'pino';
import type { PostStore } from '../posting/post-store';
import type { TriageStore } from '../store/triage-store';
import { carryOutEffects, enqueuePump, type EffectContext } from './effects';
import type { TriageMetrics } from './metrics';

export interface SweepDeps extends EffectContext {
  store: TriageStore;
  /** When given, idle pumps of conversations with work are woken. */
  posts?: PostStore;
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
      const r = await deps.store.apply(id, { type: 'expire' }, { guard: (rec) => Date.parse(rec.updatedAt) <= cutoff });
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
  if (deps.posts) for (const c of await deps.posts.busyConversations()) await enqueuePump(deps, c.platform, c.conversation);
  return { abandoned };
}
