/**
 * The worker's approval jobs (jobs.ts):
 *
 *   approval_card  reads the hold from Caracal (`GET …/approvals/{id}`: its metadata says what
 *                  the agent asks for, its state whether it was decided elsewhere), posts the card
 *                  once or redraws it, and while the hold waits schedules the next read (at least
 *                  every minute, and at its expiry, so an expired hold is shown expired);
 *   decide         makes the one approve/reject call a claim stands for, with
 *                  CARACAL_APPROVE_TOKEN and the reason naming the person and the platform.
 *
 * Exactly one call per claim, across double clicks (the claim: one per hold at a time),
 * retried jobs and crashes: `calling` is stored before the call and cleared with its answer; a
 * run that finds `calling` set (a run died between the call and its record, or the call got no
 * answer) reads the hold first and calls again only if it is still pending. Every call and
 * answer goes into the audit chain with the person it was made for.
 */
import { createHash } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { AuditLog } from '../audit/log';
import type { CaracalActClient } from '../caracal/act-client';
import { approvalState, type Approval } from '../caracal/act-schemas';
import { CaracalApiError, describeError } from '../caracal/errors';
import type { ActMessage } from '../chat/act-message';
import type { Redactor } from '../redact/redact';
import type { Actor } from '../triage/record';
import { approvalMessage, holdState } from './approval-view';
import type { ApprovalRecord, ApprovalStore, Claim, DecisionResult, HoldView } from './approvals';
import { approvalSubject, auditAct } from './audit';
import { enqueueApprovalCard, scheduleApprovalRefresh } from './jobs';
import { postOnce, redraw, type ActPostDeps } from './post';

export interface ApprovalJobDeps extends ActPostDeps {
  queue: Queue;
  audit: Pick<AuditLog, 'append'>;
  approvals: ApprovalStore;
  redactor: Redactor;
  /** Reads holds: the approve token when there is one, else the admin (read) token. */
  holds: Pick<CaracalActClient, 'getApproval'>;
  /** CARACAL_APPROVE_TOKEN's client; null without it. */
  approver: Pick<CaracalActClient, 'decide' | 'getApproval'> | null;
  approvers: number;
  sign(kind: 'approve' | 'reject', subject: string): string;
  now(): Date;
}

/** A card waiting for a decision is read again at least this often. */
export const REFRESH_MS = 60_000;
/** …and for at most this long after the hold was issued. */
const WATCH_FOR_MS = 24 * 3600_000;

const actorOf = (p: Claim['by']): Actor => ({ kind: 'user', id: p.id, ...(p.name ? { name: p.name } : {}) });

function holdView(a: Approval, now: Date): HoldView {
  return {
    state: approvalState(a, now),
    tier: a.tier ?? null,
    approverClass: a.approver_class ?? null,
    applicationId: a.application_id ?? null,
    principalId: a.principal_id ?? null,
    expiresAt: a.expires_at ?? null,
    decisionReason: a.decision_reason ?? null,
    decidedAt: a.satisfied_at ?? a.rejected_at ?? null,
    metadata: a.metadata_json ?? null,
    readAt: now.toISOString(),
  };
}

/** What the card shows, without the button values (re-signed on every draw): equal means nothing to redraw. */
function digestOf(n: ActMessage): string {
  return createHash('sha256').update(JSON.stringify({ ...n, buttons: n.buttons.map((b) => ({ ...b, value: '' })) })).digest('hex').slice(0, 32);
}

export async function approvalCardJob(deps: ApprovalJobDeps, job: Job, token: string | undefined, key: string): Promise<unknown> {
  const first = await deps.approvals.get(key);
  if (!first) return { skipped: 'approval gone' };
  if (!first.ref && !first.dest) return { skipped: 'no card, and nowhere to post one' };
  const now = deps.now();
  try {
    const hold = deps.redactor.redact(await deps.holds.getApproval(first.zoneId, first.approvalId)).value;
    await deps.approvals.setHold(key, holdView(hold, now), null);
  } catch (e) {
    await deps.approvals.setHold(key, null, describeError(e).code);
  }
  const rec = (await deps.approvals.get(key))!;
  const notice = approvalMessage(rec, { now, approvers: deps.approvers, canCall: !!deps.approver, sign: deps.sign });
  const digest = digestOf(notice);
  if (rec.ref) {
    if (rec.drawn !== digest) await redraw(deps, job, token, rec.ref, notice);
  } else {
    const slot = {
      key,
      where: rec.dest!,
      load: async () => {
        const r = await deps.approvals.get(key);
        return { ref: r?.ref ?? null, intentAt: r?.intentAt ?? null };
      },
      setIntent: (at: number | null) => deps.approvals.setIntent(key, at),
      setRef: (ref: NonNullable<ApprovalRecord['ref']>) => deps.approvals.setRef(key, ref),
    };
    const { posted } = await postOnce(deps, job, token, slot, notice);
    if (posted) {
      await auditAct(deps.audit, { actor: { kind: 'webhook', id: 'caracal', name: 'notification sink' }, action: 'approval card posted', source: 'act_worker', subject: approvalSubject(rec.zoneId, rec.approvalId), detail: `tier ${rec.issued?.tier ?? '?'}` });
    }
  }
  await deps.approvals.setDrawn(key, digest);
  await watch(deps, rec, now);
  return { drawn: holdState(rec, now) };
}

/** While the hold waits, the next read: within a minute, and just after it expires. */
async function watch(deps: ApprovalJobDeps, rec: ApprovalRecord, now: Date): Promise<void> {
  if (holdState(rec, now) !== 'pending') return;
  const issued = Date.parse(rec.issued?.occurredAt ?? '') || now.getTime();
  if (now.getTime() - issued > WATCH_FOR_MS) return;
  const expires = Date.parse(rec.hold?.expiresAt ?? rec.issued?.expiresAt ?? '');
  const untilExpiry = Number.isFinite(expires) ? expires - now.getTime() + 1500 : REFRESH_MS;
  await scheduleApprovalRefresh(deps.queue, rec.key, Math.min(REFRESH_MS, Math.max(1000, untilExpiry)));
}

const matches = (state: string, decision: Claim['decision']) => (decision === 'approve' ? state === 'approved' || state === 'consumed' : state === 'rejected');

/** Refusals a new click may overcome once the operator has fixed the token: they free the claim. */
const TOKEN_PROBLEMS = new Set(['approve_capability_required', 'admin_token_read_only', 'admin_token_zone_mismatch', 'invalid_admin_token', 'rate_limited', 'no_answer']);

export async function decideJob(deps: ApprovalJobDeps, job: Job, key: string): Promise<unknown> {
  const rec = await deps.approvals.get(key);
  const claim = rec?.claim;
  if (!rec || !claim) return { skipped: 'no claim to act on' };
  if (rec.result && rec.result.try === claim.try) {
    await enqueueApprovalCard(deps.queue, key);
    return { skipped: 'already answered' };
  }
  const subject = approvalSubject(rec.zoneId, rec.approvalId);
  const person = actorOf(claim.by);
  const settle = async (r: Omit<DecisionResult, 'decision' | 'by' | 'at' | 'try'>, release: boolean): Promise<{ settled: string }> => {
    const result: DecisionResult = { ...r, try: claim.try, decision: claim.decision, by: claim.by, said: claim.said, at: deps.now().toISOString() };
    await deps.approvals.settle(key, result, release);
    await auditAct(deps.audit, { actor: person, action: `${claim.decision} answered`, source: 'act_worker', subject, detail: `${r.outcome}${r.status ? ` ${r.status}` : ''}${r.code ? ` ${r.code}` : ''}${r.state ? ` (hold ${r.state})` : ''}` });
    await enqueueApprovalCard(deps.queue, key);
    return { settled: r.outcome };
  };
  if (!deps.approver) return settle({ outcome: 'no_token', state: null, status: null, code: null }, true);
  const approver = deps.approver;

  if (rec.calling !== null) {
    // An earlier run marked the call and never recorded an answer: read the hold before calling again.
    const state = approvalState(await approver.getApproval(rec.zoneId, rec.approvalId), deps.now());
    if (state !== 'pending') return settle({ outcome: matches(state, claim.decision) ? 'found_decided' : 'not_decidable', state, status: null, code: null }, false);
  }
  await deps.approvals.markCalling(key, Date.now());
  await auditAct(deps.audit, { actor: person, action: `${claim.decision} called`, source: 'act_worker', subject, detail: claim.reason });
  try {
    const r = await approver.decide(rec.zoneId, rec.approvalId, claim.decision, claim.reason);
    return await settle({ outcome: 'decided', state: r.state ?? (claim.decision === 'approve' ? 'approved' : 'rejected'), status: 200, code: null }, false);
  } catch (e) {
    if (e instanceof CaracalApiError && e.status >= 400 && e.status < 500 && e.status !== 429) {
      if (e.status === 409) {
        // Decided (or expired) before this call: by someone else, since this claim had not called yet.
        const state = await approver.getApproval(rec.zoneId, rec.approvalId).then((a) => approvalState(a, deps.now()), () => null);
        return settle({ outcome: 'not_decidable', state, status: 409, code: e.code }, false);
      }
      if (e.status === 404) return settle({ outcome: 'not_found', state: null, status: 404, code: e.code }, false);
      return settle({ outcome: 'refused', state: null, status: e.status, code: e.code }, TOKEN_PROBLEMS.has(e.code));
    }
    // No answer, a 5xx or a 429: it may or may not have been recorded. `calling` stays, so the
    // next attempt reads the hold first; the last attempt gives up in words and frees the claim.
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await auditAct(deps.audit, { actor: person, action: `${claim.decision} call unanswered`, source: 'act_worker', subject, detail: describeError(e).message.slice(0, 300) });
    if (last) {
      const state = await approver.getApproval(rec.zoneId, rec.approvalId).then((a) => approvalState(a, deps.now()), () => null);
      if (state && state !== 'pending') return settle({ outcome: matches(state, claim.decision) ? 'found_decided' : 'not_decidable', state, status: null, code: null }, false);
      return settle({ outcome: 'refused', state, status: e instanceof CaracalApiError ? e.status : null, code: 'no_answer' }, true);
    }
    throw e;
  }
}
