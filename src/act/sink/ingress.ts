/**
 * `POST /hooks/caracal` (and `/hooks/caracal/<deployment>` with several deployments, sinkPaths):
 * Caracal's notification-sink deliveries (FACTS §6.1), mounted when CARACAL_SINK_SECRET is set, through the same Ingress interface as the incident sources. The
 * host refuses a request without a valid `X-Caracal-Timestamp` (±5 min) or signature header from
 * the headers alone, caps the body and checks the HMAC as it streams in (auth.ts); this handler
 * reads the event (400 when it is not Caracal's shape), routes a new hold's card (a route with
 * `source: caracal`, by zone, tier and application, else TRIAGE_DEFAULT_CHANNEL; 422 when none),
 * records it once per `X-Caracal-Delivery` and queues the card: Caracal gets its answer well
 * inside its 10 s, and the worker reads the hold and posts.
 *
 *   200 {action: accepted|duplicate|ignored, approval?}   400 not a delivery Caracal sends
 *   401 not signed with CARACAL_SINK_SECRET (the host)     413 over 64 KiB (the host)
 *   422 no route for the hold's card                       503 Redis unavailable (Caracal retries)
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Destination } from '../../chat/port';
import type { ChannelAddress, ChatPlatformsInUse } from '../../incidents/channel';
import { destinationFor } from '../../incidents/routes/route';
import type { RoutingTable } from '../../incidents/routes/load';
import type { Ingress, RawBodyRequest } from '../../ingress/ingress';
import type { IngressMetrics } from '../../ingress/metrics';
import type { ActDesk } from '../desk';
import { precheckCaracalSink } from './auth';
import { SINK_MAX_BODY_BYTES, readSinkDelivery } from './payload';

export const SINK_PATH = '/hooks/caracal';

/**
 * The sink paths and the deployment each one's deliveries belong to. With one deployment, only
 * `/hooks/caracal` (nothing is named: its approvals are as they always were). With several
 * (CARACAL_DEPLOYMENTS_FILE), `/hooks/caracal/<name>` for each, and `/hooks/caracal` for the one
 * named `default` when there is one: each Caracal's sink is created with its own path, so the
 * bot reads and decides a hold in the deployment that sent it.
 */
export function sinkPaths(deployments: readonly string[]): Array<{ path: string; deployment: string | null }> {
  if (deployments.length <= 1) return [{ path: SINK_PATH, deployment: null }];
  const bare = deployments.includes('default') ? [{ path: SINK_PATH, deployment: 'default' }] : [];
  return [...bare, ...deployments.map((d) => ({ path: `${SINK_PATH}/${d}`, deployment: d }))];
}

export interface SinkIngressOptions {
  secrets: readonly string[];
  /** The deployments' names, in order (`default` alone without CARACAL_DEPLOYMENTS_FILE). */
  deployments: readonly string[];
  routing: RoutingTable;
  platforms: ChatPlatformsInUse;
  destination: (address: ChannelAddress) => Destination;
  desk: ActDesk;
  metrics: IngressMetrics;
  logger: Logger;
}

export function createSinkIngress(o: SinkIngressOptions): Ingress {
  const log = o.logger.child({ component: 'caracal-sink' });
  const count = (type: string, outcome: string) => o.metrics.events.inc({ platform: 'caracal', type, outcome });
  const route = (path: string, deployment: string | null) => ({
    method: 'POST' as const,
    path,
    maxBodyBytes: SINK_MAX_BODY_BYTES,
    precheck: (headers: Parameters<typeof precheckCaracalSink>[0], now: Date) => precheckCaracalSink(headers, now, o.secrets),
    kindOf: () => 'sink',
    handler: async (req: Request, res: Response) => {
      const read = readSinkDelivery(req.headers, (req as RawBodyRequest).rawBody ?? Buffer.alloc(0));
      if (!read.ok) {
        count('delivery', 'invalid');
        log.warn({ reason: read.message, deployment }, 'refused a sink delivery that is not Caracal\'s shape');
        res.status(400).json({ error: 'bad_payload', message: read.message });
        return;
      }
      if ('ignored' in read) {
        count('delivery', 'ignored');
        res.status(200).json({ action: 'ignored', why: read.ignored });
        return;
      }
      const n = read.notice;
      let dest: Destination | null = null;
      if (n.type === 'step_up_issued') {
        const to = destinationFor({ channel: null, routing: { source: 'caracal', alertname: null, severity: null, component: null, service: null, zone: n.zoneId, tier: n.tier, application: n.applicationId } }, o.routing, o.platforms);
        if (!to.ok) {
          count(n.type, 'unroutable');
          log.warn({ zone: n.zoneId, approval: n.approvalId, deployment, reason: to.message }, 'no channel for this approval card');
          res.status(422).json({ error: to.reason, message: to.message });
          return;
        }
        dest = o.destination(to.to);
      }
      try {
        const outcome = await o.desk.receiveSink(n, dest, deployment);
        count(n.type, outcome.action);
        log.info({ type: n.type, zone: n.zoneId, approval: n.approvalId, delivery: n.deliveryId, deployment, action: outcome.action }, 'sink delivery');
        res.status(200).json(outcome);
      } catch (e) {
        count(n.type, 'error');
        log.error({ err: e, zone: n.zoneId, approval: n.approvalId, deployment }, 'could not record a sink delivery');
        res.status(503).json({ error: 'unavailable', message: 'the bot cannot reach its queue right now; Caracal will send it again' });
      }
    },
  });
  return {
    name: 'caracal-sink',
    routes: sinkPaths(o.deployments).map((p) => route(p.path, p.deployment)),
    readiness: [],
    start: async () => undefined,
    stop: async () => undefined,
  };
}
