/** What every bundle collector reads from: the session's memoized evidence and its input. */
import type { EvidenceGatherer } from '../evidence';
import type { BundleItem } from '../model';
import type { RoutedError } from '../routing';
import type { Symptom } from '../model';

export interface BundleSource {
  /** Shared with the triage steps, so no Caracal call is made twice. */
  gatherer: EvidenceGatherer;
  requestId: string | null;
  zoneId: string | null;
  symptom: Symptom | null;
  error: RoutedError | null;
  now: () => Date;
  /** How far before the denial `recent_changes` reads the admin audit (ms; default 24 h). */
  changesWindowMs?: number;
  /** The Caracal deployment read (src/triage/deployments.ts), for the config summary; absent: not named. */
  deployment?: string;
}

export type Collector = (source: BundleSource) => Promise<BundleItem>;
