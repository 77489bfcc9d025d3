/**
 * The simulated Admin API (`apps/api`): the read routes the bot uses, with Caracal's
 * admin-token rules (§1), path/query validation, keyset-style pagination and its error codes.
 */
import { activate, activationStatusNow, approvalReads, decideApproval, policySetsNow, simulate, type SimActs } from './acts';
import { err, json, type RouteContext, type RouteResult } from './http';
import { explain, publicRow, rowsForRequest } from './trace';
import type { Scenario, ZoneData } from './types';

export interface AdminToken {
  scope: 'global' | 'zone';
  zoneId?: string;
  capability: 'read' | 'write' | 'approve';
}

const ID = /^[A-Za-z0-9_.\-:]{1,128}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

type Item = Record<string, unknown>;
type ListKind = 'default' | 'audit';
const LIMITS: Record<ListKind, { def: number; max: number }> = { default: { def: 200, max: 500 }, audit: { def: 100, max: 1000 } };

class QueryError extends Error {
  constructor(readonly code: 'invalid_query' | 'invalid_cursor' | 'invalid_params') {
    super(code);
  }
}

/** `{items, next_cursor}`: the cursor is opaque base64url JSON, non-null only when the page came back full. */
function paginate(items: Item[], q: URLSearchParams, kind: ListKind, pageSize: number | undefined): RouteResult {
  const { def, max } = LIMITS[kind];
  let limit = def;
  const rawLimit = q.get('limit');
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > max) throw new QueryError('invalid_query');
    limit = Number(rawLimit);
  }
  if (pageSize !== undefined) limit = Math.min(limit, pageSize);
  let offset = 0;
  const cursor = q.get('cursor');
  if (cursor !== null) {
    try {
      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
      if (typeof decoded.o !== 'number' || !Number.isInteger(decoded.o) || decoded.o < 0) throw new Error('bad');
      offset = decoded.o;
    } catch {
      throw new QueryError('invalid_cursor');
    }
  }
  const page = items.slice(offset, offset + limit);
  const last = page[page.length - 1];
  const next_cursor =
    page.length === limit && last
      ? Buffer.from(JSON.stringify({ ts: last.occurred_at ?? last.created_at ?? null, id: last.id ?? null, o: offset + limit })).toString('base64url')
      : null;
  return json(200, { items: page, next_cursor });
}

function byField<T extends Item>(items: T[], q: URLSearchParams, fields: string[]): T[] {
  return items.filter((it) => fields.every((f) => q.get(f) === null || it[f] === q.get(f)));
}

function auditList(zone: ZoneData, q: URLSearchParams, pageSize: number | undefined): RouteResult {
  for (const k of ['since', 'until']) {
    const v = q.get(k);
    if (v !== null && !DATETIME.test(v)) throw new QueryError('invalid_query');
  }
  const decision = q.get('decision');
  if (decision !== null && !['allow', 'deny', 'partial'].includes(decision)) throw new QueryError('invalid_query');
  const types = q.get('event_type')?.split(',').filter(Boolean);
  if (types && types.length > 16) throw new QueryError('invalid_query');
  const since = q.get('since');
  const until = q.get('until');
  const meta = (r: ZoneData['audit'][number], k: string): unknown => (r.metadata_json as Item | null | undefined)?.[k];
  const rows = zone.audit
    .filter((r) => q.get('request_id') === null || r.request_id === q.get('request_id'))
    .filter((r) => decision === null || r.decision === decision)
    .filter((r) => !types || types.includes(String(r.event_type)))
    .filter((r) => q.get('application_id') === null || meta(r, 'application_id') === q.get('application_id'))
    .filter((r) => q.get('session_id') === null || meta(r, 'agent_session_id') === q.get('session_id'))
    .filter((r) => q.get('authority_record_id') === null || meta(r, 'session_id') === q.get('authority_record_id'))
    .filter((r) => since === null || Date.parse(r.occurred_at) >= Date.parse(since))
    .filter((r) => until === null || Date.parse(r.occurred_at) < Date.parse(until))
    .sort((a, b) => b.occurred_at.localeCompare(a.occurred_at) || b.id.localeCompare(a.id))
    .map(publicRow);
  return paginate(rows, q, 'audit', pageSize);
}

/** `GET …/admin-audit`: since/until (RFC 3339), actor_id, entity_type, entity_id, a write method; newest first. */
function adminAuditList(zone: ZoneData, q: URLSearchParams, pageSize: number | undefined): RouteResult {
  for (const k of ['since', 'until']) {
    const v = q.get(k);
    if (v !== null && !DATETIME.test(v)) throw new QueryError('invalid_query');
  }
  const method = q.get('method');
  if (method !== null && !['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) throw new QueryError('invalid_query');
  const since = q.get('since');
  const until = q.get('until');
  const rows = byField(zone.adminAudit ?? [], q, ['actor_id', 'entity_type', 'entity_id', 'method'])
    .filter((r) => since === null || Date.parse(r.occurred_at) >= Date.parse(since))
    .filter((r) => until === null || Date.parse(r.occurred_at) < Date.parse(until))
    .sort((a, b) => b.occurred_at.localeCompare(a.occurred_at) || b.id.localeCompare(a.id));
  return paginate(rows, q, 'audit', pageSize);
}

/** The overview's application counts, as the API computes them (unarchived; `expires_at` against its own clock). */
function applicationCounts(zone: ZoneData, now: number): { total: number; expired: number; expiring_soon: number } {
  const week = 7 * 86400 * 1000;
  const live = zone.applications.filter((a) => !a.archived_at);
  const expiry = (a: ZoneData['applications'][number]) => (typeof a.expires_at === 'string' ? Date.parse(a.expires_at) : NaN);
  return {
    total: live.length,
    expired: live.filter((a) => expiry(a) < now).length,
    expiring_soon: live.filter((a) => expiry(a) >= now && expiry(a) < now + week).length,
  };
}

function overview(zone: ZoneData, acts: SimActs): RouteResult {
  const active = policySetsNow(acts, zone).find((p) => p.active_version_id);
  const recent = [...zone.audit].sort((a, b) => b.occurred_at.localeCompare(a.occurred_at)).slice(0, 10);
  return json(200, {
    zone_id: zone.zone.id,
    generated_at: new Date().toISOString(),
    applications: applicationCounts(zone, Date.now()),
    resources: { total: zone.resources.length, unenforced: zone.resources.filter((r) => r.operation_enforcement !== 'enforced').length },
    providers: { total: zone.providers.length },
    policy_sets: { total: zone.policySets.length, enforcing: active ? 1 : 0, active_name: active?.name ?? null },
    sessions: { active: zone.sessions.filter((s) => s.status === 'active').length },
    decisions_24h: {
      allowed: zone.audit.filter((r) => r.decision === 'allow').length,
      denied: zone.audit.filter((r) => r.decision === 'deny').length,
    },
    recent_events: recent.map((r) => {
      const p = publicRow(r);
      return { id: p.id, event_type: p.event_type, request_id: p.request_id, decision: p.decision, metadata_json: p.metadata_json, occurred_at: p.occurred_at };
    }),
  });
}

function one(items: Item[], id: string, key: string, missing: string): RouteResult {
  const found = items.find((i) => i[key] === id);
  return found ? json(200, found) : err(404, missing);
}

/** Routes under `/v1/zones/{zoneId}/…`, after auth. `rest` is the path after the zone ID. */
function zoneRoute(ctx: RouteContext, zone: ZoneData, rest: string[], scenario: Scenario, token: AdminToken, acts: SimActs): RouteResult {
  const q = ctx.query;
  const ps = scenario.pageSize;
  const get = ctx.method === 'GET' || ctx.method === 'HEAD';
  for (const seg of rest) if (!ID.test(seg)) throw new QueryError('invalid_params');
  const [a, b, c, d] = rest;
  const n = rest.length;

  if (get) {
    if (n === 0) return json(200, zone.zone);
    if (a === 'overview' && n === 1) return overview(zone, acts);
    if (a === 'audit') {
      if (n === 1) return auditList(zone, q, ps);
      if (b === 'by-request' && n === 4 && d === 'explain') {
        const body = explain(zone, c!);
        return body ? json(200, body) : err(404, 'request_not_found');
      }
      if (b === 'by-request' && n === 3) {
        const rows = rowsForRequest(zone, c!);
        return rows.length ? json(200, rows.map(publicRow)) : err(404, 'request_not_found');
      }
    }
    if (a === 'admin-audit' && n === 1) return adminAuditList(zone, q, ps);
    if (a === 'resources') {
      if (n === 1) {
        const status = q.get('status');
        if (status !== null && !['active', 'archived'].includes(status)) throw new QueryError('invalid_query');
        // As the API: without `status` the list holds active resources only; archived ones need `status=archived`.
        const items = zone.resources.filter((r) => (status === 'archived') === (r.archived_at != null));
        return paginate(items, q, 'default', ps);
      }
      if (n === 2) return one(zone.resources, b!, 'id', 'resource_not_found');
    }
    if (a === 'applications') {
      if (n === 1) return paginate(zone.applications, q, 'default', ps);
      if (n === 2) return one(zone.applications, b!, 'id', 'application_not_found');
    }
    if (a === 'providers') {
      if (n === 1) return paginate(zone.providers, q, 'default', ps);
      if (n === 2) return one(zone.providers, b!, 'id', 'provider_not_found');
    }
    if (a === 'grants') {
      if (n === 1) {
        const status = q.get('status');
        if (status !== null && !['active', 'revoked', 'expired'].includes(status)) throw new QueryError('invalid_query');
        const scopes = q.get('scopes')?.split(',').filter(Boolean) ?? [];
        const subject = q.get('user_id') ?? q.get('subject_id');
        const items = byField(zone.grants, q, ['application_id', 'resource_id', 'provider_id', 'status'])
          .filter((g) => subject === null || g.user_id === subject)
          .filter((g) => scopes.every((s) => (g.scopes as string[]).includes(s)));
        return paginate(items, q, 'default', ps);
      }
      if (n === 2) return one(zone.grants, b!, 'id', 'grant_not_found');
    }
    if (a === 'policy-sets') {
      const sets = policySetsNow(acts, zone);
      if (n === 1) return paginate(sets, q, 'default', ps);
      const set = sets.find((p) => p.id === b);
      if (!set) return err(404, 'policy_set_not_found');
      if (n === 2) return json(200, set);
      if (n === 3 && c === 'versions') return paginate(zone.policyVersions[b!] ?? [], q, 'default', ps);
      if (n === 4 && c === 'versions') return one(zone.policyVersions[b!] ?? [], d!, 'id', 'policy_set_version_not_found');
      if (n === 3 && c === 'activation-status') {
        const now = activationStatusNow(acts, zone, b!);
        if (now) return now;
        const canned = zone.activation[b!];
        if (!canned) return err(404, 'active_policy_set_version_not_found');
        return { status: canned.status, body: canned.body };
      }
    }
    if (a === 'sessions' && n === 1) {
      const items = byField(zone.sessions, q, ['status', 'application_id', 'lifecycle', 'subject_id']);
      return paginate(items, q, 'audit', ps);
    }
    if (a === 'authority-records' && n === 1) {
      const kind = q.get('kind');
      const items = byField(zone.authorityRecords, q, ['status', 'subject_id', 'authority_record_id']).filter(
        (r) => kind === null || r.authority_record_type === kind,
      );
      return paginate(items, q, 'audit', ps);
    }
    const approvals = approvalReads(acts, zone.zone.id, rest, q);
    if (approvals) return 'list' in approvals ? paginate(approvals.list, q, 'default', ps) : approvals;
    return notFound(ctx);
  }

  // Writes, by capability (apps/api/src/auth.ts): read tokens none; approve tokens only
  // approval decisions; write tokens everything but approval decisions.
  if (token.capability === 'read') return err(403, 'admin_token_read_only');
  const deciding = ctx.method === 'POST' && a === 'approvals' && n === 3 && (c === 'approve' || c === 'reject');
  if (deciding && token.capability !== 'approve') return err(403, 'approve_capability_required');
  if (!deciding && token.capability === 'approve') return err(403, 'admin_token_approve_only');
  if (deciding) return decideApproval(acts, zone.zone.id, b!, c as 'approve' | 'reject', ctx.body);
  if (ctx.method === 'POST' && a === 'policy-sets' && n === 3 && c === 'simulate') return simulate(acts, zone, b!, ctx.body);
  if (ctx.method === 'POST' && a === 'policy-sets' && n === 3 && c === 'activate') return activate(acts, zone, b!, ctx.body);
  if (ctx.method === 'POST' && (a === 'providers' || a === 'resources') && n === 3 && c === 'test') {
    const list = a === 'providers' ? zone.providers : zone.resources;
    if (!list.some((i) => i.id === b)) return err(404, a === 'providers' ? 'provider_not_found' : 'resource_not_found');
    return json(200, { ok: true, checks: [] });
  }
  return notFound(ctx);
}

/** Fastify's default 404 body. */
function notFound(ctx: RouteContext): RouteResult {
  return json(404, { message: `Route ${ctx.method}:${ctx.path} not found`, error: 'Not Found', statusCode: 404 });
}

function bearer(headers: RouteContext['headers']): string | undefined {
  const h = headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

export interface ApiDeps {
  scenario: () => Scenario;
  tokens: Map<string, AdminToken>;
  metricsBearer: string | null;
  acts: SimActs;
}

export function adminApi(ctx: RouteContext, deps: ApiDeps): RouteResult {
  const scenario = deps.scenario();
  if (ctx.method === 'GET' && ctx.path === '/health') return json(200, { ok: true });
  if (ctx.method === 'GET' && ctx.path === '/ready') return { ...scenario.services.api.ready };
  if (ctx.method === 'GET' && ctx.path === '/metrics') {
    if (deps.metricsBearer && bearer(ctx.headers) !== deps.metricsBearer) return err(401, 'unauthorized');
    return { status: 200, text: 'caracal_api_outbox_pending_total 0\ncaracal_api_outbox_dead_total 0\n', headers: { 'content-type': 'text/plain; version=0.0.4' } };
  }
  if (!ctx.path.startsWith('/v1/')) return notFound(ctx);

  const token = deps.tokens.get(bearer(ctx.headers) ?? '');
  if (!token) return err(401, 'invalid_admin_token');
  const result = v1(ctx, deps, scenario, token);
  return { ...result, headers: { 'cache-control': 'no-store', ...result.headers } };
}

function v1(ctx: RouteContext, deps: ApiDeps, scenario: Scenario, token: AdminToken): RouteResult {
  let segs: string[];
  try {
    segs = ctx.path.split('/').filter(Boolean).slice(1).map(decodeURIComponent); // drop "v1"
  } catch {
    return err(400, 'invalid_params');
  }
  if (segs[0] !== 'zones') return ctx.method === 'GET' || token.capability !== 'read' ? notFound(ctx) : err(403, 'admin_token_read_only');
  try {
    if (segs.length === 1) {
      if (ctx.method !== 'GET') return token.capability === 'read' ? err(403, 'admin_token_read_only') : notFound(ctx);
      if (token.scope === 'zone') return err(403, 'admin_token_zone_mismatch');
      return paginate(
        scenario.zones.map((z) => z.zone),
        ctx.query,
        'default',
        scenario.pageSize,
      );
    }
    const zoneId = segs[1]!;
    if (token.scope === 'zone' && token.zoneId !== zoneId) return err(403, 'admin_token_zone_mismatch');
    if (!ID.test(zoneId)) throw new QueryError('invalid_params');
    const zone = scenario.zones.find((z) => z.zone.id === zoneId);
    if (!zone) return err(404, 'zone_not_found');
    return zoneRoute(ctx, zone, segs.slice(2), scenario, token, deps.acts);
  } catch (e) {
    if (e instanceof QueryError) return err(400, e.code);
    throw e;
  }
}
