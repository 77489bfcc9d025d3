/**
 * Step 8, audit trace: the final decision and diagnostics as audit recorded them, unless the
 * Audit service reports tamper evidence, which puts any trail read from it in doubt; when audit
 * has nothing for the request, whether the audit pipeline is the reason: Audit readiness,
 * `consumer_lag`, `dlq_size` and the tamper counters (the Doctor's thresholds).
 */
import { auditMetricFindings, readinessOf } from '../health';
import { causalDenial } from '../trace';
import { count, defineStep, fail, pass, unknown, whyUnavailable } from './step';

const METRIC_CAUSE_ORDER = ['audit_tamper_detected', 'audit_consumer_lag', 'audit_dlq_nonempty'];

export const auditTraceStep = defineStep({
  id: 'audit_trace',
  needs: ['location', 'readiness', 'metrics'],
  judge({ location, readiness, metrics }, ctx) {
    const trace = location.trace;
    if (trace) {
      const cause = causalDenial(trace);
      const diagnostics = cause?.diagnostics.map((d) => d.code) ?? [];
      const recorded = `Audit recorded ${count(trace.events.length, 'event')}; final decision ${trace.finalDecision}${cause ? ` (${cause.evaluationStatus ?? cause.eventType}${diagnostics.length > 0 ? `: ${diagnostics.join(', ')}` : ''})` : ''}`;
      const evidence = { finalDecision: trace.finalDecision, deniedBy: cause ? { eventId: cause.id, evaluationStatus: cause.evaluationStatus, diagnostics: cause.diagnostics } : null };
      // A trail is only as good as the store it came from: tamper evidence (the Doctor's fail rule) puts it in doubt.
      const tamper = metrics.audit.ok ? auditMetricFindings(metrics.audit.value).find((f) => f.code === 'audit_tamper_detected') : undefined;
      if (tamper) {
        return fail(
          'audit_trace',
          'audit_tamper_detected',
          `${recorded}, but the Audit service reports tamper evidence (${tamper.detail}): stored audit rows no longer match their hash chain, so this trail may have been altered. Preserve the audit store and find which rows changed before trusting it.`,
          { ...evidence, tamper: tamper.detail, confidence: 'medium' },
        );
      }
      return pass('audit_trace', `${recorded}.`, evidence);
    }
    if (!location.requestId && ctx.symptom !== 'no_audit_event') {
      return unknown('audit_trace', 'No request ID given, so there is no audit trail to confirm.', {}, 'no_request_id');
    }
    const probe = readiness.find((p) => p.service === 'audit');
    if (!probe?.configured) {
      return unknown('audit_trace', 'No audit rows for the request, and the Audit service is not configured (CARACAL_AUDIT_URL), so its pipeline cannot be checked.', { audit: 'not_configured' }, 'not_configured');
    }
    const ready = readinessOf(probe);
    const m = metrics.audit;
    const findings = m.ok ? auditMetricFindings(m.value) : [];
    const evidence: Record<string, unknown> = {
      auditReadiness: { state: ready.state, ...(ready.cause ? { cause: ready.cause } : {}), detail: ready.detail },
      ...(m.ok
        ? { metrics: { consumer_lag: m.value.consumer_lag, dlq_size: m.value.dlq_size, tamper_mismatch_total: m.value.tamper_mismatch_total, tamper_chain_breaks: m.value.tamper_chain_breaks }, findings }
        : { metrics: { unavailable: m.error } }),
    };
    if (ready.state === 'not_ready') {
      const also = findings.length > 0 ? ` (${findings.map((f) => f.detail).join(', ')})` : '';
      return fail('audit_trace', ready.cause!, `Audit is not ready (\`${ready.cause}\`)${also}, so events are not reaching the audit store; fix the Audit consumer, then check the DLQ.`, { ...evidence, confidence: 'high' });
    }
    const worst = METRIC_CAUSE_ORDER.map((c) => findings.find((f) => f.code === c)).find((f) => f);
    if (worst) {
      return fail('audit_trace', worst.code, `Audit is ready but ${worst.detail}, which explains missing events; drain the backlog or DLQ.`, { ...evidence, confidence: 'medium' });
    }
    if (ready.state === 'unknown') return unknown('audit_trace', `Audit readiness is unknown (${ready.cause}).`, evidence, ready.cause);
    if (!m.ok) return unknown('audit_trace', `Audit is ready, but its metrics are unavailable: ${whyUnavailable(m)}.`, evidence, m.error.code);
    return pass('audit_trace', 'The audit pipeline is healthy (ready, no lag over 1000, empty DLQ, no tamper evidence); missing rows are not an audit outage. Check the selected zone and time window.', evidence);
  },
});
