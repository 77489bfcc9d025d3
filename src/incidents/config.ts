/**
 * The incident sources' settings: each source is served when its secret is set; every served
 * source needs somewhere to post (TRIAGE_ROUTES_FILE, TRIAGE_DEFAULT_CHANNEL, or the generic
 * hook's own `channel`). Secrets may list several values, comma-separated, while they rotate.
 *
 *   ALERTMANAGER_TOKEN        bearer token (or basic-auth password) Alertmanager's http_config sends
 *   PAGERDUTY_WEBHOOK_SECRET  the V3 webhook subscription's signing secret
 *   INCIDENT_WEBHOOK_SECRET   HMAC key of the generic signed webhook
 *   TRIAGE_ROUTES_FILE        YAML: which channel gets which incidents (first match wins)
 *   TRIAGE_DEFAULT_CHANNEL    a channel address (<platform>:<id>, channel.ts), when no route matches
 *   PAGERDUTY_REPLAY_WINDOW   PagerDuty events that occurred longer ago are refused as replays (1h)
 *   INCIDENT_RETENTION        how long an incident's record outlives its closed triage (7d): late
 *                             and replayed notices of it are recognised for that long
 *
 * The deny watcher (WATCH_ENABLED, src/incidents/watch/config.ts) is a source too: its patterns
 * are routed by the same file (`source: watch`) and need a chat platform and somewhere to go.
 */
import { loadRoutes, type RoutingTable } from './routes/load';
import type { IncidentSecrets } from './sources';
import type { ChatPlatformsInUse } from './channel';
import { duration } from '../config/duration';
import { type Env, parseEnvGroup, text } from '../config/fields';
import type { Parsed } from '../config/problems';

export interface IncidentsConfig {
  secrets: IncidentSecrets;
  /** PAGERDUTY_REPLAY_WINDOW (ms): PagerDuty events older than this are refused as replays. */
  pagerDutyReplayWindowMs: number;
  /** How long an incident's record is kept once its triage is closed (ms). */
  retentionMs: number;
  routing: RoutingTable;
  /** Lines for the start-up log (e.g. a route that can never match). */
  warnings: string[];
}

const secretList = (v: string | undefined): string[] | undefined => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

const shape = {
  ALERTMANAGER_TOKEN: text({ optional: true, minLength: 16, hint: 'must be at least 16 characters (e.g. `openssl rand -hex 24`)' }),
  PAGERDUTY_WEBHOOK_SECRET: text({ optional: true, minLength: 8, hint: "looks too short for PagerDuty's signing secret" }),
  INCIDENT_WEBHOOK_SECRET: text({ optional: true, minLength: 16, hint: 'must be at least 16 characters (e.g. `openssl rand -hex 32`)' }),
  TRIAGE_ROUTES_FILE: text({ optional: true }),
  TRIAGE_DEFAULT_CHANNEL: text({ optional: true }),
  PAGERDUTY_REPLAY_WINDOW: duration({ dflt: '1h', min: 60_000, max: 7 * 86_400_000, example: '1h' }),
  INCIDENT_RETENTION: duration({ dflt: '7d', min: 3_600_000, max: 90 * 86_400_000, example: '7d' }),
};

/** Variables whose values are secrets (redacted wherever they show up). */
export const INCIDENT_SECRET_VARIABLES = ['ALERTMANAGER_TOKEN', 'INCIDENT_WEBHOOK_SECRET', 'PAGERDUTY_WEBHOOK_SECRET'] as const;

/** null when no incident source is configured. `platforms`: the chat platforms, and which this bot runs. */
export function parseIncidentsConfig(env: Env, platforms: ChatPlatformsInUse): Parsed<IncidentsConfig | null> {
  const r = parseEnvGroup(shape, env);
  if (!r.ok) return r;
  const v = r.value;
  const secrets: IncidentSecrets = {
    alertmanagerToken: secretList(v.ALERTMANAGER_TOKEN),
    pagerDutySecret: secretList(v.PAGERDUTY_WEBHOOK_SECRET),
    incidentWebhookSecret: secretList(v.INCIDENT_WEBHOOK_SECRET),
  };
  // Read loosely here: the watcher's own settings report a bad value (src/incidents/watch/config.ts).
  const watching = /^(true|1|yes|on)$/i.test(env.WATCH_ENABLED?.trim() ?? '');
  const anySource = !!(secrets.alertmanagerToken || secrets.pagerDutySecret || secrets.incidentWebhookSecret);
  if (!anySource && !watching && !v.TRIAGE_ROUTES_FILE && !v.TRIAGE_DEFAULT_CHANNEL) return { ok: true, value: null };
  const routes = loadRoutes({ file: v.TRIAGE_ROUTES_FILE, defaultChannel: v.TRIAGE_DEFAULT_CHANNEL, platforms });
  if (!routes.ok) return { ok: false, problems: routes.errors.flatMap((e) => [...e.problems]) };
  const problems = [];
  // Name the source variable that is actually set (the first, in the order of `shape`), not a fixed one.
  const setSources = (['ALERTMANAGER_TOKEN', 'PAGERDUTY_WEBHOOK_SECRET', 'INCIDENT_WEBHOOK_SECRET'] as const).filter((k) => !!v[k]);
  if (anySource && platforms.running.size === 0) {
    problems.push({ variable: setSources[0]!, message: `is set, so an incident source is served, but no chat platform is configured (set ${platforms.addresses.enabledBy}): its bundles would have nowhere to go` });
  }
  const routed = setSources.filter((k) => k !== 'INCIDENT_WEBHOOK_SECRET');
  if (routed.length > 0 && routes.table.routes.length === 0 && !routes.table.defaultChannel) {
    problems.push({ variable: 'TRIAGE_DEFAULT_CHANNEL', message: `is required with ${routed.join(' and ')} when TRIAGE_ROUTES_FILE lists no routes: e.g. ${platforms.addresses.example}` });
  }
  if (watching && platforms.running.size === 0) {
    problems.push({ variable: 'WATCH_ENABLED', message: `is true, but no chat platform is configured (set ${platforms.addresses.enabledBy}): the deny watcher's cards would have nowhere to go` });
  }
  const watchRoutes = routes.table.routes.filter((r) => !r.match.source || r.match.source.some((x) => x.toLowerCase() === 'watch'));
  if (watching && watchRoutes.length === 0 && !routes.table.defaultChannel) {
    problems.push({ variable: 'TRIAGE_DEFAULT_CHANNEL', message: `is required with WATCH_ENABLED when no route in TRIAGE_ROUTES_FILE can take \`source: watch\`: e.g. ${platforms.addresses.example}` });
  }
  if (problems.length) return { ok: false, problems };
  // With routes but no default and no catch-all route, an incident no route matches is refused: say so at start-up.
  const catchAll = routes.table.routes.some((r) => Object.keys(r.match).length === 0);
  const gaps = routed.length > 0 && routes.table.routes.length > 0 && !routes.table.defaultChannel && !catchAll;
  const warnings = gaps ? [...routes.warnings, `TRIAGE_DEFAULT_CHANNEL: not set and no route in ${routes.table.file} matches every incident: an incident no route matches is answered 422 and logged`] : routes.warnings;
  return { ok: true, value: { secrets, pagerDutyReplayWindowMs: v.PAGERDUTY_REPLAY_WINDOW, retentionMs: v.INCIDENT_RETENTION, routing: routes.table, warnings } };
}
