/**
 * The three parts of undici the transport uses, each loaded from its own module. undici's index
 * loads all of undici (about 110 modules: fetch, WebSocket, caches, mocks, proxies) to export
 * them; these three need 26. On Node 20, where nothing caches compiled code, that was the largest
 * single share of the time a terminal triage spends loading code before its first request (and of
 * every test file that builds a client).
 *
 * These paths are undici's files, not its documented exports. test/caracal/undici-parts.test.ts
 * checks that each is the very object undici's index exports, so an undici upgrade that moves or
 * changes one fails that test instead of a triage.
 */
import type { Dispatcher, Pool as UndiciPool, interceptors } from 'undici';

export const Pool: typeof UndiciPool = require('undici/lib/dispatcher/pool');
export const retryInterceptor: typeof interceptors.retry = require('undici/lib/interceptor/retry');
const apiRequest: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData> = require('undici/lib/api/api-request');

/**
 * `dispatcher.request(options)`: undici's index adds `request` to every dispatcher's prototype
 * when it loads, which this file does not do; the same function is called on the dispatcher.
 */
export function request(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return apiRequest.call(dispatcher, options);
}
