/**
 * A notification-sink delivery's body and headers (FACTS §6.1; fixture
 * notification-sink-delivery.step_up_issued.json): `{id, type, zone_id, decision, occurred_at,
 * data}` where `data` is the audit row's `metadata_json` (challenge_id, tier, approver_class,
 * privacy_mode, expires_at?, application_id, session_id, agent_session_id, agent_labels).
 * Checked with zod; the three event types sinks carry are read, any other type is `ignored`
 * (a Caracal that adds one must not make the sink fail and retry).
 */
import { z } from 'zod';
import { headerValue, type HeaderBag } from '../../ingress/edge';

export const SINK_MAX_BODY_BYTES = 64 * 1024;
export const SINK_EVENTS = ['step_up_issued', 'step_up_decided', 'step_up_consumed'] as const;
export type SinkEventType = (typeof SINK_EVENTS)[number];

/** IDs as Caracal writes them in paths (an approval ID goes into `…/approvals/{id}`). */
const CaracalId = z.string().regex(/^[A-Za-z0-9_.\-:]{1,128}$/, 'is not a Caracal ID');
const Short = z.string().max(200);
const Optional = (s: z.ZodType<string>) => s.nullish().transform((v) => v ?? null);

const Data = z.looseObject({
  challenge_id: CaracalId,
  tier: Optional(Short),
  approver_class: Optional(Short),
  privacy_mode: Optional(Short),
  application_id: Optional(Short),
  agent_session_id: Optional(Short),
  agent_labels: z.array(Short).max(50).nullish().transform((v) => v ?? []),
  expires_at: Optional(z.iso.datetime({ offset: true })),
  decision: Optional(Short),
});

const Body = z.looseObject({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(64),
  zone_id: CaracalId,
  decision: Optional(Short),
  occurred_at: z.iso.datetime({ offset: true }),
  data: Data,
});

export interface SinkNotice {
  /** X-Caracal-Delivery: stable across Caracal's retries. */
  deliveryId: string;
  sinkId: string | null;
  type: SinkEventType;
  eventId: string;
  zoneId: string;
  /** The hold's ID (`data.challenge_id`), as `GET …/approvals/{id}` takes it. */
  approvalId: string;
  occurredAt: string;
  decision: string | null;
  tier: string | null;
  approverClass: string | null;
  privacyMode: string | null;
  applicationId: string | null;
  agentSessionId: string | null;
  agentLabels: string[];
  expiresAt: string | null;
}

export type SinkRead = { ok: true; notice: SinkNotice } | { ok: true; ignored: string } | { ok: false; message: string };

const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

export function readSinkDelivery(headers: HeaderBag, raw: Uint8Array): SinkRead {
  const deliveryId = headerValue(headers, 'x-caracal-delivery')?.trim() ?? '';
  if (!DELIVERY_ID.test(deliveryId)) return { ok: false, message: 'X-Caracal-Delivery header is missing or not 1-200 printable characters' };
  const eventHeader = headerValue(headers, 'x-caracal-event')?.trim() ?? '';
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    return { ok: false, message: 'the body is not JSON' };
  }
  const envelope = z.looseObject({ type: z.string() }).safeParse(json);
  if (!envelope.success) return { ok: false, message: 'the body is not an event object with a type' };
  if (eventHeader && eventHeader !== envelope.data.type) return { ok: false, message: 'X-Caracal-Event does not match the body\'s type' };
  if (!(SINK_EVENTS as readonly string[]).includes(envelope.data.type)) return { ok: true, ignored: `event type ${envelope.data.type.slice(0, 64)} is not one the bot acts on` };
  const parsed = Body.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { ok: false, message: `${i.path.join('.') || 'body'}: ${i.message}` };
  }
  const b = parsed.data;
  return {
    ok: true,
    notice: {
      deliveryId,
      sinkId: headerValue(headers, 'x-caracal-sink')?.trim().slice(0, 200) || null,
      type: b.type as SinkEventType,
      eventId: b.id,
      zoneId: b.zone_id,
      approvalId: b.data.challenge_id,
      occurredAt: b.occurred_at,
      decision: b.data.decision ?? b.decision,
      tier: b.data.tier,
      approverClass: b.data.approver_class,
      privacyMode: b.data.privacy_mode,
      applicationId: b.data.application_id,
      agentSessionId: b.data.agent_session_id,
      agentLabels: b.data.agent_labels,
      expiresAt: b.data.expires_at,
    },
  };
}
