/**
 * Slack in the platform registry (src/app/platforms.ts): on when SLACK_BOT_TOKEN is set. Loads
 * fast: Bolt and the Web API client are loaded by `open`, when a process runs Slack.
 */
import type { ChatPlatform } from '../../src/ingress/platform';
import { slackMentions } from './mentions';
import { slackChannels } from './channel';
import { parseSlackConfig, type SlackConfig } from './config';

export const slack: ChatPlatform<SlackConfig> = {
  name: 'slack',
  title: 'Slack',
  enabledBy: 'SLACK_BOT_TOKEN',
  secretVariables: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'],
  channels: slackChannels,
  mentions: slackMentions,
  // chat.postMessage: ~1 message/second/channel; chat.update is Tier 3 (50+/min).
  limits: { post: { points: 1, durationSec: 1 }, update: { points: 1, durationSec: 1 } },
  parseSettings: parseSlackConfig,
  open: async (settings) => (await import('./index.js')).slackPlatform(settings),
};
