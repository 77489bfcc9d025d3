/**
 * The reads a fix plan needs (plan.ts `PlanReads`), over Caracal: the denied call from the
 * request's trace (explain's rebuilt `policy_input`), the zone's policy sets and their
 * versions, and the policy simulation, which needs a write token (the fix token when there is
 * one). Each read is a `Fetched` value; nothing here decides anything.
 */
import type { CaracalClient } from '../../caracal/client-api';
import { describeError } from '../../caracal/errors';
import { CallCache } from '../../triage/call-cache';
import type { Fetched } from '../../triage/evidence-model';
import { locateRequest } from '../../triage/locate';
import { stsDecision } from '../../triage/trace';
import type { DeniedCall, PlanReads } from './plan';

export interface Simulator {
  simulate(zoneId: string, policySetId: string, body: { version_id: string; input?: unknown }): Promise<Record<string, unknown>>;
}

async function fetched<T>(call: () => Promise<T>): Promise<Fetched<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    return { ok: false, error: describeError(e) };
  }
}

/** `reads` should read past any shared cache: a plan compares the zone's active version now. */
export function planReads(o: { reads: CaracalClient; simulator: Simulator; zoneId: string; requestId: string }): PlanReads {
  const cache = new CallCache();
  return {
    async deniedCall(): Promise<Fetched<DeniedCall | null>> {
      const location = await locateRequest(o.reads, cache, o.requestId, o.zoneId);
      if (location.problem) return { ok: false, error: location.problem };
      const failed = location.attempts.find((a) => a.outcome === 'error');
      if (!location.trace) return failed?.error ? { ok: false, error: failed.error } : { ok: true, value: null };
      const sts = stsDecision(location.trace);
      if (!sts || sts.decision !== 'deny' || !sts.policyInput) return { ok: true, value: null };
      return {
        ok: true,
        value: { input: sts.policyInput, applicationId: sts.applicationId, application: sts.applicationName, resource: sts.resource, scopes: sts.requestedScopes ?? [] },
      };
    },
    policySets: () => fetched(() => o.reads.listPolicySets(o.zoneId)),
    versions: (setId) => fetched(() => o.reads.listPolicyVersions(o.zoneId, setId)),
    simulate: (setId, versionId, input) => fetched(() => o.simulator.simulate(o.zoneId, setId, { version_id: versionId, input })),
  };
}
