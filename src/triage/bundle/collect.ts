/**
 * The diagnostic bundle: seven items collected in parallel, each under its own deadline, so a
 * dead or slow Caracal service makes one item `unavailable` (with the reason), never the
 * whole bundle. Collectors share the session's memoized evidence. Redaction happens in the
 * session, which also counts it.
 */
import { describeError } from '../../caracal/errors';
import type { BundleItem, BundleItemId } from '../model';
import { BUNDLE_ITEM_IDS } from '../model';
import { unavailable } from './checks';
import { collectConfigSummary } from './collectors/config-summary';
import { collectPreflight } from './collectors/preflight';
import { collectProviderBinding } from './collectors/provider-binding';
import { collectReadiness } from './collectors/readiness';
import { collectRecentChanges } from './collectors/recent-changes';
import { collectRequestTrace } from './collectors/request-trace';
import { collectZones } from './collectors/zones';
import type { BundleSource, Collector } from './source';
import { DeadlineExceeded, withDeadline, type StallClock } from '../../time/race';

export const COLLECTORS: Record<BundleItemId, Collector> = {
  config_summary: collectConfigSummary,
  readiness: collectReadiness,
  zones: collectZones,
  preflight: collectPreflight,
  provider_binding: collectProviderBinding,
  request_trace: collectRequestTrace,
  recent_changes: collectRecentChanges,
};

export const DEFAULT_ITEM_TIMEOUT_MS = 5000;

async function collectOne(id: BundleItemId, source: BundleSource, timeoutMs: number, stall?: StallClock): Promise<BundleItem> {
  try {
    return await withDeadline(COLLECTORS[id](source), timeoutMs, id, stall);
  } catch (e) {
    if (e instanceof DeadlineExceeded) {
      return unavailable(id, `Timed out after ${timeoutMs} ms; a Caracal service is slow or not answering.`, { kind: 'transport', code: 'timeout', message: e.message });
    }
    const d = describeError(e);
    return unavailable(id, `Could not be collected: ${d.message}`, d);
  }
}

/** Items in their stable order; time waiting for the Caracal call budget (`stall`) does not count against an item. */
export async function collectBundleItems(source: BundleSource, timeoutMs = DEFAULT_ITEM_TIMEOUT_MS, stall?: StallClock): Promise<BundleItem[]> {
  // Start the request lookup before any collector: it heads the longest chain of dependent
  // calls (zones → explain → grants/provider/simulate), so its explain calls should be first
  // in line for connections once the zone list arrives, ahead of the per-zone Doctor checks.
  void source.gatherer.get('location');
  return Promise.all(BUNDLE_ITEM_IDS.map((id) => collectOne(id, source, timeoutMs, stall)));
}
