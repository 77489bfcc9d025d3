/**
 * Measures the ack on a chat ingress route: request in → response finished, which with
 * processBeforeResponse off is the moment the listener called ack(). A 401 there is a
 * request whose signature or timestamp did not verify.
 */
import type { NextFunction, Request, Response } from 'express';
import type { IngressMetrics } from './metrics';

function kindOf(body: unknown): string {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.command === 'string') return 'command';
  if (b.type === 'block_actions' || b.type === 'interactive_message' || b.type === 'view_submission') return 'action';
  if (b.type === 'event_callback') return 'event';
  return 'other';
}

export function ackMetrics(metrics: IngressMetrics, platform: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      if (res.statusCode === 401) {
        metrics.rejectedSignatures.inc({ platform });
        return;
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.ackSeconds.observe({ platform, kind: kindOf(req.body) }, seconds);
    });
    next();
  };
}
