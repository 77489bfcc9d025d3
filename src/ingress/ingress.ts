/**
 * What plugs into the web host. A chat platform or an incident source is an `Ingress`: the
 * routes it serves (none for a transport that opens its own socket), the readiness checks
 * that say whether it can work, and its start and stop. The host
 * (src/server) mounts a list of them next to /healthz, /readyz and /metrics and names none.
 *
 * A chat platform is one `ChatPlatform` (platform.ts): its ingress for web processes and its
 * `ChatPort` for workers, built from its own configuration by the composition root (src/app),
 * which is the only place that knows which platforms exist. Everything a platform is handed
 * and calls is declared in this folder: the context below, the command flow (flow.ts),
 * metrics, readiness and the edge's authentication.
 */
import type { Request, RequestHandler } from 'express';
import type { HeaderBag, Precheck } from './edge';
import type { Logger } from 'pino';
import type { ActFlow } from './act-flow';
import type { CommandFlow } from './flow';
import type { ReadinessCheck } from './readiness';
import type { IngressMetrics } from './metrics';
import type { LinksConfig } from '../report/config';

/** A request whose body the host read and verified: the raw bytes the signature was checked over. */
export type RawBodyRequest = Request & { rawBody?: Buffer };

export interface IngressRoute {
  method: 'POST' | 'GET';
  /** Absolute path, e.g. `/hooks/incident`. */
  path: string;
  /** Runs with the verified raw body in `req.rawBody` (a `RawBodyRequest`). */
  handler: RequestHandler;
  /** Largest body taken; the host refuses longer ones (413) without reading them. */
  maxBodyBytes: number;
  /**
   * Authentication from the headers alone (and the request target, for a route whose link is
   * its credential: a signed page link), then a check over the body as it streams in
   * (src/ingress/edge.ts). Required on every route that reaches a platform or starts work.
   */
  precheck: (headers: HeaderBag, now: Date, target: string) => Precheck;
  /**
   * The metrics label for what a request was (`command`, `action`, `event`…), read when the
   * response finishes; default `request`.
   */
  kindOf?: (req: Request) => string;
}

export interface Ingress {
  /** Metrics label and log component: the platform's name, `incidents`, … */
  readonly name: string;
  readonly routes: readonly IngressRoute[];
  readonly readiness: readonly ReadinessCheck[];
  /** Before the host listens (connect a socket, load allow-lists…). */
  start(): Promise<void>;
  /** After the host stopped taking requests. */
  stop(): Promise<void>;
}

/** What the host hands every ingress. */
export interface IngressContext {
  /** The one command flow (parse → authorize → start or act → outcome). */
  flow: CommandFlow;
  metrics: IngressMetrics;
  logger: Logger;
  /** TRIAGE_SIGNING_KEY: button payloads. */
  signingKey: string;
  /** Clicks on act buttons (approval cards, fix proposals); absent when no act is configured. */
  acts?: ActFlow;
  /** Where a card's links point (page, Console, runbook), for cards a platform draws itself; absent: none. */
  links?: LinksConfig;
}
