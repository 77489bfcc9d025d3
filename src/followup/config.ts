/**
 * Following a triage up: whom *Escalate* reaches when no route says, how PagerDuty is called,
 * and when an idle triage gets its reminder and when it is abandoned.
 *
 *   TRIAGE_ESCALATE        whom *Escalate* reaches for triages no route covers (chat commands, the
 *                          default channel, the generic hook): JSON {"slack":"S0ONCALL","pagerduty":true}
 *                          or compact slack=S0ONCALL,teams=<object ID>,pagerduty (src/triage/escalation.ts)
 *   TRIAGE_REMIND_AFTER    idle this long: one reminder in the thread (default 2h; `off`)
 *   TRIAGE_ABANDON_AFTER   idle this long: abandoned, and the card says why (default 24h)
 *   PAGERDUTY_ROUTING_KEY  Events API v2 integration key (a secret, read by the worker)
 *   PAGERDUTY_EVENTS_URL   the full enqueue URL (default https://events.pagerduty.com/v2/enqueue)
 *   PAGERDUTY_API_TOKEN    REST API token: escalating a triage opened from a PagerDuty incident
 *   PAGERDUTY_FROM_EMAIL   adds a note on that incident (both or neither; the email of a PagerDuty user)
 *   PAGERDUTY_API_URL      REST API base (default https://api.pagerduty.com)
 */
import { duration, formatDuration } from '../config/duration';
import { type Env, parseEnvGroup, text, url } from '../config/fields';
import type { ConfigProblem, Parsed } from '../config/problems';
import { parseEscalateText, type MentionPlatform } from '../triage/escalation';
import type { EscalationTargets } from '../triage/record';

export interface PagerDutyEventsSettings {
  routingKey: string;
  /** The full enqueue URL. */
  eventsUrl: string;
}

export interface PagerDutyNotesSettings {
  /** REST API base, no trailing slash. */
  apiUrl: string;
  token: string;
  /** The `From:` header: the email of a PagerDuty user the note is written as. */
  from: string;
}

export interface FollowUpConfig {
  /** TRIAGE_ESCALATE; null: no one (a route's own `escalate:` still applies). */
  escalateDefault: EscalationTargets | null;
  /** null: no reminders. */
  remindAfterMs: number | null;
  abandonAfterMs: number;
  /** null: PAGERDUTY_ROUTING_KEY not set here. */
  pagerduty: PagerDutyEventsSettings | null;
  /** null: no notes on PagerDuty incidents. */
  notes: PagerDutyNotesSettings | null;
  /**
   * The note setting that is missing when only one of PAGERDUTY_API_TOKEN and PAGERDUTY_FROM_EMAIL
   * is set: a problem where the worker runs (workerProblems), not in the web, which gets the
   * email (a plain setting) but never the token.
   */
  notesMissing: { variable: string; with: string } | null;
}

/** Variables whose values are secrets (redacted wherever they show up). */
export const FOLLOWUP_SECRET_VARIABLES = ['PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_API_TOKEN'] as const;

export const DEFAULT_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const DEFAULT_PAGERDUTY_API_URL = 'https://api.pagerduty.com';

const SECOND = 1000;
const DAY = 86_400_000;

const shape = {
  TRIAGE_ESCALATE: text({ optional: true }),
  // `off` is read before this field (below); what reaches it is a duration.
  TRIAGE_REMIND_AFTER: duration({ dflt: '2h', min: SECOND, max: 30 * DAY, example: '2h' }),
  TRIAGE_ABANDON_AFTER: duration({ dflt: '24h', min: SECOND, max: 90 * DAY, example: '24h' }),
  PAGERDUTY_ROUTING_KEY: text({ optional: true, minLength: 20, hint: 'looks too short for a PagerDuty integration key (32 characters, from the service\'s Events API v2 integration)' }),
  PAGERDUTY_EVENTS_URL: url({ protocols: ['https', 'http'], example: DEFAULT_EVENTS_URL, optional: true, keepSlash: true }),
  PAGERDUTY_API_TOKEN: text({ optional: true, minLength: 16, hint: 'looks too short for a PagerDuty REST API token' }),
  PAGERDUTY_FROM_EMAIL: text({ optional: true, pattern: /^[^\s@<>",]+@[^\s@<>",]+\.[^\s@<>",]+$/, hint: 'must be the email address of a PagerDuty user, e.g. oncall-bot@example.com' }),
  PAGERDUTY_API_URL: url({ protocols: ['https', 'http'], example: DEFAULT_PAGERDUTY_API_URL, optional: true }),
};

const isOff = (v: string | undefined): boolean => /^(off|none|0)$/i.test(v?.trim() ?? '');

/** `platforms`: every registered chat platform, for the per-platform keys of TRIAGE_ESCALATE. */
export function parseFollowUpConfig(env: Env, platforms: readonly MentionPlatform[]): Parsed<FollowUpConfig> {
  const remindOff = isOff(env.TRIAGE_REMIND_AFTER);
  const r = parseEnvGroup(shape, remindOff ? { ...env, TRIAGE_REMIND_AFTER: undefined } : env);
  const problems: ConfigProblem[] = r.ok ? [] : [...r.problems];
  let escalateDefault: EscalationTargets | null = null;
  const raw = env.TRIAGE_ESCALATE?.trim();
  if (raw) {
    const t = parseEscalateText(raw, platforms);
    if (t.ok) escalateDefault = t.targets;
    else problems.push({ variable: 'TRIAGE_ESCALATE', message: t.message });
  }
  if (!r.ok) return { ok: false, problems };
  const v = r.value;
  const remindAfterMs = remindOff ? null : v.TRIAGE_REMIND_AFTER;
  if (remindAfterMs !== null && remindAfterMs >= v.TRIAGE_ABANDON_AFTER) {
    problems.push({
      variable: 'TRIAGE_REMIND_AFTER',
      message: `must be shorter than TRIAGE_ABANDON_AFTER (${formatDuration(v.TRIAGE_ABANDON_AFTER)}), or the triage is abandoned before anyone is reminded (got ${formatDuration(remindAfterMs)}; \`off\` turns reminders off)`,
    });
  }
  const notesMissing = !!v.PAGERDUTY_API_TOKEN === !!v.PAGERDUTY_FROM_EMAIL ? null : v.PAGERDUTY_API_TOKEN ? { variable: 'PAGERDUTY_FROM_EMAIL', with: 'PAGERDUTY_API_TOKEN' } : { variable: 'PAGERDUTY_API_TOKEN', with: 'PAGERDUTY_FROM_EMAIL' };
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      escalateDefault,
      remindAfterMs,
      abandonAfterMs: v.TRIAGE_ABANDON_AFTER,
      pagerduty: v.PAGERDUTY_ROUTING_KEY ? { routingKey: v.PAGERDUTY_ROUTING_KEY, eventsUrl: v.PAGERDUTY_EVENTS_URL ?? DEFAULT_EVENTS_URL } : null,
      notes: v.PAGERDUTY_API_TOKEN && v.PAGERDUTY_FROM_EMAIL ? { apiUrl: v.PAGERDUTY_API_URL ?? DEFAULT_PAGERDUTY_API_URL, token: v.PAGERDUTY_API_TOKEN, from: v.PAGERDUTY_FROM_EMAIL } : null,
      notesMissing,
    },
  };
}

/**
 * What only the worker, which calls PagerDuty, must have: the routing key when TRIAGE_ESCALATE or
 * a route asks for PagerDuty, and both note settings or neither. The web never calls PagerDuty
 * and is not given its credentials.
 */
export function workerProblems(followUp: FollowUpConfig, routes: ReadonlyArray<{ index: number; name: string | null; escalate: EscalationTargets | null }>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const asking = [
    ...(followUp.escalateDefault?.pagerduty ? ['TRIAGE_ESCALATE'] : []),
    ...routes.filter((r) => r.escalate?.pagerduty).map((r) => `routes[${r.index}]${r.name ? ` "${r.name}"` : ''} of TRIAGE_ROUTES_FILE`),
  ];
  if (!followUp.pagerduty && asking.length > 0) {
    problems.push({ variable: 'PAGERDUTY_ROUTING_KEY', message: `is required by the worker: ${asking.join(' and ')} ${asking.length === 1 ? 'asks' : 'ask'} for PagerDuty (the Events API v2 integration key of the service to page)` });
  }
  const m = followUp.notesMissing;
  if (m) problems.push({ variable: m.variable, message: `is required with ${m.with}: a note on a PagerDuty incident needs a REST API token and the email of the PagerDuty user it is written as` });
  return problems;
}
