/**
 * Collects evidence for one triage, step by step, as a BullMQ step job: the index of the next
 * step is kept in the job's data (`updateData`), so a retry or a stalled job picked up by
 * another worker resumes where the last run stopped. Each step result is applied to the store
 * with a `done:<job>:<step>` mark in the same compare-and-set, so a run that died between the
 * write and `updateData` does not apply (or post) the step twice. At the end the session
 * concludes and, the first time, collects the diagnostic bundle that closes every triage's
 * thread → `collection_finished`.
 *
 * With several deployments (`deployments`), the triage's own deployment's engine reads Caracal;
 * when nothing named one, it is chosen first (deployment-choice.ts).
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { CaracalClient } from '../caracal/client-api';
import type { TriageStore } from '../store/triage-store';
import { FINAL_STATES, type TriageRecord } from '../triage/record';
import type { CreateTriageSession } from '../triage/session-api';
import { carryOutEffects, enqueueCardUpdate, enqueuePostBundle, enqueuePostCard, enqueuePostStep, type EffectContext } from './effects';
import { CollectJobData } from './jobs';
import type { TriageMetrics } from './metrics';
import type { StartTriageRequest } from '../ingress/service-api';
import type { Deployments } from '../triage/deployments';
import { chooseDeployment } from './deployment-choice';

export interface CollectDeps extends EffectContext {
  store: TriageStore;
  client: CaracalClient;
  /** For re-check collections (`fresh` jobs): reads past any shared cache `client` has (default `client`). */
  freshClient?: CaracalClient;
  createSession: CreateTriageSession;
  metrics: TriageMetrics;
  logger: Logger;
  /** Every deployment's engine; absent: `client` and `createSession` read the one deployment. */
  deployments?: Deployments;
  /** Starts the triage of a request found in several deployments in each other one (the worker half's service). */
  startTriage?: (req: StartTriageRequest) => Promise<unknown>;
}

export type CollectOutcome = { finished: true; version: number; diagnosis: string | null } | { stopped: string };

const SYSTEM_ATTEMPTS = 20;

export function createCollectProcessor(deps: CollectDeps) {
  const { store, metrics } = deps;

  return async function processCollect(job: Job): Promise<CollectOutcome> {
    const parsed = CollectJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid collect job data: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const data = parsed.data;
    const { triageId, steps } = data;
    const jobKey = job.id ?? `${triageId}-adhoc`;
    const view = await store.view(triageId);
    if (!view) throw new UnrecoverableError(`triage ${triageId} no longer exists`);
    let record: TriageRecord = view.record;
    if (FINAL_STATES.includes(record.state)) return { stopped: `triage is ${record.state}` };
    let engine: Pick<CollectDeps, 'client' | 'freshClient' | 'createSession'> = deps;
    if (deps.deployments) {
      const choice = await chooseDeployment({ ...deps, deployments: deps.deployments }, { ...view, record });
      if (!choice.ok) {
        if (data.index === 0) await enqueuePostCard(deps, triageId);
        return { stopped: choice.stopped };
      }
      record = choice.record;
      engine = choice.engine;
    }
    const deployment = record.deployment ?? deps.deployments?.only?.name ?? 'default';

    // The card is queued by the collection, not by start(): one job add less before the Slack
    // ack. Its job ID is fixed and post_card is idempotent on the stored message reference, so a
    // retried collection or a re-check adds nothing new.
    if (data.index === 0) await enqueuePostCard(deps, triageId, record.restartVersion);

    const stepMarks = steps.map((s) => `done:${jobKey}:${s}`);
    const finishMark = `done:${jobKey}:finish`;
    const marks = await store.marks(triageId, [...stepMarks, finishMark]);
    const session = engine.createSession(data.fresh ? (engine.freshClient ?? engine.client) : engine.client, record.input);

    for (let i = data.index; i < steps.length; i++) {
      const step = steps[i];
      let applied = marks[i];
      if (applied === null) {
        const t0 = performance.now();
        const result = await session.runStep(step);
        metrics.stepDuration.observe({ step, deployment }, (performance.now() - t0) / 1000);
        metrics.steps.inc({ step, verdict: result.verdict, deployment });
        const r = await store.apply(triageId, { type: 'step_collected', result }, { current: record, mark: stepMarks[i], maxAttempts: SYSTEM_ATTEMPTS });
        if (!r.ok) {
          metrics.transitions.inc({ event: 'step_collected', outcome: r.reason });
          if (r.reason === 'finished') return { stopped: r.message };
          if (r.reason === 'not_found') throw new UnrecoverableError(`triage ${triageId} no longer exists`);
          throw new Error(`could not record step ${step}: ${r.message}`);
        }
        record = r.record;
        if (r.duplicate) {
          applied = (await store.marks(triageId, [stepMarks[i]]))[0];
        } else {
          metrics.transitions.inc({ event: 'step_collected', outcome: 'applied' });
          await carryOutEffects(deps, r, 'worker', { coalesce: true });
        }
      }
      if (applied !== null) {
        // Applied by an earlier run that died before moving on: make sure its posts are queued
        // (same job IDs, so nothing is added twice while they exist; markers cover the rest).
        await Promise.all([enqueuePostStep(deps, triageId, step, applied), enqueueCardUpdate(deps, triageId)]);
      }
      // The index in the job data is also its progress (steps done of `steps.length`); a separate
      // updateProgress would cost every step another script call and event, and nothing reads it.
      await job.updateData({ ...data, index: i + 1 });
    }

    const finishedAt = marks[steps.length];
    if (finishedAt !== null) {
      await enqueueCardUpdate(deps, triageId);
      if ((await store.get(triageId))?.bundle) await enqueuePostBundle(deps, triageId, finishedAt);
      return { finished: true, version: finishedAt, diagnosis: record.diagnosis?.cause ?? null };
    }
    const latest = (await store.get(triageId)) ?? record;
    // The bundle first: its `recent_changes` is what the conclusion joins with the diagnosis.
    const bundle = latest.bundle ? null : await session.collectBundle();
    const conclusion = session.conclude(latest.steps, bundle ?? latest.bundle);
    const names = await session.names();
    const r = await store.apply(triageId, { type: 'collection_finished', ...conclusion, bundle, names }, { current: latest, mark: finishMark, maxAttempts: SYSTEM_ATTEMPTS });
    if (!r.ok) {
      metrics.transitions.inc({ event: 'collection_finished', outcome: r.reason });
      if (r.reason === 'finished') return { stopped: r.message };
      if (r.reason === 'not_found') throw new UnrecoverableError(`triage ${triageId} no longer exists`);
      throw new Error(`could not finish collection: ${r.message}`);
    }
    metrics.transitions.inc({ event: 'collection_finished', outcome: r.duplicate ? 'duplicate' : 'applied' });
    if (!r.duplicate) await carryOutEffects(deps, r, 'worker');
    const version = r.duplicate ? ((await store.marks(triageId, [finishMark]))[0] ?? r.record.version) : r.record.version;
    if (r.record.bundle) await enqueuePostBundle(deps, triageId, version);
    deps.logger.debug({ triageId, version, diagnosis: r.record.diagnosis?.cause ?? null }, 'collection finished');
    return { finished: true, version, diagnosis: r.record.diagnosis?.cause ?? null };
  };
}
