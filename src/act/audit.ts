/**
 * Acts in the bot's audit chain (src/audit): who did what, about which hold or proposal, and
 * what Caracal answered. Every card posted, click taken, call made and answer received is one
 * entry; `audit verify` checks them with the rest of the chain.
 */
import type { AuditLog } from '../audit/log';
import type { Actor } from '../triage/record';

export interface ActAuditEntry {
  actor: Actor;
  /** What happened, in words: `approval card posted`, `approve called`, `fix applied`, … */
  action: string;
  /** `caracal_sink`, `slack_button`, `act_worker`, … */
  source: string;
  /** `approval:<zone>/<id>` or `fix:<proposal id>`. */
  subject: string;
  detail?: string;
  triageId?: string | null;
  requestId?: string | null;
}

export function auditAct(audit: Pick<AuditLog, 'append'>, e: ActAuditEntry): Promise<unknown> {
  return audit.append({
    actor: e.actor,
    action: e.action,
    source: e.source,
    triageId: e.triageId ?? null,
    requestId: e.requestId ?? null,
    from: null,
    to: null,
    subject: e.subject.slice(0, 300),
    ...(e.detail ? { detail: e.detail.slice(0, 1000) } : {}),
  });
}

export const approvalSubject = (zoneId: string, approvalId: string): string => `approval:${zoneId}/${approvalId}`;
export const fixSubject = (proposalId: string): string => `fix:${proposalId}`;

/** The bot itself, when a worker calls Caracal on a person's behalf the entry names them instead. */
export const ACT_WORKER: Actor = { kind: 'system', id: 'act-worker', name: 'caracal-triage worker' };
