/**
 * The incident desk (src/incidents/desk.ts) over the triage service and Redis: one triage per
 * incident key, whatever the source sends, however often and in whatever order.
 *
 *   <p>incident:<key>  triage, status (open|resolved), digest (of the alerts last shown),
 *                      delivery (the last notice applied), at (its time, ms), gen (triages opened)
 *
 * A notice is applied under a short per-incident lock, so two notices of one incident arriving
 * together (an Alertmanager HA pair sends each group twice) make one triage, not two. Then, in
 * order (lifecycleAction in src/incidents/incident.ts decides the rest):
 *
 *   - a notice older than the last one applied is `stale`: acknowledged, nothing changes (a late
 *     `[A]` after `[A,B]`, a replayed `incident.triggered` after its `incident.resolved`);
 *   - a notice whose delivery key was the last one applied is a redelivery: nothing changes,
 *     except that a triage that stopped (a job failed for good) or lost its job starts again;
 *   - a triage resolved, escalated or abandoned in chat no longer holds its incident: the next
 *     firing notice, even a repeat of the last one, opens a new triage, its card linking the
 *     old one (so does a notice newer than the source's own resolution).
 *
 * The record expires `retentionMs` after its triage closes (the store lets it go when the
 * triage closes in chat or is abandoned; the desk when the source resolves it), and at the
 * latest `openTtlMs` after its last notice. Every accepted notice is audited.
 *
 * With several Caracal deployments, a new incident's triage reads the deployment its channel is
 * bound to, else the one that lists the incident's zone (`deploymentOf`); neither: nothing names
 * one, and the worker looks for its request in each (or the card asks which).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { IncidentDesk, IncidentNotice, IncidentOutcome } from '../incidents/desk';
import { lifecycleAction, type IncidentState } from '../incidents/incident';
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
  /** How long an incident's record is kept after its triage closes (ms; INCIDENT_RETENTION, default 7 days). */
  retentionMs?: number;
  /** The longest an incident's record lives after its last notice, its triage open or not (ms; default 30 days). */
  openTtlMs?: number;
  /** The deployment an incident posted to `destination` about `zone` reads; null: not known here. Absent: one deployment. */
  deploymentOf?: (destination: Destination, zone: string | null) => string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createIncidentDesk(o: IncidentDeskOptions): IncidentDesk {
  const { service } = o;
  const { redis, keys } = service.store;
  const lockMs = o.lockMs ?? 10_000;
  const waitMs = o.waitMs ?? 8000;
  const retentionMs = o.retentionMs ?? 7 * 24 * 3600 * 1000;
  const openTtlMs = Math.max(o.openTtlMs ?? 30 * 24 * 3600 * 1000, retentionMs);

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

  /**
   * A source's notice must apply even while the triage is busy (its collection writes a result
   * per step, and each write can win the compare-and-set over this one): a conflict is tried
   * again after a short pause, for about two seconds, before the source is told to send it again.
   */
  async function applyBusy(id: string, event: Parameters<RedisTriageService['apply']>[1], source: string): ReturnType<RedisTriageService['apply']> {
    for (let attempt = 1; ; attempt++) {
      const r = await service.apply(id, event, source);
      if (r.ok || r.reason !== 'conflict' || attempt >= 10) return r;
      await sleep(100 + Math.floor(Math.random() * 100));
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
        const [triageId, status, digest, delivery, atRaw, genRaw] = await redis.hmget(stateKey, 'triage', 'status', 'digest', 'delivery', 'at', 'gen');
        const lastEventAt = atRaw ? Number(atRaw) : null;
        const gen = Number(genRaw ?? 0);
        const record = triageId ? await service.get(triageId) : null;
        // The triage a person closed in chat (or that expired) holds its incident no more.
        const closed = !!triageId && status === 'open' && (!record || CLOSING_STATES.includes(record.state));
        const state: IncidentState = !triageId ? null : { status: closed ? 'closed' : status === 'resolved' ? 'resolved' : 'open', alertsDigest: digest ?? '', lastEventAt };
        const held = state?.status === 'open';
        const eventAt: Record<string, string> = t.occurredAt === null ? {} : { at: String(Math.max(t.occurredAt, lastEventAt ?? 0)) };
        const remember = async (fields: Record<string, string>, ttlMs = openTtlMs): Promise<void> => {
          await redis.multi().hset(stateKey, { ...fields, delivery: t.deliveryKey }).pexpire(stateKey, ttlMs).exec();
        };

        if (delivery === t.deliveryKey && !closed) {
          // A redelivery. Asking again starts a triage that stopped, or lost its job, again.
          if (held && triageId) await service.revive(triageId, actor, source);
          await audit(actor, 'incident notice redelivered', source, triageId, t.input.requestId);
          return { action: 'duplicate', triageId };
        }
        const action = lifecycleAction(t, state);

        if (action === 'stale') {
          await audit(actor, 'incident notice older than the last one applied; ignored', source, triageId, t.input.requestId);
          o.logger.info({ incident: t.incidentRef, triageId, occurredAt: t.occurredAt, lastEventAt }, 'stale incident notice ignored');
          return { action: 'stale', triageId, why: `it is older (${new Date(t.occurredAt!).toISOString()}) than the last notice applied to this incident (${new Date(lastEventAt!).toISOString()})` };
        }
        if (action === 'ignore') {
          if (held && triageId && t.signal === 'firing') await service.revive(triageId, actor, source);
          // A resolve for a triage closed in chat still records that the source resolved it.
          const fields: Record<string, string> = t.signal === 'resolved' && state?.status === 'closed' ? { status: 'resolved', ...eventAt } : t.signal === 'firing' && held ? eventAt : {};
          await Promise.all([
            // Nothing is written for an incident never opened here (PagerDuty's other events, a stray resolve).
            triageId ? remember(fields, held ? openTtlMs : retentionMs) : Promise.resolve(),
            audit(actor, `incident notice ignored (${t.ignoredBecause ?? t.signal})`, source, held ? triageId : null, t.input.requestId),
          ]);
          return { action: 'ignored', triageId: held ? triageId : null, why: t.ignoredBecause ?? (t.signal === 'firing' ? 'the alerts are unchanged' : `nothing open to ${t.signal === 'resolved' ? 'resolve' : 'act on'}`) };
        }
        if (action === 'open') {
          if (!n.destination) throw new Error('a firing incident needs a destination');
          // A notice that names its deployment (the deny watcher's) reads it; else the channel's or the zone's.
          const deployment = t.input.deployment ?? o.deploymentOf?.(n.destination, t.input.zoneId ?? t.routing.zone) ?? null;
          // An incident that fires again after its triage closed: the new card links the old one.
          const previous = triageId ? await service.store.view(triageId).catch(() => null) : null;
          const view = previous ? { ...n.view, reopenedFrom: { triageId: previous.record.id, link: previous.cardLink } } : n.view;
          const r = await service.start({
            input: deployment ? { ...t.input, deployment } : t.input,
            destination: n.destination,
            actor,
            dedupeKey: `incident:${t.incidentKey}:${t.deliveryKey}:${gen + 1}`,
            source,
            postBundle: true,
            incident: view,
            steps: n.steps,
            openKey: `incident:${t.incidentKey}`,
            incidentKey: t.incidentKey,
            // Its card goes out at once, not when a collection slot frees up during a storm.
            cardAtOnce: true,
            ...(n.escalate ? { escalate: n.escalate } : {}),
          });
          await remember({ triage: r.triageId, status: 'open', digest: t.alertsDigest, gen: String(gen + 1), ...eventAt });
          o.logger.info({ incident: t.incidentRef, triageId: r.triageId, created: r.created, reopened: !!previous }, 'incident opened');
          return { action: 'opened', triageId: r.triageId };
        }
        const id = triageId!;
        const updated = await applyBusy(id, { type: 'incident_updated', actor, incident: { ...n.view, reopenedFrom: record?.incident?.reopenedFrom ?? null } }, source);
        if (!updated.ok) throw new Error(`could not update triage ${id}: ${updated.message}`);
        if (action === 'update') {
          await remember({ digest: t.alertsDigest, ...eventAt });
          return { action: 'updated', triageId: id };
        }
        const resolved = await applyBusy(id, { type: 'resolve', actor }, source);
        if (!resolved.ok && resolved.reason !== 'finished') throw new Error(`could not resolve triage ${id}: ${resolved.message}`);
        await remember({ status: 'resolved', digest: t.alertsDigest, ...eventAt }, retentionMs);
        return { action: 'resolved', triageId: id };
      });
    },
  };
}
