/**
 * The worker's fix jobs (../jobs.ts):
 *
 *   propose  plans the fix for the triage (plan.ts: Caracal's simulation with CARACAL_FIX_TOKEN,
 *            a dry run), stores the plan and posts the proposal in the triage's thread; later
 *            runs (the lapse at the proposal's expiry) only redraw it;
 *   apply    the one activation a consent stands for, then activation-status until `loaded` or
 *            TRIAGE_FIX_CONFIRM_TIMEOUT, then (once loaded) Caracal's simulation of the denied
 *            call against the active version (check.ts), then the triage run again, and the
 *            result posted under the proposal.
 *
 * Exactly one activation per proposal, across repeated clicks (one consent per proposal),
 * retried jobs and crashes: before calling, the zone's active version is read (a proposal made
 * against another active version is stale and refused in words); `calling` is stored before the
 * call and the answer after it; a run that finds `calling` without an answer reads the zone again
 * and records the version active instead of activating twice. Every call and answer goes into
 * the audit chain with the person who applied it.
 */
import type { Job, Queue } from 'bullmq';
import type { AuditLog } from '../../audit/log';
import type { CaracalActClient } from '../../caracal/act-client';
import type { CaracalClient } from '../../caracal/client-api';
import { CaracalApiError, describeError } from '../../caracal/errors';
import type { Redactor } from '../../redact/redact';
import type { TriageStore } from '../../store/triage-store';
import type { CreateTriageSession } from '../../triage/session-api';
import type { Actor } from '../../triage/record';
import { auditAct, fixSubject } from '../audit';
import type { Person } from '../approvals';
import { postOnce, type ActPostDeps } from '../post';
import { checkDetail, checkFix, notLoadedCheck } from './check';
import { planFix } from './plan';
import type { CallResult, Confirmation, FixCheck, Proposal, ProposalStore, Retriage, StoredPlan } from './proposals';
import { planReads } from './read';
import { fixResultMessage, fixTokenName, proposalMessage, type ProposalViewOptions } from './view';

export interface FixJobDeps extends ActPostDeps {
  queue: Queue;
  audit: Pick<AuditLog, 'append'>;
  proposals: ProposalStore;
  triages: Pick<TriageStore, 'get'>;
  redactor: Redactor;
  /** Reads past the shared cache (a fix compares what is active now). */
  reads: CaracalClient;
  /** CARACAL_FIX_TOKEN's client; null without it. */
  fixer: CaracalActClient | null;
  createSession: CreateTriageSession;
  view: Omit<ProposalViewOptions, 'now'>;
  /** How often activation-status is read while waiting for STS (default 1 s). */
  pollMs?: number;
  now(): Date;
}

const actorOf = (p: Person): Actor => ({ kind: 'user', id: p.id, ...(p.name ? { name: p.name } : {}) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function slotOf(deps: FixJobDeps, p: Proposal, which: 'proposal' | 'result') {
  const result = which === 'result';
  return {
    key: result ? `${p.id}-result` : p.id,
    where: (result ? p.ref : p.card)!,
    load: async () => {
      const cur = await deps.proposals.get(p.id);
      return { ref: (result ? cur?.resultRef : cur?.ref) ?? null, intentAt: (result ? cur?.resultIntentAt : cur?.intentAt) ?? null };
    },
    setIntent: async (at: number | null) => (at === null ? deps.proposals.clear(p.id, result ? 'result:intent' : 'intent') : deps.proposals.set(p.id, { [result ? 'result:intent' : 'intent']: String(at) })),
    setRef: (ref: NonNullable<Proposal['ref']>) => deps.proposals.set(p.id, { [result ? 'result:ref' : 'ref']: JSON.stringify(ref) }),
  };
}

async function drawProposal(deps: FixJobDeps, job: Job, token: string | undefined, id: string): Promise<Proposal> {
  const p = (await deps.proposals.get(id))!;
  if (!p.card) return p;
  await postOnce(deps, job, token, slotOf(deps, p, 'proposal'), proposalMessage(p, { ...deps.view, now: deps.now() }));
  return (await deps.proposals.get(id))!;
}

export async function proposeJob(deps: FixJobDeps, job: Job, token: string | undefined, id: string): Promise<unknown> {
  let p = await deps.proposals.get(id);
  if (!p) return { skipped: 'proposal gone' };
  if (!p.plan) {
    try {
      await plan(deps, p);
    } catch (e) {
      // Out of attempts: say so on the proposal and free the triage for another one.
      if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw e;
      await deps.proposals.set(id, { planError: describeError(e).message.slice(0, 300) });
      await deps.proposals.close(p);
    }
  }
  p = await drawProposal(deps, job, token, id);
  return { planned: !!p.plan?.remedy };
}

/** Plans the fix (a dry run), stores and audits the plan, and schedules the proposal's lapse. */
async function plan(deps: FixJobDeps, p: Proposal): Promise<void> {
  const id = p.id;
  const record = await deps.triages.get(p.triageId);
  const target = { requestId: record?.input.requestId ?? p.requestId, zoneId: record?.zoneId ?? p.zoneId, diagnosis: record?.diagnosis ?? null };
  let stored: StoredPlan;
  if (!deps.fixer) stored = { remedy: null, reason: `This bot has no ${fixTokenName(p.deployment)}, so it can neither simulate nor apply a fix.`, at: deps.now().toISOString() };
  else {
    const reads = target.requestId && target.zoneId ? planReads({ reads: deps.reads, simulator: deps.fixer, zoneId: target.zoneId, requestId: target.requestId }) : null;
    const planned = reads
      ? await planFix(target, reads)
      : { remedy: null, reason: target.diagnosis ? 'The triage has no located request, so there is no denied call to check a version against.' : 'Nothing failed, so there is nothing to fix.' };
    stored = deps.redactor.redact({ remedy: planned.remedy, reason: planned.reason, at: deps.now().toISOString() }).value;
  }
  await deps.proposals.set(id, { plan: JSON.stringify(stored) });
  await auditAct(deps.audit, {
    actor: actorOf(p.proposer),
    action: stored.remedy ? 'fix proposed' : 'fix proposal found no remedy',
    source: 'act_worker',
    subject: fixSubject(id),
    triageId: p.triageId,
    requestId: p.requestId,
    detail: stored.remedy ? `activate ${stored.remedy.toVersionId} of ${stored.remedy.policySetId} in ${stored.remedy.zoneId} (now ${stored.remedy.fromVersionId ?? 'none'})` : stored.reason,
  });
  if (!stored.remedy) await deps.proposals.close(p);
  else await deps.queue.add('propose', { proposal: id }, { jobId: `lapse-${id}`, delay: Math.max(1000, p.expiresAt - deps.now().getTime() + 1000) });
}

/** The zone's active version now (null: none), read with the fix token. */
async function activeVersion(fixer: CaracalActClient, zoneId: string): Promise<string | null> {
  const sets = await fixer.listPolicySets(zoneId);
  return sets.find((s) => !!s.active_version_id)?.active_version_id ?? null;
}

async function callOnce(deps: FixJobDeps, job: Job, p: Proposal & { consent: NonNullable<Proposal['consent']> }): Promise<CallResult> {
  const r = p.plan!.remedy!;
  const at = () => deps.now().toISOString();
  const base = { status: null, code: null, outboxId: null, activeNow: null };
  if (!deps.fixer) return { ...base, outcome: 'no_token', at: at() };
  const fixer = deps.fixer;
  const person = actorOf(p.consent.by);
  const subject = fixSubject(p.id);
  const activeNow = await activeVersion(fixer, r.zoneId);
  // The version is active: an earlier run's call went through (or someone activated it meanwhile).
  if (activeNow === r.toVersionId) return { ...base, outcome: 'found_active', activeNow, at: at() };
  if (activeNow !== r.fromVersionId) return { ...base, outcome: 'stale', activeNow, at: at() };
  await deps.proposals.set(p.id, { calling: String(Date.now()) });
  await auditAct(deps.audit, { actor: person, action: 'activate called', source: 'act_worker', subject, triageId: p.triageId, requestId: p.requestId, detail: `activate ${r.toVersionId} of ${r.policySetId} in ${r.zoneId} (was ${r.fromVersionId ?? 'none'})` });
  try {
    const res = await fixer.activate(r.zoneId, r.policySetId, r.toVersionId);
    return { ...base, outcome: 'activated', status: 202, outboxId: res.outbox_id ?? null, at: at() };
  } catch (e) {
    if (e instanceof CaracalApiError && e.status >= 400 && e.status < 500 && e.status !== 429) return { ...base, outcome: 'refused', status: e.status, code: e.code, at: at() };
    await auditAct(deps.audit, { actor: person, action: 'activate call unanswered', source: 'act_worker', subject, triageId: p.triageId, detail: describeError(e).message.slice(0, 300) });
    if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw e;
    const now = await activeVersion(fixer, r.zoneId).catch(() => null);
    return now === r.toVersionId ? { ...base, outcome: 'found_active', activeNow: now, at: at() } : { ...base, outcome: 'refused', code: 'no_answer', activeNow: now, at: at() };
  }
}

/** activation-status until `loaded` or the confirmation deadline (counted from the call). */
async function follow(deps: FixJobDeps, p: Proposal): Promise<Confirmation> {
  const r = p.plan!.remedy!;
  const deadline = (Date.parse(p.call!.at) || Date.now()) + deps.view.confirmTimeoutMs;
  let last: Confirmation = { loaded: false, propagation: null, sts: null, detail: null, at: deps.now().toISOString() };
  for (;;) {
    try {
      const s = await deps.fixer!.activationStatus(r.zoneId, r.policySetId, { version_id: r.toVersionId, ...(p.call!.outboxId ? { outbox_id: p.call!.outboxId } : {}) });
      const sts = s.sts as { state?: string | null; detail?: string | null } | null | undefined;
      last = deps.redactor.redact({ loaded: s.propagation_status === 'loaded', propagation: s.propagation_status ?? null, sts: sts?.state ?? null, detail: sts?.detail ?? null, at: deps.now().toISOString() }).value;
    } catch (e) {
      last = { ...last, detail: `activation-status: ${describeError(e).code}`, at: deps.now().toISOString() };
    }
    if (last.loaded || Date.now() >= deadline) return last;
    await sleep(Math.min(deps.pollMs ?? 1000, Math.max(0, deadline - Date.now())));
  }
}

/** The evidence after the fix: the denied call simulated against the active version, once loaded. */
async function check(deps: FixJobDeps, p: Proposal): Promise<FixCheck> {
  const r = p.plan!.remedy!;
  const at = () => deps.now().toISOString();
  if (!p.confirm?.loaded) return notLoadedCheck(at());
  if (!deps.fixer) return { ...notLoadedCheck(at()), outcome: 'unreadable', stage: 'simulate', detail: 'no CARACAL_FIX_TOKEN' };
  const reads = planReads({ reads: deps.reads, simulator: deps.fixer, zoneId: r.zoneId, requestId: r.allows.requestId });
  return deps.redactor.redact(await checkFix(r, reads, at)).value;
}

async function retriage(deps: FixJobDeps, p: Proposal): Promise<Retriage> {
  const at = deps.now().toISOString();
  try {
    const report = await deps.createSession(deps.reads, { requestId: p.requestId, zoneId: p.zoneId, symptom: null, error: null }).run();
    const d = report.diagnosis;
    return deps.redactor.redact({ state: report.headline.state, text: report.headline.text, cause: d?.cause ?? null, step: d?.step ?? null, summary: d?.summary ?? null, at }).value;
  } catch (e) {
    return { state: 'undetermined', text: `the triage could not run (${describeError(e).code})`, cause: null, step: null, summary: null, at };
  }
}

export async function applyJob(deps: FixJobDeps, job: Job, token: string | undefined, id: string): Promise<unknown> {
  let p = await deps.proposals.get(id);
  if (!p || !p.consent || !p.plan?.remedy) return { skipped: 'nothing to apply' };
  const consented = p as Proposal & { consent: NonNullable<Proposal['consent']> };
  const person = actorOf(consented.consent.by);
  const subject = fixSubject(id);
  if (!p.call) {
    const call = await callOnce(deps, job, consented);
    await deps.proposals.set(id, { call: JSON.stringify(call) });
    await deps.proposals.clear(id, 'calling');
    await auditAct(deps.audit, { actor: person, action: 'activation answered', source: 'act_worker', subject, triageId: p.triageId, requestId: p.requestId, detail: `${call.outcome}${call.status ? ` ${call.status}` : ''}${call.code ? ` ${call.code}` : ''}${call.activeNow ? ` (active ${call.activeNow})` : ''}` });
    p = await drawProposal(deps, job, token, id);
  }
  const applied = p.call!.outcome === 'activated' || p.call!.outcome === 'found_active';
  if (applied && !p.confirm) {
    const confirm = await follow(deps, p);
    await deps.proposals.set(id, { confirm: JSON.stringify(confirm) });
    await auditAct(deps.audit, { actor: person, action: confirm.loaded ? 'fix loaded by STS' : 'fix not confirmed loaded', source: 'act_worker', subject, triageId: p.triageId, detail: `${confirm.propagation ?? 'unknown'}${confirm.sts ? ` (STS ${confirm.sts})` : ''}` });
    p = await drawProposal(deps, job, token, id);
  }
  // A read, so a run that crashed before storing it runs it again.
  if (applied && !p.check) {
    const checked = await check(deps, p);
    await deps.proposals.set(id, { check: JSON.stringify(checked) });
    await auditAct(deps.audit, { actor: person, action: checked.outcome === 'not_loaded' ? 'post-fix simulation not run' : 'post-fix simulation', source: 'act_worker', subject, triageId: p.triageId, requestId: p.requestId, detail: checkDetail(checked) });
    p = await drawProposal(deps, job, token, id);
  }
  if (applied && !p.retriage) {
    const again = await retriage(deps, p);
    await deps.proposals.set(id, { retriage: JSON.stringify(again) });
    await auditAct(deps.audit, { actor: person, action: 're-triage after fix', source: 'act_worker', subject, triageId: p.triageId, requestId: p.requestId, detail: `${again.state}${again.cause ? ` ${again.cause}` : ''}` });
  }
  // The proposal drawn with everything stored, on every run: a redraw above that found the
  // message's lease held put this job off (delayJob), and its re-run skips the stages already
  // stored, so only this one is sure to show their outcome. An update in place, so a run that
  // repeats it changes nothing a person sees.
  if (applied) p = await drawProposal(deps, job, token, id);
  if (applied && p.ref) await postOnce(deps, job, token, slotOf(deps, p, 'result'), fixResultMessage(p, deps.view));
  await deps.proposals.close(p);
  return { outcome: p.call!.outcome };
}
