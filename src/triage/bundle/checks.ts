/**
 * Doctor-style checks (`{section, check, status, detail}`) that bundle items are
 * made of, and how an item's status follows from its checks. `unknown` marks a check that
 * could not run (e.g. a read token cannot simulate); it never makes an item fail.
 */
import type { BundleItem, BundleItemId, BundleStatus, Evidence } from '../model';
import type { Failure } from '../evidence-model';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'unknown';

export interface Check {
  check: string;
  status: CheckStatus;
  detail: string;
}

export const check = (name: string, status: CheckStatus, detail: string): Check => ({ check: name, status, detail });

/** Worst of the checks that ran; `unavailable` when none could run. */
export function statusOf(checks: readonly Check[]): BundleStatus {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  if (checks.some((c) => c.status === 'ok')) return 'ok';
  return 'unavailable';
}

export function countLine(checks: readonly Check[]): string {
  const by = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  const parts = [`${by('ok')} ok`];
  if (by('warn')) parts.push(`${by('warn')} warn`);
  if (by('fail')) parts.push(`${by('fail')} fail`);
  if (by('unknown')) parts.push(`${by('unknown')} could not run`);
  return parts.join(', ');
}

export function item(id: BundleItemId, status: BundleStatus, summary: string, evidence: Evidence = {}): BundleItem {
  return { id, status, summary, evidence };
}

/** An item whose data could not be read: the failure's code is at the top of the evidence (the CLI reads it). */
export function unavailable(id: BundleItemId, summary: string, failure?: Failure, extra: Evidence = {}): BundleItem {
  return item(
    id,
    'unavailable',
    summary,
    failure
      ? { code: failure.code, kind: failure.kind, ...(failure.status ? { status: failure.status } : {}), ...(failure.reason ? { reason: failure.reason } : {}), message: failure.message, ...extra }
      : extra,
  );
}
