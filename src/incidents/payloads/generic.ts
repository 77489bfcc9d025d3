/**
 * The generic incident webhook's body: `{incident_id, title, channel, request_id?, zone_id?}`.
 *
 * - `incident_id`: the sender's own ID; one triage per ID. 1 to 200 printable ASCII
 *   characters without spaces.
 * - `title`: shown on the card; 1 to 1000 characters.
 * - `channel`: `slack:<channel id>` or `teams:<conversation id>`; the body names its
 *   destination, so the routes file is not consulted.
 * - `request_id`, `zone_id`: optional, with the same rules as the chat command's; `null`
 *   or `""` mean absent (senders that fill a template often send them empty).
 * Other fields are ignored.
 */
import { z } from 'zod';
import { RequestId, ZoneId } from '../../triage/model';
import { ChannelAddressText } from '../channel';
import { parseBody, type Parsed } from './parse';

/** Body cap for POST /hooks/incident: the five fields fit in far less. */
export const GENERIC_HOOK_MAX_BODY_BYTES = 16 * 1024;

const absent = (v: unknown): unknown => (v === null || v === '' ? undefined : v);

export const GenericIncidentHook = z.looseObject({
  incident_id: z.string().regex(/^[\x21-\x7e]{1,200}$/, 'expected 1 to 200 printable ASCII characters without spaces'),
  title: z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
  channel: ChannelAddressText,
  request_id: z.preprocess(absent, RequestId.optional()),
  zone_id: z.preprocess(absent, ZoneId.optional()),
});
export type GenericIncidentHook = z.infer<typeof GenericIncidentHook>;

export function parseGenericHook(body: Uint8Array | unknown): Parsed<GenericIncidentHook> {
  return parseBody(GenericIncidentHook, body, 'a generic incident webhook ({incident_id, title, channel, request_id?, zone_id?})');
}
