/**
 * Redis key layout. Everything the bot keeps lives under one configurable prefix (`ct:` by
 * default) so tests and several installs can share a Redis without touching each other.
 *
 *   <p>triage:<id>      hash: record (JSON), version, dest, meta, ref, cardv, stepv:<step>,
 *                       posted:<marker>, done:<collect job>:<step|finish>
 *   <p>active           zset: non-final triage IDs scored by last activity (ms), for the sweeper
 *   <p>dedupe:<sha256>  string: triage ID started by an inbound delivery (SET NX EX)
 *   <p>lease:<id>:<m>   string: short lease while a post is in flight (SET NX PX)
 *   <p>audit            stream: the bot's audit log; <p>audit:head hash: last seq + hmac
 *   <p>q:<queue>:…      BullMQ's own keys (BullMQ prefix `<p>q`)
 */
import { createHash } from 'node:crypto';

export const DEFAULT_PREFIX = 'ct:';

export interface Keys {
  prefix: string;
  triage(id: string): string;
  active(): string;
  dedupe(key: string): string;
  lease(id: string, marker: string): string;
  audit(): string;
  auditHead(): string;
  /** The `prefix` option for BullMQ Queue/Worker/QueueEvents. */
  bullPrefix(): string;
}

export function keys(prefix: string = DEFAULT_PREFIX): Keys {
  return {
    prefix,
    triage: (id) => `${prefix}triage:${id}`,
    active: () => `${prefix}active`,
    // Hashed: inbound keys are caller-controlled and may be long.
    dedupe: (key) => `${prefix}dedupe:${createHash('sha256').update(key).digest('hex')}`,
    lease: (id, marker) => `${prefix}lease:${id}:${marker}`,
    audit: () => `${prefix}audit`,
    auditHead: () => `${prefix}audit:head`,
    bullPrefix: () => `${prefix}q`,
  };
}
