/**
 * Reading a request body only when it may be worth reading. Before a byte of the body is read,
 * the route's precheck looks at the headers (authentication present and well formed, timestamp
 * inside its window) and the declared length is held against the route's cap; a refusal is
 * answered at once with `Connection: close`, so unauthenticated or oversized traffic costs a
 * header parse, not the body's size in memory. A body that passes is streamed into the route's
 * body check (a signature over the raw bytes), cut off at the cap, and handed to the route as
 * `req.rawBody` only when the check accepts it.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { BODY_NOT_SIGNED, type HeaderBag, type Precheck } from '../ingress/edge';
import type { RawBodyRequest } from '../ingress/ingress';

export interface GuardOptions {
  /** Largest body accepted (bytes). */
  maxBodyBytes: number;
  /** Headers-only check; absent: the route authenticates nothing itself (health-like routes). */
  precheck?: (headers: HeaderBag, now: Date, target: string) => Precheck;
  now?: () => Date;
  /** Called with each refusal (for metrics and a log line). */
  onRefused?: (status: number, reason: string) => void;
}

export function guardedBody(o: GuardOptions): RequestHandler {
  const now = o.now ?? (() => new Date());
  return (req: Request, res: Response, next: NextFunction): void => {
    let answered = false;
    const refuse = (status: number, reason: string, message: string): void => {
      if (answered) return;
      answered = true;
      o.onRefused?.(status, reason);
      res.setHeader('connection', 'close');
      res.status(status).json({ error: reason, message });
      // Stop reading what the client still sends; Node closes the socket once the answer is out.
      req.unpipe();
      req.pause();
    };
    const pre = o.precheck ? o.precheck(req.headers, now(), req.originalUrl) : ({ ok: true, body: BODY_NOT_SIGNED } as const);
    if (!pre.ok) return refuse(pre.status, pre.reason, pre.message);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (Number.isFinite(declared) && declared > o.maxBodyBytes) return refuse(413, 'too_large', `the body is ${declared} bytes; this route takes at most ${o.maxBodyBytes}`);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (answered) return;
      size += chunk.length;
      if (size > o.maxBodyBytes) return refuse(413, 'too_large', `the body is over ${o.maxBodyBytes} bytes, the most this route takes`);
      pre.body.update(chunk);
      chunks.push(chunk);
    });
    req.once('error', () => refuse(400, 'unreadable_body', 'the request body could not be read'));
    req.once('end', () => {
      if (answered) return;
      const verdict = pre.body.finish();
      if (!verdict.ok) return refuse(verdict.status, verdict.reason, verdict.message);
      (req as RawBodyRequest).rawBody = Buffer.concat(chunks, size);
      next();
    });
  };
}
