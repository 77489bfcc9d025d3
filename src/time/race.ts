/**
 * Racing work against a timer, the one way the code base does it. The work is never cancelled
 * (its result may still be wanted elsewhere); the caller only stops waiting. Timers are cleared
 * as soon as the work settles and are never unref()ed: a pending race must keep the process
 * alive, or a command could exit 0 with its work unfinished.
 */

/** The value, or `undefined` once `ms` have passed. Rejections pass through. */
export function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.finally(() => clearTimeout(timer)),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]);
}

/** True when `work` settled (either way) within `ms`. */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = work.then(
    () => true,
    () => true,
  );
  return (await within(settled, ms)) ?? false;
}

/** Why a wait with a deadline stopped waiting: what it waited for (`label`) and for how long. */
export class DeadlineExceeded extends Error {
  constructor(
    readonly label: string,
    readonly ms: number,
  ) {
    super(`${label} timed out after ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * Time the process spent waiting on something that is not the slowness being measured (the
 * Caracal call budget, src/caracal/budget.ts): monotonic, in ms.
 */
export interface StallClock {
  stalledMs(): number;
}

/**
 * The value, or a `DeadlineExceeded` rejection once `ms` have passed (the work keeps running).
 * With a stall clock the deadline is `ms` of time not spent stalled: a wait for the budget moves
 * it back by as long as the wait lasted, so work that waits for its turn never times out for it.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, label: string, stall?: StallClock): Promise<T> {
  const wrapped = work.then((value) => ({ value }));
  let remaining = ms;
  for (;;) {
    const before = stall?.stalledMs() ?? 0;
    const settled = await within(wrapped, remaining);
    if (settled) return settled.value;
    const stalled = (stall?.stalledMs() ?? 0) - before;
    if (stalled <= 0) throw new DeadlineExceeded(label, ms);
    remaining = stalled;
  }
}
