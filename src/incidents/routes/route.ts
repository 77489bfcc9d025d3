/**
 * Where an incident's card goes. The generic hook names its channel; every other incident is
 * matched against the routes in order (first match wins), then TRIAGE_DEFAULT_CHANNEL. No
 * match and no default is `unroutable` (the route answers 422 and logs the facts). Pure.
 */
import type { ChannelAddress, ChatPlatformsInUse } from '../channel';
import type { IncidentTriage, RoutingFacts } from '../incident';
import type { MatchKey } from './format';
import type { EscalationTargets } from '../../triage/record';
import type { IncidentRoute, RoutingTable } from './load';

export type RouteDecision =
  | {
      ok: true;
      to: ChannelAddress;
      by: { kind: 'route'; index: number; name: string | null } | { kind: 'default' } | { kind: 'payload' };
      /** The route's `escalate:`; absent when no route with one decided (TRIAGE_ESCALATE applies). */
      escalate?: EscalationTargets;
    }
  | { ok: false; reason: 'unroutable' | 'platform_not_configured'; message: string };

const CASE_INSENSITIVE: ReadonlySet<MatchKey> = new Set(['source', 'severity', 'tier']);

function factValues(facts: RoutingFacts, key: MatchKey): string[] {
  switch (key) {
    case 'service':
      return facts.service ? [facts.service.id, ...(facts.service.name ? [facts.service.name] : [])] : [];
    default: {
      const v = facts[key];
      return v ? [v] : [];
    }
  }
}

export function routeMatches(route: Pick<IncidentRoute, 'match'>, facts: RoutingFacts): boolean {
  for (const [key, wanted] of Object.entries(route.match) as Array<[MatchKey, string[] | undefined]>) {
    if (!wanted) continue;
    const fold = CASE_INSENSITIVE.has(key);
    const have = factValues(facts, key).map((v) => (fold ? v.toLowerCase() : v));
    if (!wanted.some((w) => have.includes(fold ? w.toLowerCase() : w))) return false;
  }
  return true;
}

/** One line describing the facts, for the "unroutable" log line and answer. */
export function describeFacts(f: RoutingFacts): string {
  const parts = [`source=${f.source}`];
  if (f.alertname) parts.push(`alertname=${f.alertname}`);
  if (f.severity) parts.push(`severity=${f.severity}`);
  if (f.component) parts.push(`component=${f.component}`);
  if (f.service) parts.push(`service=${f.service.id}${f.service.name ? ` (${f.service.name})` : ''}`);
  if (f.zone) parts.push(`zone=${f.zone}`);
  if (f.tier) parts.push(`tier=${f.tier}`);
  if (f.application) parts.push(`application=${f.application}`);
  if (f.resource) parts.push(`resource=${f.resource}`);
  if (f.reason) parts.push(`reason=${f.reason}`);
  return parts.join(' ');
}

export function routeIncident(table: RoutingTable, facts: RoutingFacts): RouteDecision {
  const hit = table.routes.find((r) => routeMatches(r, facts));
  if (hit) return { ok: true, to: hit.to, by: { kind: 'route', index: hit.index, name: hit.name }, ...(hit.escalate ? { escalate: hit.escalate } : {}) };
  if (table.defaultChannel) return { ok: true, to: table.defaultChannel, by: { kind: 'default' } };
  const where = table.file ? `no route in ${table.file} matches` : 'no TRIAGE_ROUTES_FILE is set';
  return { ok: false, reason: 'unroutable', message: `${where} ${describeFacts(facts)}, and TRIAGE_DEFAULT_CHANNEL is not set` };
}

/** The destination of one incident: the generic hook's own channel (on a platform this bot runs), else the routes. */
export function destinationFor(t: Pick<IncidentTriage, 'channel' | 'routing'>, table: RoutingTable, platforms: ChatPlatformsInUse): RouteDecision {
  if (t.channel) {
    const problem = platforms.addresses.unconfigured(t.channel, platforms.running);
    if (problem) return { ok: false, reason: 'platform_not_configured', message: `channel ${platforms.addresses.format(t.channel)}: ${problem}` };
    return { ok: true, to: t.channel, by: { kind: 'payload' } };
  }
  return routeIncident(table, t.routing);
}
