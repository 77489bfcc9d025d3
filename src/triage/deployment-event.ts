/**
 * The state machine's `deployment_searched` event (machine.ts), kept here: nothing named the
 * deployment and the bot serves several, so the worker looked for the request in each
 * (src/queue/deployment-choice.ts). `deployment` is the one the triage reads (the first that
 * holds it); null when none does or there was nothing to look for: then nothing is left to
 * collect and the card asks which deployment to name. Pure.
 */
import type { DeploymentSearch, HistoryEntry, TriageRecord } from './record';

export interface DeploymentSearched {
  type: 'deployment_searched';
  search: DeploymentSearch;
  deployment: string | null;
}

/** The transition (`base`: the record with its version and times moved on): the card is updated; refused once a deployment is known. */
export function applyDeploymentSearch(
  record: TriageRecord,
  base: TriageRecord,
  event: DeploymentSearched,
  at: string,
): { ok: true; record: TriageRecord; effects: Array<{ type: 'update_card' }> } | { ok: false; reason: 'not_allowed'; message: string } {
  if (record.deployment) return { ok: false, reason: 'not_allowed', message: `This triage already reads deployment ${record.deployment}.` };
  const entry: HistoryEntry = { at, actor: { kind: 'system', id: 'caracal-triage' }, action: event.deployment ? `found in deployment ${event.deployment}` : 'found in no deployment' };
  return {
    ok: true,
    record: { ...base, deploymentSearch: event.search, ...(event.deployment ? { deployment: event.deployment } : { pending: [] }), history: [...record.history, entry] },
    effects: [{ type: 'update_card' }],
  };
}
