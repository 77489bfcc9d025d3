/**
 * The simulated STS, Gateway, Audit and Coordinator: only the operator endpoints the bot
 * probes: `/health`, `/ready`, `/metrics.json`, and the Coordinator's `/stats`.
 */
import { err, json, type RouteContext, type RouteResult } from './http';
import type { Scenario } from './types';

export interface ServiceDeps {
  scenario: () => Scenario;
  /** When set, `/metrics.json` needs `Authorization: Bearer <metricsBearer>` (401 otherwise). */
  metricsBearer: string | null;
  coordinatorToken: string;
}

function bearer(ctx: RouteContext): string | undefined {
  const h = ctx.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

const NOT_FOUND: RouteResult = { status: 404, text: '404 page not found\n' };

export function goService(ctx: RouteContext, deps: ServiceDeps): RouteResult {
  const svc = ctx.service as 'sts' | 'gateway' | 'audit';
  const state = deps.scenario().services[svc];
  if (ctx.method !== 'GET') return NOT_FOUND;
  if (ctx.path === '/health') {
    // Audit's /health mirrors a consumer failure; otherwise an empty 200.
    const readyBody = state.ready.body as { reason?: string } | undefined;
    if (svc === 'audit' && readyBody?.reason === 'consumer_unhealthy') return { ...state.ready };
    return { status: 200, text: '' };
  }
  if (ctx.path === '/ready') return { ...state.ready };
  if (ctx.path === '/metrics.json') {
    if (deps.metricsBearer && bearer(ctx) !== deps.metricsBearer) return err(401, 'unauthorized');
    return json(200, state.metrics ?? {});
  }
  return NOT_FOUND;
}

export function coordinator(ctx: RouteContext, deps: ServiceDeps): RouteResult {
  const state = deps.scenario().services.coordinator;
  if (ctx.method === 'GET' && ctx.path === '/health') return json(200, { ok: true });
  if (ctx.method === 'GET' && ctx.path === '/ready') return { ...state.ready };
  if (ctx.method === 'GET' && ctx.path === '/stats') {
    const token = bearer(ctx);
    if (!token) return err(401, 'missing_token');
    if (token !== deps.coordinatorToken) return err(401, 'invalid_token');
    return json(200, state.stats ?? {});
  }
  return json(404, { message: `Route ${ctx.method}:${ctx.path} not found`, error: 'Not Found', statusCode: 404 });
}
