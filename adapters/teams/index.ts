/**
 * Microsoft Teams as one chat platform: its ingress (`POST /api/messages`) for web processes
 * and its ChatPort for workers (its own CloudAdapter, no inbound server), from its own
 * configuration. The composition root (src/app) adds it when MICROSOFT_APP_ID is set (set to
 * the empty string, authentication is off: local testing only).
 */
import type { Env } from '../../src/config/fields';
import type { Parsed } from '../../src/config/problems';
import type { ChatPlatform } from '../../src/ingress/ingress';
import { createTeamsAdapter } from './adapter';
import { parseTeamsConfig, type TeamsConfig } from './config';
import { TeamsChatPort } from './port';
import { createTeamsRoute } from './route';
import { parseTeamsSettings, type TeamsSettings } from './settings';

export { TEAMS_MESSAGES_PATH } from './route';
export { destinationFromConversationId } from './reference';

export interface TeamsPlatformConfig {
  bot: TeamsConfig;
  settings: TeamsSettings;
}

/** null when Teams is not configured (MICROSOFT_APP_ID absent). */
export function parseTeamsPlatformConfig(env: Env): Parsed<TeamsPlatformConfig | null> {
  const bot = parseTeamsConfig(env);
  if (bot.ok && !bot.config) return { ok: true, value: null };
  const settings = parseTeamsSettings(env);
  const problems = [...(bot.ok ? [] : bot.problems), ...(settings.ok ? [] : settings.problems)];
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { bot: (bot as { config: TeamsConfig }).config, settings: (settings as { value: TeamsSettings }).value } };
}

export function teamsPlatform(config: TeamsPlatformConfig): ChatPlatform {
  return {
    platform: 'teams',
    describe: `teams (${config.bot.authEnabled ? config.bot.appType : 'authentication OFF'})`,
    ingress: (ctx) => createTeamsRoute(config.bot, config.settings, createTeamsAdapter(config.bot), ctx),
    port: (ctx) => new TeamsChatPort({ config: config.bot, signingKey: ctx.signingKey }),
  };
}
