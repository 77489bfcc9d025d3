/**
 * Slack as one chat platform: its ingress for web processes (HTTP or Socket Mode) and its
 * ChatPort for workers, both from its own configuration. The composition root (src/app) adds
 * it when SLACK_BOT_TOKEN is set.
 */
import type { ChatPlatform } from '../../src/ingress/ingress';
import type { SlackConfig } from './config';
import { createSlackIngress, type SlackIngressOptions } from './ingress';
import { slackDestination } from './address';
import { SlackChatPort } from './port';

export { parseSlackConfig, loadSlackConfig, type SlackConfig } from './config';
export { SLACK_EVENTS_PATH } from './transport/http';
export type { SlackIngress } from './ingress';

export function slackPlatform(config: SlackConfig, opts: SlackIngressOptions = {}): ChatPlatform {
  return {
    platform: 'slack',
    describe: `slack (${config.appToken ? 'socket mode' : 'http'})`,
    ingress: (ctx) => createSlackIngress(config, ctx, opts),
    port: (ctx) => new SlackChatPort({ token: config.botToken, apiUrl: config.apiUrl, signingKey: ctx.signingKey, files: config.fileUploads, logger: ctx.logger }),
    destination: (channel) => slackDestination(channel),
  };
}
