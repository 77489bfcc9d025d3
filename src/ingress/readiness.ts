/**
 * Readiness as a list of named checks run in parallel, each with a timeout, so /readyz
 * answers quickly and says which dependency is missing.
 */
import { within } from '../time/race';

export interface ReadinessCheck {
  name: string;
  /** Resolves when ready; rejects (or returns a reason string) when not. */
  check: () => Promise<void | string>;
}

export interface ReadinessResult {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: ReadinessResult[];
}

export async function runReadiness(checks: ReadinessCheck[], timeoutMs = 1500): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }): Promise<ReadinessResult> => {
      try {
        const reason = await within(check().then((r) => r ?? 'ok'), timeoutMs);
        if (reason === undefined) return { name, ok: false, detail: `no answer within ${timeoutMs} ms` };
        return reason === 'ok' ? { name, ok: true } : { name, ok: false, detail: reason };
      } catch (e) {
        return { name, ok: false, detail: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
  return { ready: results.every((r) => r.ok), checks: results };
}
