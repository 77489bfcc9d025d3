/**
 * The remedy the bot can apply for a diagnosis, this round: activating a named policy-set
 * version (README "Acting from chat"). Which diagnoses a version change can end comes from
 * Caracal's STS decision contract (decision_contract.rego, opa.go): the zone has no active
 * set, or the active policy's data denied the call for a reason that lives in the policy data.
 * Which version: one Caracal's policy simulation (a dry run, `POST …/simulate` with the denied
 * call's `policy_input` from explain) says allows the call; when several would, the newest;
 * when none is known to (every version denies, STS could not run the simulation, the token may
 * not simulate), there is no remedy, and the reason says why.
 *
 * The choice is here and does no I/O: the reads come in as functions (read.ts builds them over
 * Caracal), each a `Fetched` value, so every failure becomes a sentence, never a throw.
 */
import type { Fetched } from '../../triage/evidence-model';
import type { Diagnosis } from '../../triage/model';
import { count, list, tick } from '../../triage/steps/step';

/**
 * Causes a policy-set version change can end: no active set (STS's opa.go), and the policy
 * reasons that come from the policy data (restriction entry, malformed risk or approval data,
 * grants and roles in the data, confinement rules, no rule matched), plus a policy deny without
 * diagnostics. Not `delegation_scope_exceeded` (the caller asks beyond its delegation) nor
 * `mandate_target_mismatch` (a mandate minted for another resource): no version fixes those.
 */
export const FIXABLE_CAUSES: ReadonlySet<string> = new Set([
  'no_active_policy_set',
  'restriction_active',
  'malformed_risk_data',
  'malformed_approval_data',
  'resource_not_granted',
  'role_scope_mismatch',
  'confinement_violation',
  'no_rule_matched',
  'policy_denied',
]);

/** Whether the bot might have a remedy for this diagnosis (the triage card offers *Propose fix*). */
export const mayHaveRemedy = (d: Pick<Diagnosis, 'cause'> | null | undefined): boolean => !!d && FIXABLE_CAUSES.has(d.cause);

export interface SetView {
  id: string;
  name?: string | null;
  active_version_id?: string | null;
}

export interface VersionView {
  id: string;
  version?: number | null;
  created_at?: string | null;
}

/** The denied call, as explain rebuilt it for STS. */
export interface DeniedCall {
  input: Record<string, unknown>;
  applicationId: string | null;
  application: string | null;
  resource: string | null;
  scopes: string[];
}

export interface Remedy {
  kind: 'activate_policy_set_version';
  zoneId: string;
  policySetId: string;
  policySetName: string | null;
  /** The zone's active version now (null: none is active). */
  fromVersionId: string | null;
  fromVersion: number | null;
  toVersionId: string;
  toVersion: number | null;
  /** What Caracal's simulation of `toVersionId` allows: the denied call. */
  allows: { requestId: string; applicationId: string | null; application: string | null; resource: string | null; scopes: string[]; determiningPolicies: string[] };
}

/** One version simulated, and what Caracal said. */
export interface Simulated {
  policySetId: string;
  versionId: string;
  version: number | null;
  outcome: 'allow' | 'deny' | 'not_executed' | 'error';
  detail: string;
}

export interface Plan {
  remedy: Remedy | null;
  /** One sentence: why this remedy, or why none. */
  reason: string;
  simulated: Simulated[];
}

export interface PlanReads {
  deniedCall(): Promise<Fetched<DeniedCall | null>>;
  policySets(): Promise<Fetched<SetView[]>>;
  versions(policySetId: string): Promise<Fetched<VersionView[]>>;
  simulate(policySetId: string, versionId: string, input: Record<string, unknown>): Promise<Fetched<Record<string, unknown>>>;
}

/** At most this many versions are simulated for one plan (newest first). */
export const MAX_SIMULATIONS = 10;

const none = (reason: string, simulated: Simulated[] = []): Plan => ({ remedy: null, reason, simulated });
const vname = (v: { version: number | null; versionId: string }) => (v.version !== null ? `v${v.version} (${tick(v.versionId)})` : tick(v.versionId));

/** What one simulation answer says: allow (with the determining policies), deny (with its first reason), or not run. */
export function outcomeOf(body: Record<string, unknown>): { outcome: Exclude<Simulated['outcome'], 'error'>; detail: string; policies: string[] } {
  const result = body.result as { decision?: unknown; determining_policies?: unknown; diagnostics?: unknown } | null | undefined;
  const explanation = body.explanation as { evaluation?: unknown; reason?: unknown } | undefined;
  if (!result || typeof result.decision !== 'string') return { outcome: 'not_executed', detail: typeof explanation?.evaluation === 'string' ? explanation.evaluation : 'no result', policies: [] };
  const policies = Array.isArray(result.determining_policies) ? result.determining_policies.filter((p): p is string => typeof p === 'string') : [];
  if (result.decision === 'allow') return { outcome: 'allow', detail: 'allow', policies };
  const diags = Array.isArray(result.diagnostics) ? result.diagnostics : [];
  const first = diags[0] as { reason?: unknown; code?: unknown } | undefined;
  const why = typeof first?.reason === 'string' ? first.reason : typeof first?.code === 'string' ? first.code : result.decision;
  return { outcome: 'deny', detail: why, policies };
}

const newestFirst = (a: { created: number; version: number }, b: { created: number; version: number }): number => b.created - a.created || b.version - a.version;

export async function planFix(target: { requestId: string | null; zoneId: string | null; diagnosis: Pick<Diagnosis, 'cause'> | null }, reads: PlanReads): Promise<Plan> {
  const d = target.diagnosis;
  if (!d) return none('Nothing failed, so there is nothing to fix.');
  if (!FIXABLE_CAUSES.has(d.cause)) {
    return none(`The cause ${tick(d.cause)} is not one a policy-set version ends; the only fix the bot applies is activating a policy-set version (for ${tick('no_active_policy_set')} or a denial by the policy's data).`);
  }
  if (!target.requestId || !target.zoneId) return none('Without a located request there is no denied call to check a version against.');
  const requestId = target.requestId;
  const zoneId = target.zoneId;
  const call = await reads.deniedCall();
  if (!call.ok) return none(`The denied call could not be read from the trace (${tick(call.error.code)}), so no version can be checked against it.`);
  if (!call.value) return none(`The trace of ${tick(requestId)} has no denied STS decision with a policy input to simulate.`);
  const denied = call.value;
  const sets = await reads.policySets();
  if (!sets.ok) return none(`The policy sets of zone ${tick(zoneId)} could not be read (${tick(sets.error.code)}).`);
  const active = sets.value.find((s) => !!s.active_version_id) ?? null;
  const candidates: Array<{ set: SetView; versionId: string; version: number; created: number }> = [];
  let activeVersion: number | null = null;
  for (const set of sets.value) {
    const versions = await reads.versions(set.id);
    if (!versions.ok) return none(`The versions of policy set ${tick(set.name ?? set.id)} could not be read (${tick(versions.error.code)}).`);
    for (const v of versions.value) {
      if (v.id === active?.active_version_id) {
        activeVersion = v.version ?? null;
        continue;
      }
      candidates.push({ set, versionId: v.id, version: v.version ?? 0, created: Date.parse(v.created_at ?? '') || 0 });
    }
  }
  if (candidates.length === 0) return none(`Zone ${tick(zoneId)} has no policy-set version${active ? ' other than the active one' : ''} to activate.`);
  candidates.sort(newestFirst);
  const simulated: Simulated[] = [];
  for (const c of candidates.slice(0, MAX_SIMULATIONS)) {
    const sim = await reads.simulate(c.set.id, c.versionId, denied.input);
    const base = { policySetId: c.set.id, versionId: c.versionId, version: c.version || null };
    if (!sim.ok) {
      simulated.push({ ...base, outcome: 'error', detail: sim.error.code });
      // A token that may not simulate, or a zone it may not touch, fails the same way for every version.
      if (sim.error.status === 401 || sim.error.status === 403) break;
      continue;
    }
    const o = outcomeOf(sim.value);
    simulated.push({ ...base, outcome: o.outcome, detail: o.detail });
    if (o.outcome !== 'allow') continue;
    const remedy: Remedy = {
      kind: 'activate_policy_set_version',
      zoneId,
      policySetId: c.set.id,
      policySetName: c.set.name ?? null,
      fromVersionId: active?.active_version_id ?? null,
      fromVersion: activeVersion,
      toVersionId: c.versionId,
      toVersion: c.version || null,
      allows: { requestId, applicationId: denied.applicationId, application: denied.application, resource: denied.resource, scopes: denied.scopes, determiningPolicies: o.policies },
    };
    const older = simulated.filter((s) => s !== simulated[simulated.length - 1]);
    const skipped = older.length > 0 ? ` (newer ${older.map((s) => `${vname(s)} ${s.outcome === 'deny' ? `denies with ${tick(s.detail)}` : `could not be checked: ${tick(s.detail)}`}`).join(', ')})` : '';
    return {
      remedy,
      simulated,
      reason: `${vname({ version: remedy.toVersion, versionId: remedy.toVersionId })} of policy set ${tick(remedy.policySetName ?? remedy.policySetId)} is the newest version Caracal's policy simulation says allows the denied call${o.policies.length ? ` (${list(o.policies)})` : ''}${skipped}.`,
    };
  }
  return none(noneAllows(simulated), simulated);
}

function noneAllows(simulated: Simulated[]): string {
  const refused = simulated.find((s) => s.outcome === 'error' && /admin_token_read_only|approve_only|capability/.test(s.detail));
  if (refused) return `Caracal refused the policy simulation (${tick(refused.detail)}): it needs a write token (CARACAL_FIX_TOKEN), so no version is known to allow the call.`;
  const denies = simulated.filter((s) => s.outcome === 'deny');
  const unchecked = simulated.filter((s) => s.outcome !== 'deny');
  if (denies.length === 0) {
    const why = unchecked[0]?.outcome === 'not_executed' ? `STS did not evaluate it (${tick(unchecked[0].detail)})` : `it failed (${tick(unchecked[0]?.detail ?? 'no answer')})`;
    return `Caracal could not simulate the call with ${count(simulated.length, 'version')}: ${why}; so no version is known to allow it.`;
  }
  const denied = `Caracal's simulation denies the call with ${denies.map((s) => `${vname(s)} (${tick(s.detail)})`).join(', ')}`;
  return unchecked.length > 0 ? `${denied}, and could not check ${count(unchecked.length, 'other version')}; no version is known to allow it.` : `${denied}; no version of the zone allows it.`;
}
