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
import { runChecks, type AuthFailure, type HeaderBag, type Precheck } from '../ingress/edge';
import { type Secrets } from './auth/common';
import { precheckGenericHook } from './auth/generic';
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

export interface IncidentSourceSpec {
  source: IncidentSource;
  path: string;
  maxBodyBytes: number;
  /** From the headers alone, before the body is read. */
  precheck(headers: HeaderBag, now: Date): Precheck;
  /** Raw body → IncidentTriage, or a 400 with the reason. */
  read(rawBody: Uint8Array): Parsed<IncidentTriage>;
}

function reader<P>(parse: (b: Uint8Array) => Parsed<P>, triage: (p: P) => IncidentTriage): (raw: Uint8Array) => Parsed<IncidentTriage> {
  return (raw) => {
    const p = parse(raw);
    return p.ok ? { ok: true, value: triage(p.value) } : p;
  };
}

export function alertmanagerSource(token: Secrets): IncidentSourceSpec {
  return {
    source: 'alertmanager',
    path: '/hooks/alertmanager',
    maxBodyBytes: ALERTMANAGER_MAX_BODY_BYTES,
    precheck: (headers) => precheckAlertmanager(headers, token),
    read: reader(parseAlertmanagerWebhook, triageForAlertGroup),
  };
}

export function pagerDutySource(secret: Secrets): IncidentSourceSpec {
  return {
    source: 'pagerduty',
    path: '/hooks/pagerduty',
    maxBodyBytes: PAGERDUTY_MAX_BODY_BYTES,
    precheck: (headers) => precheckPagerDuty(headers, secret),
    read: reader(parsePagerDutyWebhook, triageForPagerDuty),
  };
}

/** `addresses` reads the channel the body names. */
export function genericHookSource(secret: Secrets, addresses: ChannelAddresses): IncidentSourceSpec {
  return {
    source: 'generic',
    path: '/hooks/incident',
    maxBodyBytes: GENERIC_HOOK_MAX_BODY_BYTES,
    precheck: (headers, now) => precheckGenericHook(headers, now, secret),
    read: reader((raw) => parseGenericHook(raw, addresses), triageForGenericHook),
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
export function enabledIncidentSources(secrets: IncidentSecrets, addresses: ChannelAddresses): IncidentSourceSpec[] {
  const out: IncidentSourceSpec[] = [];
  if (configured(secrets.alertmanagerToken)) out.push(alertmanagerSource(secrets.alertmanagerToken));
  if (configured(secrets.pagerDutySecret)) out.push(pagerDutySource(secrets.pagerDutySecret));
  if (configured(secrets.incidentWebhookSecret)) out.push(genericHookSource(secrets.incidentWebhookSecret, addresses));
  return out;
}

export type Received =
  | { kind: 'accepted'; triage: IncidentTriage }
  | { kind: 'refused'; status: 401 | 403; failure: AuthFailure }
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
  const read = spec.read(rawBody);
  if (!read.ok) return { kind: 'bad_request', status: 400, message: read.message };
  return { kind: 'accepted', triage: read.value };
}
