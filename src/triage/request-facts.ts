/**
 * What the located request is about, derived from its trace and the zone's resources: the STS
 * decision, the resource it named, the application, requested and minted scopes, and what the
 * Gateway answered. Several judges need the same facts, so they are derived once, here. Pure.
 */
import type { Fetched, Location, ResourceView } from './evidence-model';
import { gatewayEvents, isUseExchange, mintedScopes, stsDecision, type Trace, type TraceEvent } from './trace';

export interface RequestFacts {
  trace: Trace;
  /** The STS decision row: the causal denial, else the token-exchange allow. */
  sts: TraceEvent | null;
  resourceIdentifier: string | null;
  /** The zone's resource with that identifier (active ones first); null when none matches. */
  resource: ResourceView | null;
  applicationId: string | null;
  requestedScopes: string[] | null;
  mintedScopes: string[] | null;
  /** STS allowed the Gateway's use-exchange for this call (which records no scopes). */
  useExchange: TraceEvent | null;
  gateway: TraceEvent[];
}

export function resourceByIdentifier(resources: ResourceView[], identifier: string | null): ResourceView | null {
  if (!identifier) return null;
  const matching = resources.filter((r) => r.identifier === identifier);
  return matching.find((r) => !r.archived_at) ?? matching[0] ?? null;
}

export function requestFacts(location: Location, resources?: Fetched<ResourceView[]>): RequestFacts | null {
  const trace = location.trace;
  if (!trace) return null;
  const sts = stsDecision(trace);
  const gateway = gatewayEvents(trace);
  // The Gateway's replay row names the resource too, when no exchange happened.
  const resourceIdentifier = sts?.resource ?? gateway.find((g) => g.resource)?.resource ?? trace.events.find((e) => e.resource)?.resource ?? null;
  const applicationId = sts?.applicationId ?? trace.events.find((e) => e.applicationId)?.applicationId ?? null;
  return {
    trace,
    sts,
    resourceIdentifier,
    resource: resources?.ok ? resourceByIdentifier(resources.value, resourceIdentifier) : null,
    applicationId,
    requestedScopes: sts?.requestedScopes ?? null,
    mintedScopes: mintedScopes(trace),
    useExchange: trace.events.find(isUseExchange) ?? null,
    gateway,
  };
}

/**
 * Levenshtein distance, to suggest the identifier, scope or zone a typo meant. Hand-written: a
 * dozen lines for the one fuzzy match the bot needs, where a package would add a dependency.
 */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a few edits, for "did you mean" hints; null when nothing is close. */
export function closest(value: string, candidates: readonly string[]): string | null {
  let best: { c: string; d: number } | null = null;
  for (const c of candidates) {
    const d = distance(value, c);
    if (d > 0 && d <= 3 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c ?? null;
}

/** Up to `max` candidates within a few edits (a third of the value's length, at least 3), nearest first. */
export function nearest(value: string, candidates: readonly string[], max = 3): string[] {
  const folded = value.toLowerCase();
  const limit = Math.max(3, Math.floor(value.length / 3));
  return [...new Set(candidates)]
    .map((c) => ({ c, d: distance(folded, c.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}
