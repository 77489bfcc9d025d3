/**
 * Step 1, readiness: `/ready` of every configured service (FACTS §2.3). Any configured
 * service that is not ready fails the step, with the most fundamental reason as the cause
 * (a Redis or Postgres outage explains the others). A timeout or unreadable answer is
 * "unknown", not a failure; an unconfigured service is noted, not probed.
 */
import { readinessOf, rootReadinessFailure } from '../health';
import { defineStep, fail, pass, unknown } from './step';

export const readinessStep = defineStep({
  id: 'readiness',
  needs: ['readiness'],
  judge({ readiness }) {
    const findings = readiness.map(readinessOf);
    const evidence = {
      services: findings.map((f) => ({ service: f.service, state: f.state, ...(f.cause ? { cause: f.cause } : {}), ...(f.probable ? { probable: true } : {}), detail: f.detail })),
    };
    const root = rootReadinessFailure(findings);
    if (root) {
      const same = findings.filter((f) => f.state === 'not_ready' && f.cause === root.cause);
      // A service the bot cannot reach reports nothing: say it is unreachable instead.
      const unreachable = same.filter((f) => f.cause === `${f.service}_unreachable`).map((f) => f.service);
      const reported = same.filter((f) => !f.probable && !unreachable.includes(f.service)).map((f) => f.service);
      const inferred = same.filter((f) => f.probable).map((f) => f.service);
      const others = findings.filter((f) => f.state === 'not_ready' && f.cause !== root.cause).map((f) => `${f.service} (${f.cause})`);
      const one = (xs: string[], single: string, several: string) => (xs.length === 1 ? single : several);
      const parts = [
        unreachable.length > 0 ? `${unreachable.join(', ')} ${one(unreachable, 'is', 'are')} unreachable` : '',
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
