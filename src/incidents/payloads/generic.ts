/**
 * The generic incident webhook's body: `{incident_id, title, channel, request_id?, zone_id?}`.
 *
 * - `incident_id`: the sender's own ID; one triage per ID. 1 to 200 printable ASCII
 *   characters without spaces.
 * - `title`: shown on the card; 1 to 1000 characters.
 * - `channel`: a channel address, `<platform>:<id>` (../channel.ts); the body names its
 *   destination, so the routes file is not consulted.
 * - `request_id`, `zone_id`: optional, with the same rules as the chat command's; `null`
 *   or `""` mean absent (senders that fill a template often send them empty).
 * Other fields are ignored.
 */
import { z } from 'zod';
import { RequestId, ZoneId } from '../../triage/model';
import type { ChannelAddresses } from '../channel';
import { parseBody, type Parsed } from './parse';

/** Body cap for POST /hooks/incident: the five fields fit in far less. */
export const GENERIC_HOOK_MAX_BODY_BYTES = 16 * 1024;

const absent = (v: unknown): unknown => (v === null || v === '' ? undefined : v);

/** The body's schema; `channel` is read by the platform it names. */
export function genericIncidentHook(addresses: ChannelAddresses) {
  return z.looseObject({
    incident_id: z.string().regex(/^[\x21-\x7e]{1,200}$/, 'expected 1 to 200 printable ASCII characters without spaces'),
    title: z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
    channel: addresses.text,
    request_id: z.preprocess(absent, RequestId.optional()),
    zone_id: z.preprocess(absent, ZoneId.optional()),
  });
}
type Schema = ReturnType<typeof genericIncidentHook>;
export type GenericIncidentHook = z.infer<Schema>;

const built = new WeakMap<ChannelAddresses, Schema>();

export function parseGenericHook(body: Uint8Array | unknown, addresses: ChannelAddresses): Parsed<GenericIncidentHook> {
  let schema = built.get(addresses);
  if (!schema) built.set(addresses, (schema = genericIncidentHook(addresses)));
  return parseBody(schema, body, 'a generic incident webhook ({incident_id, title, channel, request_id?, zone_id?})');
}
