/**
 * WebClient options used everywhere we call Slack (the posting port and the ingress app).
 * A small retry budget and `rejectRateLimitedCalls`: a 429 becomes an error carrying
 * Retry-After at once, so the posting job is delayed through the shared limiter instead of
 * the SDK pausing its whole queue (default: ten retries over about 30 minutes).
 */
import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { slackLogger } from './logger';

/** `logger` is the process logger without a `component`; the Slack SDK's lines get `component: slack`. */

export function slackClientOptions(opts: { apiUrl?: string | null; logger?: Logger }): webApi.WebClientOptions {
  const options: webApi.WebClientOptions = {
    retryConfig: { retries: 1, factor: 1, minTimeout: 250, maxTimeout: 1000, randomize: true },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  };
  if (opts.apiUrl) options.slackApiUrl = opts.apiUrl;
  if (opts.logger) options.logger = slackLogger(opts.logger);
  return options;
}

export function createSlackWebClient(token: string, opts: { apiUrl?: string | null; logger?: Logger } = {}): webApi.WebClient {
  return new webApi.WebClient(token, slackClientOptions(opts));
}
