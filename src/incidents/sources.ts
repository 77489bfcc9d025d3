/**
 * The three incident sources as one shape the web host can mount the same way: the route,
 * the body cap, the header-only precheck (its secret bound), the body parser and the
 * mapping to an IncidentTriage. `receiveIncident` runs the whole pipeline over a body held in
 * memory; a host that streams calls `precheck` before reading and feeds `body.update`.
 *
 *   source         route                  auth                                    body cap
 *   alertmanager   POST /hooks/alertmanager  Authorization: Bearer | Basic (token)  1 MiB
 *   pagerduty      POST /hooks/pagerduty     X-PagerDuty-Signature (HMAC of body)   256 KiB
 *   generic        POST /hooks/incident      X-Signature(-Timestamp), ±5 min        16 KiB
 */
import { precheckAlertmanager } from './auth/alertmanager';
import { headerValue, runChecks, type AuthFailure, type HeaderBag, type Precheck } from '../ingress/edge';
import { type Secrets } from './auth/common';
import { precheckGenericHook, SIGNATURE_TIMESTAMP_HEADER } from './auth/generic';
import { precheckPagerDuty } from './auth/pagerduty';
import { triageForAlertGroup } from './from-alertmanager';
import { triageForGenericHook } from './from-generic';
import { triageForPagerDuty } from './from-pagerduty';
import type { ChannelAddresses } from './channel';
import type { IncidentSource, IncidentTriage } from './incident';
import { ALERTMANAGER_MAX_BODY_BYTES, parseAlertmanagerWebhook } from './payloads/alertmanager';
import { GENERIC_HOOK_MAX_BODY_BYTES, parseGenericHook } from './payloads/generic';
import { PAGERDUTY_MAX_BODY_BYTES, parsePagerDutyWebhook } from './payloads/pagerduty';
import type { Parsed } from './payloads/parse';
import { formatDuration } from '../config/duration';

export interface IncidentSourceSpec {
  source: IncidentSource;
  path: string;
  maxBodyBytes: number;
  /** From the headers alone, before the body is read. */
  precheck(headers: HeaderBag, now: Date): Precheck;
  /** Raw body (and the authenticated request's headers) → IncidentTriage, or a 400 with the reason. */
  read(rawBody: Uint8Array, headers?: HeaderBag): Parsed<IncidentTriage>;
  /**
   * Notices whose own time is older than this (ms) are refused as replays (PagerDuty: its
   * signature has no timestamp, so a captured delivery would verify forever).
   */
  maxAgeMs?: number;
}

function reader<P>(parse: (b: Uint8Array) => Parsed<P>, triage: (p: P, headers: HeaderBag) => IncidentTriage): (raw: Uint8Array, headers?: HeaderBag) => Parsed<IncidentTriage> {
  return (raw, headers = {}) => {
    const p = parse(raw);
    return p.ok ? { ok: true, value: triage(p.value, headers) } : p;
  };
}

/** The generic hook's signature timestamp (unix seconds; the edge checked it is within its window). */
function signedAt(headers: HeaderBag): number | null {
  const v = headerValue(headers, SIGNATURE_TIMESTAMP_HEADER)?.trim();
  return v && /^\d{1,12}$/.test(v) ? Number(v) : null;
}

/** PAGERDUTY_REPLAY_WINDOW's default. */
export const DEFAULT_PAGERDUTY_REPLAY_WINDOW_MS = 3_600_000;

export function alertmanagerSource(token: Secrets): IncidentSourceSpec {
  return {
    source: 'alertmanager',
    path: '/hooks/alertmanager',
    maxBodyBytes: ALERTMANAGER_MAX_BODY_BYTES,
    precheck: (headers) => precheckAlertmanager(headers, token),
    read: reader(parseAlertmanagerWebhook, triageForAlertGroup),
  };
}

export function pagerDutySource(secret: Secrets, replayWindowMs = DEFAULT_PAGERDUTY_REPLAY_WINDOW_MS): IncidentSourceSpec {
  return {
    source: 'pagerduty',
    path: '/hooks/pagerduty',
    maxBodyBytes: PAGERDUTY_MAX_BODY_BYTES,
    precheck: (headers) => precheckPagerDuty(headers, secret),
    read: reader(parsePagerDutyWebhook, triageForPagerDuty),
    maxAgeMs: replayWindowMs,
  };
}

/** `addresses` reads the channel the body names. */
export function genericHookSource(secret: Secrets, addresses: ChannelAddresses): IncidentSourceSpec {
  return {
    source: 'generic',
    path: '/hooks/incident',
    maxBodyBytes: GENERIC_HOOK_MAX_BODY_BYTES,
    precheck: (headers, now) => precheckGenericHook(headers, now, secret),
    read: reader((raw) => parseGenericHook(raw, addresses), (hook, headers) => triageForGenericHook(hook, signedAt(headers))),
  };
}

export interface IncidentSecrets {
  /** ALERTMANAGER_TOKEN */
  alertmanagerToken?: Secrets;
  /** PAGERDUTY_WEBHOOK_SECRET */
  pagerDutySecret?: Secrets;
  /** INCIDENT_WEBHOOK_SECRET */
  incidentWebhookSecret?: Secrets;
}

const configured = (s: Secrets | undefined): s is Secrets => (typeof s === 'string' ? s.length > 0 : !!s && s.some((x) => x.length > 0));

/** The sources whose secret is set; a source without one is not mounted at all. `addresses`: see genericHookSource. */
export function enabledIncidentSources(secrets: IncidentSecrets, addresses: ChannelAddresses, o: { pagerDutyReplayWindowMs?: number } = {}): IncidentSourceSpec[] {
  const out: IncidentSourceSpec[] = [];
  if (configured(secrets.alertmanagerToken)) out.push(alertmanagerSource(secrets.alertmanagerToken));
  if (configured(secrets.pagerDutySecret)) out.push(pagerDutySource(secrets.pagerDutySecret, o.pagerDutyReplayWindowMs));
  if (configured(secrets.incidentWebhookSecret)) out.push(genericHookSource(secrets.incidentWebhookSecret, addresses));
  return out;
}

export type Received =
  | { kind: 'accepted'; triage: IncidentTriage }
  | { kind: 'refused'; status: 401 | 403; failure: AuthFailure }
  | { kind: 'replayed'; status: 401; message: string }
  | { kind: 'too_large'; status: 413; message: string }
  | { kind: 'bad_request'; status: 400; message: string };

/** The whole pipeline over a body in memory: cap, authentication, then shape. */
export function receiveIncident(spec: IncidentSourceSpec, headers: HeaderBag, rawBody: Uint8Array, now: Date): Received {
  const pre = spec.precheck(headers, now);
  if (!pre.ok) return { kind: 'refused', status: pre.status, failure: pre };
  if (rawBody.byteLength > spec.maxBodyBytes) {
    return { kind: 'too_large', status: 413, message: `the body is ${rawBody.byteLength} bytes; ${spec.path} takes at most ${spec.maxBodyBytes}` };
  }
  const auth = runChecks(pre, rawBody);
  if (!auth.ok) return { kind: 'refused', status: auth.status, failure: auth };
  const read = spec.read(rawBody, headers);
  if (!read.ok) return { kind: 'bad_request', status: 400, message: read.message };
  const replay = replayProblem(spec, read.value, now);
  if (replay) return { kind: 'replayed', status: 401, message: replay };
  return { kind: 'accepted', triage: read.value };
}

/**
 * A notice older than its source's window (PagerDuty: 1 h by default): a replay of a captured
 * delivery, or one so late that applying it would be wrong. One sentence, or null.
 */
export function replayProblem(spec: Pick<IncidentSourceSpec, 'maxAgeMs' | 'source'>, t: Pick<IncidentTriage, 'occurredAt'>, now: Date): string | null {
  if (spec.maxAgeMs === undefined || t.occurredAt === null) return null;
  const age = now.getTime() - t.occurredAt;
  if (age <= spec.maxAgeMs) return null;
  const setting = spec.source === 'pagerduty' ? ' (PAGERDUTY_REPLAY_WINDOW)' : '';
  return `the event occurred at ${new Date(t.occurredAt).toISOString()}, more than ${formatDuration(spec.maxAgeMs)} ago: refused as a replay${setting}`;
}
