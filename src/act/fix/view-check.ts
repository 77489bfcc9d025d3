/**
 * What the evidence after a fix says, in words (view.ts draws it): the check (check.ts), which is
 * Caracal's simulation of the denied call against the zone's active version once STS loaded it,
 * and the headline of the result message chosen from it. The request's own trace was written
 * before the fix and cannot show it, so the headline never rests on the re-triage alone: "Fixed"
 * needs STS to have loaded the version, the simulation to allow the call against it, and the
 * re-triage to pass; "now allows" needs the first two; nothing short of loaded says more than
 * "applied". Pure.
 */
import type { ActTone } from '../../chat/act-message';
import { list, tick } from '../../triage/steps/step';
import type { FixCheck, Proposal } from './proposals';

const vname = (c: Pick<FixCheck, 'versionId' | 'version'>): string => (c.version !== null ? `v${c.version} (${tick(c.versionId ?? '')})` : tick(c.versionId ?? ''));

const SIMULATION = "Caracal's simulation of the denied call";

/** The active version is not the one applied: someone activated another since. */
export const activeChanged = (p: Proposal): boolean => !!p.check?.versionId && !!p.plan?.remedy && p.check.versionId !== p.plan.remedy.toVersionId;

/** The check in one or two sentences; none before Caracal reported on the activation's loading. */
export function checkLines(p: Proposal): string[] {
  const c = p.check;
  if (!c) return p.confirm?.loaded ? [`Checking: re-running ${SIMULATION} against the active version…`] : [];
  const changed = activeChanged(p) ? [`The zone's active version is ${vname(c)} now, not the one applied: another version was activated after it.`] : [];
  const on = `against the active version ${vname(c)}`;
  switch (c.outcome) {
    case 'allow':
      return [...changed, `${SIMULATION} ${on} now allows it${c.policies.length ? ` (${list(c.policies)})` : ''}; the request itself was denied before the fix, so a retry of the call is the final proof.`];
    case 'deny':
      return [...changed, `${SIMULATION} ${on} still denies it (${tick(c.detail ?? 'deny')}): the fix has not ended the denial.`];
    case 'not_executed':
      return [...changed, `${SIMULATION} ${on} could not be run: STS did not evaluate it (${tick(c.detail ?? 'not_executed')}), so nothing shows yet whether the version allows the call; a retry of the call will.`];
    case 'unreadable': {
      const why = c.stage === 'trace' ? `the request's trace could not be read (${tick(c.detail ?? 'error')})` : c.stage === 'policy_sets' ? `the zone's policy sets could not be read (${tick(c.detail ?? 'error')})` : `the simulation call failed (${tick(c.detail ?? 'error')})`;
      return [...changed, `${SIMULATION}${c.versionId ? ` ${on}` : ''} could not be run: ${why}; a retry of the call shows whether the version allows it.`];
    }
    case 'no_denied_call':
      return [`${SIMULATION} could not be run: the trace of ${p.requestId ? tick(p.requestId) : 'the request'} no longer shows a denied STS decision with its policy input.`];
    case 'no_active_version':
      return [`${SIMULATION} could not be run: the zone has no active policy-set version now.`];
    case 'not_loaded':
      return [`The bot did not re-run ${SIMULATION}: it checks the active version only once Caracal reports STS loaded it.`];
  }
}

export interface ResultHeadline {
  title: string;
  tone: ActTone;
}

/** The result message's headline, from the evidence: loaded, the check, then the re-triage. */
export function resultHeadline(p: Proposal): ResultHeadline {
  if (!p.confirm?.loaded) return { title: 'Applied: Caracal has not confirmed STS loaded it', tone: 'warning' };
  const c = p.check;
  if (c && activeChanged(p)) return { title: 'Applied and loaded, but another version is active now', tone: 'warning' };
  if (c?.outcome === 'allow') {
    if (p.retriage?.state === 'clear') return { title: "Fixed: STS loaded the version, Caracal's simulation allows the call and the re-triage passes", tone: 'good' };
    return { title: "Applied and loaded: Caracal's simulation now allows the denied call", tone: 'good' };
  }
  if (c?.outcome === 'deny') return { title: "Applied and loaded, but Caracal's simulation still denies the call", tone: 'bad' };
  return { title: 'Applied and loaded: not confirmed fixed', tone: 'warning' };
}
