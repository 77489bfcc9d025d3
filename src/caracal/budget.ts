/**
 * One budget for the Admin API calls of every process: never more than `perMinute` calls in
 * any 60 s (a sliding window), kept under Caracal's own limit of 600 a minute per client IP and
 * per actor, which it counts in clock-minute buckets and answers with a 429 that carries no
 * `Retry-After`. The client (client.ts) takes one unit before every Admin API call and every
 * retry of one; probes, `/metrics.json` and Coordinator stats are other services and outside it.
 *
 *   take()         waits as long as it takes for a unit: work waits for the budget, it never
 *                  fails for it
 *   tryTake()      a unit only if one is free at once (a retry inside a call's deadline)
 *   rateLimited()  Caracal said 429 anyway (another client behind the same IP, a second bot):
 *                  every holder of the budget pauses until Caracal's next clock minute
 *   stalledMs()    how long this process has spent waiting on the budget, so deadlines that
 *                  measure Caracal's slowness (time/race.ts) do not count the wait
 *   pressure       a clock of the time calls waited or the window was at least half used: the
 *                  worker's read cache (shared-cache.ts) ages its answers only outside it, since
 *                  a read saved then is a unit left for a triage's own reads
 *   forWatcher(r)  the same budget as the deny watcher takes it: `r` units a minute are kept for
 *                  the watcher alone. While a watcher draws on it (its calls renew a marker for a
 *                  few minutes), every other call fits only while fewer than `perMinute - r`
 *                  lie in the window; the watcher's fit while fewer than `perMinute` do. So the
 *                  watcher always finds its slice free however many triages wait, may use what
 *                  triages leave beyond it, and the whole stays at `perMinute` in any 60 s.
 *                  Without a watcher the slice is not kept. `r` is at most half the budget.
 *
 * Where the units are counted is a `BudgetStore`: in Redis for the bot's processes
 * (src/store/caracal-budget.ts: one window for every web process, worker and the watcher), in
 * the process for the terminal (`localBudgetStore`). Hand-written: the waiting, the pause after
 * a 429 and the stall clock are the parts a rate-limit library would not give, and the window
 * itself is a few lines.
 */
import type { StallClock } from '../time/race';

export interface CallBudget extends StallClock {
  readonly perMinute: number;
  /** Time calls waited or the window was at least half used (see above). */
  readonly pressure: StallClock;
  take(): Promise<void>;
  tryTake(): Promise<boolean>;
  rateLimited(): Promise<void>;
  /** The same budget taken by the deny watcher, with `reservePerMinute` units a minute kept for it (see above). */
  forWatcher(reservePerMinute: number): CallBudget;
}

/** Whose call it is: a triage's (or anything else's), or the deny watcher's with the slice kept for it. */
export type BudgetLane = { watcher: false } | { watcher: true; reserve: number };
const OTHERS: BudgetLane = { watcher: false };

/** The slice kept for the watcher: at most half the budget, so triages always keep the other half. */
export function watcherReserve(perMinute: number, wanted: number): number {
  return Math.max(0, Math.min(Math.floor(wanted), Math.floor(perMinute / 2)));
}

/** What the store answered: 0 (one call counted), or how long (ms) until one may fit, and why not now. */
export interface Acquired {
  waitMs: number;
  reason: BudgetWaitReason;
  /** With waitMs 0: when the unit was counted, on the store's clock (ms). */
  at?: number;
  /** Units in the window after this answer, when the store says. */
  used?: number;
}

export interface BudgetStore {
  /** Counts one call when it fits (for its lane: see forWatcher above). */
  acquire(lane?: BudgetLane): Promise<Acquired>;
  /** No unit until Caracal's next clock minute (plus a margin for clocks that differ). */
  holdToNextMinute(): Promise<void>;
}

export type BudgetWaitReason = 'budget' | 'rate_limited';

export interface CallBudgetOptions {
  perMinute: number;
  /** Once per wait that ended, how long it took (metrics: budget waits). */
  onWait?: (reason: BudgetWaitReason, ms: number) => void;
  /** Caracal answered 429 anyway. */
  onRateLimited?: () => void;
  /** The store could not be asked (Redis down): the caller waits and asks again. */
  onError?: (e: unknown) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_BUDGET_PER_MINUTE = 500;
export const BUDGET_WINDOW_MS = 60_000;
/** A waiter asks again at least this often (another holder may have freed a unit early). */
const MAX_POLL_MS = 1000;
/** After a store error, ask again after this long. */
const ERROR_RETRY_MS = 500;
/** Caracal's minute and ours may disagree by this much. */
export const MINUTE_MARGIN_MS = 1000;

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createCallBudget(store: BudgetStore, o: CallBudgetOptions, lane: BudgetLane = OTHERS): CallBudget {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? defaultSleep;
  let waiting = 0;
  let hot = false;
  /** A clock that runs while `running()` holds, advanced at each change of it. */
  const clock = (running: () => boolean) => {
    let before = 0;
    let since = 0;
    return {
      change(fn: () => void): void {
        const was = running();
        fn();
        const is = running();
        if (!was && is) since = now();
        if (was && !is) before += now() - since;
      },
      read: () => before + (running() ? now() - since : 0),
    };
  };
  const stalled = clock(() => waiting > 0);
  const pressed = clock(() => waiting > 0 || hot);
  const both = (fn: () => void): void => stalled.change(() => pressed.change(fn));

  async function ask(): Promise<Acquired> {
    try {
      const a = await store.acquire(lane);
      const isHot = a.waitMs > 0 || (a.used !== undefined && a.used * 2 >= o.perMinute);
      if (isHot !== hot) pressed.change(() => (hot = isHot));
      return a;
    } catch (e) {
      o.onError?.(e);
      return { waitMs: ERROR_RETRY_MS, reason: 'budget' };
    }
  }

  return {
    perMinute: o.perMinute,
    stalledMs: () => stalled.read(),
    pressure: { stalledMs: () => pressed.read() },
    async take() {
      let a = await ask();
      if (a.waitMs <= 0) return;
      const reason = a.reason;
      const started = now();
      both(() => waiting++);
      try {
        while (a.waitMs > 0) {
          await sleep(Math.min(a.waitMs, MAX_POLL_MS));
          a = await ask();
        }
      } finally {
        both(() => waiting--);
        o.onWait?.(reason, now() - started);
      }
    },
    async tryTake() {
      return (await ask()).waitMs <= 0;
    },
    async rateLimited() {
      o.onRateLimited?.();
      try {
        await store.holdToNextMinute();
      } catch (e) {
        o.onError?.(e);
      }
    },
    forWatcher: (reserve) => createCallBudget(store, o, { watcher: true, reserve: watcherReserve(o.perMinute, reserve) }),
  };
}

/** The start of the next clock minute after `t` (of the next window, for a shorter one in tests), plus the margin. */
export function nextMinute(t: number, windowMs = BUDGET_WINDOW_MS): number {
  return (Math.floor(t / windowMs) + 1) * windowMs + Math.min(MINUTE_MARGIN_MS, windowMs / 10);
}

export interface BudgetStoreOptions {
  now?: () => number;
  /** The window (default 60 s; tests shorten it). */
  windowMs?: number;
}

/**
 * The window in this process (the terminal's commands): the times of the calls of the last
 * 60 s, oldest first. The terminal runs no watcher beside triages, so lanes make no difference.
 */
export function localBudgetStore(perMinute: number, so: BudgetStoreOptions = {}): BudgetStore {
  const now = so.now ?? Date.now;
  const windowMs = so.windowMs ?? BUDGET_WINDOW_MS;
  const calls: number[] = [];
  let holdUntil = 0;
  return {
    async acquire() {
      const t = now();
      if (holdUntil > t) return { waitMs: holdUntil - t, reason: 'rate_limited' };
      while (calls.length > 0 && calls[0]! < t - windowMs) calls.shift();
      if (calls.length < perMinute) {
        calls.push(t);
        return { waitMs: 0, reason: 'budget', at: t, used: calls.length };
      }
      return { waitMs: Math.max(1, calls[0]! + windowMs - t + 1), reason: 'budget' };
    },
    async holdToNextMinute() {
      holdUntil = Math.max(holdUntil, nextMinute(now(), windowMs));
    },
  };
}

/** The terminal's budget: the same rules, counted in this process alone. */
export function localCallBudget(perMinute: number = DEFAULT_BUDGET_PER_MINUTE, o: Omit<CallBudgetOptions, 'perMinute'> & Pick<BudgetStoreOptions, 'windowMs'> = {}): CallBudget {
  return createCallBudget(localBudgetStore(perMinute, { now: o.now, windowMs: o.windowMs }), { ...o, perMinute });
}
