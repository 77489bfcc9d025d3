/**
 * Which admin changes a status card shows under "Changed before this denial": at most three,
 * the one the diagnosis names as the cause first, then the rest in their ranked order. Plain
 * data; each platform escapes the summaries (outside text: actor names and ids are Caracal's).
 */
import type { Change } from '../../triage/changes/change';
import type { TriageRecord } from '../../triage/record';

export const CARD_CHANGES = 3;

export interface CardChange {
  change: Change;
  /** The change the diagnosis names as the cause. */
  isCause: boolean;
}

const same = (a: Change, b: Change): boolean => a.at === b.at && a.requestId === b.requestId && a.entityId === b.entityId && a.action === b.action;

export function cardChanges(r: Pick<TriageRecord, 'changes' | 'diagnosis'>): { shown: CardChange[]; more: number } {
  const all = r.changes ?? [];
  const named = r.diagnosis?.change ?? null;
  const ordered = named ? [named, ...all.filter((c) => !same(c, named))] : all;
  const shown = ordered.slice(0, CARD_CHANGES).map((change) => ({ change, isCause: named !== null && same(change, named) }));
  return { shown, more: Math.max(0, ordered.length - shown.length) };
}

/** "Changed before this denial" (a triage of a request), "… this triage" (readiness first). */
export function changesHeading(r: Pick<TriageRecord, 'input'>): string {
  return `Changed before this ${r.input.requestId ? 'denial' : 'triage'}`;
}
