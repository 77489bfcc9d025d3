/**
 * Audit rows that appear over time: each streamed row joins its zone's audit once the real clock
 * passes its `ingested_at`, the way Caracal's audit service makes rows visible when it ingests
 * them. A row whose `ingested_at` is long after its `occurred_at` is a late arrival: Caracal's
 * list filters and pages by `occurred_at`, so a reader polling with too short an overlap misses
 * it. The scenario itself is never changed; `apply` returns it with the visible rows added.
 */
import type { AuditRowData, Scenario } from './types';

export interface AuditStream {
  add(rows: AuditRowData[], scenario: Scenario): void;
  /** The scenario with every streamed row visible at `now` in its zone. */
  apply(scenario: Scenario, now: number): Scenario;
  pending(now: number): number;
}

export function createAuditStream(): AuditStream {
  /** Not yet visible, by ingestion time (oldest first). */
  let waiting: Array<{ at: number; row: AuditRowData }> = [];
  const visible = new Map<string, AuditRowData[]>();
  let version = 0;
  let cached: { scenario: Scenario; version: number; value: Scenario } | null = null;

  function release(now: number): void {
    let n = 0;
    while (n < waiting.length && waiting[n]!.at <= now) n++;
    if (n === 0) return;
    for (const { row } of waiting.slice(0, n)) {
      const zone = String(row.zone_id);
      const list = visible.get(zone);
      if (list) list.push(row);
      else visible.set(zone, [row]);
    }
    waiting = waiting.slice(n);
    version++;
  }

  return {
    add(rows, scenario) {
      const zones = new Set(scenario.zones.map((z) => z.zone.id));
      for (const row of rows) {
        if (!zones.has(String(row.zone_id))) throw new Error(`streamAudit: zone ${String(row.zone_id)} is not one of the scenario's`);
        const at = Date.parse(String(row.ingested_at));
        if (Number.isNaN(at)) throw new Error(`streamAudit: row ${row.id} has no ingested_at`);
        waiting.push({ at, row });
      }
      waiting.sort((a, b) => a.at - b.at);
    },
    apply(scenario, now) {
      release(now);
      if (visible.size === 0) return scenario;
      if (cached && cached.scenario === scenario && cached.version === version) return cached.value;
      const value: Scenario = {
        ...scenario,
        zones: scenario.zones.map((z) => {
          const extra = visible.get(z.zone.id);
          return extra ? { ...z, audit: [...z.audit, ...extra] } : z;
        }),
      };
      cached = { scenario, version, value };
      return value;
    },
    pending(now) {
      release(now);
      return waiting.length;
    },
  };
}
