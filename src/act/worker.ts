/**
 * The `act` queue's processor for a worker (src/app/worker.ts composes it): the approval jobs
 * (approval-jobs.ts) and the fix jobs (fix/jobs.ts), over one set of dependencies per Caracal
 * deployment, built from the act settings: that deployment's approve and fix tokens' clients
 * (taking from its call budget), its reads and sessions; the stores and the signing of buttons
 * are shared. A job runs with the dependencies of the deployment its approval (the sink it came
 * from) or its proposal (the triage it was proposed from) belongs to, so a staging fix calls
 * only staging's Caracal with staging's token.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/log';
import { createActClient, type CaracalActClient } from '../caracal/act-client';
import type { CallBudget } from '../caracal/budget';
import type { CaracalClient } from '../caracal/client-api';
import type { CaracalConfig } from '../caracal/config';
import { DEFAULT_DEPLOYMENT } from '../caracal/deployments-file';
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

/**
 * One deployment the act reads and acts in: its settings (Admin API URL, timeout, read token),
 * its own approve and fix tokens, its reads past the shared cache, its triage sessions and its
 * Admin API call budget. Without tokens of its own, the act settings' (CARACAL_APPROVE_TOKEN,
 * CARACAL_FIX_TOKEN: the single deployment's) apply.
 */
export interface ActDeployment {
  name: string;
  caracal: CaracalConfig;
  approveToken?: string | null;
  fixToken?: string | null;
  reads: CaracalClient;
  createSession: CreateTriageSession;
  /** Every approve, fix and hold call takes from it (the deployment's triage reads do too). */
  budget?: CallBudget;
}

export interface ActWorkerOptions {
  config: ActConfig;
  caracal: CaracalConfig;
  /**
   * Every deployment (CARACAL_DEPLOYMENTS_FILE's, in order): an approval is decided, and a fix
   * planned and applied, in the deployment it belongs to, with that deployment's tokens and
   * budget. Absent: the one deployment of `caracal`, `reads` and `createSession`.
   */
  deployments?: readonly ActDeployment[];
  store: TriageStore;
  queues: TriageQueues;
  audit: AuditLog;
  ports: ChatPorts;
  limiter: ChatLimiter;
  redactor: Redactor;
  /** Reads past the cache (of the one deployment, without `deployments`). */
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

/** One deployment's job dependencies, over its own clients. */
interface DeploymentActs {
  approvals: ApprovalJobDeps;
  fixes: FixJobDeps;
  close(): Promise<void>;
}

export function createActProcessor(o: ActWorkerOptions): ActProcessor {
  const now = o.now ?? (() => new Date());
  const ttl = o.buttonTtlSeconds ?? 24 * 3600;
  const sign = (kind: 'approve' | 'reject' | 'apply', subject: string) => signAct({ kind, subject, expiresAt: Math.floor(now().getTime() / 1000) + ttl }, o.signingKey);
  const { redis, keys } = o.store;
  const post = { redis, keys, ports: o.ports, limiter: o.limiter, logger: o.logger };
  const approvalStore = createApprovalStore(redis, keys);
  const proposalStore = createProposalStore(redis, keys);
  const sources: readonly ActDeployment[] = o.deployments?.length ? o.deployments : [{ name: DEFAULT_DEPLOYMENT, caracal: o.caracal, reads: o.reads, createSession: o.createSession }];

  function open(d: ActDeployment): DeploymentActs {
    const approveToken = d.approveToken ?? o.config.approveToken;
    const fixToken = d.fixToken ?? o.config.fixToken;
    const client = (token: string) => createActClient(d.caracal, token, d.budget ? { budget: d.budget } : {});
    const approver = approveToken ? client(approveToken) : null;
    const fixer = fixToken ? client(fixToken) : null;
    // Holds are read with the approve token (it reads), else with the bot's own read token.
    const holds: CaracalActClient = approver ?? client(d.caracal.adminToken);
    return {
      approvals: { ...post, queue: o.queues.act, audit: o.audit, approvals: approvalStore, redactor: o.redactor, holds, approver, approvers: o.config.approvers.length, sign, now },
      fixes: {
        ...post,
        queue: o.queues.act,
        audit: o.audit,
        proposals: proposalStore,
        triages: o.store,
        redactor: o.redactor,
        reads: d.reads,
        fixer,
        createSession: d.createSession,
        view: { fixers: o.config.fixers.length, canCall: !!fixer, confirmTimeoutMs: o.config.fixConfirmTimeoutMs, sign },
        pollMs: o.pollMs,
        now,
      },
      close: async () => {
        await Promise.all([approver?.close(), fixer?.close(), approver ? undefined : holds.close()]);
      },
    };
  }
  const byName = new Map(sources.map((d) => [d.name, open(d)]));
  const only = sources.length === 1 ? byName.get(sources[0]!.name)! : null;
  /** For a job whose record is gone: the job skips it ("approval gone", "proposal gone") in whichever deployment. */
  const any = only ?? byName.values().next().value!;
  /** The deployment a record names, else the only one; a deployment this worker does not serve is no job it can run. */
  const actsOf = (deployment: string | null | undefined, what: string): DeploymentActs => {
    const acts = deployment ? (byName.get(deployment) ?? null) : only;
    if (!acts) throw new UnrecoverableError(deployment ? `${what} belongs to deployment ${deployment}, which this worker does not serve` : `${what} names no deployment and this worker serves several`);
    return acts;
  };

  return {
    async process(job, token) {
      const parsed = ActJobData.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid act job data: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      const d = parsed.data;
      if ('approval' in d) {
        const rec = await approvalStore.get(d.approval);
        const approvals = (rec ? actsOf(rec.deployment, 'the approval') : any).approvals;
        if (job.name === 'approval_card') return approvalCardJob(approvals, job, token, d.approval);
        if (job.name === 'decide') return decideJob(approvals, job, d.approval);
      } else {
        const p = await proposalStore.get(d.proposal);
        // A proposal made before deployments were recorded reads its triage's.
        const deployment = p ? (p.deployment ?? (await o.store.get(p.triageId))?.deployment ?? null) : null;
        const fixes = (p ? actsOf(deployment, 'the fix proposal') : any).fixes;
        if (job.name === 'propose') return proposeJob(fixes, job, token, d.proposal);
        if (job.name === 'apply') return applyJob(fixes, job, token, d.proposal);
      }
      throw new UnrecoverableError(`unknown act job ${job.name}`);
    },
    close: async () => {
      await Promise.all([...byName.values()].map((a) => a.close()));
    },
  };
}
