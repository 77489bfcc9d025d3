/**
 * The simulator's writable side, for the bot's acts (README "Acting from chat"): approval holds
 * and their decisions, policy-set activation with a status that moves, and policy simulation
 * per version. Scenario data stays read-only; what the acts change lives here and the Admin API
 * routes read through it.
 *
 *   approvals   addApproval() seeds a hold; approve/reject answer as Caracal does: 404
 *               `approval_not_found`, 409 `approval_not_decidable` with `{state}` once decided or
 *               expired, 403 `subject_approval_required` when the hold's approver class is
 *               `subject`. Each decision is counted, and emitted as `step_up_decided` to the
 *               registered sink (sink.ts) when one is.
 *   activation  activate() makes the version the zone's active one (any other set of the zone
 *               loses its active version); activation-status answers `waiting_for_sts` until
 *               `stsLoadAfterMs` has passed, then `loaded`, or stays `waiting_for_sts` while
 *               `stsDown` (as Caracal does without a reachable STS).
 *   simulate    a version's decision for any input comes from the zone's `simulation` table;
 *               a version not in it, or any version while `stsDown`, answers
 *               `explanation.evaluation: not_executed` with `result: null` (as Caracal without STS).
 */
import { randomUUID } from 'node:crypto';
import { err, json, type RouteResult } from './http';
import type { SimActs, SimApproval, SinkEvent, ZoneData } from './types';

export type { SimActs, SimApproval, SinkEvent } from './types';

interface Activation {
  versionId: string;
  outboxId: string;
  at: number;
}

const key = (zoneId: string, id: string) => `${zoneId}\u0000${id}`;

export function createSimActs(): SimActs {
  const approvals = new Map<string, SimApproval>();
  const activations = new Map<string, Activation>();
  /** zone → (set → active version or null), set by activations. */
  const active = new Map<string, Map<string, string | null>>();
  let seq = 0;

  const acts: SimActs = {
    stsDown: false,
    stsLoadAfterMs: 300,
    calls: [],
    events: [],
    onEvent: null,
    addApproval(zoneId, over = {}) {
      const now = Date.now();
      const { agentLabels, agentSessionId, ...fields } = over;
      const approval: SimApproval = {
        id: `ch-${randomUUID()}`,
        zone_id: zoneId,
        session_id: 'ar-sim-1',
        principal_id: 'user-sim-1',
        application_id: 'app-sim-1',
        approval_type: 'human_approval',
        tier: 'high',
        approver_class: 'operator',
        privacy_mode: 'identified',
        metadata_json: { action: 'payments:write', resource: 'resource://payments', purpose: 'refund order 4411' },
        decision_reason: null,
        created_at: new Date(now).toISOString(),
        expires_at: new Date(now + 15 * 60_000).toISOString(),
        satisfied_at: null,
        rejected_at: null,
        consumed_at: null,
        approver_subject_id: null,
        ...fields,
      };
      approvals.set(key(zoneId, approval.id), approval);
      const event = emit('step_up_issued', approval, 'pending', {
        expires_at: approval.expires_at,
        agent_session_id: agentSessionId ?? 'sess-sim-1',
        agent_labels: agentLabels ?? ['case:CASE-1'],
      });
      return { approval, event };
    },
    approval: (zoneId, id) => approvals.get(key(zoneId, id)),
    consume(zoneId, id) {
      const a = approvals.get(key(zoneId, id));
      if (!a || !a.satisfied_at || a.consumed_at) return null;
      a.consumed_at = new Date().toISOString();
      return emit('step_up_consumed', a, 'allow', {});
    },
    activeVersion: (zoneId, setId) => active.get(zoneId)?.get(setId),
    reset() {
      approvals.clear();
      activations.clear();
      active.clear();
      acts.calls.length = 0;
      acts.events.length = 0;
      acts.stsDown = false;
    },
  };

  function emit(type: SinkEvent['type'], a: SimApproval, decision: string, extra: Record<string, unknown>): SinkEvent {
    const event: SinkEvent = {
      id: `evt-sim-${++seq}`,
      type,
      zone_id: a.zone_id,
      decision,
      occurred_at: new Date().toISOString(),
      data: {
        challenge_id: a.id,
        tier: a.tier,
        approver_class: a.approver_class,
        privacy_mode: a.privacy_mode,
        application_id: a.application_id,
        session_id: a.session_id,
        ...extra,
      },
    };
    acts.events.push(event);
    acts.onEvent?.(event);
    return event;
  }

  return Object.assign(acts, { internal: { approvals, activations, active, emit } });
}

type Internal = SimActs & {
  internal: {
    approvals: Map<string, SimApproval>;
    activations: Map<string, Activation>;
    active: Map<string, Map<string, string | null>>;
    emit(type: SinkEvent['type'], a: SimApproval, decision: string, extra: Record<string, unknown>): SinkEvent;
  };
};

function stateOf(a: SimApproval, now: number): string {
  if (a.consumed_at) return 'consumed';
  if (a.rejected_at) return 'rejected';
  if (a.satisfied_at) return 'approved';
  return Date.parse(a.expires_at) <= now ? 'expired' : 'pending';
}

const view = (a: SimApproval) => ({ ...a, state: stateOf(a, Date.now()) });

/** `GET …/approvals` (state filter) and `GET …/approvals/{id}`: null when the path is not an approvals read. */
export function approvalReads(acts: SimActs, zoneId: string, rest: string[], q: URLSearchParams): RouteResult | { list: Array<Record<string, unknown>> } | null {
  const { approvals } = (acts as Internal).internal;
  if (rest[0] !== 'approvals') return null;
  const mine = [...approvals.values()].filter((a) => a.zone_id === zoneId).map(view);
  if (rest.length === 1) return { list: mine.filter((a) => q.get('state') === null || a.state === q.get('state')) };
  if (rest.length === 2 && rest[1] === 'counts') {
    const count = (s: string) => mine.filter((a) => a.state === s).length;
    return json(200, { pending: count('pending'), approved: count('approved'), rejected: count('rejected'), expired: count('expired'), consumed: count('consumed') });
  }
  if (rest.length === 2) {
    const a = mine.find((x) => x.id === rest[1]);
    return a ? json(200, a) : err(404, 'approval_not_found');
  }
  return null;
}

const REASON_MAX = 500;

/** `POST …/approvals/{id}/approve|reject {reason?}`, after the capability check. */
export function decideApproval(acts: SimActs, zoneId: string, id: string, decision: 'approve' | 'reject', body: unknown): RouteResult {
  const internal = (acts as Internal).internal;
  const a = internal.approvals.get(key(zoneId, id));
  const record = (r: RouteResult): RouteResult => {
    acts.calls.push({ kind: decision, zoneId, id, body, status: r.status, at: Date.now() });
    return r;
  };
  const reason = (body as { reason?: unknown } | undefined)?.reason;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > REASON_MAX)) {
    return record({ status: 400, body: { error: 'invalid_body', error_description: 'Request body is invalid', requestId: '$requestId', details: { issues: [{ path: ['reason'], message: `at most ${REASON_MAX} characters` }] } } });
  }
  if (!a) return record(err(404, 'approval_not_found'));
  const state = stateOf(a, Date.now());
  if (state !== 'pending') return record(json(409, { error: 'approval_not_decidable', state }));
  if (a.approver_class === 'subject') return record(err(403, 'subject_approval_required'));
  const now = new Date().toISOString();
  if (decision === 'approve') a.satisfied_at = now;
  else a.rejected_at = now;
  a.decision_reason = typeof reason === 'string' ? reason : null;
  const result = record(json(200, { id: a.id, state: stateOf(a, Date.now()), satisfied_at: a.satisfied_at, rejected_at: a.rejected_at, approver_subject_id: a.approver_subject_id }));
  internal.emit('step_up_decided', a, decision === 'approve' ? 'allow' : 'deny', { decision: decision === 'approve' ? 'approved' : 'rejected' });
  return result;
}

/** The policy sets of a zone as the API lists them now: activations override `active_version_id`. */
export function policySetsNow(acts: SimActs, zone: ZoneData): ZoneData['policySets'] {
  const overrides = (acts as Internal).internal.active.get(zone.zone.id);
  if (!overrides) return zone.policySets;
  return zone.policySets.map((s) => (overrides.has(s.id) ? { ...s, active_version_id: overrides.get(s.id) ?? null } : s));
}

/** `POST …/policy-sets/{id}/activate {version_id}` (write token). */
export function activate(acts: SimActs, zone: ZoneData, setId: string, body: unknown): RouteResult {
  const internal = (acts as Internal).internal;
  const versionId = (body as { version_id?: unknown } | undefined)?.version_id;
  const record = (r: RouteResult): RouteResult => {
    acts.calls.push({ kind: 'activate', zoneId: zone.zone.id, id: setId, body, status: r.status, at: Date.now() });
    return r;
  };
  if (typeof versionId !== 'string' || versionId === '') {
    return record({ status: 400, body: { error: 'invalid_body', error_description: 'Request body is invalid', requestId: '$requestId', details: { issues: [{ path: ['version_id'], message: 'Required' }] } } });
  }
  if (!zone.policySets.some((s) => s.id === setId)) return record(err(404, 'policy_set_binding_not_found'));
  if (!(zone.policyVersions[setId] ?? []).some((v) => v.id === versionId)) return record(err(404, 'version_not_found'));
  const overrides = new Map<string, string | null>(zone.policySets.map((s) => [s.id, null]));
  overrides.set(setId, versionId);
  internal.active.set(zone.zone.id, overrides);
  const outboxId = randomUUID();
  internal.activations.set(key(zone.zone.id, setId), { versionId, outboxId, at: Date.now() });
  return record(json(202, { activated: true, version_id: versionId, outbox_id: outboxId, status_url: `/v1/zones/${zone.zone.id}/policy-sets/${setId}/activation-status?version_id=${versionId}&outbox_id=${outboxId}` }));
}

/** activation-status after an activation the simulator saw; null to fall back to the scenario's canned answer. */
export function activationStatusNow(acts: SimActs, zone: ZoneData, setId: string): RouteResult | null {
  const internal = (acts as Internal).internal;
  const a = internal.activations.get(key(zone.zone.id, setId));
  const activeNow = internal.active.get(zone.zone.id)?.get(setId);
  if (!a) return activeNow === null ? err(404, 'active_policy_set_version_not_found') : null;
  if (activeNow !== a.versionId) return err(404, 'active_policy_set_version_not_found');
  const sha = (zone.policyVersions[setId] ?? []).find((v) => v.id === a.versionId)?.manifest_sha256 ?? null;
  const loaded = !acts.stsDown && Date.now() - a.at >= acts.stsLoadAfterMs;
  const dispatched = new Date(a.at + 5).toISOString();
  return json(200, {
    zone_id: zone.zone.id,
    policy_set_id: setId,
    version_id: a.versionId,
    active: true,
    active_version_id: a.versionId,
    manifest_sha256: sha,
    propagation_status: loaded ? 'loaded' : 'waiting_for_sts',
    outbox: { id: a.outboxId, state: 'dispatched', attempts: 1, last_error: null, dispatched_at: dispatched },
    sts: acts.stsDown
      ? { state: 'unreachable', detail: 'connect ECONNREFUSED (sts)' }
      : loaded
        ? { state: 'loaded', loaded: true, policy_set_version_id: a.versionId, manifest_sha256: sha, loaded_at: new Date(a.at + acts.stsLoadAfterMs).toISOString(), age_seconds: 0 }
        : { state: 'not_loaded', loaded: false, policy_set_version_id: null },
  });
}

const NOT_EXECUTED = {
  evaluation: 'not_executed',
  reason: 'STS simulation is not configured; rollout contract and input shape were validated without mutating active policy bindings',
};

/** `POST …/policy-sets/{id}/simulate {version_id, input?}` (write token): a dry run, nothing changes. */
export function simulate(acts: SimActs, zone: ZoneData, setId: string, body: unknown): RouteResult {
  const set = zone.policySets.find((p) => p.id === setId);
  if (!set) return err(404, 'policy_set_not_found');
  const asked = (body as { version_id?: unknown } | undefined)?.version_id;
  const versionId = typeof asked === 'string' && asked ? asked : ((acts.activeVersion(zone.zone.id, setId) ?? set.active_version_id) as string | null);
  const version = (zone.policyVersions[setId] ?? []).find((v) => v.id === versionId);
  if (!versionId || (typeof asked === 'string' && !version)) return err(404, 'version_not_found');
  const decided = acts.stsDown ? undefined : zone.simulation?.[versionId];
  const base = {
    dry_run: true,
    would_activate: true,
    policy_set_id: setId,
    version_id: versionId,
    schema_version: '2026-05-20',
    input_schema_version: '2026-05-20',
    manifest_sha256: version?.manifest_sha256 ?? null,
    policies: ['01a21de6-b314-7082-801c-9c77f5b1a2d9'],
    warnings: [],
  };
  if (!decided) return json(200, { ...base, explanation: NOT_EXECUTED, result: null });
  const allow = decided.decision === 'allow';
  const diagnostics = allow ? [] : [{ reason: decided.reason ?? 'no_rule_matched' }];
  const determining = allow ? (decided.policies ?? ['caracal-anton-mint']) : [];
  return json(200, {
    ...base,
    explanation: { evaluation: 'complete', decision: decided.decision, reason: allow ? 'allowed by the simulated version' : `denied: ${diagnostics[0]!.reason}` },
    result: { decision: decided.decision, determining_policies: determining, evaluation_status: 'complete', diagnostics },
  });
}
