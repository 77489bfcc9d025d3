/**
 * Where a card goes (`Destination`) and where it lives (`MessageRef`), as the core carries them:
 * the platform's name plus fields only that platform's adapter reads (a channel and a message
 * timestamp, a conversation reference and an activity id…); each adapter declares its own zod
 * schema for them and parses what it is handed, so the core never spells out a platform's fields and a new
 * platform adds no case here. Stored in Redis as JSON and read back through this one schema.
 */
import { z } from 'zod';

/**
 * A chat platform's registered name (src/app/platforms.ts is the registry). Stored addresses
 * and job data carry it; what is stored is read back by shape, and the worker posts only
 * through the ports of the platforms it runs.
 */
export type Platform = string;

/** The shape of a registered name: lower-case letters, digits and dashes. */
export const PlatformName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'not a platform name');

export const isPlatformName = (name: string): boolean => PlatformName.safeParse(name).success;

export const ChatAddressSchema = z.looseObject({ platform: PlatformName });
export type ChatAddress = z.infer<typeof ChatAddressSchema>;

/** Where to post a new card. */
export type Destination = ChatAddress;
/** Where a posted card lives (any process, after any restart, can update it from this). */
export type MessageRef = ChatAddress;

/** Parses stored JSON (null when absent). */
export function parseAddress(json: string | null | undefined): ChatAddress | null {
  return json ? ChatAddressSchema.parse(JSON.parse(json)) : null;
}

/**
 * One stable string per address (keys sorted at every level): equal for the same channel
 * however the adapter ordered its fields, so it can key an index (open triages, cards waiting).
 */
export function addressIdentity(address: ChatAddress): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sorted(address));
}
