/**
 * One triage, or one bundle, run to its end the way every in-process caller runs it (the
 * terminal's `triage` and `bundle`, the MCP tools), so each hands out the same object for the
 * same input: the pasted error redacted before the session keeps it, the engine's reads, and
 * the outcomes that mean the triage could not run at all:
 *
 *   - Caracal rejected the admin token outright (every Admin API read answered 401; one
 *     endpoint's 401 only makes the steps that need it unknown);
 *   - a zone-scoped token with no zones to search cannot locate any request (a configuration
 *     problem, not a clean bill of health).
 *
 * A Caracal that cannot be reached is a finding (readiness fails), not a failure to run. The
 * engine is the caller's: nothing here closes it.
 */
import { CaracalApiError } from '../caracal/errors';
import { outsideText } from '../render/outside-text';
import type { TriageEngine } from './engine';
import type { BundleItem, TriageReport } from './model';
import type { TriageInput } from './record';

/** The value, or one sentence saying why the work could not run (safe to print; no secret). */
export type RunOutcome<T> = { ok: true; value: T } | { ok: false; problem: string };

/** `caracal-triage bundle --json`: the same items and redaction count as a triage's `bundle`. */
export interface BundleReport {
  /** The zone as given (ID, slug or name), or null. */
  zoneId: string | null;
  items: BundleItem[];
  redactions: number;
  /** The Caracal deployment read, when the engine names one. */
  deployment?: string;
}

/** The sentence for an admin token Caracal rejected outright (the code is Caracal's, e.g. `invalid_admin_token`). */
export function adminTokenRejected(e: CaracalApiError): string {
  return `Caracal rejected CARACAL_ADMIN_TOKEN (${e.status} ${outsideText(e.code)} on every Admin API read). Mint a read token with POST /v1/admin-tokens {"name":"triage-bot","scope":"global","capability":"read"} and set it.`;
}

/** The input as a session keeps it: the pasted error and its route redacted with the engine's secrets. */
function redactedInput(engine: TriageEngine, input: TriageInput): TriageInput {
  return {
    ...input,
    error: input.error === null ? null : engine.redactor.redactText(input.error).text,
    errorRoute: input.errorRoute ? engine.redactor.redact(input.errorRoute).value : null,
  };
}

export async function runTriage(engine: TriageEngine, input: TriageInput): Promise<RunOutcome<TriageReport>> {
  const session = engine.session(redactedInput(engine, input));
  let report: TriageReport;
  try {
    report = await session.run();
  } catch (e) {
    // run() rejects only when the admin token was rejected outright.
    if (e instanceof CaracalApiError) return { ok: false, problem: adminTokenRejected(e) };
    throw e;
  }
  const trace = report.steps.find((s) => s.id === 'request_trace');
  if (report.requestId && trace?.cause === 'admin_token_zone_mismatch') return { ok: false, problem: outsideText(trace.summary) };
  return { ok: true, value: engine.deployment ? { ...report, deployment: engine.deployment } : report };
}

export async function runBundle(engine: TriageEngine, zone: string | null): Promise<RunOutcome<BundleReport>> {
  const session = engine.session({ requestId: null, zoneId: zone, symptom: null, error: null, errorRoute: null });
  const bundle = await session.collectBundle();
  const rejected = session.adminTokenRejection();
  if (rejected) return { ok: false, problem: adminTokenRejected(rejected) };
  return { ok: true, value: { zoneId: zone, items: bundle.items, redactions: bundle.redactions, ...(engine.deployment ? { deployment: engine.deployment } : {}) } };
}
