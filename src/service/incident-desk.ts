/**
 * The incident desk (src/incidents/desk.ts) over the triage service and Redis: one triage per
 * incident key, whatever the source sends and however often.
 *
 *   <p>incident:<key>  triage, status (open|resolved), digest (of the alerts last shown), delivery
 *
 * A notice is applied under a short per-incident lock, so two notices of one incident arriving
 * together (an Alertmanager HA pair sends each group twice) make one triage, not two. A notice
 * whose delivery key was the last one applied is a redelivery and does nothing. A triage that was
 * resolved, escalated or abandoned in chat no longer holds its incident: the next firing notice
 * opens a new one. Every accepted notice is audited.
 *
 * With several Caracal deployments, a new incident's triage reads the deployment its channel is
 * bound to, else the one that lists the incident's zone (`deploymentOf`); neither: nothing names
 * one, and the worker looks for its request in each (or the card asks which).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { IncidentDesk, IncidentNotice, IncidentOutcome } from '../incidents/desk';
import { lifecycleAction } from '../incidents/incident';
import { CLOSING_STATES } from '../store/triage-store';
import type { Actor } from '../triage/record';
import type { Destination } from '../chat/address';
import type { RedisTriageService } from './triage-service';

export interface IncidentDeskOptions {
  service: RedisTriageService;
  logger: Logger;
  /** How long one notice may hold its incident (ms). */
  lockMs?: number;
  /** How long a notice waits for another notice of the same incident to finish (ms). */
  waitMs?: number;
  /** The deployment an incident posted to `destination` about `zone` reads; null: not known here. Absent: one deployment. */
  deploymentOf?: (destination: Destination, zone: string | null) => string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createIncidentDesk(o: IncidentDeskOptions): IncidentDesk {
  const { service } = o;
  const { redis, keys } = service.store;
  const lockMs = o.lockMs ?? 10_000;
  const waitMs = o.waitMs ?? 8000;

  async function locked<T>(incidentKey: string, fn: () => Promise<T>): Promise<T> {
    const key = keys.incidentLock(incidentKey);
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + waitMs;
    while ((await redis.set(key, token, 'PX', lockMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new Error(`incident ${incidentKey} is busy; the source will send it again`);
      await sleep(50);
    }
    try {
      return await fn();
    } finally {
      // Release only our own lock (it may have lapsed and been taken by another notice).
      await redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, key, token);
    }
  }

  async function audit(actor: Actor, action: string, source: string, triageId: string | null, requestId: string | null): Promise<void> {
    await service.audit.append({ actor, action, source, triageId, requestId, from: null, to: null });
  }

  return {
    async receive(n: IncidentNotice): Promise<IncidentOutcome> {
      const t = n.incident;
      const actor: Actor = { kind: 'webhook', id: t.source, name: t.incidentRef.slice(0, 200) };
      const source = `${t.source}_webhook`;
      service.ensureConnected();
      return locked(t.incidentKey, async () => {
        const stateKey = keys.incident(t.incidentKey);
        const [triageId, status, digest, delivery] = await redis.hmget(stateKey, 'triage', 'status', 'digest', 'delivery');
        if (delivery === t.deliveryKey) {
          await audit(actor, 'incident notice redelivered', source, triageId, t.input.requestId);
          return { action: 'duplicate', triageId };
        }
        // The triage a person closed in chat holds its incident no more.
        const record = triageId ? await service.get(triageId) : null;
        const open = !!record && status === 'open' && !CLOSING_STATES.includes(record.state);
        const action = lifecycleAction(t, open ? { status: 'open', alertsDigest: digest ?? '' } : null);
        const remember = (fields: Record<string, string>) => redis.hset(stateKey, { ...fields, delivery: t.deliveryKey });

        if (action === 'ignore') {
          await Promise.all([remember({}), audit(actor, `incident notice ignored (${t.ignoredBecause ?? t.signal})`, source, open ? triageId : null, t.input.requestId)]);
          return { action: 'ignored', triageId: open ? triageId : null, why: t.ignoredBecause ?? (t.signal === 'firing' ? 'the alerts are unchanged' : `nothing open to ${t.signal === 'resolved' ? 'resolve' : 'act on'}`) };
        }
        if (action === 'open') {
          if (!n.destination) throw new Error('a firing incident needs a destination');
          const deployment = o.deploymentOf?.(n.destination, t.input.zoneId ?? t.routing.zone) ?? null;
          const r = await service.start({
            input: deployment ? { ...t.input, deployment } : t.input,
            destination: n.destination,
            actor,
            dedupeKey: `incident:${t.incidentKey}:${t.deliveryKey}`,
            source,
            postBundle: true,
            incident: n.view,
            steps: n.steps,
            openKey: `incident:${t.incidentKey}`,
            ...(n.escalate ? { escalate: n.escalate } : {}),
          });
          await remember({ triage: r.triageId, status: 'open', digest: t.alertsDigest });
          o.logger.info({ incident: t.incidentRef, triageId: r.triageId, created: r.created }, 'incident opened');
          return { action: 'opened', triageId: r.triageId };
        }
        const id = triageId!;
        const updated = await service.apply(id, { type: 'incident_updated', actor, incident: n.view }, source);
        if (!updated.ok) throw new Error(`could not update triage ${id}: ${updated.message}`);
        if (action === 'update') {
          await remember({ digest: t.alertsDigest });
          return { action: 'updated', triageId: id };
        }
        const resolved = await service.apply(id, { type: 'resolve', actor }, source);
        if (!resolved.ok && resolved.reason !== 'finished') throw new Error(`could not resolve triage ${id}: ${resolved.message}`);
        await remember({ status: 'resolved', digest: t.alertsDigest });
        return { action: 'resolved', triageId: id };
      });
    },
  };
}
