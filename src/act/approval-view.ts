/**
 * The approval card (a ActMessage, src/chat/notice.ts) from what the bot holds about one approval
 * hold: what `step_up_issued` said, the hold as last read from Caracal (its `metadata_json` says
 * what the agent asks for; the event does not), the later events, and the click being acted on
 * or its answer. Pure: every sentence follows from those; where they cannot tell (the hold could
 * not be read), the card says so.
 *
 * States: pending (buttons while someone may decide), expired (computed from `expires_at`: no
 * event says so), approved, rejected, consumed (the agent used the approval).
 */
import type { ActMessage, ActButton, ActTone } from '../chat/act-message';
import { formatDuration } from '../config/duration';
import { tick } from '../triage/steps/step';
import type { ApprovalRecord, DecisionResult, HoldView, Person } from './approvals';
import { approvalSubject } from './audit';

export interface ApprovalViewOptions {
  now: Date;
  /** How many IDs TRIAGE_APPROVERS lists (0: nobody may decide from chat). */
  approvers: number;
  /** CARACAL_APPROVE_TOKEN is set in the worker drawing the card. */
  canCall: boolean;
  /** Signs a button (src/act/token.ts). */
  sign(kind: 'approve' | 'reject', subject: string): string;
}

export type HoldState = 'pending' | 'expired' | 'approved' | 'rejected' | 'consumed' | 'unknown';

/** `2026-11-27 16:46 UTC`. */
export function utc(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC` : iso;
}

export const personName = (p: Pick<Person, 'id' | 'name'>): string => tick(p.name ? `${p.name} (${p.id})` : p.id);

/** The hold's state from the latest evidence: Caracal's read, then the events, then the clock. */
export function holdState(r: ApprovalRecord, now: Date): HoldState {
  const expiresAt = r.hold?.expiresAt ?? r.issued?.expiresAt ?? null;
  const fromRead = r.hold?.state;
  if (r.consumed || fromRead === 'consumed') return 'consumed';
  if (fromRead === 'approved' || fromRead === 'rejected' || fromRead === 'expired') return fromRead;
  if (r.result && (r.result.outcome === 'decided' || r.result.outcome === 'found_decided')) return r.result.decision === 'approve' ? 'approved' : 'rejected';
  if (r.decided) return r.decided.decision === 'deny' || r.decided.decision === 'rejected' ? 'rejected' : 'approved';
  if (expiresAt && Date.parse(expiresAt) <= now.getTime()) return 'expired';
  if (fromRead === 'pending' || r.issued) return 'pending';
  return 'unknown';
}

const TITLES: Record<HoldState, [string, ActTone]> = {
  pending: ['Approval needed: an agent is waiting', 'waiting'],
  expired: ['Approval hold expired', 'warning'],
  approved: ['Approval hold approved', 'good'],
  rejected: ['Approval hold rejected', 'bad'],
  consumed: ['Approval used by the agent', 'good'],
  unknown: ['Approval hold', 'neutral'],
};

/** What the hold's metadata says the agent asks for: up to six top-level entries, values as code. */
function askedFor(hold: HoldView | null, holdError: string | null): string {
  if (!hold) return holdError ? `What the agent asks for could not be read: Caracal answered ${tick(holdError)} when the hold was read.` : 'What the agent asks for is not known yet: the hold has not been read from Caracal.';
  const entries = Object.entries(hold.metadata ?? {}).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (entries.length === 0) return "The hold does not say what the agent asks for (its `metadata_json` is empty).";
  const value = (v: unknown): string => (Array.isArray(v) ? v.map((x) => tick(String(x))).join(', ') : typeof v === 'object' ? tick(JSON.stringify(v).slice(0, 200)) : tick(String(v).slice(0, 200)));
  const shown = entries.slice(0, 6).map(([k, v]) => `${tick(k)}: ${value(v)}`);
  return `It asks for ${shown.join('; ')}${entries.length > 6 ? ` (and ${entries.length - 6} more in the hold)` : ''}.`;
}

function whoAsks(r: ApprovalRecord): string {
  const app = r.hold?.applicationId ?? r.issued?.applicationId ?? null;
  const session = r.issued?.agentSessionId ?? null;
  const labels = r.issued?.agentLabels ?? [];
  const principal = r.hold?.principalId ?? null;
  const agent = [session ? `agent session ${tick(session)}` : null, labels.length ? `labels ${labels.slice(0, 5).map(tick).join(', ')}` : null].filter(Boolean).join(', ');
  return `${app ? `Application ${tick(app)}` : 'An agent'}${agent ? ` (${agent})` : ''}${principal ? ` acting for ${tick(principal)}` : ''} asks a person to approve what it is about to do in zone ${tick(r.zoneId)}.`;
}

/** The approve token as its setting names it: CARACAL_APPROVE_TOKEN, or a deployment's `approveTokenFile`. */
const approveTokenName = (deployment: string | null): string => (deployment ? `the approve token of ${deployment} (its \`approveTokenFile\`)` : 'CARACAL_APPROVE_TOKEN');

/** Caracal's refusals of a decision, in words (`token`: how the approve token is named). */
export function refusalWords(code: string | null, token = 'CARACAL_APPROVE_TOKEN'): string {
  switch (code) {
    case 'subject_approval_required':
      return 'this hold must be approved by its subject (the person the agent acts for), not by an operator, so no token of the bot can decide it';
    case 'approve_capability_required':
      return `${token} is not a token of capability \`approve\` (a write token may not decide holds); mint one with POST /v1/admin-tokens and capability \`approve\``;
    case 'admin_token_read_only':
      return `${token} is a read-only token; mint one of capability \`approve\``;
    case 'admin_token_zone_mismatch':
      return `${token} is pinned to another zone than this hold's`;
    case 'invalid_admin_token':
      return `Caracal does not know ${token} (revoked or mistyped)`;
    case 'approval_not_found':
      return 'Caracal no longer has this hold (decided holds are swept after about a day)';
    case 'no_answer':
      return 'Caracal did not answer the call, and reading the hold again showed it still waiting; click again to retry';
    case 'rate_limited':
      return 'Caracal asked the bot to slow down (rate limited); click again in a minute';
    default:
      return code ? `Caracal answered ${tick(code)}` : 'Caracal did not answer';
  }
}

function resultLine(res: DecisionResult, token: string): string | null {
  const verb = res.decision === 'approve' ? 'approval' : 'rejection';
  const who = personName(res.by);
  switch (res.outcome) {
    case 'decided':
      return `${res.decision === 'approve' ? 'Approved' : 'Rejected'} by ${who} at ${utc(res.at)}${res.said ? ` (${tick(res.said)})` : ''}: Caracal recorded it (hold ${tick(res.state ?? 'decided')}).`;
    case 'found_decided':
      return `${res.decision === 'approve' ? 'Approved' : 'Rejected'} by ${who}: Caracal shows the hold ${tick(res.state ?? 'decided')} (read again at ${utc(res.at)} after the bot was interrupted while sending it).`;
    case 'not_decidable':
      return `${who}'s ${verb} was not taken: Caracal says the hold is already ${tick(res.state ?? 'decided')} (409 ${tick('approval_not_decidable')}).`;
    case 'not_found':
    case 'refused':
      return `Caracal refused ${who}'s ${verb} (${res.status ?? 'no'} ${tick(res.code ?? 'error')}): ${refusalWords(res.code, token)}.`;
    case 'no_token':
      return `${who}'s ${verb} was not sent: this bot has no ${token}.`;
  }
}

export function approvalMessage(r: ApprovalRecord, o: ApprovalViewOptions): ActMessage {
  const state = holdState(r, o.now);
  const [title, tone] = TITLES[state];
  // The deployment it came from, as triage cards name theirs ("production · zone …").
  const lines: string[] = [...(r.deployment ? [`${r.deployment} · zone ${tick(r.zoneId)}`] : []), whoAsks(r), askedFor(r.hold, r.holdError)];
  const expiresAt = r.hold?.expiresAt ?? r.issued?.expiresAt ?? null;
  if (state === 'pending') {
    lines.push(expiresAt ? `Waiting for a decision until ${utc(expiresAt)} (${formatDuration(Date.parse(expiresAt) - o.now.getTime())} from now).` : 'Waiting for a decision (Caracal gave no expiry).');
  } else if (state === 'expired') {
    lines.push(`Expired at ${expiresAt ? utc(expiresAt) : 'its expiry'} without a decision: the agent has to ask again.`);
  } else if (state === 'consumed') {
    lines.push(`The agent came back with the approval and used it${r.consumed ? ` at ${utc(r.consumed.occurredAt)}` : ''}.`);
  } else if ((state === 'approved' || state === 'rejected') && !(r.result && (r.result.outcome === 'decided' || r.result.outcome === 'found_decided'))) {
    const when = r.hold?.decidedAt ?? r.decided?.occurredAt ?? null;
    lines.push(`${state === 'approved' ? 'Approved' : 'Rejected'} outside this card${when ? ` at ${utc(when)}` : ''}${r.hold?.decisionReason ? `: ${tick(r.hold.decisionReason)}` : ''}.`);
  }
  if (r.result) {
    const line = resultLine(r.result, approveTokenName(r.deployment));
    if (line) lines.push(line);
  }
  if (r.claim && !r.result) lines.push(`${personName(r.claim.by)} clicked ${r.claim.decision === 'approve' ? 'Approve' : 'Reject'} at ${utc(r.claim.at)}; sending it to Caracal.`);
  const buttons: ActButton[] = [];
  if (state === 'pending' && !r.claim) {
    if (!o.canCall) lines.push(`This bot has no ${approveTokenName(r.deployment)}, so it cannot decide holds: decide it in Caracal's Console.`);
    else if (o.approvers === 0) lines.push("Nobody may decide holds from chat here (TRIAGE_APPROVERS is empty): decide it in Caracal's Console.");
    else {
      lines.push(`Only the people and user groups in TRIAGE_APPROVERS (${o.approvers}) may decide; your name and platform go to Caracal with the decision.`);
      buttons.push({ label: 'Approve', value: o.sign('approve', r.key), style: 'primary' }, { label: 'Reject', value: o.sign('reject', r.key), style: 'danger', needsReason: true });
    }
  }
  const tier = r.hold?.tier ?? r.issued?.tier ?? null;
  const approverClass = r.hold?.approverClass ?? r.issued?.approverClass ?? null;
  const facts = [
    { label: 'Tier', value: tier ? tick(tier) : 'not given' },
    { label: 'Approver class', value: approverClass ? tick(approverClass) : 'not given' },
    { label: 'Expires', value: expiresAt ? utc(expiresAt) : 'not given' },
    { label: 'State', value: state === 'unknown' ? 'not known' : state },
  ];
  const read = r.hold ? `read from Caracal at ${utc(r.hold.readAt)}` : 'not read from Caracal yet';
  return {
    title,
    tone,
    lines,
    facts,
    buttons,
    ...(buttons.length ? { reasonPrompt: 'Reason (needed to reject; sent to Caracal with your name)' } : {}),
    footer: `Hold ${tick(r.approvalId)} in zone ${tick(r.zoneId)} · ${read}`,
    fallback: `${title} (${approvalSubject(r.zoneId, r.approvalId).slice(0, 200)})`,
  };
}
