/**
 * The calls the bot makes to act, each with the token that may make it (README "Acting from
 * chat"): deciding an approval hold with CARACAL_APPROVE_TOKEN (capability `approve`; Caracal
 * refuses a write token with 403 `approve_capability_required`), and simulating and activating
 * a policy-set version with CARACAL_FIX_TOKEN (capability `write`), plus the reads that go with
 * them. One client per token; the token goes only to the Admin API and never into a message.
 *
 * Writes are sent once (no transport retry, no status retry): whether an act happened after a
 * failure is settled by reading Caracal again, never by sending it twice.
 */
import type { CallBudget } from './budget';
import type { CaracalConfig } from './config';
import { apiCaller } from './api-call';
import { ActivateResult, Approval, DecideResult } from './act-schemas';
import { ActivationStatus, Page, PolicySet, PolicyVersion, SimulateResult } from './schemas';
import { pathSegment } from './path';
import { Transport, type TransportOptions } from './transport';

export type Decision = 'approve' | 'reject';

export interface CaracalActClient {
  /** `GET /v1/zones/{z}/approvals/{id}`; 404 `approval_not_found`. */
  getApproval(zoneId: string, approvalId: string): Promise<Approval>;
  /** `POST …/approvals/{id}/approve|reject {reason}` (reason at most 500 characters); 403, 404, 409 as Caracal answers. */
  decide(zoneId: string, approvalId: string, decision: Decision, reason: string): Promise<DecideResult>;
  listPolicySets(zoneId: string): Promise<PolicySet[]>;
  listPolicyVersions(zoneId: string, policySetId: string): Promise<PolicyVersion[]>;
  /** A dry run: `POST …/policy-sets/{id}/simulate {version_id, input}` (write token). */
  simulate(zoneId: string, policySetId: string, body: { version_id: string; input?: unknown }): Promise<Record<string, unknown>>;
  /** `POST …/policy-sets/{id}/activate {version_id}` → 202. */
  activate(zoneId: string, policySetId: string, versionId: string): Promise<ActivateResult>;
  activationStatus(zoneId: string, policySetId: string, q?: { version_id?: string; outbox_id?: string }): Promise<ActivationStatus>;
  close(): Promise<void>;
}

/** Caracal's limit on an approval's `reason`. */
export const REASON_MAX = 500;

export interface ActClientOptions {
  transport?: TransportOptions;
  /**
   * The deployment's Admin API call budget (budget.ts): the approve and fix calls and their
   * reads count against the same window as the deployment's triage reads, as Caracal counts
   * them together per client IP. Absent: no budget (a 429 is answered as Caracal's refusal).
   */
  budget?: CallBudget;
}

export function createActClient(config: Pick<CaracalConfig, 'apiUrl' | 'timeoutMs'>, token: string, opts: ActClientOptions = {}): CaracalActClient {
  const transport = new Transport(opts.transport);
  const budget = opts.budget;
  const caller = apiCaller({ transport, bases: { api: config.apiUrl }, timeoutMs: config.timeoutMs, authorization: () => `Bearer ${token}`, budget: budget && { calls: budget, covers: (service) => service === 'api' } });
  const seg = pathSegment;
  const zone = (z: string, rest: string) => `/v1/zones/${seg(z)}${rest}`;
  const get = <S extends Parameters<typeof caller.call>[3]>(path: string, schema: S, query?: Record<string, string | undefined>) => caller.call('api', 'GET', path, schema, { auth: 'act', query });
  const post = <S extends Parameters<typeof caller.call>[3]>(path: string, schema: S, body: unknown) => caller.call('api', 'POST', path, schema, { auth: 'act', body });

  /** Every page of a list route (a zone has few policy sets and versions: 20 pages is plenty). */
  async function listAll<S extends Parameters<typeof caller.call>[3]>(path: string, item: S) {
    const out: unknown[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await get(path, Page(item), { limit: '500', cursor });
      out.push(...page.items);
      const next = page.next_cursor || undefined;
      if (!next || next === cursor || page.items.length === 0) break;
      cursor = next;
    }
    return out;
  }

  return {
    getApproval: (z, id) => get(zone(z, `/approvals/${seg(id)}`), Approval),
    decide: (z, id, decision, reason) => post(zone(z, `/approvals/${seg(id)}/${decision}`), DecideResult, { reason: reason.slice(0, REASON_MAX) }),
    listPolicySets: async (z) => (await listAll(zone(z, '/policy-sets'), PolicySet)) as PolicySet[],
    listPolicyVersions: async (z, id) => (await listAll(zone(z, `/policy-sets/${seg(id)}/versions`), PolicyVersion)) as PolicyVersion[],
    simulate: (z, id, body) => post(zone(z, `/policy-sets/${seg(id)}/simulate`), SimulateResult, body),
    activate: (z, id, versionId) => post(zone(z, `/policy-sets/${seg(id)}/activate`), ActivateResult, { version_id: versionId }),
    activationStatus: (z, id, q = {}) => get(zone(z, `/policy-sets/${seg(id)}/activation-status`), ActivationStatus, q),
    close: () => transport.close(),
  };
}
