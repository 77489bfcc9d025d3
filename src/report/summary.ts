/**
 * A found triage (`FoundTriage`, src/ingress/service-api.ts) as `list` and `show` print it with
 * `--json`: a stable shape, documented in the README ("Finding a triage"). Names stand beside
 * IDs (never instead of them), times are ISO 8601 UTC, and the state is given both as the
 * machine's id (`state`, for scripts) and in words (`status`, what a person reads).
 */
import type { FoundTriage } from './found';
import type { Actor, TriageRecord } from '../triage/record';
import type { Diagnosis, StepResult } from '../triage/model';
import { nameOf, type NameBook } from '../triage/names';
import { triageLinks, type LinkContext, type TriageLinks } from './links';
import { stateText, stateWords } from './state-words';

/** One triage in `list --json` (and the head of `show --json`). */
export interface TriageSummaryJson {
  id: string;
  /** The machine's state id: locating, routed, walking, resolved, escalated, abandoned (new states may be added). */
  state: string;
  /** Where it stands in words: "Needs you: step 4 of 8 (Grant and policy)", "Resolved by Ada". */
  status: string;
  /** Whether on-call has to act now. */
  needsYou: boolean;
  requestId: string | null;
  zoneId: string | null;
  zoneName: string | null;
  symptom: string | null;
  surface: string | null;
  /** The diagnosed cause, when there is one. */
  cause: string | null;
  /** Where its card went, `<platform>:<id>`. */
  place: string | null;
  startedBy: Actor;
  /** What started it: `slack_command`, `teams_message`, `alertmanager`, … */
  source: string;
  createdAt: string;
  updatedAt: string;
  /** The card: whether it is posted, and a link to it when the platform gave one. */
  card: { posted: boolean; link: string | null };
  links: TriageLinks;
  /** The Caracal deployment it read (CARACAL_DEPLOYMENTS_FILE); absent while the bot serves one it did not need to name. */
  deployment?: string;
}

/** `show --json`: the summary, then the triage in full (IDs in evidence, names beside them). */
export interface TriageShowJson extends TriageSummaryJson {
  diagnosis: Diagnosis | null;
  steps: Array<Pick<StepResult, 'id' | 'verdict' | 'summary' | 'evidence'> & { cause?: string; at?: string }>;
  history: TriageRecord['history'];
  changes: NonNullable<TriageRecord['changes']>;
  bundle: TriageRecord['bundle'];
  names: NameBook;
  incident: TriageRecord['incident'] | null;
}

export function summaryJson(f: FoundTriage, ctx: LinkContext): TriageSummaryJson {
  const r = f.record;
  return {
    id: r.id,
    state: r.state,
    status: stateText(r),
    needsYou: stateWords(r).needsYou,
    requestId: r.input.requestId,
    zoneId: r.zoneId,
    zoneName: nameOf(r.names, 'zones', r.zoneId),
    symptom: r.symptom,
    surface: r.surface,
    cause: r.diagnosis?.cause ?? null,
    place: f.place,
    startedBy: f.startedBy,
    source: f.source,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    card: { posted: f.card !== null, link: f.cardLink },
    links: triageLinks(r, ctx),
    ...(r.deployment ? { deployment: r.deployment } : {}),
  };
}

export function showJson(f: FoundTriage, ctx: LinkContext): TriageShowJson {
  const r = f.record;
  return {
    ...summaryJson(f, ctx),
    diagnosis: r.diagnosis,
    steps: r.steps.map((s) => ({ id: s.id, verdict: s.verdict, summary: s.summary, ...(s.cause ? { cause: s.cause } : {}), evidence: s.evidence, ...(s.at ? { at: s.at } : {}) })),
    history: r.history,
    changes: r.changes ?? [],
    bundle: r.bundle,
    names: r.names ?? { zones: {}, applications: {}, resources: {}, policySets: {} },
    incident: r.incident ?? null,
  };
}

/** "Payments (01a2…)" when the zone has a name, else its ID; null without a zone. */
export function zoneWords(r: Pick<TriageRecord, 'zoneId' | 'names'>): string | null {
  if (!r.zoneId) return null;
  const name = nameOf(r.names, 'zones', r.zoneId);
  return name ?? r.zoneId;
}
