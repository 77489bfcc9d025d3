/**
 * REDIS_URL names one Redis or a Sentinel group; every bad form is one sentence, and no form
 * lets a password into a message.
 */
import { parseRedisTarget, safeRedisUrl } from '../../src/store/redis-url';
import { parseRuntimeConfig } from '../../src/app/runtime-config';
import { orThrow } from '../../src/config/problems';

const loadRuntimeConfig = (env: Record<string, string>) => orThrow(parseRuntimeConfig(env));

describe('REDIS_URL', () => {
  it('reads one Redis, plain or TLS, as ioredis does', () => {
    expect(parseRedisTarget('redis://:pw@redis.internal:6379/2')).toEqual({ ok: true, target: { kind: 'direct', url: 'redis://:pw@redis.internal:6379/2' } });
    expect(parseRedisTarget('rediss://cache.example.com:6380')).toMatchObject({ ok: true, target: { kind: 'direct' } });
  });

  it('reads a Sentinel group: its Sentinels (port 26379 by default), the master name, the db, the passwords, TLS', () => {
    expect(parseRedisTarget('redis+sentinel://:s3cret@s1:26379,s2,[::1]:26380/mymaster/3?sentinelPassword=sp')).toEqual({
      ok: true,
      target: {
        kind: 'sentinel',
        sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }, { host: '::1', port: 26380 }],
        name: 'mymaster',
        db: 3,
        password: 's3cret',
        sentinelPassword: 'sp',
        tls: false,
      },
    });
    expect(parseRedisTarget('rediss+sentinel://default:pw@10.0.0.1:26379/cache')).toMatchObject({ ok: true, target: { tls: true, username: 'default', password: 'pw', name: 'cache', db: 0 } });
  });

  it.each([
    ['http://127.0.0.1:6379', 'must be a URL such as'],
    ['redis+sentinel://s1:26379', 'must be a URL such as'],
    ['redis+sentinel://s1:99999/mymaster', 'names a Sentinel that is not host[:port]'],
    ['redis+sentinel://s1:26379,/mymaster', 'names a Sentinel that is not host[:port]'],
    ['redis+sentinel://s1:26379/mymaster?role=slave', 'takes only the sentinelPassword parameter (not role)'],
  ])('refuses %s in one sentence', (url, message) => {
    const r = parseRedisTarget(url);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain(message);
  });

  it('never shows a password in messages and logs', () => {
    expect(safeRedisUrl('redis://:pw@redis.internal:6379/2')).toBe('redis://:***@redis.internal:6379/2');
    expect(safeRedisUrl('redis+sentinel://u:pw@s1:26379,s2:26379/mymaster?sentinelPassword=sp')).toBe('redis+sentinel://u:***@s1:26379,s2:26379/mymaster?sentinelPassword=***');
    expect(safeRedisUrl('not a url with pw')).toBe('REDIS_URL');
  });

  it('is checked at start-up like every other setting, naming the variable', () => {
    expect(() => loadRuntimeConfig({ REDIS_URL: 'redis+sentinel://s1:26379', TRIAGE_SIGNING_KEY: 'k'.repeat(32) })).toThrow(/REDIS_URL: must be a URL such as redis:\/\/127\.0\.0\.1:6379/);
    expect(loadRuntimeConfig({ REDIS_URL: 'redis+sentinel://s1,s2,s3/mymaster', TRIAGE_SIGNING_KEY: 'k'.repeat(32) }).redisUrl).toBe('redis+sentinel://s1,s2,s3/mymaster');
  });
});
