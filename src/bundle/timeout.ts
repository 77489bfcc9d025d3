/**
 * A deadline for one bundle item or step: the work keeps running (its result is memoized
 * for whoever else needs it), but the caller stops waiting and reports the item as unavailable.
 */
export class DeadlineExceeded extends Error {
  constructor(
    readonly label: string,
    readonly ms: number,
  ) {
    super(`${label} timed out after ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

export function withDeadline<T>(work: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // Not unref()'d: when the work waits on something that does not hold the event loop open,
  // this timer is what settles the wait; it is cleared as soon as the work settles.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(label, ms)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
