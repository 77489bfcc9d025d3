/**
 * Notification-sink deliveries as Caracal's dispatcher sends them (FACTS §6.1,
 * `apps/api/src/jobs/notification-dispatcher.ts`): a POST of the event as JSON with
 *
 *   Content-Type: application/json
 *   X-Caracal-Event: <type>             X-Caracal-Delivery: <id, stable across retries>
 *   X-Caracal-Sink: <sink id>           X-Caracal-Timestamp: <unix seconds>
 *   X-Caracal-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *
 * `signSinkDelivery` builds one (tests tamper with it, age it, send it twice); `deliverToSink`
 * POSTs it and resolves with the receiver's status; `registerSink` makes the simulator deliver
 * every approval event it emits (issued, decided, consumed) to a URL, as a sink subscribed to
 * them would, optionally after a delay (real sinks see decisions only once the Audit service
 * has ingested them).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { SimActs, SinkEvent } from './acts';

export interface SinkDelivery {
  headers: Record<string, string>;
  /** The exact bytes signed and sent. */
  body: string;
  deliveryId: string;
}

export interface SignOptions {
  /** Unix seconds (default now). */
  timestamp?: number;
  deliveryId?: string;
  sinkId?: string;
}

export function signSinkDelivery(event: SinkEvent, secret: string, o: SignOptions = {}): SinkDelivery {
  const body = JSON.stringify(event);
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const deliveryId = o.deliveryId ?? randomUUID();
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return {
    body,
    deliveryId,
    headers: {
      'content-type': 'application/json',
      'x-caracal-event': event.type,
      'x-caracal-delivery': deliveryId,
      'x-caracal-sink': o.sinkId ?? 'sink-sim-1',
      'x-caracal-timestamp': String(timestamp),
      'x-caracal-signature': `v1=${signature}`,
    },
  };
}

/** POSTs a signed delivery; resolves with the status and the answer's text. */
export async function deliverToSink(url: string, d: SinkDelivery): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text() };
}

export interface RegisteredSink {
  /** Every delivery attempted, with the receiver's status (0: no answer). */
  readonly sent: Array<{ event: SinkEvent; deliveryId: string; status: number }>;
  /** Resolves when every delivery started so far has an answer. */
  settled(): Promise<void>;
  stop(): void;
}

/** Delivers each event the simulator emits to `url`, signed with `secret`, after `delayMs`. */
export function registerSink(acts: SimActs, url: string, secret: string, o: { delayMs?: number } = {}): RegisteredSink {
  const sent: RegisteredSink['sent'] = [];
  const pending = new Set<Promise<void>>();
  acts.onEvent = (event) => {
    const d = signSinkDelivery(event, secret);
    const p = (async () => {
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      const status = await deliverToSink(url, d).then((r) => r.status, () => 0);
      sent.push({ event, deliveryId: d.deliveryId, status });
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  return {
    sent,
    settled: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    stop: () => {
      acts.onEvent = null;
    },
  };
}
