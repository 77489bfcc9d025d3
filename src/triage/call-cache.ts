/**
 * Every Caracal call a session makes goes through here: made at most once per key (steps and
 * bundle collectors share the result), and turned into data, so a failure is `{ok:false,
 * error}` and never a throw. It also remembers whether the API rejected the bot's admin token,
 * because that one failure means the triage cannot run at all.
 */
import { CaracalApiError, describeError } from '../caracal/errors';
import type { Fetched } from './evidence-model';

export function isAdminTokenRejection(e: unknown): e is CaracalApiError {
  return e instanceof CaracalApiError && e.status === 401 && e.code === 'invalid_admin_token';
}

export class CallCache {
  private readonly calls = new Map<string, Promise<Fetched<unknown>>>();
  /** Set when any Admin API call answered 401 `invalid_admin_token`. */
  tokenRejection: CaracalApiError | null = null;

  once<T>(key: string, call: () => Promise<T>): Promise<Fetched<T>> {
    let pending = this.calls.get(key);
    if (!pending) {
      pending = this.settle(call);
      this.calls.set(key, pending);
    }
    return pending as Promise<Fetched<T>>;
  }

  /** How many distinct calls were made (for tests and progress output). */
  get size(): number {
    return this.calls.size;
  }

  private async settle<T>(call: () => Promise<T>): Promise<Fetched<T>> {
    try {
      return { ok: true, value: await call() };
    } catch (e) {
      if (isAdminTokenRejection(e)) this.tokenRejection ??= e;
      return { ok: false, error: describeError(e) };
    }
  }
}
