/**
 * The `act` queue's processor for a worker (src/app/worker.ts composes it): the approval jobs
 * (approval-jobs.ts) and the fix jobs (fix/jobs.ts) over one set of dependencies, built from the
 * act settings: the approve and fix tokens' clients, the stores, the signing of buttons.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/log';
import { createActClient, type CaracalActClient } from '../caracal/act-client';
import type { CaracalClient } from '../caracal/client-api';
import type { CaracalConfig } from '../caracal/config';
import type { ChatLimiter } from '../posting/limiter';
import type { ChatPorts } from '../posting/ports';
import type { TriageQueues } from '../queue/queues';
import type { Redactor } from '../redact/redact';
import type { TriageStore } from '../store/triage-store';
import type { CreateTriageSession } from '../triage/session-api';
import { approvalCardJob, decideJob, type ApprovalJobDeps } from './approval-jobs';
import { createApprovalStore } from './approvals';
import type { ActConfig } from './config';
import { applyJob, proposeJob, type FixJobDeps } from './fix/jobs';
import { createProposalStore } from './fix/proposals';
import { ActJobData } from './jobs';
import { signAct } from './token';

export interface ActWorkerOptions {
  config: ActConfig;
  caracal: CaracalConfig;
  store: TriageStore;
  queues: TriageQueues;
  audit: AuditLog;
  ports: ChatPorts;
  limiter: ChatLimiter;
  redactor: Redactor;
  /** Reads past the shared cache. */
  reads: CaracalClient;
  createSession: CreateTriageSession;
  signingKey: string;
  logger: Logger;
  /** How long act buttons stay usable (default 24 h; every redraw re-signs them). */
  buttonTtlSeconds?: number;
  pollMs?: number;
  now?: () => Date;
}

export interface ActProcessor {
  process(job: Job, token?: string): Promise<unknown>;
  close(): Promise<void>;
}

export function createActProcessor(o: ActWorkerOptions): ActProcessor {
  const now = o.now ?? (() => new Date());
  const ttl = o.buttonTtlSeconds ?? 24 * 3600;
  const sign = (kind: 'approve' | 'reject' | 'apply', subject: string) => signAct({ kind, subject, expiresAt: Math.floor(now().getTime() / 1000) + ttl }, o.signingKey);
  const approver = o.config.approveToken ? createActClient(o.caracal, o.config.approveToken) : null;
  const fixer = o.config.fixToken ? createActClient(o.caracal, o.config.fixToken) : null;
  // Holds are read with the approve token (it reads), else with the bot's own read token.
  const holds: CaracalActClient = approver ?? createActClient(o.caracal, o.caracal.adminToken);
  const { redis, keys } = o.store;
  const post = { redis, keys, ports: o.ports, limiter: o.limiter, logger: o.logger };
  const approvals: ApprovalJobDeps = {
    ...post,
    queue: o.queues.act,
    audit: o.audit,
    approvals: createApprovalStore(redis, keys),
    redactor: o.redactor,
    holds,
    approver,
    approvers: o.config.approvers.length,
    sign,
    now,
  };
  const fixes: FixJobDeps = {
    ...post,
    queue: o.queues.act,
    audit: o.audit,
    proposals: createProposalStore(redis, keys),
    triages: o.store,
    redactor: o.redactor,
    reads: o.reads,
    fixer,
    createSession: o.createSession,
    view: { fixers: o.config.fixers.length, canCall: !!fixer, confirmTimeoutMs: o.config.fixConfirmTimeoutMs, sign },
    pollMs: o.pollMs,
    now,
  };
  return {
    async process(job, token) {
      const parsed = ActJobData.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid act job data: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      const d = parsed.data;
      if ('approval' in d) {
        if (job.name === 'approval_card') return approvalCardJob(approvals, job, token, d.approval);
        if (job.name === 'decide') return decideJob(approvals, job, d.approval);
      } else {
        if (job.name === 'propose') return proposeJob(fixes, job, token, d.proposal);
        if (job.name === 'apply') return applyJob(fixes, job, token, d.proposal);
      }
      throw new UnrecoverableError(`unknown act job ${job.name}`);
    },
    close: async () => {
      await Promise.all([approver?.close(), fixer?.close(), approver ? undefined : holds.close()]);
    },
  };
}
