/**
 * Slack's part of the environment contract, validated with zod like src/config/env.ts (one
 * ConfigError naming the variable). Returns null when SLACK_BOT_TOKEN is absent: Slack is
 * then simply not started.
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
import { z } from 'zod';
import { ConfigError } from '../../src/config/env';

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
}

type Env = Record<string, string | undefined>;

const blank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const idList = (prefix: RegExp, what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : []),
    z.array(z.string().regex(prefix, `must be a comma-separated list of ${what}`)),
  );

const schema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-\S+$/, 'must be a bot token (xoxb-…)'),
  SLACK_SIGNING_SECRET: z.preprocess(blank, z.string().min(8, 'looks too short for a signing secret').optional()),
  SLACK_APP_TOKEN: z.preprocess(blank, z.string().regex(/^xapp-\S+$/, 'must be an app-level token (xapp-…)').optional()),
  SLACK_API_URL: z.preprocess(blank, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://slack.com/api/' }).optional()),
  SLACK_INCIDENT_CHANNEL_PATTERN: z.preprocess(
    blank,
    z
      .string()
      .refine((s) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      }, 'must be a valid regular expression, e.g. ^inc-')
      .default('^inc-'),
  ),
  SLACK_FILE_UPLOADS: z.preprocess(blank, z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).default('true')),
  TRIAGE_ALLOWED_USERS: idList(/^[UW][A-Z0-9]+$/, 'Slack user IDs (U…)'),
  TRIAGE_ALLOWED_USERGROUPS: idList(/^S[A-Z0-9]+$/, 'Slack user group IDs (S…)'),
  TRIAGE_ALLOWED_CHANNELS: idList(/^[CGD][A-Z0-9]+$/, 'Slack channel IDs (C…)'),
});

export function loadSlackConfig(env: Env = process.env): SlackConfig | null {
  if (!env.SLACK_BOT_TOKEN?.trim()) return null;
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'SLACK'), issue?.message ?? 'is invalid');
  }
  const p = parsed.data;
  if (!p.SLACK_APP_TOKEN && !p.SLACK_SIGNING_SECRET) {
    throw new ConfigError('SLACK_SIGNING_SECRET', 'is required for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  return {
    botToken: p.SLACK_BOT_TOKEN,
    signingSecret: p.SLACK_SIGNING_SECRET ?? null,
    appToken: p.SLACK_APP_TOKEN ?? null,
    apiUrl: p.SLACK_API_URL ? `${p.SLACK_API_URL.replace(/\/+$/, '')}/` : null,
    incidentChannelPattern: new RegExp(p.SLACK_INCIDENT_CHANNEL_PATTERN),
    fileUploads: p.SLACK_FILE_UPLOADS === 'true' || p.SLACK_FILE_UPLOADS === '1',
    allowedUsers: p.TRIAGE_ALLOWED_USERS,
    allowedUsergroups: p.TRIAGE_ALLOWED_USERGROUPS,
    allowedChannels: p.TRIAGE_ALLOWED_CHANNELS,
  };
}
