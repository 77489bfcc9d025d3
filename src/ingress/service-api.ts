/**
 * What the command flow and the incident sources call to start and drive triages: part of the
 * seam, so a platform or source is written against src/ingress alone. Implemented over Redis
 * and BullMQ by src/service; every method is fast (Redis round trips only) so a platform can
 * call it before its 3-second ack.
 */
import type { Destination, MessageRef } from '../chat/port';
import type { Actor, EscalationTargets, IncidentView, TriageInput, TriageRecord } from '../triage/record';
import type { TriageEvent } from '../triage/machine';
import type { StepId } from '../triage/model';
import type { AuditTrail, FoundTriage } from '../report/found';

export type { AuditTrail, AuditTrailEntry, FoundTriage } from '../report/found';

export interface StartTriageRequest {
  input: TriageInput;
  /** Where the status card goes. */
  destination: Destination;
  actor: Actor;
  /**
   * Idempotency key for the inbound delivery (Slack `team:channel:trigger` / event_id, Teams
   * activity id, webhook delivery id). A second call with the same key within the dedupe TTL
   * returns the first triage and starts nothing.
   */
  dedupeKey: string;
  /** What started it, for the audit log: `command`, `webhook`, `incident_channel`, … */
  source: string;
  /** Post the diagnostic bundle into the thread when collection finishes (incident channels). */
  postBundle?: boolean;
  /** The incident an incident source opened this triage for (shown on its card). */
  incident?: IncidentView;
  /** Collection order (default the step order): an alert's telling steps first. Posts stay in step order. */
  steps?: StepId[];
  /**
   * What makes two starts the same open triage (default: the command itself, i.e. its channel,
   * request ID, zone, symptom and pasted error). An incident source uses its incident key.
   */
  openKey?: string;
  /** The incident (desk key) this triage is opened for: its record expires after the triage closes. */
  incidentKey?: string;
  /** Whom *Escalate* reaches (an incident route's `escalate:`); absent: the service's default (TRIAGE_ESCALATE). */
  escalate?: EscalationTargets;
  /**
   * Queue the card with the collection instead of by it (incidents and the deny watcher): the
   * card then goes out while a storm's collections still wait for Caracal's budget. A command
   * leaves it to the collection (one job add less before its ack).
   */
  cardAtOnce?: boolean;
}

/** Where an open triage's card is, for a repeated command. */
export interface OpenTriage {
  /** The open triage's card, once posted. */
  card: MessageRef | null;
  /** A link to it, when the platform gave one. */
  link: string | null;
}

export interface StartTriageResult {
  triageId: string;
  /** false when the dedupe key had been seen, or the same command's triage is still open: nothing new was started. */
  created: boolean;
  /**
   * Set when `created` is false because the same command (channel, request ID, zone,
   * symptom) has a triage that is still open: answer with its card instead of a second one.
   * Absent for a redelivery of the same delivery.
   */
  open?: OpenTriage;
  /**
   * With `created` false: the triage had stopped (a job failed for good) or its job was gone,
   * and asking again started it again (a new job).
   */
  restarted?: boolean;
}

/** A human event as it arrives from a button (the service adds nothing; the machine decides). */
export type UserEvent = Extract<TriageEvent, { actor: Actor }>;

export type ApplyResult =
  | { ok: true; record: TriageRecord }
  | { ok: false; reason: 'not_found' | 'stale' | 'finished' | 'not_allowed' | 'conflict'; message: string };

export interface TriageQuery {
  /** Only triages whose card went to the conversation this destination posts into. */
  in?: Destination;
  /** Only triages of this place, `<platform>:<id>` (the terminal's `--channel`). */
  place?: string;
  /** Only triages this person (a platform user ID) started or acted on. */
  actor?: string;
  /** Only open triages: neither resolved nor abandoned (escalated ones still count). */
  open?: boolean;
  /** Most to return (default 20, at most 200). */
  limit?: number;
}

export interface TriageListing {
  /** Newest first. */
  triages: FoundTriage[];
  /** More matched than the limit. */
  more: boolean;
}

export interface TriageService {
  start(req: StartTriageRequest): Promise<StartTriageResult>;
  /** Triages matching the query, newest first (Redis reads only). */
  list(query: TriageQuery): Promise<TriageListing>;
  /** One triage and where its card is; null when there is none (or it has expired). */
  find(triageId: string): Promise<FoundTriage | null>;
  /** The audit entries of one triage and (unless `verify` is false) the audit chain's verdict, for an export. */
  auditTrail(triageId: string, opts?: { verify?: boolean }): Promise<AuditTrail>;
  /** The place (`slack:C0123`) a destination posts into, as `list` keys triages; absent or null: not known. */
  placeOf?(where: Destination): string | null;
  /** Apply one button click (compare-and-set); carries out the resulting effects through the queues. */
  apply(triageId: string, event: UserEvent, source: string): Promise<ApplyResult>;
  get(triageId: string): Promise<TriageRecord | null>;
  messageRef(triageId: string): Promise<MessageRef | null>;
  close(): Promise<void>;
}
