/**
 * *Propose fix* on a triage card: offered when the worker can apply a fix in the triage's
 * deployment (it has a fix token: its `fixTokenFile`, or CARACAL_FIX_TOKEN for the one deployment), the triage is not closed, and its diagnosis is one a policy-set version may end
 * (plan.ts). Whether a version does end it is what proposing finds out; the proposal says so
 * either way. Each platform's card draws the button this returns (null: none).
 */
import type { ProposeFix } from '../../ingress/platform';
import type { TriageRecord } from '../../triage/record';
import { signAct } from '../token';
import { mayHaveRemedy } from './plan';

export interface FixButtonOptions {
  proposeFix?: ProposeFix;
  signingKey: string;
  now: Date;
  buttonTtlSeconds: number;
}

export const PROPOSE_FIX_LABEL = 'Propose fix';

export function proposeFixButton(r: TriageRecord, o: FixButtonOptions): { label: string; value: string } | null {
  const canFix = typeof o.proposeFix === 'function' ? o.proposeFix(r.deployment) : !!o.proposeFix;
  if (!canFix || r.state === 'resolved' || r.state === 'abandoned' || r.state === 'locating' || !mayHaveRemedy(r.diagnosis)) return null;
  return { label: PROPOSE_FIX_LABEL, value: signAct({ kind: 'propose', subject: r.id, expiresAt: Math.floor(o.now.getTime() / 1000) + o.buttonTtlSeconds }, o.signingKey) };
}
