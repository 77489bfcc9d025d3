/**
 * Every Caracal call a session makes goes through here: made at most once per key (steps and
 * bundle collectors share the result), and turned into data, so a failure is `{ok:false,
 * error}` and never a throw. (Whether the admin token was rejected outright is watched on the
 * client itself: admin-token.ts.)
 */
import { describeError } from '../caracal/errors';
import type { Fetched } from './evidence-model';

export class CallCache {
  private readonly calls = new Map<string, Promise<Fetched<unknown>>>();

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
      return { ok: false, error: describeError(e) };
    }
  }
}
