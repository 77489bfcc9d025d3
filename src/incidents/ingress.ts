/**
 * The incident sources on the web host, one route per configured source, through the same
 * Ingress interface as the chat platforms. The host refuses a request whose credentials are
 * missing or malformed (or whose timestamp is outside its window) from the headers alone, caps
 * the body and checks the signature as it streams in (sources.ts); this handler then reads the
 * payload (400 when it is not the source's shape), routes it (422 with a log line when no route
 * and no default channel takes it), and hands it to the desk. Answers are JSON and small.
 *
 *   200 {action: opened|updated|resolved|ignored|duplicate|stale, triageId}
 *   400 the body is not this source's payload       401/403 not authenticated (the host)
 *   401 the notice is older than its source's replay window (PagerDuty)
 *   413 over the source's cap (the host)             422 no route for this incident
 *   503 the bot's queue (Redis) is unavailable: the source retries later
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Destination } from '../chat/port';
import type { Ingress, IngressRoute } from '../ingress/ingress';
import type { IngressMetrics } from '../ingress/metrics';
import type { RawBodyRequest } from '../ingress/ingress';
import type { ChannelAddress, ChatPlatformsInUse } from './channel';
import type { IncidentDesk } from './desk';
import { destinationFor } from './routes/route';
import type { RoutingTable } from './routes/load';
import { enabledIncidentSources, replayProblem, type IncidentSecrets, type IncidentSourceSpec } from './sources';
import { collectionOrder, incidentView } from './view';

export interface IncidentIngressOptions {
  secrets: IncidentSecrets;
  /** PagerDuty events older than this are refused as replays (default 1 h). */
  pagerDutyReplayWindowMs?: number;
  routing: RoutingTable;
  /** Reads and writes `<platform>:<id>`; knows which platforms this bot runs. */
  platforms: ChatPlatformsInUse;
  /** A routed address as its platform's own destination. */
  destination: (address: ChannelAddress) => Destination;
  desk: IncidentDesk;
  metrics: IngressMetrics;
  logger: Logger;
}

export function createIncidentIngress(o: IncidentIngressOptions): Ingress {
  const log = o.logger.child({ component: 'incidents' });
  const route = (spec: IncidentSourceSpec): IngressRoute => ({
    method: 'POST',
    path: spec.path,
    maxBodyBytes: spec.maxBodyBytes,
    precheck: (headers, now) => spec.precheck(headers, now),
    kindOf: () => spec.source,
    handler: async (req: Request, res: Response) => {
      const count = (outcome: string) => o.metrics.events.inc({ platform: 'incidents', type: spec.source, outcome });
      const read = spec.read((req as RawBodyRequest).rawBody ?? Buffer.alloc(0), req.headers);
      if (!read.ok) {
        count('invalid');
        log.warn({ source: spec.source, reason: read.message }, 'refused an incident notice that is not the source\'s payload');
        res.status(400).json({ error: 'bad_payload', message: read.message });
        return;
      }
      const incident = read.value;
      const replay = replayProblem(spec, incident, new Date());
      if (replay) {
        count('replayed');
        log.warn({ source: spec.source, incident: incident.incidentRef, reason: replay }, 'refused an incident notice as a replay');
        res.status(401).json({ error: 'replayed', message: replay });
        return;
      }
      const to = destinationFor(incident, o.routing, o.platforms);
      // Only a firing notice needs a channel; a resolve or an ignored notice goes to what exists.
      if (!to.ok && incident.signal === 'firing') {
        count('unroutable');
        log.warn({ source: spec.source, incident: incident.incidentRef, reason: to.message }, 'no channel for this incident');
        res.status(422).json({ error: to.reason, message: to.message });
        return;
      }
      try {
        const destination = to.ok ? o.destination(to.to) : null;
        const escalate = to.ok ? (to.escalate ?? null) : null;
        const outcome = await o.desk.receive({ incident, destination, view: incidentView(incident), steps: collectionOrder(incident), escalate });
        count(outcome.action);
        log.info({ source: spec.source, incident: incident.incidentRef, action: outcome.action, triageId: outcome.triageId, to: to.ok ? o.platforms.addresses.format(to.to) : null }, 'incident notice');
        res.status(200).json(outcome);
      } catch (e) {
        count('error');
        log.error({ err: e, source: spec.source, incident: incident.incidentRef }, 'could not record an incident notice');
        res.status(503).json({ error: 'unavailable', message: 'the bot cannot reach its queue right now; send it again' });
      }
    },
  });
  return {
    name: 'incidents',
    routes: enabledIncidentSources(o.secrets, o.platforms.addresses, { pagerDutyReplayWindowMs: o.pagerDutyReplayWindowMs }).map(route),
    readiness: [],
    start: async () => undefined,
    stop: async () => undefined,
  };
}
