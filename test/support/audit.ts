/** The bot's audit log as a test reads it back: every entry of the stream, parsed and checked. */
import type { Redis } from 'ioredis';
import { AuditEntrySchema, type AuditEntry } from '../../src/audit/entry';
import { keys } from '../../src/store/keys';

export async function readAuditEntries(redis: Redis, prefix: string): Promise<AuditEntry[]> {
  const rows = await redis.xrange(keys(prefix).audit(), '-', '+');
  return rows.map(([, fields]) => AuditEntrySchema.parse(JSON.parse(fields[fields.indexOf('e') + 1]!)));
}
