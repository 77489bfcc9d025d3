/**
 * The transport loads three of undici's files on their own (src/caracal/undici-parts.ts) instead
 * of undici's index. They are undici's internals, so this holds them to what the index exports:
 * an undici upgrade that moves or replaces one fails here, by name, before any triage does.
 */
import * as undici from 'undici';
import { Pool, request, retryInterceptor } from '../../src/caracal/undici-parts';

it('Pool is the Pool undici exports', () => {
  expect(Pool).toBe(undici.Pool);
});

it('the retry interceptor is the one undici exports', () => {
  expect(retryInterceptor).toBe(undici.interceptors.retry);
});

it('request calls the request undici puts on every dispatcher, on the dispatcher given', async () => {
  // The index installs it on the prototype when it loads; undici-parts loads that file itself.
  expect(require('undici/lib/api/api-request')).toBe((undici.Dispatcher.prototype as unknown as { request: unknown }).request);
  const seen: unknown[] = [];
  const dispatcher = {
    dispatch(options: unknown, handler: { onError(e: Error): void }) {
      seen.push(options);
      handler.onError(new Error('refused by the test dispatcher'));
      return true;
    },
  };
  await expect(request(dispatcher as never, { path: '/v1/zones', method: 'GET', origin: 'http://127.0.0.1:1' })).rejects.toThrow('refused by the test dispatcher');
  expect(seen).toEqual([expect.objectContaining({ path: '/v1/zones', method: 'GET' })]);
});
