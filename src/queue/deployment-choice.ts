/**
 * The engine a collection reads Caracal through, when the worker serves several deployments
 * (src/triage/deployments.ts): the triage's own deployment (named by its command, its channel's
 * binding or its incident), the only one, or, when nothing named one, the deployment whose zones
 * hold the request: looked for in each once, at the start, and recorded on the triage
 * (`deployment_searched`, so a retried or re-checked collection reads the same one).
 *
 * Found in several, this triage reads the first and a triage of the same request is started in
 * each other one, to the same channel (a fixed delivery key per deployment: started once however
 * often this runs). Found in none, or with nothing to look for (no request ID), the collection
 * stops and the card asks which deployment to read.
 */
import { UnrecoverableError } from 'bullmq';
import type { StartTriageRequest } from '../ingress/service-api';
import type { TriageStore, TriageView } from '../store/triage-store';
import { searchDeployments, type DeploymentSearch } from '../triage/deployment-search';
import type { Deployments } from '../triage/deployments';
import type { TriageEngine } from '../triage/engine';
import type { TriageRecord } from '../triage/record';
import { carryOutEffects, type EffectContext } from './effects';

export type CollectEngine = Pick<TriageEngine, 'client' | 'freshClient' | 'createSession'>;

export interface DeploymentChoiceDeps extends EffectContext {
  store: TriageStore;
  deployments: Deployments;
  /** Starts a triage (the worker half's service): the same request in another deployment that holds it. */
  startTriage?: (req: StartTriageRequest) => Promise<unknown>;
}

export type Choice = { ok: true; record: TriageRecord; engine: CollectEngine } | { ok: false; stopped: string };

const NOTHING_SEARCHED: DeploymentSearch = { searched: [], found: [], unreadable: [] };

export async function chooseDeployment(deps: DeploymentChoiceDeps, view: TriageView): Promise<Choice> {
  const { deployments } = deps;
  let record = view.record;
  const name = record.deployment ?? record.input.deployment ?? null;
  if (name) {
    const d = deployments.get(name);
    if (!d) throw new UnrecoverableError(`triage ${record.id} reads deployment ${name}, which this worker does not serve (deployments: ${deployments.names.join(', ')})`);
    return { ok: true, record, engine: d.engine };
  }
  if (deployments.only) return { ok: true, record, engine: deployments.only.engine };
  if (record.deploymentSearch) return { ok: false, stopped: 'the request is in no deployment: waiting for someone to name one' };

  const requestId = record.input.requestId ?? record.input.errorRoute?.requestId ?? null;
  const search = requestId ? await searchDeployments(deployments.all, requestId, record.input.zoneId) : NOTHING_SEARCHED;
  const chosen = search.found[0] ?? null;
  const r = await deps.store.apply(record.id, { type: 'deployment_searched', search, deployment: chosen }, { current: record, maxAttempts: 20 });
  if (!r.ok) {
    if (r.reason === 'not_found') throw new UnrecoverableError(`triage ${record.id} no longer exists`);
    if (r.reason === 'finished') return { ok: false, stopped: r.message };
    // Another run recorded the search first: read what it decided.
    const again = await deps.store.get(record.id);
    if (!again) throw new UnrecoverableError(`triage ${record.id} no longer exists`);
    return again.deployment ? { ok: true, record: again, engine: deployments.get(again.deployment)!.engine } : { ok: false, stopped: 'the request is in no deployment' };
  }
  record = r.record;
  await carryOutEffects(deps, r, 'worker');
  const { meta } = view;
  for (const other of search.found.slice(1)) {
    await deps.startTriage?.({
      input: { ...record.input, deployment: other },
      destination: view.destination,
      actor: meta.actor,
      dedupeKey: `${record.id}:deployment:${other}`,
      source: meta.source,
      ...(meta.postBundle ? { postBundle: true } : {}),
      ...(record.incident ? { incident: record.incident } : {}),
    });
  }
  if (!chosen) return { ok: false, stopped: requestId ? 'the request is in no deployment' : 'nothing says which deployment to read' };
  return { ok: true, record, engine: deployments.get(chosen)!.engine };
}
