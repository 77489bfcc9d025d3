/**
 * `caracal-triage audit verify`: one line per problem, then a summary.
 * Exit 0 when the chain is intact, 1 when it is broken, 2 when it cannot be checked
 * (bad environment, Redis unreachable).
 */
import IORedis from 'ioredis';
import { ConfigError, loadRuntimeConfig } from '../config/env';
import { DEFAULT_PREFIX } from '../store/keys';
import { checkRedis } from '../store/redis';
import { verifyAuditChain } from './verify';

export interface RunAuditVerifyOptions {
  /** Key prefix of the install (default `ct:`). */
  prefix?: string;
  /** Where lines go: functions, or the CLI's streams. Default process.stdout / process.stderr. */
  out?: (line: string) => void;
  err?: (line: string) => void;
  stdout?: { write(s: string): unknown };
  stderr?: { write(s: string): unknown };
  redisTimeoutMs?: number;
}

export async function runAuditVerify(env: Record<string, string | undefined> = process.env, opts: RunAuditVerifyOptions = {}): Promise<0 | 1 | 2> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const out = opts.out ?? ((l: string) => void stdout.write(`${l}\n`));
  const err = opts.err ?? ((l: string) => void stderr.write(`${l}\n`));
  let config;
  try {
    config = loadRuntimeConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 2;
    }
    throw e;
  }
  const unreachable = await checkRedis(config.redisUrl, opts.redisTimeoutMs ?? 2000);
  if (unreachable) {
    err(unreachable.message);
    return 2;
  }
  const redis = new IORedis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
  try {
    const prefix = opts.prefix ?? DEFAULT_PREFIX;
    const res = await verifyAuditChain(redis, { signingKey: config.signingKey, prefix });
    for (const p of res.problems) out(`seq ${p.seq}${p.id ? ` (${p.id})` : ''}: ${p.reason}`);
    if (res.ok) {
      out(`audit chain ok: ${res.entries} entr${res.entries === 1 ? 'y' : 'ies'}, last seq ${res.lastSeq}`);
      return 0;
    }
    out(`audit chain BROKEN: ${res.problems.length} problem(s) in ${res.entries} entries; first at seq ${res.breakAt}`);
    return 1;
  } catch (e) {
    err(`audit verify could not read the log: ${(e as Error).message}`);
    return 2;
  } finally {
    redis.disconnect();
  }
}
