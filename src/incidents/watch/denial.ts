/**
 * One denied audit row as the deny watcher counts it (pure). A denial belongs to a pattern, the
 * (zone, application, resource, reason) it shares with others:
 *
 *   STS `token_exchange` rows   reason = the diagnostics reason (policy denies: `[{reason}]`,
 *                               or `{code}` in the fixtures' shape), else the evaluation_status
 *                               (a pre-policy denial records its reason there: `scope_mismatch`,
 *                               `resource_not_found`, …)
 *   any other event type        reason = the event type: the Gateway's `replay_detected` (whose
 *                               evaluation_status is only `anomaly`), names its application as
 *                               `metadata.client_id`
 *
 * STS writes two denied rows for every denied exchange (FACTS §11): the one that holds the
 * cause and an `exchange_denied` companion (`metadata.requested`, no resource). The companion
 * belongs to its request's pattern and is never counted on its own: a denied request counts
 * once, by its causal row.
 */
import { eventFromRow, type AuditRowInput } from '../../triage/trace';

export const REPLAY_EVENT = 'replay_detected';

/** What identifies a pattern. Null parts: the row did not say (shown as such, never guessed). */
export interface PatternKey {
  zoneId: string;
  applicationId: string | null;
  resource: string | null;
  reason: string;
}

export interface Denial extends PatternKey {
  eventId: string;
  /** The request it denied; null when the row names none (then the event ID stands in for it). */
  requestId: string | null;
  /** ms */
  occurredAt: number;
  /** ms; null when the row does not say. */
  ingestedAt: number | null;
  applicationName: string | null;
}

export type ClassifiedRow =
  | { kind: 'denial'; denial: Denial }
  /** STS's `exchange_denied` companion: its request's causal row carries the count. */
  | { kind: 'companion'; eventId: string; requestId: string | null; occurredAt: number }
  /** Not a denial the watcher counts (an allow, or a row without a time). */
  | { kind: 'other'; eventId: string };

const STS_EVENT = 'token_exchange';
const time = (v: unknown): number | null => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? null : t;
};

/** The reason a denied row records (see the header). */
export function reasonOf(eventType: string, diagnostics: ReadonlyArray<{ code: string }>, evaluationStatus: string | null): string {
  if (eventType !== STS_EVENT) return eventType;
  return diagnostics[0]?.code ?? evaluationStatus ?? eventType;
}

export function classifyRow(row: AuditRowInput & { ingested_at?: string | null }, zoneId: string): ClassifiedRow {
  const e = eventFromRow(row);
  const occurredAt = time(row.occurred_at);
  if (e.decision !== 'deny' || occurredAt === null) return { kind: 'other', eventId: row.id };
  const requestId = typeof row.request_id === 'string' && row.request_id.trim() !== '' ? row.request_id : null;
  if (e.isExchangeSummary) return { kind: 'companion', eventId: row.id, requestId, occurredAt };
  return {
    kind: 'denial',
    denial: {
      zoneId: typeof row.zone_id === 'string' && row.zone_id ? row.zone_id : zoneId,
      applicationId: e.applicationId,
      resource: e.resource,
      reason: reasonOf(e.eventType, e.diagnostics, e.evaluationStatus),
      eventId: row.id,
      requestId,
      occurredAt,
      ingestedAt: time(row.ingested_at),
      applicationName: e.applicationName,
    },
  };
}

/** What a denial counts as within its pattern: its request, or the row itself when it names none. */
export const countedAs = (d: Pick<Denial, 'requestId' | 'eventId'>): string => d.requestId ?? `event:${d.eventId}`;

/** The pattern's key parts as one stable string (NUL-separated, so parts cannot run into each other). */
export function patternText(k: PatternKey): string {
  return [k.zoneId, k.applicationId ?? '', k.resource ?? '', k.reason].join('\0');
}

export const samePattern = (a: PatternKey, b: PatternKey): boolean => patternText(a) === patternText(b);
