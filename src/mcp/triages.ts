/**
 * What list_triages and get_triage read: the bot's own store, through a `TriageFinder`
 * (src/report/find-json.ts), with where links point. Two sources, one shape:
 *
 *   on `serve`  the web process's TriageService, over the Redis connection it already holds
 *               (nothing more is opened for MCP, and only its two read methods are reachable);
 *   on stdio    `caracal-triage mcp` with REDIS_URL set: one short connection per call, as the
 *               terminal's `list` and `show` read (src/store/one-read.ts).
 *
 * Without REDIS_URL there is no source, and the two tools are not offered at all.
 */
import type { LinksConfig } from '../report/config';
import type { TriageFinder } from '../report/find-json';
import type { LinkContext } from '../report/links';
import { readStoreOnce } from '../store/one-read';

export type StoreAnswer<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface StoredTriages {
  /** One read of the store; a sentence when it cannot be read. */
  read<T>(fn: (finder: TriageFinder) => Promise<T>): Promise<StoreAnswer<T>>;
  /** Where links point now, as the terminal's `list` and `show` build them. */
  linkContext(): LinkContext;
}

const unreadable = (e: unknown): { ok: false; problem: string } => ({ ok: false, problem: `the bot's store (REDIS_URL) could not be read: ${e instanceof Error ? e.message : String(e)}` });

function linkContextOf(links: LinksConfig, signingKey: string | null): () => LinkContext {
  return () => ({ config: links, signingKey, now: new Date() });
}

/** The web process's service (only `list` and `find` are taken). */
export function triagesOfService(service: TriageFinder, links: LinksConfig, signingKey: string): StoredTriages {
  const finder: TriageFinder = { list: (q) => service.list(q), find: (id) => service.find(id) };
  return {
    async read(fn) {
      try {
        return { ok: true, value: await fn(finder) };
      } catch (e) {
        return unreadable(e);
      }
    },
    linkContext: linkContextOf(links, signingKey),
  };
}

/** REDIS_URL for `caracal-triage mcp`: a connection per call, closed after it. */
export function triagesOfRedis(store: { redisUrl: string; signingKey: string | null }, links: LinksConfig): StoredTriages {
  return {
    async read(fn) {
      try {
        const r = await readStoreOnce(store.redisUrl, ({ finder }) => fn(finder));
        return r.ok ? r : { ok: false, problem: r.error.message };
      } catch (e) {
        return unreadable(e);
      }
    },
    linkContext: linkContextOf(links, store.signingKey),
  };
}
