/**
 * Finds a request ID (and zone) in free text written by people: a Slack channel topic or
 * purpose, an incident title. Only explicit forms count (`request_id: X`, `request id X`,
 * `req=X`, or a bare UUID, the form Caracal generates), so a topic that merely mentions an
 * ID-like word does not start a request-specific triage.
 */
import { RequestId, ZoneId } from '../triage/model';

const LABELLED_ID = /\b(?:(?:request|req)(?:[\s_-]?id)?\s*[:=#]|request[\s_-]?id\s)\s*[`"']?([\x21-\x7e]+?)[`"']?(?=[\s,;)]|$)/i;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;
const LABELLED_ZONE = /\b(?:zone(?:[\s_-]?id)?\s*[:=]|zone[\s_-]id\s)\s*[`"']?([A-Za-z0-9_.:-]+?)[`"']?(?=[\s,;)]|$)/i;

export interface IdsFromText {
  requestId: string | null;
  zoneId: string | null;
}

export function idsFromText(text: string | null | undefined): IdsFromText {
  const s = text ?? '';
  let requestId: string | null = null;
  const labelled = LABELLED_ID.exec(s)?.[1];
  if (labelled && /\d/.test(labelled) && RequestId.safeParse(labelled).success) requestId = labelled;
  else requestId = UUID.exec(s)?.[0] ?? null;
  const zone = LABELLED_ZONE.exec(s)?.[1];
  return { requestId, zoneId: zone && ZoneId.safeParse(zone).success ? zone : null };
}
