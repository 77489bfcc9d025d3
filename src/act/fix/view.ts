/**
 * The fix messages (Notices, src/chat/notice.ts), from a stored proposal (proposals.ts): the
 * proposal in the triage's thread (the exact change, what Caracal's simulation says it would
 * allow, and *Apply* for a second person), and the result under it (the activation's answer,
 * whether STS loaded it, Caracal's simulation of the denied call against the active version, and
 * the re-triage). Pure. The headline follows the evidence (view-check.ts): never "fixed" before
 * STS loaded the version, never from the request's old trace alone.
 */
import type { ActMessage, ActButton, ActTone } from '../../chat/act-message';
import { formatDuration } from '../../config/duration';
import { count, list, tick } from '../../triage/steps/step';
import { personName, utc } from '../approval-view';
import type { CallResult, Confirmation, Proposal } from './proposals';
import { checkLines, resultHeadline } from './view-check';

export interface ProposalViewOptions {
  now: Date;
  /** How many IDs TRIAGE_FIXERS lists. */
  fixers: number;
  /** CARACAL_FIX_TOKEN is set in the worker drawing it. */
  canCall: boolean;
  confirmTimeoutMs: number;
  sign(kind: 'apply', subject: string): string;
}

const v = (id: string | null, n: number | null): string => (id === null ? 'none' : n !== null ? `v${n} (${tick(id)})` : tick(id));

/** The fix token as its setting names it: CARACAL_FIX_TOKEN, or a deployment's `fixTokenFile`. */
export const fixTokenName = (deployment: string | null): string => (deployment ? `the fix token of ${deployment} (its \`fixTokenFile\`)` : 'CARACAL_FIX_TOKEN');

/** Caracal's refusals of an activation, in words (`token`: fixTokenName). */
export function activationRefusal(c: Pick<CallResult, 'status' | 'code'>, token = 'CARACAL_FIX_TOKEN'): string {
  const s = `${c.status ?? ''} ${tick(c.code ?? 'error')}`.trim();
  switch (c.code) {
    case 'version_not_found':
      return `Caracal does not know that version in the policy set (${s}).`;
    case 'policy_set_binding_not_found':
      return `Caracal found no policy set bound to this zone by that ID (${s}).`;
    case 'invalid_policy_contract':
      return `The version does not satisfy Caracal's policy contract (${s}); fix the version, then propose again.`;
    case 'invalid_policy_bundle':
      return `STS cannot compile that version's bundle (${s}); fix the version, then propose again.`;
    case 'referenced_policy_version_missing':
      return `The version references a policy version that no longer exists (${s}).`;
    case 'admin_token_read_only':
    case 'admin_token_approve_only':
      return `${token} may not change anything (${s}): it must be a token of capability \`write\`.`;
    case 'admin_token_zone_mismatch':
      return `${token} is pinned to another zone (${s}).`;
    case 'invalid_admin_token':
      return `Caracal does not know ${token} (${s}).`;
    case 'no_answer':
      return 'Caracal did not answer the activation, and reading the zone again showed the version not active: nothing changed.';
    default:
      return `Caracal refused the activation (${s}).`;
  }
}

export function confirmationLine(c: Confirmation | null, timeoutMs: number): string {
  if (!c) return 'Waiting for Caracal to report whether STS loaded it.';
  if (c.loaded) return `Caracal reports STS loaded it (activation-status ${tick(c.propagation ?? 'loaded')}) at ${utc(c.at)}.`;
  const sts = c.sts ? `, STS ${tick(c.sts)}${c.detail ? `: ${tick(c.detail)}` : ''}` : '';
  return `Applied; Caracal has not confirmed STS loaded it: activation-status was still ${tick(c.propagation ?? 'unknown')}${sts} after ${formatDuration(timeoutMs)}.`;
}

function changeLine(p: Proposal): string[] {
  const r = p.plan?.remedy;
  if (!r) return [];
  const who = r.allows.application ?? r.allows.applicationId;
  const allows = `${who ? tick(who) : 'the application'} on ${r.allows.resource ? tick(r.allows.resource) : 'the resource'}${r.allows.scopes.length ? ` with ${list(r.allows.scopes)}` : ''}`;
  return [
    `The change: in zone ${tick(r.zoneId)}, activate version ${v(r.toVersionId, r.toVersion)} of policy set ${tick(r.policySetName ?? r.policySetId)}; the active version now is ${r.fromVersionId ? v(r.fromVersionId, r.fromVersion) : 'none (no set is active)'}.`,
    `What it would allow: ${allows}, the call request ${tick(r.allows.requestId)} was denied for (Caracal's policy simulation of that version allows it${r.allows.determiningPolicies.length ? `: ${list(r.allows.determiningPolicies)}` : ''}).`,
  ];
}

function callLine(p: Proposal): string | null {
  const c = p.call;
  if (!c) return null;
  const by = p.consent ? personName(p.consent.by) : 'someone';
  switch (c.outcome) {
    case 'activated':
      return `Applied by ${by} at ${utc(c.at)}: Caracal accepted the activation (202${c.outboxId ? `, outbox ${tick(c.outboxId)}` : ''}).`;
    case 'found_active':
      return `Applied by ${by}: the version is active (read again at ${utc(c.at)} after the bot was interrupted while activating it).`;
    case 'stale':
      return `Not applied: the zone's active version changed since this was proposed (it is now ${c.activeNow ? tick(c.activeNow) : 'none'}); propose again from the card.`;
    case 'expired':
      return `Not applied: the proposal lapsed before anyone applied it.`;
    case 'no_token':
      return `Not applied: this bot has no ${fixTokenName(p.deployment)}.`;
    case 'refused':
      return `Not applied: ${activationRefusal(c, fixTokenName(p.deployment))}`;
  }
}

export function proposalMessage(p: Proposal, o: ProposalViewOptions): ActMessage {
  const cause = p.requestId ? ` for request ${tick(p.requestId)}` : '';
  // The deployment it acts in, as its triage's card names it ("staging · zone …").
  const lines: string[] = [...(p.deployment ? [`${p.deployment}${p.zoneId ? ` · zone ${tick(p.zoneId)}` : ''}`] : []), `Proposed by ${personName(p.proposer)} at ${utc(p.createdAt)}${cause}.`];
  const buttons: ActButton[] = [];
  let title = 'Proposed fix';
  let tone: ActTone = 'waiting';
  if (!p.plan) {
    if (p.planError) {
      title = 'Could not plan a fix';
      tone = 'warning';
      lines.push(`Planning failed: ${tick(p.planError)}. Propose again from the card.`);
    } else {
      lines.push("Planning: reading the zone's policy-set versions and simulating the denied call with them…");
    }
  } else if (!p.plan.remedy) {
    title = 'No fix the bot can apply';
    tone = 'neutral';
    lines.push(p.plan.reason);
  } else {
    lines.push(...changeLine(p), `Why this version: ${p.plan.reason}`);
    const lapsed = o.now.getTime() >= p.expiresAt;
    const line = callLine(p);
    if (line) {
      lines.push(line);
      if (p.call?.outcome === 'activated' || p.call?.outcome === 'found_active') {
        lines.push(confirmationLine(p.confirm, o.confirmTimeoutMs), ...checkLines(p));
        title = 'Fix applied';
        tone = !p.confirm || (p.confirm.loaded && !p.check) ? 'waiting' : resultHeadline(p).tone;
      } else {
        title = 'Fix not applied';
        tone = 'bad';
      }
    } else if (p.consent) {
      lines.push(`${personName(p.consent.by)} applied it at ${utc(p.consent.at)}; activating it in Caracal…`);
    } else if (lapsed) {
      title = 'Proposed fix lapsed';
      tone = 'neutral';
      lines.push(`Nobody applied it before ${utc(new Date(p.expiresAt).toISOString())}; propose again from the card if it is still needed.`);
    } else if (!o.canCall) {
      lines.push(`This bot has no ${fixTokenName(p.deployment)}, so it cannot apply it: activate the version in the Console.`);
    } else if (o.fixers === 0) {
      lines.push('Nobody may apply fixes from chat here (TRIAGE_FIXERS is empty): activate the version in the Console.');
    } else {
      lines.push(
        `*Apply* needs a second person: one of the ${count(o.fixers, 'person or group', 'people and groups')} in TRIAGE_FIXERS other than ${personName(p.proposer)}. The proposal lapses at ${utc(new Date(p.expiresAt).toISOString())} (${formatDuration(p.expiresAt - o.now.getTime())} from now).`,
      );
      buttons.push({ label: 'Apply', value: o.sign('apply', p.id), style: 'primary' });
    }
  }
  return {
    title,
    tone,
    lines,
    facts: [],
    buttons,
    footer: `Proposal ${tick(p.id)} · triage ${tick(p.triageId)}`,
    fallback: `${title}${p.requestId ? ` for ${p.requestId}` : ''}`,
  };
}

/** The message under the proposal once the fix ran: what changed, whether STS loaded it, the check, the re-triage. */
export function fixResultMessage(p: Proposal, o: Pick<ProposalViewOptions, 'confirmTimeoutMs'>): ActMessage {
  const r = p.plan?.remedy;
  const lines: string[] = [];
  if (r) lines.push(`Version ${v(r.toVersionId, r.toVersion)} of policy set ${tick(r.policySetName ?? r.policySetId)} was activated in zone ${tick(r.zoneId)}, applied by ${p.consent ? personName(p.consent.by) : 'a fixer'} on ${personName(p.proposer)}'s proposal.`);
  lines.push(confirmationLine(p.confirm, o.confirmTimeoutMs), ...checkLines(p));
  const t = p.retriage;
  const request = p.requestId ? tick(p.requestId) : 'the request';
  if (!t) lines.push('The re-triage could not run.');
  else if (t.state === 'clear') lines.push(`The re-triage of ${request} finds no failing step.`);
  else if (t.state === 'failing') {
    lines.push(`The re-triage of ${request} still finds ${tick(t.cause ?? 'a failure')}${t.step ? ` at step ${tick(t.step)}` : ''}: ${t.summary ?? t.text}`);
    lines.push('That request was decided before the fix, so its trace cannot change. The card’s “Fixed, re-check” button runs the triage again.');
  } else lines.push(`The re-triage could not tell: ${t.text}`);
  const { title, tone } = resultHeadline(p);
  return { title, tone, lines, facts: [], buttons: [], footer: `Proposal ${tick(p.id)}`, fallback: title };
}
