/** What the Slack listeners need; built once by createSlackApp. */
import type { Logger } from 'pino';
import type { Redactor } from '../../../src/bundle/redact';
import type { TriageService } from '../../../src/triage/service-api';
import type { IngressMetrics } from '../../../src/server/metrics';
import type { ReadinessReport } from '../../../src/server/readiness';
import type { SlackAuthorizer } from '../authz';
import type { SlackIdentityResolver } from '../identity';

export interface SlackHandlerDeps {
  service: TriageService;
  /** TRIAGE_SIGNING_KEY: verifies button payloads. */
  signingKey: string;
  authz: SlackAuthorizer;
  identity: SlackIdentityResolver;
  metrics: IngressMetrics;
  logger: Logger;
  incidentChannelPattern: RegExp;
  /** Readiness of the web process, for `/caracal status`. */
  readiness?: () => Promise<ReadinessReport>;
  /** Redacts pasted error bodies before they are stored (tokens people paste along). */
  redactor: Redactor;
  /** How long service.start may take before the ack goes out anyway (ms). */
  startTimeoutMs: number;
}

/** Resolves with the promise's value, or with `undefined` once `ms` have passed. */
export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]);
}
