/**
 * From the `recent_changes` bundle item and the diagnosis to what a report says about changes:
 * the ranked list (at most MAX_CHANGES), the one change the evidence names as the cause (or
 * null), and the sentence the diagnosis summary gains for it (actor, time, minutes before the
 * denial, admin-audit request ID). Pure; reads the item back through its zod schema, since a
 * bundle stored by an earlier process is plain JSON.
 */
import type { Bundle, Diagnosis } from '../model';
import { type Change, ChangeEvidence, type ChangeRow, type ChangeSubject, type ChangeWindow, type Relevance } from './change';
import { tick } from '../steps/step';
import { actorPhrase, beforePhrase, changeSummary, clockPhrase } from './describe';
import { linkChange } from './link';
import { causeEntities, rankChanges } from './rank';

export const MAX_CHANGES = 20;
export const RECENT_CHANGES_ITEM = 'recent_changes';

export interface ChangeConclusion {
  /** Ranked: `cause` first (the linked change, if any, leading), then same resource, application, policy set, zone; newest first within a rank. */
  changes: Change[];
  /** The change the evidence names as the cause, or null. */
  change: Change | null;
  /** The sentence the diagnosis summary gains, or null. */
  sentence: string | null;
}

const NONE: ChangeConclusion = { changes: [], change: null, sentence: null };

/** The `recent_changes` evidence of a bundle, when the item was read and is well-formed. */
export function changeEvidence(bundle: Bundle | null | undefined): ChangeEvidence | null {
  const item = bundle?.items.find((i) => i.id === RECENT_CHANGES_ITEM);
  if (!item || item.status !== 'ok') return null;
  const parsed = ChangeEvidence.safeParse(item.evidence);
  return parsed.success ? parsed.data : null;
}

function toChange(row: ChangeRow, relevance: Relevance, s: ChangeSubject, w: ChangeWindow): Change {
  return { at: row.at, actor: row.actor, action: row.action, entityType: row.entityType, entityId: row.entityId, requestId: row.requestId, relevance, summary: changeSummary(row, s, w) };
}

export function concludeChanges(diagnosis: Pick<Diagnosis, 'step' | 'cause'> | null, bundle: Bundle | null | undefined): ChangeConclusion {
  const evidence = changeEvidence(bundle);
  if (!evidence) return NONE;
  const { window, subject, changes: rows } = evidence;
  const root = diagnosis ? { id: diagnosis.step, cause: diagnosis.cause } : null;
  const ranked = rankChanges(rows, subject, causeEntities(root, subject));
  const link = linkChange(root, rows, subject);
  const linked = link ? ranked.find((r) => r.row === link.row) : undefined;
  const ordered = linked ? [linked, ...ranked.filter((r) => r !== linked)] : ranked;
  const changes = ordered.slice(0, MAX_CHANGES).map((r) => toChange(r.row, r.relevance, subject, window));
  if (!link || !linked) return { changes, change: null, sentence: null };
  const row = link.row;
  const noun = window.anchor === 'denial' ? 'this denial' : window.anchor === 'request' ? 'this request' : 'this triage';
  const request = row.requestId ? `admin-audit request ${tick(row.requestId)}` : 'the admin-audit row records no request ID';
  const sentence = `A change by ${actorPhrase(row)} at ${clockPhrase(row.at, window.until)}, ${beforePhrase(row.at, window, noun)}, ${link.proves} (${request}).`;
  return { changes, change: changes[0]!, sentence };
}
