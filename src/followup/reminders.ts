/**
 * Reminders: a triage that waits on a person (routed, walking or escalated) and has seen no
 * activity for TRIAGE_REMIND_AFTER gets one reminder in its thread, naming the step that waits.
 * One per idle period: the machine's `remind` records which idle period it covered, and any
 * click (activity) starts a new one; the reminder itself is not activity, so it neither resets
 * the clock nor postpones abandonment (src/queue/sweeper.ts). Run by the worker's sweep job,
 * before the abandon sweep; the post goes through the posting room like every reply.
 */
import type { Logger } from 'pino';
import { carryOutEffects, type EffectContext } from '../queue/effects';
import type { TriageStore } from '../store/triage-store';
import { WAITING_STATES } from '../triage/escalation';
import { idleSince } from '../triage/record';

export interface ReminderDeps extends EffectContext {
  store: TriageStore;
  logger: Logger;
  remindAfterMs: number;
  /** Triages idle this long are about to be abandoned (the sweep that follows): no reminder first. */
  abandonAfterMs?: number;
  now?: () => number;
}

export async function remindIdle(deps: ReminderDeps, batch = 100): Promise<{ reminded: string[] }> {
  const now = deps.now ?? Date.now;
  const cutoff = now() - deps.remindAfterMs;
  // A worker that was down past the abandon time does not remind and abandon in one breath.
  const abandonAt = deps.abandonAfterMs === undefined ? -Infinity : now() - deps.abandonAfterMs;
  const reminded: string[] = [];
  // Triages idle past the cutoff, longest idle first; those already reminded stay in the set
  // (a reminder is not activity), so the scan pages past them.
  for (let offset = 0; ; offset += batch) {
    const ids = await deps.store.findStale(cutoff, batch, offset);
    for (const id of ids) {
      const r = await deps.store.apply(
        id,
        { type: 'remind', afterMs: deps.remindAfterMs },
        { guard: (rec) => WAITING_STATES.includes(rec.state) && Date.parse(idleSince(rec)) <= cutoff && Date.parse(idleSince(rec)) > abandonAt && rec.remindedFor !== idleSince(rec) },
      );
      if (r.ok && !r.duplicate) {
        reminded.push(id);
        await carryOutEffects(deps, r, 'sweeper');
      }
    }
    if (ids.length < batch) break;
  }
  if (reminded.length) deps.logger.info({ count: reminded.length }, 'reminded idle triages');
  return { reminded };
}
