/**
 * Every Caracal call a session makes goes through here: made at most once per method and
 * arguments (steps and bundle collectors share the result), and turned into data, so a failure
 * is `{ok:false, error}` and never a throw. (Whether the admin token was rejected outright is
 * watched on the client itself: admin-token.ts.)
 */
import { callKey } from '../caracal/call-key';
import type { CaracalClient } from '../caracal/client-api';
import { describeError } from '../caracal/errors';
import type { Fetched } from './evidence-model';

/** The client's calls (every member that is a function). */
export type CaracalRead = { [K in keyof CaracalClient]: CaracalClient[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof CaracalClient];
type Args<M extends CaracalRead> = Parameters<CaracalClient[M]>;
type Answer<M extends CaracalRead> = Awaited<ReturnType<CaracalClient[M]>>;

export class CallCache {
  private readonly calls = new Map<string, Promise<Fetched<unknown>>>();

  /** `client[method](...args)`, made once per session for the same method and arguments. */
  read<M extends CaracalRead>(client: CaracalClient, method: M, ...args: Args<M>): Promise<Fetched<Answer<M>>> {
    const call = client[method] as (...a: Args<M>) => Promise<Answer<M>>;
    return this.once(callKey(method, args), () => call.apply(client, args));
  }

  private once<T>(key: string, call: () => Promise<T>): Promise<Fetched<T>> {
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
