/**
 * Teams' whole configuration (the Bot Framework registration and the bot's own Teams settings),
 * parsed without loading botbuilder: the terminal reads the configuration too and must start fast.
 */
import type { Env } from '../../src/config/fields';
import type { Parsed } from '../../src/config/problems';
import { parseTeamsConfig, type TeamsConfig } from './config';
import { parseTeamsSettings, type TeamsSettings } from './settings';

export interface TeamsPlatformConfig {
  bot: TeamsConfig;
  settings: TeamsSettings;
}

/** null when Teams is not configured (MICROSOFT_APP_ID absent). */
export function parseTeamsPlatformConfig(env: Env): Parsed<TeamsPlatformConfig | null> {
  const bot = parseTeamsConfig(env);
  if (bot.ok && !bot.config) return { ok: true, value: null };
  const settings = parseTeamsSettings(env);
  if (bot.ok && bot.config && settings.ok) return { ok: true, value: { bot: bot.config, settings: settings.value } };
  return { ok: false, problems: [...(bot.ok ? [] : bot.problems), ...(settings.ok ? [] : settings.problems)] };
}
