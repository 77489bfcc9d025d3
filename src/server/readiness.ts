/**
 * Readiness as a list of named checks run in parallel, each with a timeout, so /readyz
 * answers quickly and says which dependency is missing.
 */
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
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      });
      try {
        const reason = await Promise.race([check(), timeout]);
        return typeof reason === 'string' ? { name, ok: false, detail: reason } : { name, ok: true };
      } catch (e) {
        return { name, ok: false, detail: e instanceof Error ? e.message : String(e) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every((r) => r.ok), checks: results };
}
