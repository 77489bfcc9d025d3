/**
 * Slack over HTTP: Bolt's ExpressReceiver on its own router, served by the shared web host at
 * POST /slack/events (slash commands, interactivity and events share the one URL). Bolt checks
 * the signature over the raw body and answers as soon as a listener acks.
 */
import { ExpressReceiver, type Logger as SlackLogger } from '@slack/bolt';
import express, { type Request } from 'express';
import type { IngressRoute } from '../../../src/ingress/ingress';

export const SLACK_EVENTS_PATH = '/slack/events';

/** The ack metric's `kind`: what the parsed body was. */
function kindOf(req: Request): string {
  const b = (req.body ?? {}) as Record<string, unknown>;
  if (typeof b.command === 'string') return 'command';
  if (b.type === 'block_actions' || b.type === 'interactive_message' || b.type === 'view_submission') return 'action';
  if (b.type === 'event_callback') return 'event';
  return 'other';
}

export function httpTransport(signingSecret: string, logger: SlackLogger): { receiver: ExpressReceiver; routes: IngressRoute[] } {
  const router = express.Router();
  const receiver = new ExpressReceiver({
    signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    router,
    logger,
    // A long-lived server answers as soon as a listener acks (holding the response is for FaaS).
    processBeforeResponse: false,
  });
  return { receiver, routes: [{ method: 'POST', path: SLACK_EVENTS_PATH, handler: router, kindOf }] };
}
