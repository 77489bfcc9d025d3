/**
 * The web side of acting from chat (implements src/ingress/act-flow.ts): what a click on an act
 * button and a sink delivery do before the answer, in Redis only (claims, records, a job), so a
 * platform still acknowledges in time; the worker calls Caracal (approval-jobs.ts, fix/jobs.ts).
 *
 *   Approve / Reject  the card is this hold's, the clicker is in TRIAGE_APPROVERS, the hold is
 *                     still waiting (not expired, not decided), a reject carries a reason; then
 *                     one claim per hold (the first click wins) and one decide job for it
 *   Propose fix       the card is this triage's, its diagnosis is one a version may end; one open
 *                     proposal per triage, planned by a job
 *   Apply             the message is this proposal, the clicker is in TRIAGE_FIXERS and is not
 *                     the proposer, the proposal has a remedy and has not lapsed; one consent
 *
 * Every click that is taken is audited with the person.
 */
import type { Logger } from 'pino';
import type { Destination } from '../chat/address';
import type { ActClickOutcome, ActClickRequest, ActFlow } from '../ingress/act-flow';
import type { IngressMetrics } from '../ingress/metrics';
import type { Redactor } from '../redact/redact';
import type { RedisTriageService } from '../service/triage-service';
import { clip } from '../render/fit';
import { approvalKeyOf, createApprovalStore, type ApprovalStore, type Person } from './approvals';
import { holdState, utc } from './approval-view';
import { approvalSubject, auditAct, fixSubject } from './audit';
import type { ActConfig } from './config';
import { mayHaveRemedy } from './fix/plan';
import { createProposalStore, type ProposalStore } from './fix/proposals';
import { enqueueApply, enqueueApprovalCard, enqueueDecide, enqueuePropose } from './jobs';
import type { SinkNotice } from './sink/payload';
import { verifyAct, type ActClaim } from './token';

export interface ActDeskOptions {
  service: RedisTriageService;
  config: ActConfig;
  signingKey: string;
  redactor: Redactor;
  metrics: IngressMetrics;
  logger: Logger;
  now?: () => Date;
}

export type SinkOutcome = { action: 'accepted' | 'duplicate'; approval: string };

export interface ActDesk extends ActFlow {
  /**
   * A verified delivery of `deployment`'s sink (null: the bot's one deployment, unnamed): recorded
   * once (by X-Caracal-Delivery and deployment), its card job queued.
   */
  receiveSink(n: SinkNotice, dest: Destination | null, deployment?: string | null): Promise<SinkOutcome>;
  readonly approvals: ApprovalStore;
  readonly proposals: ProposalStore;
}

/** Caracal keeps a delivery ID for at most 8 attempts over about an hour; a week covers any replay. */
const DELIVERY_TTL_SEC = 7 * 24 * 3600;
const REASON_MAX = 500;

const refused = (reason: string, message: string): ActClickOutcome => ({ kind: 'refused', reason, message });

export function createActDesk(o: ActDeskOptions): ActDesk {
  const { service, config } = o;
  const { redis, keys } = service.store;
  const queue = service.queues.act;
  const approvals = createApprovalStore(redis, keys);
  const proposals = createProposalStore(redis, keys);
  const now = o.now ?? (() => new Date());
  const personOf = (req: ActClickRequest): Person => ({ id: req.actor.id, ...(req.actor.name ? { name: req.actor.name } : {}), platform: req.platform });
  const who = (p: Pick<Person, 'id' | 'name'>) => (p.name ? `${p.name} (${p.id})` : p.id);

  async function decideClick(claim: ActClaim, req: ActClickRequest): Promise<ActClickOutcome> {
    const rec = await approvals.get(claim.subject);
    if (!rec) return refused('not_found', 'The bot no longer keeps this approval card (kept a week); decide the hold in the Console.');
    if (!rec.ref) return refused('not_ready', 'This card is still being posted; click again in a moment. Nothing was sent to Caracal.');
    if (!req.fromMessage(rec.ref)) return refused('wrong_card', 'That button does not belong to this message (it was copied from another card); nothing was sent to Caracal.');
    const allowed = req.authorize();
    if (!allowed.ok) return refused('unauthorized', allowed.message);
    if (!req.isListed(config.approvers)) {
      return refused('not_approver', config.approvers.length === 0 ? "Nobody may decide holds from chat here (TRIAGE_APPROVERS is empty); nothing was sent to Caracal. Decide it in Caracal's Console." : 'You are not in TRIAGE_APPROVERS, so your click was not sent to Caracal.');
    }
    const state = holdState(rec, now());
    if (state !== 'pending') return refused('decided', `This hold is ${state === 'unknown' ? 'not known to be waiting' : state} now; nothing was sent to Caracal.`);
    if (rec.claim) return refused('busy', `${who(rec.claim.by)} clicked ${rec.claim.decision === 'approve' ? 'Approve' : 'Reject'} at ${utc(rec.claim.at)}; the card will show Caracal's answer. Nothing more was sent.`);
    if (claim.kind === 'reject' && req.reason === undefined) return { kind: 'needs_reason', prompt: 'Why reject it? The reason goes to Caracal with your name.' };
    const said = req.reason?.trim() ? o.redactor.redactText(req.reason.replace(/\s+/g, ' ').trim()).text.slice(0, 300) : null;
    if (claim.kind === 'reject' && !said) return refused('reason_required', 'Rejecting needs a reason: type it in the box above the buttons, then click Reject. Nothing was sent to Caracal.');
    const by = personOf(req);
    const verb = claim.kind === 'approve' ? 'Approved' : 'Rejected';
    const reason = clip(`${verb} in ${req.platformTitle} by ${who(by)} through caracal-triage${said ? `: ${said}` : ''}`, REASON_MAX);
    const taken = await approvals.claim(claim.subject, { decision: claim.kind as 'approve' | 'reject', by, said, reason, at: now().toISOString() });
    if (!taken) {
      const again = await approvals.get(claim.subject);
      return refused('busy', `${again?.claim ? who(again.claim.by) : 'Someone'} clicked first; the card will show Caracal's answer. Nothing more was sent.`);
    }
    await enqueueDecide(queue, claim.subject, taken.try);
    await enqueueApprovalCard(queue, claim.subject, 200);
    await auditAct(service.audit, { actor: req.actor, action: `approval ${claim.kind} requested`, source: req.source, subject: approvalSubject(rec.zoneId, rec.approvalId), detail: reason });
    return { kind: 'accepted', message: `Sending your ${claim.kind === 'approve' ? 'approval' : 'rejection'} to Caracal; the card will show its answer.` };
  }

  async function proposeClick(claim: ActClaim, req: ActClickRequest): Promise<ActClickOutcome> {
    const triageId = claim.subject;
    const card = await service.messageRef(triageId);
    if (!card || !req.fromMessage(card)) return refused('wrong_card', 'That button does not belong to this message (it was copied from another card); nothing was proposed.');
    const allowed = req.authorize();
    if (!allowed.ok) return refused('unauthorized', allowed.message);
    const record = await service.get(triageId);
    if (!record) return refused('not_found', 'This triage no longer exists (expired from storage); nothing was proposed.');
    if (!mayHaveRemedy(record.diagnosis)) return refused('no_remedy', "This triage's diagnosis is not one the bot can fix (only activating a policy-set version); nothing was proposed.");
    const at = now();
    const opened = await proposals.open(
      { triageId, deployment: record.deployment ?? null, zoneId: record.zoneId, requestId: record.input.requestId, card, proposer: personOf(req), createdAt: at.toISOString(), expiresAt: at.getTime() + config.proposalTtlMs },
      config.proposalTtlMs,
    );
    if (!opened.created) return refused('open', 'A fix is already proposed for this triage: see the proposal in the thread. Nothing new was proposed.');
    await enqueuePropose(queue, opened.id);
    await auditAct(service.audit, { actor: req.actor, action: 'fix proposal requested', source: req.source, subject: fixSubject(opened.id), triageId, requestId: record.input.requestId });
    return { kind: 'accepted', message: 'Planning a fix; the proposal will appear in the thread, for someone else in TRIAGE_FIXERS to apply.' };
  }

  async function applyClick(claim: ActClaim, req: ActClickRequest): Promise<ActClickOutcome> {
    const p = await proposals.get(claim.subject);
    if (!p) return refused('not_found', 'The bot no longer keeps this proposal; nothing was changed.');
    if (!p.ref) return refused('not_ready', 'This proposal is still being posted; click again in a moment. Nothing was changed.');
    if (!req.fromMessage(p.ref)) return refused('wrong_card', 'That button does not belong to this message (it was copied from another proposal); nothing was changed.');
    const allowed = req.authorize();
    if (!allowed.ok) return refused('unauthorized', allowed.message);
    if (!req.isListed(config.fixers)) {
      return refused('not_fixer', config.fixers.length === 0 ? 'Nobody may apply fixes from chat here (TRIAGE_FIXERS is empty); nothing was changed.' : 'You are not in TRIAGE_FIXERS, so nothing was changed.');
    }
    if (req.actor.id === p.proposer.id) return refused('own_proposal', 'You proposed this fix: a second person in TRIAGE_FIXERS has to apply it. Nothing was changed.');
    if (!p.plan?.remedy) return refused('no_remedy', 'This proposal has nothing to apply.');
    if (p.consent) return refused('already', `${who(p.consent.by)} already applied it at ${utc(p.consent.at)}; the thread will show the result. Nothing more was sent.`);
    if (now().getTime() >= p.expiresAt) return refused('expired', `This proposal lapsed at ${utc(new Date(p.expiresAt).toISOString())}; propose again from the card. Nothing was changed.`);
    if (!(await proposals.consent(p.id, { by: personOf(req), at: now().toISOString() }))) return refused('already', 'Someone else applied it first; the thread will show the result. Nothing more was sent.');
    await enqueueApply(queue, p.id);
    await auditAct(service.audit, { actor: req.actor, action: 'fix consent', source: req.source, subject: fixSubject(p.id), triageId: p.triageId, requestId: p.requestId, detail: `proposed by ${who(p.proposer)}` });
    return { kind: 'accepted', message: "Applying the fix; the proposal will show Caracal's answer." };
  }

  return {
    approvals,
    proposals,
    listedIds: [...new Set([...config.approvers, ...config.fixers])],
    async click(req) {
      const count = (outcome: string) => o.metrics.clicks.inc({ platform: req.platform, outcome });
      const verified = verifyAct(req.value, o.signingKey, now());
      if (!verified.ok) {
        count(verified.reason);
        return refused(verified.reason, verified.message);
      }
      let outcome: ActClickOutcome;
      try {
        service.ensureConnected();
        const c = verified.claim;
        outcome = c.kind === 'propose' ? await proposeClick(c, req) : c.kind === 'apply' ? await applyClick(c, req) : await decideClick(c, req);
      } catch (e) {
        o.logger.error({ err: e, platform: req.platform }, 'could not take an act click');
        outcome = refused('error', 'The bot could not record that click (its queue is unavailable); nothing was done. Try again in a minute.');
      }
      count(outcome.kind === 'refused' ? outcome.reason : outcome.kind === 'accepted' ? `act_${verified.claim.kind}` : 'needs_reason');
      return outcome;
    },
    async receiveSink(n, dest, deployment = null) {
      service.ensureConnected();
      // Each deployment's Caracal numbers its own deliveries.
      const marker = keys.sinkDelivery(deployment ? `${deployment}:${n.deliveryId}` : n.deliveryId);
      const key = approvalKeyOf(n.zoneId, n.approvalId, deployment);
      if ((await redis.set(marker, 'accepting', 'EX', DELIVERY_TTL_SEC, 'NX')) !== 'OK') return { action: 'duplicate', approval: key };
      try {
        const facts = o.redactor.redact({
          eventId: n.eventId,
          occurredAt: n.occurredAt,
          tier: n.tier,
          approverClass: n.approverClass,
          privacyMode: n.privacyMode,
          applicationId: n.applicationId,
          agentSessionId: n.agentSessionId,
          agentLabels: n.agentLabels,
          expiresAt: n.expiresAt,
        }).value;
        if (n.type === 'step_up_issued') await approvals.recordEvent(key, n.zoneId, n.approvalId, deployment, { type: 'issued', facts, dest });
        else await approvals.recordEvent(key, n.zoneId, n.approvalId, deployment, { type: n.type === 'step_up_decided' ? 'decided' : 'consumed', event: { eventId: n.eventId, occurredAt: n.occurredAt, decision: n.decision } });
        await enqueueApprovalCard(queue, key);
        await redis.set(marker, 'accepted', 'EX', DELIVERY_TTL_SEC);
        await auditAct(service.audit, {
          actor: { kind: 'webhook', id: 'caracal', name: (n.sinkId ?? 'notification sink').slice(0, 200) },
          action: n.type === 'step_up_issued' ? 'approval hold issued' : n.type === 'step_up_decided' ? 'approval hold decided' : 'approval consumed',
          source: 'caracal_sink',
          subject: approvalSubject(n.zoneId, n.approvalId),
          detail: `${deployment ? `deployment ${deployment} ` : ''}delivery ${n.deliveryId}${n.decision ? ` decision ${n.decision}` : ''}`,
        });
      } catch (e) {
        await redis.del(marker).catch(() => undefined);
        throw e;
      }
      return { action: 'accepted', approval: key };
    },
  };
}
