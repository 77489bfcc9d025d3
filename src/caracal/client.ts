/**
 * The Caracal client (`CaracalClient`, src/caracal/client-api.ts) over undici: Admin API reads
 * with the admin token, operator probes of every service, and Coordinator stats. Every answer is
 * checked against its zod schema (schemas.ts); every failure is a typed `CaracalError`.
 * Tokens go only to the service they belong to and never into an error message.
 */
import type { z } from 'zod';
import type { CallBudget } from './budget';
import type { CaracalConfig } from './config';
import type { AdminAuditQuery, AuditQuery, CaracalClient, GrantQuery, ProbeResult, ServiceName } from './client-api';
import { apiCaller, header, isRedirect, looksLikeHtml, parseJson, redirectTarget, type Query } from './api-call';
import { CaracalApiError, CaracalBadResponseError, CaracalTransportError, isCaracalError } from './errors';
import {
  ActivationStatus,
  AdminAuditRow,
  Application,
  AuditRow,
  AuthorityRecord,
  CoordinatorStats,
  DecisionTrace,
  Grant,
  MetricsJson,
  Page,
  PolicySet,
  PolicyVersion,
  Provider,
  ReadyBody,
  Resource,
  SessionRow,
  SimulateResult,
  Zone,
  ZoneOverview,
} from './schemas';
import { pathSegment } from './path';
import { Transport, type HttpResult, type TransportOptions } from './transport';

export interface CaracalClientOptions {
  /** Per-call deadline in ms, retries included (default `config.timeoutMs`). */
  timeoutMs?: number;
  /** List methods stop after this many pages (default 50). */
  maxPages?: number;
  transport?: TransportOptions;
  /**
   * The Admin API call budget (budget.ts): every Admin API call and retry takes a unit first,
   * waiting for one as long as it takes; a 429 pauses every holder until Caracal's next minute
   * and the call is made again then. Absent: no budget, and a 429 is retried like a 503.
   */
  budget?: CallBudget;
}

/** A client plus `close()` for its connection pools. */
export type CaracalClientHandle = CaracalClient & { close(): Promise<void> };

const PROBE_BODY_KEEP = 500;
/** Largest page per list route: most lists, and audit/sessions/authority records. */
const LIST_LIMIT = 500;
const AUDIT_LIST_LIMIT = 1000;

type Auth = 'admin' | 'metrics' | 'coordinator' | 'none';

const seg = (value: string): string => pathSegment(value);

export function createCaracalClient(config: CaracalConfig, opts: CaracalClientOptions = {}): CaracalClientHandle {
  const transport = new Transport(opts.transport);
  const timeoutMs = opts.timeoutMs ?? config.timeoutMs;
  const maxPages = opts.maxPages ?? 50;
  const budget = opts.budget;
  const bases: Partial<Record<ServiceName, string>> = {
    api: config.apiUrl,
    sts: config.stsUrl,
    gateway: config.gatewayUrl,
    audit: config.auditUrl,
    coordinator: config.coordinatorUrl,
  };
  const endpoints = Object.freeze(Object.fromEntries(Object.entries(bases).filter(([, v]) => !!v))) as Readonly<Partial<Record<ServiceName, string>>>;

  const tokens: Partial<Record<Auth, string | undefined>> = { admin: config.adminToken, metrics: config.metricsBearer, coordinator: config.coordinatorToken };
  const caller = apiCaller({
    transport,
    bases,
    timeoutMs,
    authorization: (auth) => {
      const token = tokens[auth as Auth];
      return token ? `Bearer ${token}` : undefined;
    },
    // Every Admin API call counts against the budget; the other services' reads do not.
    budget: budget && { calls: budget, covers: (service, auth) => service === 'api' && auth === 'admin' },
  });
  const { url } = caller;
  const call = <S extends z.ZodType>(service: ServiceName, method: 'GET' | 'POST', path: string, schema: S, o: { auth: Auth; query?: Query; body?: unknown; label?: string }) =>
    caller.call(service, method, path, schema, o);

  const api = <S extends z.ZodType>(path: string, schema: S, query?: Query) => call('api', 'GET', path, schema, { auth: 'admin', query });

  /**
   * Every page of a list route, following `next_cursor` (bounded by maxPages; a repeated cursor
   * stops it). Pages are requested at the route's largest size (500 for most lists,
   * 1000 for audit, sessions and authority records), so one call usually answers; an API that
   * refuses the `limit` (400 `invalid_query`) is asked again with its default page size.
   */
  async function listAll<S extends z.ZodType>(path: string, item: S, query: Query = {}, pageLimit: number = LIST_LIMIT): Promise<Array<z.infer<S>>> {
    const out: Array<z.infer<S>> = [];
    const page = Page(item);
    let cursor: string | undefined;
    let limit: number | undefined = pageLimit;
    for (let i = 0; i < maxPages; i++) {
      let res: z.infer<ReturnType<typeof Page<S>>>;
      try {
        res = await api(path, page, { ...query, limit, cursor });
      } catch (e) {
        if (limit === undefined || !(e instanceof CaracalApiError) || e.code !== 'invalid_query') throw e;
        limit = undefined;
        res = await api(path, page, { ...query, cursor });
      }
      out.push(...(res.items as Array<z.infer<S>>));
      const next = res.next_cursor || undefined;
      if (!next || next === cursor || res.items.length === 0) break;
      cursor = next;
    }
    return out;
  }

  const zonePath = (zoneId: string, rest = '') => `/v1/zones/${seg(zoneId)}${rest}`;

  async function probe(service: ServiceName, path: '/ready' | '/health'): Promise<ProbeResult> {
    const base = bases[service];
    if (!base) return { service, configured: false, ok: false, ms: 0 };
    const started = Date.now();
    const target = url(service, path);
    const result = (r: Omit<ProbeResult, 'service' | 'configured' | 'url' | 'ms'>): ProbeResult => ({
      service,
      configured: true,
      url: target.toString(),
      ms: Date.now() - started,
      ...r,
    });
    let res: HttpResult;
    try {
      // Probes send no credentials and do not retry statuses: a 503 is the answer.
      res = await transport.send(`GET ${path}`, target, {
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': 'caracal-triage' },
        timeoutMs,
        retryTransport: true,
        retryStatuses: [],
      });
    } catch (e) {
      if (e instanceof CaracalBadResponseError) return result({ ok: false, reason: e.code, unreadable: e.reason, detail: e.message });
      if (e instanceof CaracalTransportError) return result({ ok: false, reason: e.code, detail: e.detail });
      return result({ ok: false, reason: isCaracalError(e) ? e.code : 'unreachable' });
    }
    const date = header(res.headers, 'date');
    const ok2xx = res.status >= 200 && res.status < 300;
    const common = { status: res.status, ...(date ? { date, receivedAtMs: Date.now() } : {}) };
    if (isRedirect(res.status)) return result({ ...common, ok: false, reason: 'bad_body', unreadable: 'redirected', detail: redirectTarget(res, target) });
    if (res.text.trim() === '') return result({ ...common, ok: ok2xx, ...(ok2xx ? {} : { reason: `http_${res.status}` }) });
    const parsed = parseJson(res.text);
    const body = parsed.ok ? ReadyBody.safeParse(parsed.value) : undefined;
    if (!body?.success) {
      const unreadable = parsed.ok ? 'unexpected_shape' : looksLikeHtml(res) ? 'html' : 'not_json';
      return result({ ...common, ok: false, reason: 'bad_body', unreadable, body: parsed.ok ? parsed.value : res.text.slice(0, PROBE_BODY_KEEP) });
    }
    const b = body.data;
    const healthy = ok2xx && b.ok !== false && b.ready !== false;
    if (healthy) return result({ ...common, ok: true, body: b });
    // API/Coordinator answer 500 internal_error when Redis is down; keep the body.
    const reason = b.reason || b.error || `http_${res.status}`;
    return result({ ...common, ok: false, reason, body: b });
  }

  const client: CaracalClientHandle = {
    endpoints,
    configuredZoneIds: Object.freeze([...config.zoneIds]),
    probe,
    metricsJson: (service) => call(service, 'GET', '/metrics.json', MetricsJson, { auth: 'metrics' }),
    coordinatorStats: () => call('coordinator', 'GET', '/stats', CoordinatorStats, { auth: 'coordinator' }),

    listZones: () => listAll('/v1/zones', Zone),
    getZone: async (z) => api(zonePath(z), Zone),
    zoneOverview: async (z) => api(zonePath(z, '/overview'), ZoneOverview),

    explain: async (z, rid) => api(zonePath(z, `/audit/by-request/${seg(rid)}/explain`), DecisionTrace),
    listAudit: async (z, q: AuditQuery) => {
      const page = await api(zonePath(z, '/audit'), Page(AuditRow), { ...q });
      return { items: page.items, next_cursor: page.next_cursor ?? null };
    },
    auditForRequest: async (z, rid) => listAll(zonePath(z, '/audit'), AuditRow, { request_id: rid }, AUDIT_LIST_LIMIT),
    listAdminAudit: async (z, q: AdminAuditQuery) => {
      const page = await api(zonePath(z, '/admin-audit'), Page(AdminAuditRow), { ...q });
      return { items: page.items, next_cursor: page.next_cursor ?? null };
    },

    listResources: async (z) => listAll(zonePath(z, '/resources'), Resource),
    listArchivedResources: async (z) => listAll(zonePath(z, '/resources'), Resource, { status: 'archived' }),
    getResource: async (z, id) => api(zonePath(z, `/resources/${seg(id)}`), Resource),
    listApplications: async (z) => listAll(zonePath(z, '/applications'), Application),
    getApplication: async (z, id) => api(zonePath(z, `/applications/${seg(id)}`), Application),
    getProvider: async (z, id) => api(zonePath(z, `/providers/${seg(id)}`), Provider),
    listGrants: async (z, q: GrantQuery) => listAll(zonePath(z, '/grants'), Grant, { ...q }),
    listPolicySets: async (z) => listAll(zonePath(z, '/policy-sets'), PolicySet),
    listPolicyVersions: async (z, id) => listAll(zonePath(z, `/policy-sets/${seg(id)}/versions`), PolicyVersion),
    activationStatus: async (z, id) => api(zonePath(z, `/policy-sets/${seg(id)}/activation-status`), ActivationStatus),
    listSessions: async (z, q) => listAll(zonePath(z, '/sessions'), SessionRow, { ...q }, AUDIT_LIST_LIMIT),
    listAuthorityRecords: async (z, q) => listAll(zonePath(z, '/authority-records'), AuthorityRecord, { ...q }, AUDIT_LIST_LIMIT),
    simulate: async (z, id, body) => call('api', 'POST', zonePath(z, `/policy-sets/${seg(id)}/simulate`), SimulateResult, { auth: 'admin', body }),

    close: () => transport.close(),
  };
  return client;
}
