/**
 * The audit process (`caracal-triage audit verify`): the app's audit configuration (Redis and
 * the signing key, config.ts), Redis checked the way every process checks it, then the chain's
 * report (src/audit/verify-command.ts). Exit 0 when the chain is intact, 1 when it is broken,
 * 2 when it cannot be checked (bad settings, Redis unreachable).
 */
import { reportAuditChain } from '../audit/verify-command';
import { ConfigError } from '../config/problems';
import { DEFAULT_PREFIX } from '../store/keys';
import { checkRedis, createWorkerConnection } from '../store/redis';
import { type AuditConfig, loadAuditConfig } from './config';

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
  let config: AuditConfig;
  try {
    config = loadAuditConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 2;
    }
    throw e;
  }
  const { redisUrl, signingKey } = config.runtime;
  const unreachable = await checkRedis(redisUrl, opts.redisTimeoutMs ?? 2000);
  if (unreachable) {
    err(unreachable.message);
    return 2;
  }
  // A one-off read: a command that cannot be answered fails after one retry instead of waiting.
  const redis = createWorkerConnection(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    return await reportAuditChain(redis, { signingKey, prefix: opts.prefix ?? DEFAULT_PREFIX }, { out, err });
  } finally {
    redis.disconnect();
  }
}
