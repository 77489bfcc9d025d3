/** The worker's Slack port from the environment (null when Slack is not configured). */
import type { Logger } from 'pino';
import { loadRuntimeConfig } from '../../src/config/env';
import { loadSlackConfig } from './config';
import { SlackChatPort } from './port';

export function slackPortFromEnv(env: Record<string, string | undefined> = process.env, logger?: Logger): SlackChatPort | null {
  const slack = loadSlackConfig(env);
  if (!slack) return null;
  const { signingKey } = loadRuntimeConfig(env);
  return new SlackChatPort({ token: slack.botToken, apiUrl: slack.apiUrl, signingKey, files: slack.fileUploads, logger });
}
