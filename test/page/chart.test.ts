/**
 * The watch card's chart as the web process serves it to Slack (`GET /triage/<id>.png`): the web
 * host built as `serve` builds it with TRIAGE_PUBLIC_URL, over real Redis, a deny pattern's
 * triage started as the watcher starts one. The link the Slack card carries answers a PNG with
 * `Content-Type: image/png`; no signature is 401, a tampered or expired one 403, a page link's
 * signature does not open the image, and a triage without a pattern has no chart (404).
 */
import { request } from 'node:http';
import pino from 'pino';
import { buildStatusCard as slackCard } from '../../adapters/slack/render';
import { createWebHost, type WebHost } from '../../src/app/web';
import { triageForWatch, watchIncidentView } from '../../src/incidents/from-watch';
import { NO_LINKS } from '../../src/report/config';
import { pageLink } from '../../src/report/page-link';
import type { RedisTriageService } from '../../src/service/triage-service';
import { openService } from '../support/halves';
import { SIGNING_KEY, deleteByPrefix, uniquePrefix } from '../queue/harness';
import { watchNotice, watchView } from '../support/watch-records';

const PUBLIC = 'https://triage.example.com';
const TTL = 7 * 86_400_000;
const prefix = uniquePrefix('chart');
let service: RedisTriageService;
let host: WebHost;
let base: string;
let watched: string;
let plain: string;

const perMinute = Array.from({ length: 60 }, (_, i) => (i === 50 ? 30 : i % 7));
const view = watchView({
  windowCount: 30,
  total: 30,
  firstAt: new Date(Date.now() - 120_000).toISOString(),
  latestAt: new Date().toISOString(),
  lastHour: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30, 0],
  perMinute,
});

function get(path: string): Promise<{ status: number; type: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'GET' }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The path and query of the image the Slack card of `id` shows. */
async function cardImage(id: string): Promise<string> {
  const r = (await service.get(id))!;
  const image = slackCard(r, { signingKey: SIGNING_KEY, links: { ...NO_LINKS, publicUrl: PUBLIC } }).blocks.find((b) => b.type === 'image') as { image_url: string };
  return image.image_url.slice(PUBLIC.length);
}

beforeAll(async () => {
  service = await openService({ redisUrl: process.env.REDIS_URL!, signingKey: SIGNING_KEY, prefix });
  host = createWebHost({ service, platforms: [], signingKey: SIGNING_KEY, links: { ...NO_LINKS, publicUrl: PUBLIC }, logger: pino({ level: 'silent' }) });
  base = `http://127.0.0.1:${await host.listen(0, '127.0.0.1')}`;
  const n = watchNotice(view, { idPart: 'cd', requestId: 'req-chart-1' });
  const t = triageForWatch(n);
  watched = (await service.start({ input: t.input, destination: { platform: 'slack', channel: 'C0CHART01' }, actor: { kind: 'system', id: 'watch', name: 'the deny watcher' }, dedupeKey: `chart-${Date.now()}`, source: 'watch', incident: watchIncidentView(t, n) })).triageId;
  plain = (await service.start({ input: { requestId: 'req-plain', zoneId: null, symptom: null, error: null }, destination: { platform: 'slack', channel: 'C0CHART01' }, actor: { kind: 'user', id: 'U0CHART01', name: 'Ann' }, dedupeKey: `chart-plain-${Date.now()}`, source: 'slack_command' })).triageId;
}, 30_000);

afterAll(async () => {
  await host?.close();
  if (service) {
    await deleteByPrefix(service.store.redis, prefix);
    await service.close();
  }
});

test("the Slack card's image link answers the pattern's chart as image/png", async () => {
  const r = await get(await cardImage(watched));
  expect(r.status).toBe(200);
  expect(r.type).toBe('image/png');
  expect([...r.body.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(r.body.readUInt32BE(16)).toBe(120);
  expect(r.body.readUInt32BE(20)).toBe(24);
});

test('refused without a signature (401), with a tampered or expired one (403), and with the page link\'s signature (403)', async () => {
  expect((await get(`/triage/${watched}.png`)).status).toBe(401);
  const good = await cardImage(watched);
  expect((await get(good.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`))).status).toBe(403);
  const expired = pageLink({ publicUrl: PUBLIC, signingKey: SIGNING_KEY, ttlMs: TTL }, watched, new Date(Date.now() - TTL - 60_000), 'png').slice(PUBLIC.length);
  const refused = await get(expired);
  expect(refused.status).toBe(403);
  expect(refused.type).not.toBe('image/png');
  const pageQuery = pageLink({ publicUrl: PUBLIC, signingKey: SIGNING_KEY, ttlMs: TTL }, watched, new Date()).slice(PUBLIC.length).split('?')[1];
  expect((await get(`/triage/${watched}.png?${pageQuery}`)).status).toBe(403);
});

test('a triage the watcher did not open has no chart (404)', async () => {
  const link = pageLink({ publicUrl: PUBLIC, signingKey: SIGNING_KEY, ttlMs: TTL }, plain, new Date(), 'png').slice(PUBLIC.length);
  expect((await get(link)).status).toBe(404);
});
