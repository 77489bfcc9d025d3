/**
 * Slack set up from its settings: its ingress for web processes (HTTP or Socket Mode) and its
 * ChatPort for workers. The registry entry (platform.ts) opens it when a process runs Slack.
 */
import type { PlatformInstance } from '../../src/ingress/platform';
import type { SlackConfig } from './config';
import { createSlackIngress, type SlackIngressOptions } from './ingress';
import { slackDestination } from './address';
import { slackChannelOf } from './channel';
import { SlackChatPort } from './port';

export { parseSlackConfig, loadSlackConfig, type SlackConfig } from './config';
export { SLACK_EVENTS_PATH } from './transport/http';
export type { SlackIngress } from './ingress';

export function slackPlatform(config: SlackConfig, opts: SlackIngressOptions = {}): PlatformInstance {
  return {
    platform: 'slack',
    describe: `slack (${config.appToken ? 'socket mode' : 'http'})`,
    ingress: (ctx) => createSlackIngress(config, ctx, opts),
    port: (ctx) => new SlackChatPort({ token: config.botToken, apiUrl: config.apiUrl, signingKey: ctx.signingKey, files: config.fileUploads, logger: ctx.logger, links: ctx.links, proposeFix: ctx.acts?.proposeFix }),
    destination: (address) => slackDestination(slackChannelOf(address)),
  };
}
