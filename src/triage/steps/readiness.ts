/**
 * Step 1, readiness: `/ready` of every configured service, and whether the Admin API can be
 * read at all. Any configured service that is not ready fails the step, with the most
 * fundamental reason as the cause (a Redis or Postgres outage explains the others). A timeout
 * or unreadable `/ready` is "unknown", not a failure, except for the Admin API: every other
 * step reads through it, so when its basic read (`GET /v1/zones`) times out, is refused, or
 * answers something that is not Caracal's, Caracal cannot be read, and that is the finding
 * (`api_timeout`, `api_unreachable`, `api_unreadable`). An unconfigured service is noted, not
 * probed.
 */
import { describeUnreadable, UNREADABLE_REASONS, type UnreadableReason } from '../../caracal/errors';
import { apiAccessOf, readinessOf, rootReadinessFailure, type ApiAccessFinding, type ReadinessFinding } from '../health';
import { defineStep, fail, pass, unknown } from './step';

const FIX: Partial<Record<string, string>> = {
  html: 'is CARACAL_API_URL the Admin API itself (port 3000 by default), not the Console or a login proxy?',
  redirected: 'point CARACAL_API_URL at the address the API answers on itself (redirects are never followed, so the admin token goes nowhere else)',
  too_large: 'check what answers on CARACAL_API_URL',
  not_json: 'check what answers on CARACAL_API_URL',
  unexpected_shape: 'check that CARACAL_API_URL is a Caracal Admin API of a supported version',
};

/** What the basic read got, after "GET /v1/zones": "timed out (no answer within 2000 ms)", "answered 200 with an HTML page…". */
function accessSentence(a: ApiAccessFinding): string {
  const said = a.detail.replace(/^GET \S+ (?:timed out: |is unreachable: )?/, '');
  if (a.cause === 'api_timeout') return `timed out (${said.replace(/ \([A-Za-z_]+\)$/, '')})`;
  if (a.cause === 'api_unreachable') return `could not be reached (${said})`;
  return said;
}

function unreadableApiSummary(a: ApiAccessFinding, api: ReadinessFinding, others: ReadinessFinding[]): string {
  const what = (UNREADABLE_REASONS as readonly string[]).includes(a.reason) ? describeUnreadable(a.reason as UnreadableReason) : a.reason;
  const head =
    a.cause === 'api_timeout'
      ? `The Caracal API accepts connections but does not answer: GET /v1/zones ${accessSentence(a)}`
      : `The Caracal API's answers cannot be read: GET /v1/zones ${accessSentence(a)}`;
  const probe = api.state === 'ready' ? ', though its /ready says ready' : api.cause === 'timeout' ? ' and /ready timed out too' : api.cause === 'bad_body' ? `; /ready ${api.detail.replace(/^api: \/ready /, '')}` : '';
  const fix =
    a.cause === 'api_timeout'
      ? 'check the API process and whatever sits in front of it'
      : /^http_5\d\d$/.test(a.reason)
        ? 'the API fails its own reads: check its logs and its database'
        : (FIX[a.reason] ?? `the API answers ${what}`);
  const silent = others.filter((f) => f.cause === 'timeout').map((f) => f.service);
  const also = silent.length > 0 ? ` Not answering either: ${silent.join(', ')}.` : '';
  return `${head}${probe}. Nothing could be read from Caracal, so the other steps could not be checked; ${fix}${fix.endsWith('?') ? '' : '.'}${also}`;
}

export const readinessStep = defineStep({
  id: 'readiness',
  needs: ['readiness', 'adminApi'],
  judge({ readiness, adminApi }) {
    const probed = readiness.map(readinessOf);
    const access = apiAccessOf(adminApi);
    const apiProbe = probed.find((f) => f.service === 'api');
    // A /ready that names its own failure (Redis, Postgres, unreachable) is the more specific finding.
    const apiUnreadable = access && apiProbe && apiProbe.state !== 'not_ready' ? access : null;
    const findings = apiUnreadable
      ? probed.map((f): ReadinessFinding => (f.service === 'api' ? { service: 'api', state: 'not_ready', cause: apiUnreadable.cause, detail: `api: GET /v1/zones ${accessSentence(apiUnreadable)}` } : f))
      : probed;
    const evidence = {
      services: findings.map((f) => ({ service: f.service, state: f.state, ...(f.cause ? { cause: f.cause } : {}), ...(f.probable ? { probable: true } : {}), detail: f.detail })),
    };
    const root = rootReadinessFailure(findings);
    if (root && apiUnreadable && root.service === 'api') {
      const others = findings.filter((f) => f.service !== 'api');
      return fail('readiness', apiUnreadable.cause, unreadableApiSummary(apiUnreadable, apiProbe!, others), {
        ...evidence,
        api: { cause: apiUnreadable.cause, reason: apiUnreadable.reason, read: 'GET /v1/zones', detail: apiUnreadable.detail, probe: apiProbe!.detail },
        confidence: 'high',
      });
    }
    if (root) {
      const same = findings.filter((f) => f.state === 'not_ready' && f.cause === root.cause);
      // A service the bot cannot reach reports nothing: say it is unreachable instead.
      const unreachable = same.filter((f) => f.cause === `${f.service}_unreachable`).map((f) => f.service);
      const reported = same.filter((f) => !f.probable && !unreachable.includes(f.service)).map((f) => f.service);
      const inferred = same.filter((f) => f.probable).map((f) => f.service);
      const others = findings.filter((f) => f.state === 'not_ready' && f.cause !== root.cause).map((f) => `${f.service} (${f.cause})`);
      const one = (xs: string[], single: string, several: string) => (xs.length === 1 ? single : several);
      const how = same.filter((f) => unreachable.includes(f.service) && f.connection).map((f) => (unreachable.length === 1 ? f.connection! : `${f.service}: ${f.connection}`));
      const parts = [
        unreachable.length > 0 ? `${unreachable.join(', ')} ${one(unreachable, 'is', 'are')} unreachable${how.length > 0 ? ` (${how.join('; ')})` : ''}` : '',
        reported.length > 0 ? `${reported.join(', ')} ${one(reported, 'reports', 'report')} \`${root.cause}\`` : '',
        inferred.length > 0
          ? `${inferred.join(', ')} /ready ${one(inferred, 'answers', 'answer')} 500, which ${reported.length > 0 ? one(inferred, 'is how it fails then', 'is how they fail then') : 'probably means Redis is down'}`
          : '',
      ].filter(Boolean);
      const also = others.length > 0 ? ` Also not ready: ${others.join(', ')}.` : '';
      const summary = `Not ready: ${parts.join('; ')}; fix that dependency first.${also}`;
      return fail('readiness', root.cause!, summary, { ...evidence, confidence: reported.length + unreachable.length > 0 ? 'high' : 'medium' });
    }
    const unsure = findings.filter((f) => f.state === 'unknown');
    if (unsure.length > 0) {
      const others = findings.some((f) => f.state === 'ready') ? '; the others are ready' : '';
      return unknown(
        'readiness',
        `Could not tell whether ${unsure.map((f) => `${f.service} (${f.cause})`).join(', ')} ${unsure.length === 1 ? 'is' : 'are'} ready${others}.`,
        evidence,
        unsure[0]!.cause,
      );
    }
    const ready = findings.filter((f) => f.state === 'ready').map((f) => f.service);
    const skipped = findings.filter((f) => f.state === 'not_configured').map((f) => f.service);
    return pass(
      'readiness',
      `Ready: ${ready.join(', ')}.${skipped.length > 0 ? ` Not configured, so not probed: ${skipped.join(', ')}.` : ''}`,
      evidence,
    );
  },
});
