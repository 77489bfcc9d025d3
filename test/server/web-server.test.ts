/**
 * The web host names no platform: it mounts whatever ingresses it is given next to /healthz,
 * /readyz and /metrics, measures their answers, and starts and stops them around listening.
 */
import { Registry } from 'prom-client';
import { BODY_NOT_SIGNED, refuse } from '../../src/ingress/edge';
import type { Ingress } from '../../src/ingress/ingress';
import type { RawBodyRequest } from '../../src/ingress/ingress';
import { type WebServer, createWebServer } from '../../src/server/web-server';

let web: WebServer | null = null;
afterEach(async () => {
  await web?.close();
  web = null;
});

function fakeIngress(name: string, events: string[], ready: () => Promise<void | string> = async () => undefined): Ingress {
  return {
    name,
    routes: [
      {
        method: 'POST',
        path: `/${name}/in`,
        handler: (req, res) => {
          res.json({ got: JSON.parse(String((req as RawBodyRequest).rawBody)) });
        },
        kindOf: () => 'thing',
        maxBodyBytes: 1024,
        precheck: (headers) => (headers.authorization === 'Bearer ok' ? { ok: true, body: BODY_NOT_SIGNED } : refuse('missing_credentials', 'no bearer')),
      },
    ],
    readiness: [{ name, check: ready }],
    start: async () => void events.push(`start ${name}`),
    stop: async () => void events.push(`stop ${name}`),
  };
}

async function listen(w: WebServer): Promise<string> {
  return `http://127.0.0.1:${await w.listen(0, '127.0.0.1')}`;
}

describe('web host', () => {
  it('serves health, readiness and metrics with no ingress at all', async () => {
    web = createWebServer({ ingresses: [], readiness: [{ name: 'redis', check: async () => undefined }], registry: new Registry() });
    const base = await listen(web);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: [{ name: 'redis', ok: true }] });
    expect((await fetch(`${base}/slack/events`, { method: 'POST' })).status).toBe(404);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('# TYPE caracal_triage_ack_seconds histogram');
  });

  it('mounts every ingress, starts them before listening and stops them after closing', async () => {
    const events: string[] = [];
    web = createWebServer({ ingresses: [fakeIngress('alpha', events), fakeIngress('beta', events)], registry: new Registry() });
    const base = await listen(web);
    expect(events).toEqual(['start alpha', 'start beta']);
    const ok = await fetch(`${base}/beta/in`, { method: 'POST', headers: { authorization: 'Bearer ok', 'content-type': 'application/json' }, body: '{"x":1}' });
    expect(await ok.json()).toEqual({ got: { x: 1 } });
    expect((await fetch(`${base}/alpha/in`, { method: 'POST', body: '{}' })).status).toBe(401);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/caracal_triage_ack_seconds_count\{platform="beta",kind="thing"\} 1/);
    expect(metrics).toMatch(/caracal_triage_rejected_signatures_total\{platform="alpha"\} 1/);
    await web.close();
    web = null;
    expect(events).toEqual(['start alpha', 'start beta', 'stop alpha', 'stop beta']);
  });

  it('answers another method on an ingress path with 405 and the methods it takes; an unknown path stays 404', async () => {
    web = createWebServer({ ingresses: [fakeIngress('alpha', [])], registry: new Registry() });
    const base = await listen(web);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await fetch(`${base}/alpha/in`, { method });
      expect({ method, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, status: 405, allow: 'POST' });
    }
    expect((await fetch(`${base}/alpha/out`)).status).toBe(404);
  });

  it('answers 503 naming each check that failed, its own and the ingresses', async () => {
    web = createWebServer({
      ingresses: [fakeIngress('alpha', [], async () => 'alpha cannot reach its platform')],
      readiness: [{ name: 'redis', check: async () => 'cannot reach Redis at redis://127.0.0.1:1 (ECONNREFUSED)' }],
      registry: new Registry(),
    });
    const res = await fetch(`${await listen(web)}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      ready: false,
      checks: [
        { name: 'redis', ok: false, detail: 'cannot reach Redis at redis://127.0.0.1:1 (ECONNREFUSED)' },
        { name: 'alpha', ok: false, detail: 'alpha cannot reach its platform' },
      ],
    });
  });
});
