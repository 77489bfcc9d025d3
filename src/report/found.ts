/**
 * A triage as it is found again (`list`, `show`, the Home tab, the export, the page): its record,
 * where its card went and is, who started it; and what the bot's own audit log says about it.
 * Declared here, below the seam (src/ingress/service-api.ts re-exports them), so the renderers
 * of this folder and every platform read one shape.
 */
import type { Destination, MessageRef } from '../chat/address';
import type { Actor, TriageRecord } from '../triage/record';

/** A triage as `list` and `show` read it: its record and where its card is. */
export interface FoundTriage {
  record: TriageRecord;
  destination: Destination;
  /** Where its card went, `<platform>:<id>` as settings write it (null for triages started before places were kept). */
  place: string | null;
  /** The card, once posted. */
  card: MessageRef | null;
  /** A link to the card, when the platform gave one. */
  cardLink: string | null;
  /** Who or what started it. */
  startedBy: Actor;
  /** What started it (`slack_command`, `alertmanager`, …). */
  source: string;
}

/** One entry of the bot's audit log about a triage, as an export shows it. */
export interface AuditTrailEntry {
  at: string;
  actor: Actor;
  action: string;
  source: string;
  from: string | null;
  to: string | null;
  step?: string;
}

/** What a postmortem export reads besides the triage: its audit entries and whether the chain holds. */
export interface AuditTrail {
  entries: AuditTrailEntry[];
  /** The whole chain's verdict (src/audit/verify.ts); null when it was not checked. */
  chain: { ok: boolean; entries: number; reason?: string } | null;
}
