/**
 * A triage session (session-api.ts): the eight steps and the bundle over one memoized
 * evidence gatherer, so every Caracal call is made at most once, and everything that leaves
 * the session is redacted. An unreachable or unreadable API is a finding (readiness fails,
 * surface infrastructure); a 401 or 403 on one endpoint makes the steps that need it `unknown`
 * with that code. The one thing that stops a triage is the API rejecting the bot's admin token
 * outright (every Admin API answer a 401: admin-token.ts): `run()` rejects with that
 * `CaracalApiError` (the CLI exits 2), `runStep` answers `unknown` with cause
 * `admin_token_rejected`.
 */
import type { CaracalClient } from '../caracal/client-api';
import { describeError, type CaracalApiError } from '../caracal/errors';
import { collectBundleItems, DEFAULT_ITEM_TIMEOUT_MS } from './bundle/collect';
import { createRedactor, type Redactor } from '../redact/redact';
import { DeadlineExceeded, withDeadline, type StallClock } from '../time/race';
import { AdminTokenWatch, watchAdminToken } from './admin-token';
import { CallCache } from './call-cache';
import { concludeChanges } from './changes/conclude';
import { diagnose, inferSymptom, reportSurface, zoneFromSteps } from './diagnosis';
import { createEvidenceGatherer } from './evidence';
import { emptyNames, type NameBook } from './names';
import { namesFrom } from './names-read';
import type { JudgeContext } from './evidence-model';
import type { TriageInput } from './record';
import { headlineOf } from './headline';
import { STEP_IDS, type Bundle, type StepId, type StepResult, type TriageReport } from './model';
import { routeError } from './routing';
import type { TriageConclusion, TriageSession } from './session-api';
import { STEPS } from './steps';
import { unknown } from './steps/step';

export interface TriageSessionOptions {
  /** Redacts everything the session returns (default: the built-in rules, no extra known secrets). */
  redactor?: Redactor;
  now?: () => Date;
  /** Deadline per bundle item (default 5 s); a step gets three times as long, since it may chain calls. */
  timeoutMs?: number;
  /** How far before the denial `recent_changes` reads the admin audit (ms; TRIAGE_CHANGES_WINDOW, default 24 h). */
  changesWindowMs?: number;
  /** Time spent waiting for the Caracal call budget, which step and item deadlines do not count (src/caracal/budget.ts). */
  stall?: StallClock;
  /** The deployment the client reads (named in the bundle's config summary). */
  deployment?: string;
}

/**
 * Deadlines for bundle items and steps that fit the per-call timeout: an item waits for up to
 * two chained calls, a step (three item deadlines) for a few more. The default covers the
 * default CARACAL_TIMEOUT_MS; a longer one stretches them, so a slow Caracal is still read.
 */
export function sessionDeadlineMs(callTimeoutMs: number): number {
  return Math.max(DEFAULT_ITEM_TIMEOUT_MS, 2 * callTimeoutMs + 500);
}

export function createTriageSession(client: CaracalClient, input: TriageInput, opts: TriageSessionOptions = {}): TriageSession {
  const redactor = opts.redactor ?? createRedactor();
  const now = opts.now ?? (() => new Date());
  const itemTimeoutMs = opts.timeoutMs ?? DEFAULT_ITEM_TIMEOUT_MS;
  const stepTimeoutMs = itemTimeoutMs * 3;

  // Routed where the text came in (input.errorRoute); records stored before that was carried route here.
  const routed = input.errorRoute ?? (input.error ? routeError(input.error) : null);
  const requestId = input.requestId ?? routed?.requestId ?? null;
  const symptom = input.symptom ?? routed?.symptom ?? null;
  const calls = new CallCache();
  const tokenWatch = new AdminTokenWatch();
  const gatherer = createEvidenceGatherer(watchAdminToken(client, tokenWatch), { requestId, zoneId: input.zoneId, symptom }, calls);
  /** Where the request was found; known once any step or item has read the location. */
  let locatedZone: string | null = input.zoneId;

  const context = (): JudgeContext => ({ requestId, zoneId: input.zoneId, symptom, error: routed, now: now() });

  const tokenRejected = (id: StepId, e: CaracalApiError): StepResult =>
    unknown(id, `The Caracal API rejected the bot’s admin token (${e.status} ${e.code} on every read); nothing could be checked. Set a valid CARACAL_ADMIN_TOKEN.`, {}, 'admin_token_rejected');

  /** Judges one step from its evidence; whether the token was rejected outright is the caller's question. */
  async function judge(id: StepId): Promise<StepResult> {
    const step = STEPS[id];
    try {
      const evidence = await withDeadline(gatherer.gather(step.needs), stepTimeoutMs, id, opts.stall);
      if ('location' in evidence) locatedZone = evidence.location.zoneId;
      return step.judge(evidence, context());
    } catch (e) {
      if (e instanceof DeadlineExceeded) return unknown(id, `Evidence did not arrive within ${stepTimeoutMs} ms; a Caracal service is slow or not answering.`, {}, 'timeout');
      // A judge bug must not take the triage down: report it as a step that could not be checked.
      const d = describeError(e);
      return unknown(id, `This step could not be evaluated: ${d.message}`, { error: d }, d.code);
    }
  }

  async function collectRedactedBundle(): Promise<Bundle> {
    const items = await collectBundleItems({ gatherer, requestId, zoneId: input.zoneId, symptom, error: routed, now, changesWindowMs: opts.changesWindowMs, deployment: opts.deployment }, itemTimeoutMs, opts.stall);
    locatedZone = gatherer.peek('location')?.zoneId ?? locatedZone;
    const r = redactor.redact(items);
    return { items: r.value, redactions: r.count };
  }

  /** The diagnosis, and what the bundle's `recent_changes` says changed before it (the change it names, if any, in its summary). */
  function conclude(steps: StepResult[], bundle: Bundle | null): TriageConclusion {
    const effective = symptom ?? inferSymptom(steps);
    const found = diagnose(steps, effective);
    const changes = concludeChanges(found, bundle);
    const diagnosis = found && { ...found, summary: changes.sentence ? `${found.summary} ${changes.sentence}` : found.summary, change: changes.change };
    return { zoneId: zoneFromSteps(steps) ?? locatedZone, symptom: effective, surface: reportSurface(diagnosis, effective), diagnosis, changes: changes.changes };
  }

  /** Names of what was read, within one step's deadline (none rather than a late triage). */
  async function names(): Promise<NameBook> {
    try {
      return redactor.redact(await withDeadline(namesFrom(gatherer), stepTimeoutMs, 'names')).value;
    } catch {
      return emptyNames();
    }
  }

  return {
    input,
    names,
    async runStep(id) {
      const result = await judge(id);
      // Decided on what this session has read so far; chat steps run one at a time, readiness first.
      const rejected = tokenWatch.outrightRejection;
      return redactor.redact(rejected ? tokenRejected(id, rejected) : result).value;
    },
    collectBundle: collectRedactedBundle,
    adminTokenRejection: () => tokenWatch.outrightRejection,
    conclude(steps, bundle = null) {
      return redactor.redact(conclude(steps, bundle)).value;
    },
    async run(): Promise<TriageReport> {
      const [steps, bundle] = await Promise.all([Promise.all(STEP_IDS.map(judge)), collectRedactedBundle()]);
      const book = await names();
      // Decided once everything was read, so an early 401 is not taken for the whole picture.
      const rejected = tokenWatch.outrightRejection;
      if (rejected) throw rejected;
      const conclusion = conclude(steps, bundle);
      const report: TriageReport = {
        requestId,
        zoneId: conclusion.zoneId,
        symptom: conclusion.symptom,
        surface: conclusion.surface,
        diagnosis: conclusion.diagnosis,
        changes: conclusion.changes,
        headline: headlineOf({ steps, diagnosis: conclusion.diagnosis, requestId, zoneId: conclusion.zoneId }),
        steps: steps.map((s) => ({ id: s.id, verdict: s.verdict, summary: s.summary, ...(s.cause ? { cause: s.cause } : {}), evidence: s.evidence })),
        bundle,
        names: book,
      };
      // The bundle is already redacted (and counted); this pass covers steps and diagnosis.
      return redactor.redact(report).value;
    },
  };
}
