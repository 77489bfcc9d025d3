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
      const reported = same.filter((f) => !f.probable).map((f) => f.service);
      const inferred = same.filter((f) => f.probable).map((f) => f.service);
      const others = findings.filter((f) => f.state === 'not_ready' && f.cause !== root.cause).map((f) => `${f.service} (${f.cause})`);
      const parts = [
        reported.length > 0 ? `${reported.join(', ')} report \`${root.cause}\`` : '',
        inferred.length > 0 ? `${inferred.join(', ')} /ready answer${inferred.length === 1 ? 's' : ''} 500, which ${reported.length > 0 ? 'is how they fail' : 'probably means Redis is down'}` : '',
      ].filter(Boolean);
      const also = others.length > 0 ? ` Also not ready: ${others.join(', ')}.` : '';
      const summary = `Not ready: ${parts.join('; ')}; fix that dependency first.${also}`;
      return fail('readiness', root.cause!, summary, { ...evidence, confidence: reported.length > 0 ? 'high' : 'medium' });
    }
    const unsure = findings.filter((f) => f.state === 'unknown');
    if (unsure.length > 0) {
      return unknown('readiness', `Could not tell whether ${unsure.map((f) => `${f.service} (${f.cause})`).join(', ')} is ready; the others are.`, evidence, unsure[0]!.cause);
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
