/**
 * PagerDuty V3 webhook bodies: one event per delivery,
 * `{event: {id, event_type, resource_type, occurred_at, agent, client, data}}`.
 *
 * - `data.type` says what `data` is: `incident` for incident.triggered / acknowledged /
 *   unacknowledged / resolved / reopened / escalated / delegated / reassigned /
 *   priority_updated (the incident itself, `data.id` its ID); `incident_note`
 *   (incident.annotated), `incident_status_update`, `incident_responder` and others carry
 *   the incident as `data.incident` instead. `service.*` events and the test event
 *   (`pagey.ping`, `data.type: "ping"`) are about no incident.
 * - Delivery is at least once; a redelivery has the same `event.id` (and `X-Webhook-Id`).
 * - PagerDuty drops webhooks over 256 KB itself and expects a 2xx within 5 s; a 4xx is
 *   never retried, and three dropped deliveries in a row disable the subscription for 24 h.
 */
import { z } from 'zod';
import { bad, decodeJson, describeIssues, type Parsed } from './parse';

/** Body cap for POST /hooks/pagerduty: PagerDuty never sends more than 256 KB. */
export const PAGERDUTY_MAX_BODY_BYTES = 256 * 1024;

/** PagerDuty object IDs (`PGR0VU2`, `Q1ABC…`). */
const PagerDutyId = z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'expected a PagerDuty ID (letters and digits)');
const Timestamp = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 timestamp' });

const Reference = z.looseObject({
  id: PagerDutyId,
  summary: z.string().max(4096).optional(),
  html_url: z.string().max(4096).optional(),
  type: z.string().max(128).optional(),
});

export const PagerDutyIncident = z.looseObject({
  id: PagerDutyId,
  type: z.literal('incident'),
  number: z.number().int().optional(),
  title: z.string().max(16 * 1024),
  status: z.string().max(64),
  service: Reference,
  urgency: z.string().max(64).optional(),
  html_url: z.string().max(4096).optional(),
  incident_key: z.string().max(1024).nullish(),
  priority: z.looseObject({ summary: z.string().max(256).optional() }).nullish(),
});
export type PagerDutyIncident = z.infer<typeof PagerDutyIncident>;

/** `data` of events about something attached to an incident (a note, a status update, a responder). */
const IncidentAttachment = z.looseObject({
  type: z.string().max(128),
  incident: Reference,
});

const Envelope = z.looseObject({
  event: z.looseObject({
    id: z.string().min(1).max(128),
    event_type: z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/, 'expected an event type such as incident.triggered'),
    resource_type: z.string().max(128),
    occurred_at: Timestamp,
    agent: z.looseObject({ id: z.string().optional(), summary: z.string().optional(), type: z.string().optional() }).nullish(),
    client: z.unknown().optional(),
    data: z.looseObject({ type: z.string().max(128) }),
  }),
});

export type PagerDutySubject =
  | { kind: 'incident'; incident: PagerDutyIncident }
  | { kind: 'incident_attachment'; dataType: string; incident: z.infer<typeof Reference> }
  | { kind: 'other'; dataType: string };

export interface PagerDutyWebhook {
  eventId: string;
  eventType: string;
  resourceType: string;
  occurredAt: string;
  /** Who caused the event (a user, a service, an integration), when PagerDuty says. */
  agent: { id: string | null; summary: string | null; type: string | null } | null;
  subject: PagerDutySubject;
}

const WHAT = 'a PagerDuty V3 webhook';

export function parsePagerDutyWebhook(body: Uint8Array | unknown): Parsed<PagerDutyWebhook> {
  let value: unknown = body;
  if (body instanceof Uint8Array) {
    const json = decodeJson(body);
    if (!json.ok) return bad(WHAT, json.message);
    value = json.value;
  }
  const env = Envelope.safeParse(value);
  if (!env.success) return bad(WHAT, describeIssues(env.error.issues));
  const e = env.data.event;
  let subject: PagerDutySubject;
  if (e.data.type === 'incident') {
    const r = PagerDutyIncident.safeParse(e.data);
    if (!r.success) return bad(WHAT, describeIssues(r.error.issues, 3, ['event', 'data']));
    subject = { kind: 'incident', incident: r.data };
  } else if (e.resource_type === 'incident') {
    const r = IncidentAttachment.safeParse(e.data);
    if (!r.success) return bad(WHAT, describeIssues(r.error.issues, 3, ['event', 'data']));
    subject = { kind: 'incident_attachment', dataType: r.data.type, incident: r.data.incident };
  } else {
    subject = { kind: 'other', dataType: e.data.type };
  }
  return {
    ok: true,
    value: {
      eventId: e.id,
      eventType: e.event_type,
      resourceType: e.resource_type,
      occurredAt: e.occurred_at,
      agent: e.agent ? { id: e.agent.id ?? null, summary: e.agent.summary ?? null, type: e.agent.type ?? null } : null,
      subject,
    },
  };
}
