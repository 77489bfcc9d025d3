/**
 * What REDIS_URL names: one Redis, or a Redis Sentinel group that says which of its Redis
 * servers is the master (and names another after a failover).
 *
 *   redis://[[user]:password@]host[:port][/db]                one Redis, plain TCP
 *   rediss://…                                                 the same over TLS
 *   redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/<master name>[/db][?sentinelPassword=…]
 *   rediss+sentinel://…                                        Sentinels and Redis over TLS
 *
 * Sentinel ports default to 26379; the password in the user part is the Redis servers' (the
 * Sentinels' own, when they have one, is `sentinelPassword`). src/store/redis-target.ts connects.
 *
 * Hand-written: WHATWG URL cannot read a comma-separated host list, and ioredis reads only the
 * single-host forms.
 */
export interface SentinelTarget {
  kind: 'sentinel';
  sentinels: Array<{ host: string; port: number }>;
  /** The master's name in the Sentinels' configuration (`sentinel monitor <name> …`). */
  name: string;
  db: number;
  username?: string;
  password?: string;
  sentinelPassword?: string;
  tls: boolean;
}

export type RedisTarget = { kind: 'direct'; url: string } | SentinelTarget;

export type ParsedTarget = { ok: true; target: RedisTarget } | { ok: false; message: string };

export const REDIS_URL_EXAMPLES = 'redis://127.0.0.1:6379, rediss://redis.example.com:6380 or redis+sentinel://s1:26379,s2:26379,s3:26379/mymaster';

const SENTINEL = /^(rediss?)\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#@]+)\/([^/?#]+)(?:\/(\d{1,2}))?\/?(?:\?([^#]*))?$/i;
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

function decode(part: string | undefined): string | undefined {
  if (part === undefined || part === '') return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function parseRedisTarget(raw: string): ParsedTarget {
  const v = raw.trim();
  if (/^rediss?:\/\//i.test(v)) {
    try {
      const u = new URL(v);
      if (!u.hostname) return { ok: false, message: `must name a host, e.g. ${REDIS_URL_EXAMPLES}` };
    } catch {
      return { ok: false, message: `must be a URL such as ${REDIS_URL_EXAMPLES}` };
    }
    return { ok: true, target: { kind: 'direct', url: v } };
  }
  const m = SENTINEL.exec(v);
  if (!m) return { ok: false, message: `must be a URL such as ${REDIS_URL_EXAMPLES}` };
  const [, scheme, user, pass, hostList, name, db, query] = m;
  const sentinels: Array<{ host: string; port: number }> = [];
  for (const entry of hostList.split(',')) {
    const h = HOST.exec(entry.trim());
    const port = h?.[2] === undefined ? 26379 : Number(h[2]);
    if (!h || port < 1 || port > 65_535) return { ok: false, message: `names a Sentinel that is not host[:port] (${JSON.stringify(entry.slice(0, 40))}), e.g. redis+sentinel://s1:26379,s2:26379/mymaster` };
    sentinels.push({ host: h[1].replace(/^\[|\]$/g, ''), port });
  }
  const params = new URLSearchParams(query ?? '');
  const unknown = [...params.keys()].filter((k) => k !== 'sentinelPassword');
  if (unknown.length) return { ok: false, message: `takes only the sentinelPassword parameter (not ${unknown.join(', ')})` };
  const target: SentinelTarget = { kind: 'sentinel', sentinels, name: decode(name)!, db: db ? Number(db) : 0, tls: scheme.toLowerCase() === 'rediss' };
  const username = decode(user);
  const password = decode(pass);
  const sentinelPassword = params.get('sentinelPassword') || undefined;
  if (username) target.username = username;
  if (password) target.password = password;
  if (sentinelPassword) target.sentinelPassword = sentinelPassword;
  return { ok: true, target };
}

/** REDIS_URL without its passwords, for messages and logs. */
export function safeRedisUrl(url: string): string {
  const parsed = parseRedisTarget(url);
  if (!parsed.ok) return 'REDIS_URL';
  const t = parsed.target;
  if (t.kind === 'direct') {
    try {
      const u = new URL(t.url);
      if (u.password) u.password = '***';
      return u.toString().replace(/\/$/, '');
    } catch {
      return 'REDIS_URL';
    }
  }
  const auth = t.password ? `${t.username ?? ''}:***@` : t.username ? `${t.username}@` : '';
  const hosts = t.sentinels.map((s) => `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`).join(',');
  return `${t.tls ? 'rediss' : 'redis'}+sentinel://${auth}${hosts}/${t.name}${t.db ? `/${t.db}` : ''}${t.sentinelPassword ? '?sentinelPassword=***' : ''}`;
}
