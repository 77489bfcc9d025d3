/**
 * Every route the web process mounts, held to the same edge: the host built as `serve` builds it
 * (src/app/processes.ts), from an environment that turns on every chat platform and every
 * incident source, over real Redis. The routes are read from the host itself (its express
 * router), so a route added later is checked without touching this file; what a route needs to
 * pass its header check and to sign a body is the one thing each route brings (CREDENTIALS),
 * and a route without an entry fails here until it has one.
 *
 * For each route:
 *   - no credentials: 401, answered from the headers while the declared body was never sent
 *     (so the body was not read: a server waiting for it would not have answered);
 *   - credentials that pass the header check and a declared length over the route's cap: 413,
 *     again without a byte of the body sent;
 *   - correctly signed, but a body no sender sends: 400.
 * The host's own routes (/healthz, /readyz, /metrics) take no body and no credentials, and
 * are the only routes outside the ingresses.
 */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import pino from 'pino';
import { Registry } from 'prom-client';
import { loadWebConfig } from '../../src/app/config';
import { openPlatforms } from '../../src/app/platforms';
import { composeWebHost } from '../../src/app/processes';
import type { WebHost } from '../../src/app/web';
import type { IngressRoute } from '../../src/ingress/ingress';
import { triageMetrics } from '../../src/queue/metrics';
import { openTriageRedis, type TriageRedis } from '../../src/queue/triage-redis';
import { pageLink } from '../../src/report/page-link';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api';
import { SIGNING_SECRET, slackSignature } from '../support/slack-signing';
import { type OpenIdServer, makeSigningKey, signChannelToken, startOpenIdServer } from '../support/teams-auth';
import { APP_ID, TENANT_ID } from '../adapters/teams/fixtures';

const ALERTMANAGER_TOKEN = 'alertmanager-token-0123456789';
const MCP_TOKEN = 'mcp-token-0123456789abcdef0123456789abcdef';
const SINK_SECRET = 'caracal-sink-secret-0123456789';
const SIGNING_KEY = 'k'.repeat(40);
const PAGERDUTY_SECRET = 'pagerduty-secret-0123';
const HOOK_SECRET = 'generic-hook-secret-0123456789';
const teamsKey = makeSigningKey('routes-key');
const now = (): number => Math.floor(Date.now() / 1000);

/**
 * What authenticates `body` on a route, as its sender makes it: headers, and for a route whose
 * link is its credential (the signed triage page), the request target.
 */
interface Credentials {
  headers: (body: Buffer) => Record<string, string>;
  target?: () => string;
}

const signedHmac = (secret: string, body: Buffer): string => createHmac('sha256', secret).update(body).digest('hex');

const CREDENTIALS: Record<string, Credentials> = {
  'POST /slack/events': {
    headers: (body) => {
      const ts = now();
      return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(body.toString('utf8'), ts) };
    },
  },
  'POST /api/messages': { headers: () => ({ authorization: `Bearer ${signChannelToken(teamsKey, { aud: APP_ID, serviceurl: 'https://smba.trafficmanager.net/amer/' })}` }) },
  'POST /hooks/alertmanager': { headers: () => ({ authorization: `Bearer ${ALERTMANAGER_TOKEN}` }) },
  'POST /hooks/pagerduty': { headers: (body) => ({ 'x-pagerduty-signature': `v1=${signedHmac(PAGERDUTY_SECRET, body)}` }) },
  'POST /hooks/incident': {
    headers: (body) => {
      const ts = now();
      return { 'x-signature-timestamp': String(ts), 'x-signature': `v1=${createHmac('sha256', HOOK_SECRET).update(`${ts}.`).update(body).digest('hex')}` };
    },
  },
  'POST /hooks/caracal': {
    headers: (body) => {
      const ts = now();
      return { 'x-caracal-timestamp': String(ts), 'x-caracal-signature': `v1=${createHmac('sha256', SINK_SECRET).update(`${ts}.`).update(body).digest('hex')}` };
    },
  },
  // An MCP client sends the bearer and accepts both answer forms of Streamable HTTP.
  'POST /mcp': { headers: () => ({ authorization: `Bearer ${MCP_TOKEN}`, accept: 'application/json, text/event-stream' }) },
  // The page link is the credential: signed over the triage ID and its expiry.
  'GET /triage/:triage': {
    headers: () => ({}),
    target: () => {
      const link = new URL(pageLink({ publicUrl: 'https://triage.example.com', signingKey: SIGNING_KEY, ttlMs: 60_000 }, 'tri-routes', new Date()));
      return `${link.pathname}${link.search}`;
    },
  },
};

/** Mounted by the host itself: no body, no credentials. */
const HOST_ROUTES = ['GET /healthz', 'GET /metrics', 'GET /readyz'];

/** Well-formed JSON that is no sender's payload (a Slack form would be `payload=…`, an activity an object). */
const ODD_BODY = Buffer.from('[]');

let slack: FakeSlackApi;
let openId: OpenIdServer;
let redis: TriageRedis;
let host: WebHost;
let port: number;

beforeAll(async () => {
  [slack, openId] = await Promise.all([startFakeSlackApi(), startOpenIdServer([teamsKey])]);
  const config = loadWebConfig({
    REDIS_URL: process.env.REDIS_URL,
    TRIAGE_SIGNING_KEY: SIGNING_KEY,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    MICROSOFT_APP_ID: APP_ID,
    MICROSOFT_APP_PASSWORD: 'client-secret-value',
    MICROSOFT_APP_TENANT_ID: TENANT_ID,
    MICROSOFT_OPENID_METADATA_URL: openId.metadataUrl,
    ALERTMANAGER_TOKEN,
    PAGERDUTY_WEBHOOK_SECRET: PAGERDUTY_SECRET,
    INCIDENT_WEBHOOK_SECRET: HOOK_SECRET,
    TRIAGE_DEFAULT_CHANNEL: 'slack:C0INC001',
    MCP_TOKEN,
    CARACAL_API_URL: 'http://127.0.0.1:1',
    CARACAL_ADMIN_TOKEN: 'caracal-admin-token-0123456789',
    TRIAGE_PUBLIC_URL: 'https://triage.example.com',
    CARACAL_SINK_SECRET: SINK_SECRET,
  });
  const logger = pino({ level: 'silent' });
  const registry = new Registry();
  redis = openTriageRedis({ url: config.runtime.redisUrl, role: 'web', signingKey: config.runtime.signingKey, metrics: triageMetrics(registry), logger });
  await redis.whenReady(5000);
  host = composeWebHost(config, { redis, platforms: await openPlatforms(config.platforms), registry, logger });
  port = await host.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await host?.close();
  await redis?.close();
  await Promise.all([slack?.close(), openId?.close()]);
});

type RouterLayer = { route?: { path: string; methods: Record<string, boolean> } };
const routerLayers = (): RouterLayer[] => (host.app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
/** A layer mounted with `app.all` (the host's 405 answer for a path's other methods) lists every method. */
const isCatchAll = (l: RouterLayer): boolean => Object.keys(l.route?.methods ?? {}).length > 2;

/** Every route the express app has, as `METHOD /path`, without the host's 405 answers. */
function mountedRoutes(): string[] {
  return routerLayers()
    .filter((l) => l.route && !isCatchAll(l))
    .flatMap((l) => Object.keys(l.route!.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${l.route!.path}`))
    .sort();
}

const ingressRoutes = (): IngressRoute[] => host.ingresses.flatMap((i) => i.routes);
const nameOf = (r: Pick<IngressRoute, 'method' | 'path'>): string => `${r.method} ${r.path}`;

interface Answer {
  status: number;
  body: string;
}

/**
 * Sends the headers, declaring `declared` bytes, then `body` (when given) or nothing at all; the
 * answer must come within 5 s either way.
 */
function send(route: IngressRoute, headers: Record<string, string>, declared: number, body?: Buffer, target: string = route.path): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: route.method, path: target, headers: { 'content-type': 'application/json', 'content-length': String(declared), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: text });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${nameOf(route)}: no answer within 5 s${body ? '' : ' (waiting for a body it was never sent?)'}`));
    }, 5000);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (body) req.end(body);
    else req.flushHeaders();
  });
}

describe('the routes the web process mounts', () => {
  it('are the host\'s own three and the ingresses\' routes, nothing else', () => {
    expect(mountedRoutes()).toEqual([...HOST_ROUTES, ...ingressRoutes().map(nameOf)].sort());
    // Every platform and source is on: Slack over HTTP, Teams, the three incident sources, Caracal's sink, MCP, the page.
    expect(ingressRoutes().length).toBeGreaterThanOrEqual(8);
    // Each ingress path answers its other methods with 405 (and nothing else is caught that way).
    expect(routerLayers().filter(isCatchAll).map((l) => l.route!.path).sort()).toEqual([...new Set(ingressRoutes().map((r) => r.path))].sort());
  });

  it('each bring how a sender authenticates (a new route needs an entry in CREDENTIALS)', () => {
    expect(ingressRoutes().map(nameOf).filter((r) => !CREDENTIALS[r])).toEqual([]);
  });

  it('answer a request without credentials with 401, without reading its body', async () => {
    for (const route of ingressRoutes()) {
      const answer = await send(route, {}, Math.min(route.maxBodyBytes, 1024));
      expect({ route: nameOf(route), status: answer.status }).toEqual({ route: nameOf(route), status: 401 });
    }
  });

  it('answer an authenticated request over the route\'s cap with 413, without reading its body', async () => {
    for (const route of ingressRoutes()) {
      const c = CREDENTIALS[nameOf(route)]!;
      const answer = await send(route, c.headers(Buffer.alloc(0)), route.maxBodyBytes + 1, undefined, c.target?.());
      expect({ route: nameOf(route), status: answer.status }).toEqual({ route: nameOf(route), status: 413 });
    }
  });

  it('answer an authenticated body no sender sends with 400', async () => {
    for (const route of ingressRoutes()) {
      const c = CREDENTIALS[nameOf(route)]!;
      const answer = await send(route, c.headers(ODD_BODY), ODD_BODY.length, ODD_BODY, c.target?.());
      expect({ route: nameOf(route), status: answer.status }).toEqual({ route: nameOf(route), status: 400 });
    }
  });

  it('the host\'s own routes answer without credentials', async () => {
    for (const r of HOST_ROUTES) {
      const [method, path] = r.split(' ') as [string, string];
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
      expect({ route: r, ok: res.status === 200 || (path === '/readyz' && res.status === 503) }).toEqual({ route: r, ok: true });
    }
  });
});
