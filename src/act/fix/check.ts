/**
 * The check after a fix is loaded: Caracal's policy simulation (a dry run with the fix token) of
 * the denied call, the same `policy_input` explain rebuilds from the request's trace that the plan
 * simulated, against the version the zone has active now. The request itself was decided before
 * the fix and its trace cannot change, so this is the evidence the bot has that the fix ends the
 * denial; a retry of the call remains the final proof.
 *
 * Only once Caracal reports STS loaded the version (before that, the simulation answers for a
 * version STS may not be enforcing). It is a read: a worker that crashes before storing its
 * outcome runs it again, harmlessly. No I/O here: the reads come in as `Fetched` functions
 * (read.ts), so every failure becomes an outcome, never a throw.
 */
import { outcomeOf, type PlanReads, type Remedy } from './plan';
import type { FixCheck } from './proposals';

export type CheckReads = Pick<PlanReads, 'deniedCall' | 'policySets' | 'simulate'>;

/** The check not run because Caracal has not confirmed STS loaded the version. */
export const notLoadedCheck = (at: string): FixCheck => ({ outcome: 'not_loaded', stage: null, policySetId: null, versionId: null, version: null, detail: null, policies: [], at });

export async function checkFix(remedy: Remedy, reads: CheckReads, at: () => string): Promise<FixCheck> {
  const none = { policySetId: null, versionId: null, version: null, detail: null, policies: [] };
  const call = await reads.deniedCall();
  if (!call.ok) return { ...none, outcome: 'unreadable', stage: 'trace', detail: call.error.code, at: at() };
  if (!call.value) return { ...none, outcome: 'no_denied_call', stage: null, at: at() };
  const sets = await reads.policySets();
  if (!sets.ok) return { ...none, outcome: 'unreadable', stage: 'policy_sets', detail: sets.error.code, at: at() };
  const active = sets.value.find((s) => !!s.active_version_id);
  if (!active?.active_version_id) return { ...none, outcome: 'no_active_version', stage: null, at: at() };
  const versionId = active.active_version_id;
  // The version number is known for the two versions the plan named; another one shows by its ID.
  const version = versionId === remedy.toVersionId ? remedy.toVersion : versionId === remedy.fromVersionId ? remedy.fromVersion : null;
  const simulated = { policySetId: active.id, versionId, version };
  const sim = await reads.simulate(active.id, versionId, call.value.input);
  if (!sim.ok) return { ...none, ...simulated, outcome: 'unreadable', stage: 'simulate', detail: sim.error.code, at: at() };
  const o = outcomeOf(sim.value);
  return { ...simulated, outcome: o.outcome, stage: null, detail: o.outcome === 'allow' ? null : o.detail, policies: o.policies, at: at() };
}

/** The check in one line for the audit chain. */
export function checkDetail(c: FixCheck): string {
  const on = c.versionId ? ` against active version ${c.version !== null ? `v${c.version} ` : ''}${c.versionId} of ${c.policySetId}` : '';
  switch (c.outcome) {
    case 'allow':
      return `simulation allows the denied call${on}${c.policies.length ? ` (${c.policies.join(', ')})` : ''}`;
    case 'deny':
      return `simulation still denies the denied call${on}: ${c.detail ?? 'deny'}`;
    case 'not_executed':
      return `simulation not executed${on}: ${c.detail ?? 'no result'}`;
    case 'unreadable':
      return `simulation could not run: ${c.stage ?? 'read'} ${c.detail ?? 'failed'}${on}`;
    case 'no_denied_call':
      return 'simulation could not run: the trace shows no denied call with a policy input';
    case 'no_active_version':
      return 'simulation could not run: the zone has no active policy-set version';
    case 'not_loaded':
      return 'simulation not run: Caracal has not confirmed STS loaded the version';
  }
}
