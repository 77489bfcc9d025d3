/**
 * Alertmanager's webhook body, version 4 (Alertmanager 0.25 sends it; recorded copies are in
 * test/fixtures/incidents/). Lenient on fields we do not read, strict on those we do.
 *
 * Facts that shape it:
 * - One body is one alert group: `groupKey` is stable for the group (route path plus the
 *   `group_by` label values, e.g. `{}:{alertname="CaracalAuditDLQGrowth"}`), and each later
 *   notice of the group (a new alert, a resolved one, a re-notification after
 *   `repeat_interval`) carries the whole current set of alerts again.
 * - `status` is `resolved` only when every alert in the body is resolved (with
 *   `send_resolved: true`; without it resolved alerts are never sent).
 * - A firing alert's `endsAt` is `0001-01-01T00:00:00Z` (Go's zero time).
 * - `max_alerts` truncates `alerts[]`; `truncatedAlerts` says how many were left out.
 * - Alertmanager retries a 5xx at once with backoff; a 4xx (401, 400, 413, 422) is not
 *   retried, but the group stays un-notified and is sent again at its next `group_interval`.
 */
import { z } from 'zod';
import { parseBody, type Parsed } from './parse';

/**
 * Body cap for POST /hooks/alertmanager. A Caracal alert is under 2 KB as Alertmanager sends it,
 * so 1 MiB holds a group of several hundred; set `max_alerts` (e.g. 100) on the receiver so
 * a storm cannot exceed it: a refused body comes back every `group_interval` and never fits.
 */
export const ALERTMANAGER_MAX_BODY_BYTES = 1024 * 1024;

const LabelName = z.string().min(1).max(256);
const Labels = z.record(LabelName, z.string().max(4096));
const Annotations = z.record(LabelName, z.string().max(32 * 1024));
const Timestamp = z.iso.datetime({ offset: true, error: 'expected an RFC 3339 timestamp' });
const AlertStatus = z.enum(['firing', 'resolved']);

/** Go's zero time: Alertmanager's `endsAt` of an alert that is still firing. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export const AlertmanagerAlert = z.looseObject({
  status: AlertStatus,
  labels: Labels,
  annotations: Annotations,
  startsAt: Timestamp,
  endsAt: Timestamp,
  generatorURL: z.string().max(4096),
  fingerprint: z.string().regex(/^[0-9a-f]{1,64}$/, 'expected the alert fingerprint (hex)'),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;

export const AlertmanagerWebhook = z.looseObject({
  version: z.literal('4', { error: 'only webhook version "4" is understood (Alertmanager 0.16 and later)' }),
  groupKey: z.string().min(1).max(8192),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: AlertStatus,
  receiver: z.string().max(1024),
  groupLabels: Labels,
  commonLabels: Labels,
  commonAnnotations: Annotations,
  externalURL: z.string().max(4096),
  alerts: z.array(AlertmanagerAlert).min(1, 'a notice carries at least one alert').max(10_000),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

export function parseAlertmanagerWebhook(body: Uint8Array | unknown): Parsed<AlertmanagerWebhook> {
  return parseBody(AlertmanagerWebhook, body, 'an Alertmanager webhook (version 4)');
}
