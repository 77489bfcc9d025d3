/**
 * How callers (CLI, BullMQ worker, demo) drive the engine. A session memoizes every Caracal
 * call it makes, so steps collected in one process share evidence (the zone search runs once);
 * a new session after a crash or retry fetches again what it needs, so nothing here has to
 * be persisted except the step results themselves.
 */
import type { CaracalClient } from '../caracal/client-api';
import type { CaracalApiError } from '../caracal/errors';
import type { TriageInput } from './record';
import type { Change } from './changes/change';
import type { NameBook } from './names';
import type { Bundle, Diagnosis, StepId, StepResult, Surface, Symptom, TriageReport } from './model';

export interface TriageConclusion {
  zoneId: string | null;
  symptom: Symptom | null;
  surface: Surface | null;
  diagnosis: Diagnosis | null;
  /** Admin changes before the denial, ranked (from the bundle's `recent_changes`; empty without a bundle). */
  changes: Change[];
}

export interface TriageSession {
  readonly input: TriageInput;
  /** Collect evidence for one step and judge it. Never throws: failures become `unknown` with the reason. Result is redacted. */
  runStep(step: StepId): Promise<StepResult>;
  /** The seven bundle items, collected in parallel, each with its own timeout. Redacted. */
  collectBundle(): Promise<Bundle>;
  /**
   * The 401 that shows Caracal rejected the admin token outright (every Admin API read this
   * session made so far answered 401, none anything else), or null. Read it after `runStep`
   * or `collectBundle`; `run()` rejects with it itself.
   */
  adminTokenRejection(): CaracalApiError | null;
  /**
   * Pure: surface, symptom and diagnosis from step results (and the located zone), and, given the
   * triage's bundle, the changes before the denial and the one the evidence names as the cause.
   */
  conclude(steps: StepResult[], bundle?: Bundle | null): TriageConclusion;
  /** What people call the zones, applications, resources and policy sets this triage read (redacted). */
  names(): Promise<NameBook>;
  /** Everything: all steps (in parallel where evidence allows) + bundle + conclusion. */
  run(): Promise<TriageReport>;
}

export type CreateTriageSession = (client: CaracalClient, input: TriageInput) => TriageSession;
