/**
 * Microsoft Teams in the platform registry (src/app/platforms.ts): on when MICROSOFT_APP_ID is
 * set (set to the empty string, authentication is off: local testing only). Loads fast:
 * botbuilder is loaded by `open`, when a process runs Teams.
 */
import type { ChatPlatform } from '../../src/ingress/platform';
import { teamsMentions } from './mentions';
import { teamsChannels } from './channel';
import { parseTeamsPlatformConfig, type TeamsPlatformConfig } from './platform-config';

export const teams: ChatPlatform<TeamsPlatformConfig> = {
  name: 'teams',
  title: 'Microsoft Teams',
  enabledBy: 'MICROSOFT_APP_ID',
  secretVariables: ['MICROSOFT_APP_PASSWORD'],
  channels: teamsChannels,
  mentions: teamsMentions,
  // Per bot per thread: 7/1 s, 8/2 s and 60/30 s, posts and updates alike; one of each a
  // second stays under the 30 s window (2 a second), which is the one that binds a long thread.
  limits: { post: { points: 1, durationSec: 1 }, update: { points: 1, durationSec: 1 } },
  parseSettings: parseTeamsPlatformConfig,
  open: async (settings) => (await import('./index.js')).teamsPlatform(settings),
};
