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

/** The value, or a `DeadlineExceeded` rejection once `ms` have passed (the work keeps running). */
export async function withDeadline<T>(work: Promise<T>, ms: number, label: string): Promise<T> {
  const settled = await within(work.then((value) => ({ value })), ms);
  if (!settled) throw new DeadlineExceeded(label, ms);
  return settled.value;
}
