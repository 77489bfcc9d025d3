/**
 * Ingress metrics (every chat platform, label `platform`): how fast requests are acked, what
 * commands and clicks came to, and how many requests failed signature checks. Created once
 * per prom-client registry, like src/queue/metrics.ts, so web and worker in one process
 * share one /metrics.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export interface IngressMetrics {
  registry: Registry;
  /** caracal_triage_ack_seconds{platform,kind}: request in → response out (the ack). */
  ackSeconds: Histogram<'platform' | 'kind'>;
  /** caracal_triage_commands_total{platform,command,outcome} */
  commands: Counter<'platform' | 'command' | 'outcome'>;
  /** caracal_triage_button_clicks_total{platform,outcome} */
  clicks: Counter<'platform' | 'outcome'>;
  /** caracal_triage_ingress_events_total{platform,type,outcome} */
  events: Counter<'platform' | 'type' | 'outcome'>;
  /** caracal_triage_rejected_signatures_total{platform} */
  rejectedSignatures: Counter<'platform'>;
}

const byRegistry = new WeakMap<Registry, IngressMetrics>();

export function ingressMetrics(registry: Registry = new Registry()): IngressMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: IngressMetrics = {
    registry,
    ackSeconds: new Histogram({
      name: 'caracal_triage_ack_seconds',
      help: 'Time from an inbound chat request to its HTTP acknowledgement, by platform and kind (command, action, event)',
      labelNames: ['platform', 'kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3],
      registers,
    }),
    commands: new Counter({
      name: 'caracal_triage_commands_total',
      help: 'Chat commands by platform, command and outcome (started, duplicate, invalid, unauthorized, help, status, error, timeout)',
      labelNames: ['platform', 'command', 'outcome'],
      registers,
    }),
    clicks: new Counter({
      name: 'caracal_triage_button_clicks_total',
      help: 'Card button clicks by platform and outcome (applied, stale, finished, not_allowed, not_found, conflict, bad_signature, expired, malformed, unauthorized, error)',
      labelNames: ['platform', 'outcome'],
      registers,
    }),
    events: new Counter({
      name: 'caracal_triage_ingress_events_total',
      help: 'Chat platform events by platform, type and outcome (started, duplicate, ignored, error)',
      labelNames: ['platform', 'type', 'outcome'],
      registers,
    }),
    rejectedSignatures: new Counter({
      name: 'caracal_triage_rejected_signatures_total',
      help: 'Inbound requests refused because their signature or timestamp did not verify',
      labelNames: ['platform'],
      registers,
    }),
  };
  byRegistry.set(registry, m);
  return m;
}
