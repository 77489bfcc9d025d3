/**
 * The routes file (TRIAGE_ROUTES_FILE): which chat channel or conversation gets which
 * incidents. An example with every key explained is examples/triage-routes.yaml.
 *
 *   version: 1                      # optional
 *   routes:                         # tried in order; the first whose match holds wins
 *     - name: access-safety         # optional, unique; shown in logs and errors
 *       match:                      # optional; every key given must hold (absent = matches all)
 *         source: alertmanager      # alertmanager | pagerduty | watch (the deny watcher) | caracal (approval holds, src/act)
 *         alertname: [CaracalGatewayRevocationSnapshotStale, CaracalGatewayRevocationReloadErrors]
 *         severity: critical        # the alert's severity label, or the PagerDuty urgency (high, low)
 *         component: gateway        # the alert's component label (sts, audit, gateway, api, database, platform)
 *         service: PXXXXXX          # PagerDuty service ID or name
 *         zone: zone-prod           # the incident's Caracal zone (zone_id / zone label, or zone in the title); a hold's zone
 *         tier: high                # an approval hold's tier (source caracal)
 *         application: <app id>     # an approval hold's application ID (source caracal); watch: the denied application
 *         resource: resource://x    # watch: the resource denied
 *         reason: role_scope_mismatch   # watch: the denial's reason (replay_detected for the Gateway's)
 *       to: <platform>:<id>         # a channel address (channel.ts)
 *       escalate:                   # optional: whom *Escalate* reaches for this route's triages
 *         slack: S0ONCALL           #   a user to mention on the `to` platform (src/triage/escalation.ts)
 *         pagerduty: true           #   a PagerDuty Events v2 trigger (PAGERDUTY_ROUTING_KEY)
 *   thresholds:                     # optional: when a denial pattern opens a triage (WATCH_ENABLED)
 *     - name: noisy-staging         # optional
 *       match: { zone: zone-staging, reason: [scope_mismatch] }   # zone, application, resource, reason
 *       min_denials: 20             # any of these three; the rest stay WATCH_MIN_DENIALS,
 *       window: 10m                 #   WATCH_WINDOW_S, WATCH_BASELINE_FACTOR
 *       baseline_factor: 5
 *
 * Each match key takes one value or a list (any of them). Severity, source and tier compare
 * without regard to case; the others exactly. An incident no route matches goes to
 * TRIAGE_DEFAULT_CHANNEL; without it the incident is unroutable. The generic hook names its
 * channel in the body and is not routed here. A triage no route covers (the default channel,
 * the generic hook, chat commands) escalates to TRIAGE_ESCALATE.
 *
 * The schema is strict: an unknown key is an error (a misspelt `severty` would otherwise
 * route silently somewhere else).
 */
import { z } from 'zod';
import type { ChannelAddresses } from '../channel';
import { escalateSchema, type MentionPlatform } from '../../triage/escalation';

export { THRESHOLD_MATCH_KEYS } from '../watch/thresholds';

export const MATCH_KEYS = ['source', 'alertname', 'severity', 'component', 'service', 'zone', 'tier', 'application', 'resource', 'reason'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

/**
 * Sources a route can name (the generic hook carries its own channel): `watch`, the deny
 * watcher's patterns; `caracal`, approval holds from Caracal's notification sink.
 */
export const ROUTED_SOURCES = ['alertmanager', 'pagerduty', 'watch', 'caracal'] as const;
export type RoutedSource = (typeof ROUTED_SOURCES)[number];

/** A message for a wrong value, or "is required" when the key is absent. */
const orRequired = (message: string) => (issue: { input?: unknown }): string => (issue.input === undefined ? 'is required' : message);

const TEXT = orRequired('must be text or a list of text (quote values YAML reads as numbers or booleans)');
const Values = z.union([z.string().min(1, 'must not be empty'), z.array(z.string().min(1, 'must not be empty'), { error: TEXT }).min(1, 'must list at least one value')], {
  error: TEXT,
});
const asList = (v: string | string[]): string[] => (typeof v === 'string' ? [v] : v);

const SourceValues = Values.transform(asList).superRefine((list, ctx) => {
  for (const s of list) {
    const v = s.toLowerCase();
    if (v === 'generic') {
      ctx.addIssue({ code: 'custom', message: 'the generic hook names its channel in the body, so routes never see it; remove "generic"' });
    } else if (!(ROUTED_SOURCES as readonly string[]).includes(v)) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not a source (expected ${ROUTED_SOURCES.slice(0, -1).join(', ')} or ${ROUTED_SOURCES[ROUTED_SOURCES.length - 1]})` });
    }
  }
});

export const RouteMatchSchema = z.strictObject({
  source: SourceValues.optional(),
  alertname: Values.transform(asList).optional(),
  severity: Values.transform(asList).optional(),
  component: Values.transform(asList).optional(),
  service: Values.transform(asList).optional(),
  zone: Values.transform(asList).optional(),
  tier: Values.transform(asList).optional(),
  application: Values.transform(asList).optional(),
  resource: Values.transform(asList).optional(),
  reason: Values.transform(asList).optional(),
});
export type RouteMatch = Partial<Record<MatchKey, string[]>>;

/** The file's schema, reading each `to` and `escalate` with the platforms the build has. */
export function routesFileSchema(addresses: ChannelAddresses, people: readonly MentionPlatform[] = []) {
  const route = z.strictObject({
    name: z.string({ error: orRequired('must be text') }).min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
    match: RouteMatchSchema.nullish(),
    to: addresses.text,
    escalate: escalateSchema(people).optional(),
  });
  return z.strictObject({
    version: z.literal(1, { error: 'must be 1 (the only version of this format)' }).optional(),
    routes: z.array(route, { error: orRequired(`must be a list of routes (each "- to: ${addresses.sketch}")`) }),
    thresholds: z.array(ThresholdRuleSchema, { error: orRequired('must be a list of threshold rules (each "- match: {…}" with min_denials, window or baseline_factor)') }).optional(),
  });
}

export const THRESHOLD_KEYS = ['name', 'match', 'min_denials', 'window', 'baseline_factor'] as const;

/** `window` as people write it: 10m, 300s, 1h (the watcher's windows are 1 s to 24 h). */
const WindowValue = z.string({ error: orRequired('must be a duration such as 300s, 10m or 1h') }).transform((v, ctx) => {
  const m = /^(\d{1,6})\s*([smh])$/.exec(v.trim().toLowerCase());
  const ms = m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'] : NaN;
  if (!(ms >= 1000 && ms <= 86_400_000)) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration from 1s to 24h such as 300s, 10m or 1h' });
    return z.NEVER;
  }
  return ms;
});

const ThresholdRuleSchema = z
  .strictObject({
    name: z.string({ error: orRequired('must be text') }).min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
    match: z
      .strictObject({
        zone: Values.transform(asList).optional(),
        application: Values.transform(asList).optional(),
        resource: Values.transform(asList).optional(),
        reason: Values.transform(asList).optional(),
      })
      .nullish(),
    min_denials: z.number({ error: orRequired('must be a whole number from 1 to 100000') }).int('must be a whole number').min(1, 'must be at least 1').max(100_000, 'must be at most 100000').optional(),
    window: WindowValue.optional(),
    baseline_factor: z.number({ error: orRequired('must be a number from 0 to 1000') }).min(0, 'must be at least 0').max(1000, 'must be at most 1000').optional(),
  })
  .refine((r) => r.min_denials !== undefined || r.window !== undefined || r.baseline_factor !== undefined, { message: 'sets nothing: give min_denials, window or baseline_factor' });
