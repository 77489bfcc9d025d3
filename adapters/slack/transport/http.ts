/**
 * Slack over HTTP: Bolt's ExpressReceiver on its own router, served by the shared web host at
 * POST /slack/events (slash commands, interactivity and events share the one URL). The host
 * refuses requests without Slack's signature headers from the headers alone, caps the body and
 * checks the signature as the body streams in (verify.ts); the body's shape is checked before
 * Bolt sees it (shape.ts); Bolt parses the verified raw body and answers as soon as a listener
 * acks.
 */
import { ExpressReceiver, type Logger as SlackLogger } from '@slack/bolt';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { IngressRoute } from '../../../src/ingress/ingress';
import type { RawBodyRequest } from '../../../src/ingress/ingress';
import { classifySlackBody } from './shape';
import { slackPrecheck } from './verify';

export const SLACK_EVENTS_PATH = '/slack/events';
/**
 * Largest Slack body taken. A button click carries the whole card it was on (Slack refuses
 * messages over ~13 KB of blocks); commands and the events subscribed to are far smaller.
 */
export const SLACK_MAX_BODY_BYTES = 64 * 1024;

function shapeCheck(logger: SlackLogger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const verdict = classifySlackBody((req as RawBodyRequest).rawBody ?? Buffer.alloc(0), req.headers['content-type']);
    if (verdict.kind === 'bolt') return next();
    if (verdict.kind === 'ack') {
      res.status(200).end();
      return;
    }
    logger.warn(`refused a signed Slack body: ${verdict.message}`);
    res.status(400).json({ error: 'unrecognised_body', message: verdict.message });
  };
}

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
  router.post(SLACK_EVENTS_PATH, shapeCheck(logger));
  const receiver = new ExpressReceiver({
    // Checked already, as the body streamed in; Bolt reads the verified `req.rawBody`.
    signatureVerification: false,
    signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    router,
    logger,
    // A long-lived server answers as soon as a listener acks (holding the response is for FaaS).
    processBeforeResponse: false,
  });
  return {
    receiver,
    routes: [{ method: 'POST', path: SLACK_EVENTS_PATH, handler: router, kindOf, maxBodyBytes: SLACK_MAX_BODY_BYTES, precheck: slackPrecheck(signingSecret) }],
  };
}
