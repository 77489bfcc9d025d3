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
import { loadAppConfig, NEEDS, runtimeOf } from '../../src/app/config';
import { chatPlatforms } from '../../src/app/platforms';
import { createWebHost, type WebHost } from '../../src/app/web';
import type { IngressRoute } from '../../src/ingress/ingress';
import { createIncidentDesk } from '../../src/service/incident-desk';
import { openTriageService, type RedisTriageService } from '../../src/service/triage-service';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api';
import { SIGNING_SECRET, slackSignature } from '../support/slack-signing';
import { type OpenIdServer, makeSigningKey, signChannelToken, startOpenIdServer } from '../support/teams-auth';
import { APP_ID, TENANT_ID } from '../adapters/teams/fixtures';

const ALERTMANAGER_TOKEN = 'alertmanager-token-0123456789';
const PAGERDUTY_SECRET = 'pagerduty-secret-0123';
const HOOK_SECRET = 'generic-hook-secret-0123456789';
const teamsKey = makeSigningKey('routes-key');
const now = (): number => Math.floor(Date.now() / 1000);

/** Headers that authenticate `body` on a route, as its sender makes them. */
type Credentials = (body: Buffer) => Record<string, string>;

const CREDENTIALS: Record<string, Credentials> = {
  'POST /slack/events': (body) => {
    const ts = now();
    return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(body.toString('utf8'), ts) };
  },
  'POST /api/messages': () => ({ authorization: `Bearer ${signChannelToken(teamsKey, { aud: APP_ID, serviceurl: 'https://smba.trafficmanager.net/amer/' })}` }),
  'POST /hooks/alertmanager': () => ({ authorization: `Bearer ${ALERTMANAGER_TOKEN}` }),
  'POST /hooks/pagerduty': (body) => ({ 'x-pagerduty-signature': `v1=${createHmac('sha256', PAGERDUTY_SECRET).update(body).digest('hex')}` }),
  'POST /hooks/incident': (body) => {
    const ts = now();
    return { 'x-signature-timestamp': String(ts), 'x-signature': `v1=${createHmac('sha256', HOOK_SECRET).update(`${ts}.`).update(body).digest('hex')}` };
  },
};

/** Mounted by the host itself: no body, no credentials. */
const HOST_ROUTES = ['GET /healthz', 'GET /metrics', 'GET /readyz'];

/** Well-formed JSON that is no sender's payload (a Slack form would be `payload=…`, an activity an object). */
const ODD_BODY = Buffer.from('[]');

let slack: FakeSlackApi;
let openId: OpenIdServer;
let service: RedisTriageService;
let host: WebHost;
let port: number;

beforeAll(async () => {
  [slack, openId] = await Promise.all([startFakeSlackApi(), startOpenIdServer([teamsKey])]);
  const config = loadAppConfig(
    {
      REDIS_URL: process.env.REDIS_URL,
      TRIAGE_SIGNING_KEY: 'k'.repeat(40),
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
    },
    NEEDS.serve,
  );
  const logger = pino({ level: 'silent' });
  const registry = new Registry();
  const runtime = runtimeOf(config);
  service = await openTriageService({ redisUrl: runtime.redisUrl, signingKey: runtime.signingKey, metrics: registry, logger });
  const incidents = config.incidents ? { config: config.incidents, desk: createIncidentDesk({ service, logger }) } : null;
  host = createWebHost({ service, platforms: chatPlatforms(config), signingKey: runtime.signingKey, secrets: config.secrets, registry, logger, readiness: [service.readiness], http: config.http, incidents });
  port = await host.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await host?.close();
  await service?.close();
  await Promise.all([slack?.close(), openId?.close()]);
});

/** Every route the express app has, as `METHOD /path`. */
function mountedRoutes(): string[] {
  const stack = (host.app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack;
  return stack.flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${layer.route!.path}`) : [])).sort();
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
function send(route: IngressRoute, headers: Record<string, string>, declared: number, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: route.method, path: route.path, headers: { 'content-type': 'application/json', 'content-length': String(declared), ...headers } }, (res) => {
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
    // Every platform and source is on: Slack over HTTP, Teams, the three incident sources.
    expect(ingressRoutes().length).toBeGreaterThanOrEqual(5);
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
      const credentials = CREDENTIALS[nameOf(route)]!(Buffer.alloc(0));
      const answer = await send(route, credentials, route.maxBodyBytes + 1);
      expect({ route: nameOf(route), status: answer.status }).toEqual({ route: nameOf(route), status: 413 });
    }
  });

  it('answer an authenticated body no sender sends with 400', async () => {
    for (const route of ingressRoutes()) {
      const answer = await send(route, CREDENTIALS[nameOf(route)]!(ODD_BODY), ODD_BODY.length, ODD_BODY);
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
