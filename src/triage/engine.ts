/**
 * The triage engine as every caller builds it (the terminal's `triage` and `bundle`, `demo`,
 * the worker): the Caracal client from its settings, the redactor knowing the configured
 * secrets, and sessions whose deadlines fit the configured per-call timeout. One place, so no
 * caller forgets a part (a session without the timeout gives a slow Caracal the default
 * deadlines and reports it unreachable).
 */
import { DEFAULT_BUDGET_PER_MINUTE, localCallBudget, type CallBudget } from '../caracal/budget';
import type { CaracalClient } from '../caracal/client-api';
import { createCaracalClient } from '../caracal/client';
import type { CaracalConfig } from '../caracal/config';
import { createSharedReadCache } from '../caracal/shared-cache';
import { createRedactor, type Redactor } from '../redact/redact';
import type { TriageInput } from './record';
import { createTriageSession, sessionDeadlineMs } from './session';
import type { CreateTriageSession, TriageSession } from './session-api';

export interface TriageEngineOptions {
  /**
   * Share deployment-level reads (readiness, zones, grants…) among this process's triages for
   * this long (ms; src/caracal/shared-cache.ts): fewer calls against Caracal's per-IP rate limit
   * during an incident. Absent (the terminal) or 0: every read calls Caracal.
   */
  shareReadsForMs?: number;
  /**
   * The Admin API call budget (src/caracal/budget.ts): the bot's processes share one in Redis;
   * absent (the terminal), one in this process at `caracal.budgetPerMinute`. Sessions do not
   * count time spent waiting for it against their deadlines.
   */
  budget?: CallBudget;
  /** The deployment this engine reads (src/triage/deployments.ts): named in reports and the bundle's config summary. */
  deployment?: string;
}

export interface TriageEngine {
  /** The deployment it reads, when it was built for one (src/triage/deployments.ts). */
  readonly deployment: string | null;
  /** What sessions read Caracal through (the shared reads, when asked for). */
  readonly client: CaracalClient;
  /** The same client reading past any shared read ("Fixed, re-check" must see the fix). */
  readonly freshClient: CaracalClient;
  /** Redacts with the built-in rules and the configured secrets. */
  readonly redactor: Redactor;
  /** A session over the client given (`client` or `freshClient`); everything it returns is redacted. */
  readonly createSession: CreateTriageSession;
  /** A session over `client`. */
  session(input: TriageInput): TriageSession;
  /** The Admin API call budget every call of `client` takes from. */
  readonly budget: CallBudget;
  /**
   * The deny watcher's client (made once): the same Caracal and budget, taken in the slice kept
   * for the watcher (`reservePerMinute`, src/caracal/budget.ts forWatcher), and no shared reads
   * (its windows are its own), so its polls never queue behind a storm's triages.
   */
  watcherClient(reservePerMinute: number): CaracalClient;
  /** Closes the clients' connection pools (waits for calls in flight). */
  close(): Promise<void>;
}

export function createTriageEngine(caracal: CaracalConfig, secrets: readonly string[], opts: TriageEngineOptions = {}): TriageEngine {
  const budget = opts.budget ?? localCallBudget(caracal.budgetPerMinute ?? DEFAULT_BUDGET_PER_MINUTE);
  const handle = createCaracalClient(caracal, { budget });
  const shared = opts.shareReadsForMs !== undefined ? createSharedReadCache(handle, { ttlMs: opts.shareReadsForMs, stall: budget.pressure }) : null;
  const redactor = createRedactor([...secrets]);
  // A step may chain calls: give each bundle item and step room for a call and its retry at
  // the configured per-call timeout.
  const timeoutMs = sessionDeadlineMs(caracal.timeoutMs);
  const createSession: CreateTriageSession = (client, input) => createTriageSession(client, input, { redactor, timeoutMs, changesWindowMs: caracal.changesWindowMs, stall: budget, deployment: opts.deployment });
  const client = shared ?? handle;
  let watcher: ReturnType<typeof createCaracalClient> | null = null;
  return {
    deployment: opts.deployment ?? null,
    client,
    freshClient: shared?.fresh ?? handle,
    redactor,
    createSession,
    session: (input) => createSession(client, input),
    budget,
    watcherClient: (reserve) => (watcher ??= createCaracalClient(caracal, { budget: budget.forWatcher(reserve) })),
    close: async () => {
      await Promise.all([handle.close(), watcher?.close()]);
    },
  };
}
