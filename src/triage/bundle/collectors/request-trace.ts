/**
 * Bundle item `request_trace`: the request's trace when a request ID was given, else the
 * zone's most recent denial (the seed's "last denial and request trace").
 */
import { describeTrace, traceFromRows, causalDenial } from '../../trace';
import { item, unavailable } from '../checks';
import type { Collector } from '../source';
import { count } from '../../steps/step';

export const collectRequestTrace: Collector = async (src) => {
  const location = await src.gatherer.get('location');
  if (src.requestId) {
    if (location.problem) return unavailable('request_trace', `The request could not be searched for: ${location.problem.message}`, location.problem);
    if (location.trace) {
      const t = location.trace;
      const cause = causalDenial(t);
      return item(
        'request_trace',
        t.finalDecision === 'deny' ? 'warn' : 'ok',
        `${t.requestId} in zone ${t.zoneId}: final decision ${t.finalDecision}${cause ? `, denied with ${cause.evaluationStatus ?? cause.eventType}` : ''}.`,
        { trace: describeTrace(t) },
      );
    }
    const errors = location.attempts.filter((a) => a.outcome === 'error');
    if (errors.length === location.attempts.length && errors.length > 0) {
      return unavailable('request_trace', `No zone could be searched (${errors[0]!.error?.code}).`, errors[0]!.error, { attempts: location.attempts });
    }
    return item('request_trace', 'warn', `${src.requestId} was not found in ${count(location.zonesSearched.length, 'zone')}${errors.length > 0 ? ` (${errors.length} could not be searched)` : ''}.`, {
      zonesSearched: location.zonesSearched,
      attempts: location.attempts,
    });
  }
  const zoneId = location.zoneId;
  if (!zoneId) return unavailable('request_trace', 'No request ID and no single zone selected, so there is no trace or last denial to show; give --zone.', location.problem ?? undefined);
  const { client, calls } = src.gatherer;
  const recent = await calls.read(client, 'listAudit', zoneId, { decision: 'deny', limit: 10 });
  if (!recent.ok) return unavailable('request_trace', `The zone's audit could not be read: ${recent.error.message}`, recent.error);
  const latest = recent.value.items.find((r) => r.evaluation_status !== 'exchange_denied' && r.request_id);
  if (!latest) return item('request_trace', 'ok', `No recent denials in zone ${zoneId}.`, { zoneId });
  const rows = recent.value.items.filter((r) => r.request_id === latest.request_id);
  const trace = traceFromRows(zoneId, latest.request_id!, rows);
  return item('request_trace', 'warn', `Last denial in zone ${zoneId}: ${latest.request_id} at ${latest.occurred_at} (${latest.evaluation_status || latest.event_type}).`, {
    lastDenial: describeTrace(trace),
  });
};
