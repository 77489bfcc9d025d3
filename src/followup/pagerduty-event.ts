/**
 * What an escalation tells PagerDuty, from the triage record alone (pure): the trigger's
 * summary is the card's headline (the failing surface and cause, or what could not be
 * determined), its details the facts on the card, its link the card; the resolve names the
 * same alert. One dedup key per triage (src/triage/escalation.ts): a second escalation of the
 * same triage adds to its open alert instead of opening another. The note on a PagerDuty
 * incident carries a tag naming the triage and the escalation, by which a retried job finds a
 * note it already added. The caller redacts all of it before it leaves the bot.
 */
import { STEP_TITLES } from '../triage/model';
import { headlineOf, recordHeadlineInput } from '../triage/headline';
import { pagerDutyDedupKey } from '../triage/escalation';
import type { Escalation, TriageRecord } from '../triage/record';
import type { PagerDutyEvent } from './pagerduty';

const SUMMARY_MAX = 1024;
const SOURCE = 'caracal-triage';

const clip = (s: string, n: number): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
};

const who = (e: Escalation): string => e.actor.name ?? e.actor.id;

/** The card's headline as one line: what the triage found (or that it has not finished). */
export function triageSummary(r: TriageRecord): string {
  const about = `Caracal triage ${r.input.requestId ?? r.incident?.title ?? r.id}`;
  if (r.state === 'locating' && !r.diagnosis) return `${about}: evidence still being collected`;
  const d = r.diagnosis;
  if (d) return `${about}: ${d.surface} at step ${STEP_TITLES[d.step]}, cause ${d.cause}: ${d.summary}`;
  return `${about}: ${headlineOf(recordHeadlineInput(r)).text}`;
}

/** `critical` when the incident that opened the triage is; `error` otherwise (a denial someone escalated). */
function severity(r: TriageRecord): 'critical' | 'error' {
  return (r.incident?.alerts ?? []).some((a) => a.status === 'firing' && a.severity?.toLowerCase() === 'critical') ? 'critical' : 'error';
}

export function triggerEvent(r: TriageRecord, e: Escalation, cardLink: string | null): PagerDutyEvent {
  const d = r.diagnosis;
  const event: PagerDutyEvent = {
    event_action: 'trigger',
    dedup_key: pagerDutyDedupKey(r.id),
    payload: {
      summary: clip(`${triageSummary(r)} (escalated by ${who(e)})`, SUMMARY_MAX),
      source: SOURCE,
      severity: severity(r),
      ...(r.surface ? { component: r.surface } : {}),
      ...((r.zoneId ?? r.input.zoneId) ? { group: (r.zoneId ?? r.input.zoneId)! } : {}),
      ...(d ? { class: d.cause } : {}),
      custom_details: {
        triage_id: r.id,
        request_id: r.input.requestId,
        zone_id: r.zoneId ?? r.input.zoneId,
        state: r.state,
        surface: r.surface,
        diagnosis: d ? { step: d.step, cause: d.cause, confidence: d.confidence, summary: d.summary } : null,
        incident: r.incident ? { source: r.incident.source, ref: r.incident.ref, title: r.incident.title } : null,
        escalation: e.n,
        escalated_by: who(e),
        escalated_at: e.at,
        card: cardLink,
      },
    },
    client: 'Caracal triage',
  };
  if (cardLink) {
    event.links = [{ href: cardLink, text: 'Caracal triage card' }];
    event.client_url = cardLink;
  }
  return event;
}

export function resolveEvent(r: TriageRecord): PagerDutyEvent {
  return { event_action: 'resolve', dedup_key: pagerDutyDedupKey(r.id) };
}

/** How a retried job recognises a note it added before it could record it. */
export const noteTag = (r: TriageRecord, e: Escalation): string => `[caracal-triage ${r.id} escalation ${e.n}]`;

export function noteContent(r: TriageRecord, e: Escalation, cardLink: string | null): string {
  const lines = [`Escalated from Caracal triage by ${who(e)} at ${e.at}.`, clip(triageSummary(r), 2000)];
  if (cardLink) lines.push(`Card: ${cardLink}`);
  lines.push(noteTag(r, e));
  return lines.join('\n');
}
