/** Every secret value the bot was given, so redaction also catches exact values no pattern knows. */
import type { Env } from './fields';

export const SECRET_VARIABLES = [
  'CARACAL_ADMIN_TOKEN',
  'CARACAL_METRICS_BEARER',
  'CARACAL_COORDINATOR_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'MICROSOFT_APP_PASSWORD',
  'TRIAGE_SIGNING_KEY',
  'ALERTMANAGER_TOKEN',
  'INCIDENT_WEBHOOK_SECRET',
  'PAGERDUTY_WEBHOOK_SECRET',
] as const;

/**
 * The values of the secret variables in `env` plus `extra` (e.g. an admin token read from
 * CARACAL_ADMIN_TOKEN_FILE), never short or empty ones (a 3-character "secret" would redact
 * ordinary words).
 */
export function secretValues(env: Env, extra: Array<string | undefined> = []): string[] {
  const values = [...SECRET_VARIABLES.map((n) => env[n]?.trim()), ...extra.map((v) => v?.trim())];
  return [...new Set(values.filter((v): v is string => !!v && v.length >= 8))];
}
