/**
 * Step 3, request trace: the request's audit trail, found by trying each zone. When
 * no zone knows the request, the usual reasons are a wrong zone or deployment, a call that
 * never reached STS, or audit lag; the step names the audit pipeline only when audit looks
 * unhealthy or the symptom is a missing audit event. Gateway rejections before STS write no
 * audit rows, so for 401s and resource-side 403s an empty trace is expected, not a finding.
 */
import type { Fetched } from '../evidence-model';
import { auditMetricFindings, readinessOf } from '../health';
import type { ProbeResult } from '../../caracal/client-api';
import { causalDenial, describeTrace, GATEWAY_REPLAY_EVENT } from '../trace';
import { count, defineStep, fail, pass, unknown } from './step';

/** Audit looks unhealthy: not ready, or its metrics break a Doctor threshold. */
export function auditLooksUnhealthy(readiness: ProbeResult[], auditMetrics: Fetched<Record<string, unknown>>): string[] {
  const reasons: string[] = [];
  const probe = readiness.find((p) => p.service === 'audit');
  if (probe) {
    const r = readinessOf(probe);
    if (r.state === 'not_ready') reasons.push(`audit not ready (${r.cause})`);
  }
  if (auditMetrics.ok) for (const f of auditMetricFindings(auditMetrics.value)) if (f.status !== 'ok') reasons.push(f.detail);
  return reasons;
}

export const requestTraceStep = defineStep({
  id: 'request_trace',
  needs: ['location', 'readiness', 'metrics'],
  judge({ location, readiness, metrics }, ctx) {
    if (!location.requestId) {
      return unknown('request_trace', 'No request ID given, so there is no trace to read; the other steps start from readiness and the symptom.', {}, 'no_request_id');
    }
    const searched = { zonesSearched: location.zonesSearched, zoneSource: location.zoneSource, attempts: location.attempts };
    if (location.problem) {
      return unknown('request_trace', `Could not search for ${location.requestId}: ${location.problem.message}`, { ...searched, problem: location.problem }, location.problem.code);
    }
    if (location.trace) {
      const t = location.trace;
      const cause = causalDenial(t);
      const status = cause?.evaluationStatus ? ` with evaluation_status \`${cause.evaluationStatus}\`` : '';
      const diagnostics = cause && cause.diagnostics.length > 0 ? ` (${cause.diagnostics.map((d) => d.code).join(', ')})` : '';
      const who = cause?.eventType === 'token_exchange' ? 'STS' : cause?.eventType === GATEWAY_REPLAY_EVENT ? 'The Gateway' : 'Caracal';
      const decided = cause ? ` ${who} denied it at ${cause.eventType}${status}${diagnostics}.` : '';
      return pass(
        'request_trace',
        `Found ${count(t.events.length, 'audit event')} for ${t.requestId} in zone ${t.zoneId} (via ${t.source === 'explain' ? 'explain' : 'the audit list'}); final decision ${t.finalDecision}.${decided}`,
        { ...searched, trace: describeTrace(t) },
      );
    }
    const errors = location.attempts.filter((a) => a.outcome === 'error');
    if (errors.length > 0) {
      const e = errors[0]!;
      return unknown(
        'request_trace',
        `Not found in ${count(location.attempts.length - errors.length, 'zone')}, and ${errors.length === 1 ? 'zone' : 'zones'} ${errors.map((a) => a.zoneId).join(', ')} could not be searched (${e.error?.code ?? 'error'}).`,
        searched,
        e.error?.code ?? 'error',
      );
    }
    if (ctx.symptom === 'unauthenticated' || ctx.symptom === 'resource_denied') {
      return unknown(
        'request_trace',
        `No audit rows for ${location.requestId} in ${count(location.zonesSearched.length, 'zone')}; expected for this symptom, since Gateway rejections before STS write no audit events.`,
        searched,
        'no_audit_expected',
      );
    }
    const unhealthy = auditLooksUnhealthy(readiness, metrics.audit);
    if (unhealthy.length > 0 || ctx.symptom === 'no_audit_event') {
      return fail(
        'request_trace',
        'request_not_found',
        `No zone has audit rows for ${location.requestId}${unhealthy.length > 0 ? `, and audit looks unhealthy (${unhealthy.join('; ')})` : ''}; check the audit pipeline.`,
        { ...searched, surface: 'audit_pipeline', auditProblems: unhealthy, confidence: 'medium' },
      );
    }
    return fail(
      'request_trace',
      'request_not_found',
      `${location.zonesSearched.length === 1 ? `Zone ${location.zonesSearched[0]} has no` : `None of the ${count(location.zonesSearched.length, 'zone')} searched has`} audit rows for ${location.requestId}; usually a wrong zone or deployment, a call that never reached STS (e.g. a Gateway 401), or audit lag; check the ID and where the call went.`,
      { ...searched, surface: 'unknown', confidence: 'low' },
    );
  },
});
