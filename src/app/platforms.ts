/**
 * The chat platforms this install runs, from its configuration: the one place that knows which
 * platforms exist. Adding a platform is one folder under adapters/ plus one line here.
 */
import { slackPlatform } from '../../adapters/slack';
import { teamsPlatform } from '../../adapters/teams';
import type { ChatPlatform } from '../ingress/ingress';
import type { AppConfig } from './config';

export function chatPlatforms(config: Pick<AppConfig, 'slack' | 'teams'>): ChatPlatform[] {
  const platforms: ChatPlatform[] = [];
  if (config.slack) platforms.push(slackPlatform(config.slack));
  if (config.teams) platforms.push(teamsPlatform(config.teams));
  return platforms;
}
