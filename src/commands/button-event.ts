/** Turns a verified button claim into the machine event it stands for (platform-free). */
import type { Actor } from '../triage/record';
import type { UserEvent } from '../ingress/service-api';
import type { ButtonClaim } from './button-token';

export function eventFromClaim(claim: ButtonClaim, actor: Actor): UserEvent | null {
  const expectedVersion = claim.version;
  switch (claim.action) {
    case 'recheck':
      return claim.step ? { type: 'recheck', actor, step: claim.step, expectedVersion } : { type: 'recheck', actor, expectedVersion };
    case 'skip':
      return claim.step ? { type: 'skip', actor, step: claim.step, expectedVersion } : { type: 'skip', actor, expectedVersion };
    case 'next':
      return { type: 'next', actor, expectedVersion };
    case 'escalate':
      return { type: 'escalate', actor, expectedVersion };
    case 'resolve':
      return { type: 'resolve', actor, expectedVersion };
    case 'retry':
      return { type: 'retry', actor, expectedVersion };
    case 'symptom':
      return claim.symptom ? { type: 'symptom_chosen', actor, symptom: claim.symptom, expectedVersion } : null;
    case 'export':
      // Not an event: the flow answers it with the postmortem, changing nothing.
      return null;
  }
}
