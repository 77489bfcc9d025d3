/**
 * Slack's part of the environment contract. Slack starts when SLACK_BOT_TOKEN is set and is
 * simply not started when it is empty; every bad Slack variable is reported at once.
 *
 *   SLACK_BOT_TOKEN                 xoxb-… bot token
 *   SLACK_SIGNING_SECRET            verifies HTTP requests (HTTP mode)
 *   SLACK_APP_TOKEN                 xapp-… app-level token: Socket Mode instead of HTTP
 *   SLACK_API_URL                   Web API base override (proxies, tests)
 *   SLACK_INCIDENT_CHANNEL_PATTERN  channel names that get a triage automatically (default ^inc-)
 *   SLACK_FILE_UPLOADS              false: never upload files (no files:write scope); default true
 *   TRIAGE_ALLOWED_USERS            comma-separated Slack user IDs allowed to start and click
 *   TRIAGE_ALLOWED_USERGROUPS       comma-separated user group IDs (S…) whose members are allowed
 *   TRIAGE_ALLOWED_CHANNELS         comma-separated channel IDs where commands and buttons work
 */
import { bool, type Env, list, parseEnvGroup, regex, text, url } from '../../src/config/fields';
import { orThrow, type Parsed } from '../../src/config/problems';

export interface SlackConfig {
  botToken: string;
  signingSecret: string | null;
  appToken: string | null;
  apiUrl: string | null;
  incidentChannelPattern: RegExp;
  fileUploads: boolean;
  allowedUsers: string[];
  allowedUsergroups: string[];
  allowedChannels: string[];
  /**
   * Socket Mode: how long a ping waits for its pong, which is also the step of the reconnect
   * backoff after the socket drops (ms). Not an environment setting: absent, the Slack client's
   * own 5 s; tests shorten it to see a reconnect sooner.
   */
  socketPingTimeoutMs?: number;
}

const shape = {
  SLACK_BOT_TOKEN: text({ pattern: /^xox[bp]-\S+$/, hint: 'must be a bot token (xoxb-…)' }),
  SLACK_SIGNING_SECRET: text({ optional: true, minLength: 8, hint: 'looks too short for a signing secret (Basic Information → App Credentials)' }),
  SLACK_APP_TOKEN: text({ optional: true, pattern: /^xapp-\S+$/, hint: 'must be an app-level token (xapp-…) with connections:write' }),
  SLACK_API_URL: url({ protocols: ['http', 'https'], example: 'https://slack.com/api/', optional: true }),
  SLACK_INCIDENT_CHANNEL_PATTERN: regex({ default: '^inc-', example: '^inc-' }),
  SLACK_FILE_UPLOADS: bool({ default: true }),
  TRIAGE_ALLOWED_USERS: list({ item: /^[UW][A-Z0-9]+$/, what: 'Slack user IDs', example: 'U0123ABCD,U0456EFGH' }),
  TRIAGE_ALLOWED_USERGROUPS: list({ item: /^S[A-Z0-9]+$/, what: 'Slack user group IDs', example: 'S0123ABCD' }),
  TRIAGE_ALLOWED_CHANNELS: list({ item: /^[CGD][A-Z0-9]+$/, what: 'Slack channel IDs', example: 'C0123ABCD' }),
};

/** null when Slack is not configured (no bot token). */
export function parseSlackConfig(env: Env): Parsed<SlackConfig | null> {
  if (!env.SLACK_BOT_TOKEN?.trim()) return { ok: true, value: null };
  const r = parseEnvGroup(shape, env);
  const problems = r.ok ? [] : [...r.problems];
  if (!env.SLACK_APP_TOKEN?.trim() && !env.SLACK_SIGNING_SECRET?.trim()) {
    problems.push({ variable: 'SLACK_SIGNING_SECRET', message: 'is required for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode)' });
  }
  if (!r.ok || problems.length) return { ok: false, problems };
  const p = r.value;
  return {
    ok: true,
    value: {
      botToken: p.SLACK_BOT_TOKEN!,
      signingSecret: p.SLACK_SIGNING_SECRET ?? null,
      appToken: p.SLACK_APP_TOKEN ?? null,
      apiUrl: p.SLACK_API_URL ? `${p.SLACK_API_URL}/` : null,
      incidentChannelPattern: p.SLACK_INCIDENT_CHANNEL_PATTERN,
      fileUploads: p.SLACK_FILE_UPLOADS,
      allowedUsers: p.TRIAGE_ALLOWED_USERS,
      allowedUsergroups: p.TRIAGE_ALLOWED_USERGROUPS,
      allowedChannels: p.TRIAGE_ALLOWED_CHANNELS,
    },
  };
}

/** parseSlackConfig, throwing a ConfigError with every problem (tests, benchmarks). */
export function loadSlackConfig(env: Env): SlackConfig | null {
  return orThrow(parseSlackConfig(env));
}
