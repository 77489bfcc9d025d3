/**
 * The deny watcher (WATCH_ENABLED) inside a worker: exactly one leader across every worker
 * process polls at a time. Each process ticks every half interval: the leader renews its lease
 * (it lasts 1.5 intervals), the others try to take it, so a leader that dies is replaced
 * within two intervals. The leader polls every interval (src/watch/poll.ts) and hands the
 * notices to the incident desk (src/watch/notify.ts); a poll never overlaps the next.
 *
 * Cursor, seen IDs and patterns are in Redis, so a restarted or newly elected leader goes on
 * where the last one committed: rows read again within the overlap are recognised by their
 * event ID, and a notice the last leader did not get confirmed is sent again (the desk knows
 * one it already applied). Rows Caracal ingests more than WATCH_OVERLAP_S after they occurred
 * are missed (its audit list filters by occurred_at only); the late-rows metric counts those
 * that arrive late but within it.
 */
import { randomBytes } from 'node:crypto';
import type { PatternState } from '../incidents/watch/episode';
import type { NotifyDeps } from './notify';
import { sendNotices } from './notify';
import { pollOnce, type PollDeps, type PollResult, type ZoneCache } from './poll';

export type DenyWatcherOptions = PollDeps &
  Omit<NotifyDeps, 'defaults' | 'quietMs' | 'store' | 'rules' | 'metrics' | 'logger'> & {
    /** Shown in the lease and logs (default `<pid>-<random>`). */
    name?: string;
    now?: () => number;
  };

export interface WatchPoll extends PollResult {
  notices: { sent: number; failed: number };
}

export interface DenyWatcher {
  /** Starts ticking (idempotent). */
  start(): void;
  /** Stops ticking, waits for a poll in flight, gives the lease up. */
  stop(): Promise<void>;
  readonly leader: boolean;
  /** One tick now: take or renew the lease, and poll when leader (tests and the bench). */
  tick(force?: boolean): Promise<WatchPoll | null>;
  /** Resolves with each poll this process completes. */
  onPoll(listener: (p: WatchPoll) => void): void;
}

export function createDenyWatcher(o: DenyWatcherOptions): DenyWatcher {
  const now = o.now ?? Date.now;
  const token = `${o.name ?? process.pid}-${randomBytes(6).toString('hex')}`;
  const log = o.logger.child({ component: 'watch' });
  const intervalMs = o.settings.intervalMs;
  const leaseMs = Math.round(intervalMs * 1.5);
  const zones: { cache: ZoneCache | null } = { cache: null };
  const notify: NotifyDeps = { ...o, defaults: o.settings.thresholds, quietMs: o.settings.quietMs, logger: log };
  const listeners: Array<(p: WatchPoll) => void> = [];
  let leader = false;
  let lastPoll = -Infinity;
  let inFlight: Promise<WatchPoll | null> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function lease(): Promise<boolean> {
    let r: 'acquired' | 'renewed' | 'held';
    try {
      r = await o.store.lease(token, leaseMs);
    } catch (e) {
      log.warn({ err: e instanceof Error ? e.message : String(e) }, 'the deny watcher could not reach Redis for its lease');
      leader = false;
      return false;
    }
    const was = leader;
    leader = r !== 'held';
    if (leader && !was) {
      o.metrics.leaderChanges.inc();
      // A new leader has no zone list of its own yet, and must not trust a stale one.
      zones.cache = null;
      log.info({ token }, 'this worker is now the deny watcher');
    } else if (!leader && was) log.warn({ token }, 'this worker lost the deny watcher lease');
    return leader;
  }

  async function poll(): Promise<WatchPoll | null> {
    const at = now();
    lastPoll = at;
    const p = await pollOnce({ ...o, logger: log }, token, at, zones);
    if (!p.committed) {
      if (p.zones > 0) log.warn('the deny watcher lost its lease during a poll; nothing of it was written');
      leader = false;
      return null;
    }
    o.metrics.polls.inc();
    const states: Map<string, PatternState> = p.states;
    const n = await sendNotices(notify, token, p.pending, states, at);
    if (n.lostLease) leader = false;
    const result: WatchPoll = { ...p, notices: { sent: n.sent, failed: n.failed } };
    for (const l of listeners) l(result);
    return result;
  }

  async function tick(force = false): Promise<WatchPoll | null> {
    if (stopped || !(await lease())) return null;
    if (stopped) {
      await o.store.releaseLease(token).catch(() => undefined);
      leader = false;
      return null;
    }
    if (inFlight) return inFlight;
    if (!force && now() - lastPoll < intervalMs) return null;
    inFlight = poll()
      .catch((e: unknown) => {
        log.error({ err: e instanceof Error ? e.message : String(e) }, 'a deny watcher poll failed; the next one reads the same range');
        return null;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  // Every half interval (the lease), and the leader's next poll when it is due sooner: a poll
  // that took a while must not push the next one back by a further half interval.
  const schedule = (): void => {
    if (stopped) return;
    const dueIn = leader ? lastPoll + intervalMs - now() : Infinity;
    timer = setTimeout(() => {
      void tick().finally(schedule);
    }, Math.max(50, Math.round(Math.min(intervalMs / 2, dueIn))));
  };

  return {
    start() {
      if (timer || stopped) return;
      void tick().finally(schedule);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight?.catch(() => undefined);
      if (leader) await o.store.releaseLease(token).catch(() => undefined);
      leader = false;
    },
    get leader() {
      return leader;
    },
    tick,
    onPoll(listener) {
      listeners.push(listener);
    },
  };
}
