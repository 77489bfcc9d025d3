/**
 * Prometheus metrics for triages, jobs and the chat return path, in a prom-client registry
 * the web process exposes at /metrics. Created once per registry, so the web and worker halves
 * of `caracal-triage start` share the same counters. The job label is `job_name`: Prometheus
 * keeps `job` for the scrape target itself.
 */
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Queue states the backlog gauge reports. */
const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;

export interface TriageMetrics {
  registry: Registry;
  /** caracal_triage_started_total{source,created} */
  started: Counter<'source' | 'created'>;
  /** caracal_triage_transitions_total{event,outcome} */
  transitions: Counter<'event' | 'outcome'>;
  /** caracal_triage_jobs_total{queue,job_name,outcome}: completed, retry, failed (delays: chatDelays) */
  jobs: Counter<'queue' | 'job_name' | 'outcome'>;
  /** caracal_triage_job_duration_seconds{queue,job_name} */
  jobDuration: Histogram<'queue' | 'job_name'>;
  /** caracal_triage_chat_calls_total{platform,method,outcome}: ok, rate_limited, error, permanent */
  chatCalls: Counter<'platform' | 'method' | 'outcome'>;
  /** caracal_triage_chat_delays_total{platform,reason}: limiter, retry_after, no_card, busy, cards_first */
  chatDelays: Counter<'platform' | 'reason'>;
  /** caracal_triage_chat_adopted_total{platform,kind}: posts an earlier run had made, found and kept instead of posted again */
  chatAdopted: Counter<'platform' | 'kind'>;
  /** caracal_triage_thread_replies_total{platform,kind}: step, folded (several steps in one reply), bundle */
  threadReplies: Counter<'platform' | 'kind'>;
  /** caracal_triage_steps_collected_total{step,verdict,deployment} (`default` for the single-deployment variables) */
  steps: Counter<'step' | 'verdict' | 'deployment'>;
  /** caracal_triage_step_duration_seconds{step,deployment} */
  stepDuration: Histogram<'step' | 'deployment'>;
  /** caracal_triage_swept_total */
  swept: Counter<string>;
  /** caracal_triage_reconciled_total{action}: requeued, restarted, failed (what was done for a triage whose job was missing or had failed) */
  reconciled: Counter<'action'>;
  /** caracal_triage_worker_refused_fetches_total{queue}: job fetches Redis refused as writes (OOM, READONLY, MISCONF, NOREPLICAS); each makes the worker wait before it asks again */
  refusedFetches: Counter<'queue'>;
  /** caracal_triage_audit_append_failures_total: entries of the bot's audit log that could not be written */
  auditFailures: Counter<string>;
  /** caracal_triage_queue_jobs{queue,state}: read from BullMQ at scrape time, for the queues `trackQueues` was given */
  queueJobs: Gauge<'queue' | 'state'>;
  /** Report these queues' job counts in caracal_triage_queue_jobs (once per queue name). */
  trackQueues(queues: readonly Queue[]): void;
}

const byRegistry = new WeakMap<Registry, TriageMetrics>();

export function triageMetrics(registry: Registry = new Registry()): TriageMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const tracked = new Map<string, Queue>();
  const m: TriageMetrics = {
    registry,
    started: new Counter({ name: 'caracal_triage_started_total', help: 'Triage start requests, by source and whether a new triage was created (false: a redelivery; open: the same command while its triage is open)', labelNames: ['source', 'created'], registers }),
    transitions: new Counter({ name: 'caracal_triage_transitions_total', help: 'Triage state-machine events applied or refused, by event and outcome', labelNames: ['event', 'outcome'], registers }),
    jobs: new Counter({ name: 'caracal_triage_jobs_total', help: 'Queue jobs by queue, job name and outcome (completed, retry, failed)', labelNames: ['queue', 'job_name', 'outcome'], registers }),
    jobDuration: new Histogram({ name: 'caracal_triage_job_duration_seconds', help: 'Time spent processing one job attempt', labelNames: ['queue', 'job_name'], buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60], registers }),
    chatCalls: new Counter({ name: 'caracal_triage_chat_calls_total', help: 'Calls to chat platforms by platform, method and outcome (ok, rate_limited, error, permanent)', labelNames: ['platform', 'method', 'outcome'], registers }),
    chatDelays: new Counter({ name: 'caracal_triage_chat_delays_total', help: 'Post jobs delayed instead of sent, by reason (limiter, retry_after, no_card, busy, cards_first)', labelNames: ['platform', 'reason'], registers }),
    chatAdopted: new Counter({ name: 'caracal_triage_chat_adopted_total', help: 'Posts an earlier run had made (found by their identity after a crash) and kept instead of posted again', labelNames: ['platform', 'kind'], registers }),
    threadReplies: new Counter({ name: 'caracal_triage_thread_replies_total', help: 'Thread replies posted, by kind (step, folded: several steps in one reply, bundle)', labelNames: ['platform', 'kind'], registers }),
    steps: new Counter({ name: 'caracal_triage_steps_collected_total', help: 'Triage steps collected, by step and verdict', labelNames: ['step', 'verdict', 'deployment'], registers }),
    stepDuration: new Histogram({ name: 'caracal_triage_step_duration_seconds', help: 'Time to collect and judge one step', labelNames: ['step', 'deployment'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers }),
    swept: new Counter({ name: 'caracal_triage_swept_total', help: 'Triages moved to abandoned after no activity', registers }),
    refusedFetches: new Counter({ name: 'caracal_triage_worker_refused_fetches_total', help: 'Job fetches Redis refused as writes (OOM, READONLY, MISCONF, NOREPLICAS), by queue; after each the worker waits 250 ms to 2 s before it asks again', labelNames: ['queue'], registers }),
    reconciled: new Counter({ name: 'caracal_triage_reconciled_total', help: 'Triages whose job was missing or had failed for good, by what was done: requeued (the same job added again), restarted (a new collection), failed (stopped visibly, with Retry)', labelNames: ['action'], registers }),
    auditFailures: new Counter({ name: 'caracal_triage_audit_append_failures_total', help: "Entries of the bot's audit log that could not be written (commands and clicks went unrecorded)", registers }),
    queueJobs: new Gauge({
      name: 'caracal_triage_queue_jobs',
      help: 'Jobs in each queue by state (waiting, delayed, active, failed), read at scrape time',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        await Promise.all(
          [...tracked.values()].map(async (q) => {
            const counts = await q.getJobCounts(...QUEUE_STATES).catch(() => null);
            if (!counts) return;
            for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
          }),
        );
      },
    }),
    trackQueues(queues) {
      for (const q of queues) if (!tracked.has(q.name)) tracked.set(q.name, q);
    },
  };
  byRegistry.set(registry, m);
  return m;
}
